/* Cortex-M4 core registers every Arm board of bitrl uses (ARMv7-M Architecture Reference Manual, B3): SysTick,
 * the System Control Block, the debug block's DWT cycle counter, and the start-up hooks a board HAL provides. */
#ifndef BITRL_CORTEXM_H
#define BITRL_CORTEXM_H

#include <stdint.h>

#define REG32(addr) (*(volatile uint32_t *)(addr))

#define SYST_CSR REG32(0xE000E010u)
#define SYST_RVR REG32(0xE000E014u)
#define SYST_CVR REG32(0xE000E018u)
#define SYST_CSR_ENABLE (1u << 0)
#define SYST_CSR_TICKINT (1u << 1)
#define SYST_CSR_CLKSOURCE (1u << 2) /* 1 = processor clock */
#define SYST_RELOAD_MAX 0xFFFFFFu

#define SCB_ICSR REG32(0xE000ED04u)
#define SCB_ICSR_PENDSTSET (1u << 26)
#define SCB_AIRCR REG32(0xE000ED0Cu)
#define SCB_AIRCR_RESET (0x05FAu << 16 | 1u << 2) /* VECTKEY + SYSRESETREQ */
#define SCB_CPACR REG32(0xE000ED88u)
#define SCB_CFSR REG32(0xE000ED28u)
#define SCB_HFSR REG32(0xE000ED2Cu)

#define DEMCR REG32(0xE000EDFCu)
#define DEMCR_TRCENA (1u << 24)
#define DWT_CTRL REG32(0xE0001000u)
#define DWT_CTRL_CYCCNTENA (1u << 0)
#define DWT_CYCCNT REG32(0xE0001004u)

static inline uint32_t irq_save(void) {
    uint32_t primask;
    __asm__ volatile("mrs %0, primask\n cpsid i" : "=r"(primask)::"memory");
    return primask;
}
static inline void irq_restore(uint32_t primask) { __asm__ volatile("msr primask, %0" ::"r"(primask) : "memory"); }

/* A system reset (SYSRESETREQ), after pending writes: how the real boards exit and recover from a fault. */
__attribute__((noreturn)) static inline void cortexm_reset(void) {
    __asm__ volatile("dsb" ::: "memory");
    SCB_AIRCR = SCB_AIRCR_RESET;
    for (;;) {}
}

/* Provided by each board HAL (called from startup_cortexm.c). */
void hal_systick_isr(void);
/* A fault: the emulated boards report it over semihosting, real boards reset. Never returns. */
void hal_fault(uint32_t cfsr, uint32_t hfsr) __attribute__((noreturn));

/* The 64-bit cycle counter over DWT CYCCNT (dwt_clock.c): extended by counting wraps. dwt_clock_poll() must run
 * at least once per wrap period (2^32 cycles: 23.9 s at 180 MHz, 67 s at 64 MHz); dwt_clock_start() also starts
 * SysTick every 2^24 cycles, whose interrupt the boards use to call it, so episodes of any length count right. */
void dwt_clock_start(void);
void dwt_clock_poll(void);
uint64_t dwt_clock_read(void);

#endif
