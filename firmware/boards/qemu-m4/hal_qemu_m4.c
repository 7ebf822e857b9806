/* HAL for qemu-m4 (QEMU mps2-an386, Cortex-M4F): CMSDK UART0 for the protocol, SysTick counting guest instructions
 * (deterministic under -icount shift=0), a host file over semihosting as the persistent model flash. */
#include <stdint.h>
#include <string.h>

#include "hal.h"
#include "semihost.h"
#include "flash_semihost.h"
#include "serial_polled.h"

/* QEMU's mps2 SysTick runs from the 25 MHz system clock; with -icount shift=0 one instruction is 1 ns of virtual
 * time, so one SysTick tick is 40 instructions. */
#define SYSTICK_HZ 25000000u
#define INSTR_PER_TICK (1000000000u / SYSTICK_HZ)
#define INSTR_PER_MS 1000000u
/* After the first byte, keep reading while the next one arrives within this gap (virtual time). */
#define SERIAL_GAP_INSTR 200000u

/* ---- CMSDK APB UART0 ---- */
#define UART0_BASE 0x40004000u
#define UART_DATA (*(volatile uint32_t *)(UART0_BASE + 0x00))
#define UART_STATE (*(volatile uint32_t *)(UART0_BASE + 0x04))
#define UART_CTRL (*(volatile uint32_t *)(UART0_BASE + 0x08))
#define UART_BAUDDIV (*(volatile uint32_t *)(UART0_BASE + 0x10))
#define UART_STATE_TXFULL 1u
#define UART_STATE_RXFULL 2u

/* ---- SysTick and SCB ---- */
#define SYST_CSR (*(volatile uint32_t *)0xE000E010u)
#define SYST_RVR (*(volatile uint32_t *)0xE000E014u)
#define SYST_CVR (*(volatile uint32_t *)0xE000E018u)
#define SCB_ICSR (*(volatile uint32_t *)0xE000ED04u)
#define ICSR_PENDSTSET (1u << 26)
#define SYSTICK_RELOAD 0xFFFFFFu

/* The model-slot flash, mapped at 0x21000000 (a RAM copy of the host file, modelling XIP QSPI flash). */

static volatile uint32_t systick_wraps;

void hal_systick_isr(void) { systick_wraps++; }

static void systick_start(void) {
    SYST_RVR = SYSTICK_RELOAD;
    SYST_CVR = 0;
    SYST_CSR = 7; /* processor clock, interrupt on wrap, enable */
}

/* Cheap reading (phase-dependent to within one tick): for timeouts. Interrupts must be masked by the caller. */
static uint64_t systick_ticks_at(uint32_t val) {
    uint32_t wraps = systick_wraps;
    /* A wrap whose interrupt has not run yet (masked): the value is from after it when it is in the top half. */
    if ((SCB_ICSR & ICSR_PENDSTSET) && val > SYSTICK_RELOAD / 2) wraps++;
    return (uint64_t)wraps * (SYSTICK_RELOAD + 1u) + (SYSTICK_RELOAD - val);
}

static uint64_t clock_coarse(void) {
    uint32_t primask;
    __asm__ volatile("mrs %0, primask\n cpsid i" : "=r"(primask)::"memory");
    uint64_t t = systick_ticks_at(SYST_CVR) * INSTR_PER_TICK;
    __asm__ volatile("msr primask, %0" ::"r"(primask) : "memory");
    return t;
}

/* Waits until the guest is exactly on a SysTick edge and returns the counter value read there; *turns gets the
 * number of loop turns. The loop takes 41 instructions per turn, one more than a tick, so the read slides one
 * instruction later within the tick each turn; the counter drops by 2 between two reads exactly when the previous
 * read was at the tick's last instruction, so the current read is at its first. 1..41 turns. */
static uint32_t systick_sync(uint32_t *turns) {
    uint32_t cur, prev, d, n = 0;
    __asm__ volatile("ldr %[prev], [%[cvr]]\n"
                     "1:\n"
                     "ldr %[cur], [%[cvr]]\n"      /* 1 */
                     "sub %[d], %[prev], %[cur]\n" /* 2: ticks elapsed, counting down */
                     "mov %[prev], %[cur]\n"       /* 3 */
                     "lsl %[d], %[d], #8\n"        /* 4: modulo 2^24 (the counter's period) */
                     "add %[n], %[n], #1\n"        /* 5: turns */
                     "cmp %[d], #0x200\n"          /* 6: two ticks? */
                     "beq 2f\n"                    /* 7 */
                     ".rept 33\n nop\n .endr\n"    /* 8..40 */
                     "b 1b\n"                      /* 41 */
                     "2:\n"
                     : [cur] "=&r"(cur), [prev] "=&r"(prev), [d] "=&r"(d), [n] "+r"(n)
                     : [cvr] "r"(&SYST_CVR)
                     : "cc", "memory");
    *turns = n;
    return cur;
}

/* Instructions spent in the alignment loops so far: hal_clock() leaves them out. */
static uint64_t clock_aligning;

/* The exact guest instruction count, less the time hal_clock() itself spent aligning. Reading SysTick plainly
 * would be off by up to 39 instructions depending on the phase, and host input arrives at random points of a
 * polling loop, so the phase differs from run to run. Aligning to a tick edge first makes the reading exact, and
 * leaving out the alignment's variable 41-instruction turns makes the difference of two readings the exact count
 * of what ran between them plus a constant: identical from run to run. Costs up to ~1,700 instructions per call
 * (not counted). A SysTick wrap (every 671 M instructions) runs a short interrupt handler, which is counted. */
uint64_t hal_clock(void) {
    uint32_t primask, turns;
    __asm__ volatile("mrs %0, primask\n cpsid i" : "=r"(primask)::"memory");
    uint64_t t = systick_ticks_at(systick_sync(&turns)) * INSTR_PER_TICK;
    clock_aligning += 41u * turns;
    t -= clock_aligning;
    __asm__ volatile("msr primask, %0" ::"r"(primask) : "memory");
    return t;
}

const char *hal_board_name(void) { return "qemu-m4"; }

/* ---- serial ---- */
static int uart_rx(uint8_t *out) {
    if (!(UART_STATE & UART_STATE_RXFULL)) return 0;
    *out = (uint8_t)UART_DATA;
    return 1;
}

size_t hal_serial_read(uint8_t *buf, size_t cap, uint32_t timeout_ms) {
    return serial_read_polled(buf, cap, (uint64_t)timeout_ms * INSTR_PER_MS, SERIAL_GAP_INSTR, clock_coarse, uart_rx);
}

void hal_serial_write(const uint8_t *buf, size_t len) {
    for (size_t i = 0; i < len; i++) {
        while (UART_STATE & UART_STATE_TXFULL) {}
        UART_DATA = buf[i];
    }
}

/* ---- flash: firmware/boards/common/flash_semihost.c (host file over semihosting, mapped copy at 0x21000000) */

/* ---- lifecycle ---- */
void hal_init(void) {
    UART_BAUDDIV = 16; /* QEMU ignores the rate but requires a valid divider */
    UART_CTRL = 3;     /* TX and RX enabled, polled */
    systick_start();
    semihost_flash_open("qemu-m4");
}

void hal_exit(int code) { semihost_exit(code); }

/* No meter is attached to an emulated or host board: the measurement window has no pin to drive. */
void hal_marker(int level) { (void)level; }
