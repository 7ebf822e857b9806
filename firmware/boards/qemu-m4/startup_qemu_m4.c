/* qemu-m4 start-up: vector table, reset (FPU on before any float, stack guard, .data/.bss, constructors, main) and
 * a fault handler that reports over semihosting and exits, so a crash or a stack overflow ends the emulation with
 * a reason instead of running on. */
#include <stdint.h>
#include <string.h>

#include "semihost.h"
#include "cortexm_vectors.h"

extern uint32_t __stack_top[], __data_start[], __data_end[], __data_load[], __bss_start[], __bss_end[];
extern int main(void);
extern void __libc_init_array(void);
void hal_systick_isr(void);

/* -nostartfiles drops crti/crtn; newlib's __libc_init_array still calls these. */
void _init(void) {}
void _fini(void) {}

#define SCB_CPACR (*(volatile uint32_t *)0xE000ED88u)
#define SCB_CFSR (*(volatile uint32_t *)0xE000ED28u)
#define SCB_HFSR (*(volatile uint32_t *)0xE000ED2Cu)
#define SCB_SHCSR (*(volatile uint32_t *)0xE000ED24u)
#define MPU_CTRL (*(volatile uint32_t *)0xE000ED94u)
#define MPU_RBAR (*(volatile uint32_t *)0xE000ED9Cu)
#define MPU_RASR (*(volatile uint32_t *)0xE000EDA0u)

/* The emulator has memory below 0x20000000 too (down to the code at 0), so an overflowing stack would silently run
 * into it: an MPU region makes the 32 KiB below RAM no-access; everything else keeps the default map. */
static void stack_guard(void) {
    MPU_RBAR = 0x1FFF8000u | (1u << 4) | 0u; /* base, VALID, region 0 */
    MPU_RASR = (1u << 28) | (14u << 1) | 1u; /* XN, no access (AP=0), size 2^(14+1) = 32 KiB, enable */
    MPU_CTRL = (1u << 2) | 1u;               /* default map for privileged code, MPU on */
    SCB_SHCSR |= 1u << 16;                   /* MemManage faults reported as such */
    __asm__ volatile("dsb\n isb" ::: "memory");
}

__attribute__((noreturn)) void Reset_Handler(void) {
    /* CP10/CP11 full access: the compiler may use FPU registers anywhere after this point. */
    SCB_CPACR |= 0xFu << 20;
    __asm__ volatile("dsb\n isb" ::: "memory");
    stack_guard();
    memcpy(__data_start, __data_load, (size_t)((char *)__data_end - (char *)__data_start));
    memset(__bss_start, 0, (size_t)((char *)__bss_end - (char *)__bss_start));
    __libc_init_array();
    int code = main();
    semihost_exit(code);
}

static void put_hex(char *dst, uint32_t v) {
    for (int i = 7; i >= 0; i--, v >>= 4) dst[i] = "0123456789abcdef"[v & 0xF];
}

__attribute__((noreturn, used)) static void fault_report(void) {
    char msg[] = "bitrl qemu-m4: fault, CFSR=0x........ HFSR=0x........\n";
    put_hex(msg + 29, SCB_CFSR);
    put_hex(msg + 45, SCB_HFSR);
    semihost_log(msg);
    semihost_exit(70);
}

/* The stack may be what failed (an overflow into the guard): take a fresh one before any C code runs. */
__attribute__((naked, noreturn)) void Fault_Handler(void) {
    __asm__ volatile("ldr r0, =__stack_top\n mov sp, r0\n b fault_report\n");
}

__attribute__((section(".isr_vector"), used)) static void (*const vectors[16 + 32])(void) = {
    CORTEXM_CORE_VECTORS(__stack_top, Reset_Handler, Fault_Handler),
    [15] = hal_systick_isr,
};
