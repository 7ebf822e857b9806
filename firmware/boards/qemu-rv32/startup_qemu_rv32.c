/* qemu-rv32 start-up: stack, gp and tp, the stack guard (locked PMP page), .data/.tdata/.bss, constructors, main;
 * any trap reports its cause over semihosting and ends the emulation. */
#include <stdint.h>
#include <string.h>

#include "semihost.h"

/* CSR access. Plain -march=rv32imc keeps the picolibc multilib; binutils 2.40 wants Zicsr named for csrr/csrw. */
#define CSR_READ(csr, out)                                                                                             \
    __asm__ volatile(".option push\n.option arch, +zicsr\ncsrr %0, " #csr "\n.option pop" : "=r"(out))
#define CSR_WRITE(csr, val)                                                                                            \
    __asm__ volatile(".option push\n.option arch, +zicsr\ncsrw " #csr ", %0\n.option pop" ::"r"(val))

extern uint8_t __data_start[], __data_end[], __data_source[], __tls_base[], __tbss_start[], __tbss_end[];
extern uint8_t __bss_start[], __bss_end[], __ram_origin[];
extern int main(void);
extern void __libc_init_array(void);

void _init(void) {}
void _fini(void) {}

static void put_hex(char *dst, uint32_t v) {
    for (int i = 7; i >= 0; i--, v >>= 4) dst[i] = "0123456789abcdef"[v & 0xF];
}

__attribute__((interrupt("machine"), aligned(4))) void bitrl_trap(void) {
    uint32_t cause, epc, tval;
    CSR_READ(mcause, cause);
    CSR_READ(mepc, epc);
    CSR_READ(mtval, tval);
    char msg[] = "bitrl qemu-rv32: trap, mcause=0x........ mepc=0x........ mtval=0x........\n";
    put_hex(msg + 32, cause);
    put_hex(msg + 48, epc);
    put_hex(msg + 65, tval);
    semihost_log(msg);
    semihost_exit(70);
}

__attribute__((noreturn, used)) void bitrl_cstart(void) {
    /* Guard: the 4 KiB below RAM (top of TEXT, unused) becomes no-access even for machine mode (locked NAPOT). */
    uintptr_t guard = (uintptr_t)__ram_origin - 4096u;
    CSR_WRITE(pmpaddr0, (guard >> 2) | ((4096u >> 3) - 1u));
    /* every other address stays accessible: entry 1 = TOR up to the top of the 32-bit space, RWX */
    CSR_WRITE(pmpaddr1, 0xFFFFFFFFu);
    CSR_WRITE(pmpcfg0, 0x98u | (0x0Fu << 8));
    CSR_WRITE(mtvec, (uintptr_t)bitrl_trap);
    memcpy(__data_start, __data_source, (size_t)(__data_end - __data_start));
    memset(__tbss_start, 0, (size_t)(__tbss_end - __tbss_start));
    memset(__bss_start, 0, (size_t)(__bss_end - __bss_start));
    __libc_init_array();
    semihost_exit(main());
}

/* Entry from QEMU's reset vector (hart 0 only on this board): registers first, then C. */
__attribute__((naked, section(".text.start"))) void _start(void) {
    __asm__ volatile(".option push\n.option norelax\n"
                     "la gp, __global_pointer$\n"
                     ".option pop\n"
                     "la sp, __stack_top\n"
                     "la tp, __tls_base\n"
                     "j bitrl_cstart\n");
}
