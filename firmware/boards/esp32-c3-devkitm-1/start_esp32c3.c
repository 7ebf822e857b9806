/* ESP32-C3 start-up in C: watchdogs off first (the ROM arms the RTC watchdog and the super watchdog in flash boot,
 * and a long episode must not reset the chip), .bss cleared (.data is loaded in place by the ROM), constructors,
 * main; a trap prints nothing (the UART carries the protocol) and resets the chip. */
#include <stdint.h>
#include <string.h>

#include "esp32c3_regs.h"
#include "hal.h"

extern uint8_t __bss_start[], __bss_end[];
extern int main(void);
extern void __libc_init_array(void);

void _init(void) {}
void _fini(void) {}

static void watchdogs_off(void) {
    RTC_CNTL_WDTWPROTECT = RTC_CNTL_WDT_WKEY;
    RTC_CNTL_WDTCONFIG0 = 0; /* RTC WDT: disabled, flash-boot mode off */
    RTC_CNTL_WDTWPROTECT = 0;
    RTC_CNTL_SWD_WPROTECT = RTC_CNTL_SWD_WKEY;
    RTC_CNTL_SWD_CONF |= RTC_CNTL_SWD_AUTO_FEED_EN; /* the super watchdog cannot be stopped; it feeds itself */
    RTC_CNTL_SWD_WPROTECT = 0;
    const uint32_t groups[2] = {TIMG0_BASE, TIMG1_BASE};
    for (int i = 0; i < 2; i++) {
        TIMG_WDTWPROTECT(groups[i]) = RTC_CNTL_WDT_WKEY;
        TIMG_WDTCONFIG0(groups[i]) = 0; /* MWDT: disabled, flash-boot mode off */
        TIMG_WDTWPROTECT(groups[i]) = 0;
    }
}

__attribute__((interrupt("machine"), aligned(4))) static void c3_trap(void) {
    RTC_CNTL_OPTIONS0 |= RTC_CNTL_SW_SYS_RST;
    for (;;) {}
}

__attribute__((noreturn, used)) void bitrl_c3_cstart(void) {
    watchdogs_off();
    uintptr_t vec = (uintptr_t)c3_trap; /* direct mode */
    __asm__ volatile(".option push\n.option arch, +zicsr\ncsrw mtvec, %0\n.option pop" ::"r"(vec));
    memset(__bss_start, 0, (size_t)(__bss_end - __bss_start));
    __libc_init_array();
    int code = main();
    hal_exit(code);
    for (;;) {}
}
