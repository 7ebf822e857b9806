/* A 64-bit cycle counter from the 32-bit DWT CYCCNT (ARMv7-M, C1.8): wraps are counted whenever it is read or
 * polled, so it stays right as long as one read or poll happens per 2^32 cycles; the boards poll it from a SysTick
 * interrupt, so no caller needs to read it often. */
#include "cortexm.h"

static uint32_t s_high, s_last;

void dwt_clock_start(void) {
    DEMCR |= DEMCR_TRCENA;
    DWT_CYCCNT = 0;
    DWT_CTRL |= DWT_CTRL_CYCCNTENA;
    s_high = 0;
    s_last = 0;
    // SysTick every 2^24 cycles: its interrupt polls the counter (hal_systick_isr -> dwt_clock_poll)
    SYST_RVR = SYST_RELOAD_MAX;
    SYST_CVR = 0;
    SYST_CSR = SYST_CSR_ENABLE | SYST_CSR_TICKINT | SYST_CSR_CLKSOURCE;
}

void dwt_clock_poll(void) {
    uint32_t p = irq_save();
    uint32_t c = DWT_CYCCNT;
    if (c < s_last) s_high++;
    s_last = c;
    irq_restore(p);
}

uint64_t dwt_clock_read(void) {
    uint32_t p = irq_save();
    uint32_t c = DWT_CYCCNT;
    if (c < s_last) s_high++;
    s_last = c;
    uint64_t t = (uint64_t)s_high << 32 | c;
    irq_restore(p);
    return t;
}
