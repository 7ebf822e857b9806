/* Self-test of the nRF5 UART and NVMC code (firmware/boards/nrf5) on QEMU's `microbit` (nRF51822, Cortex-M0: the same
 * UART0 and NVMC register offsets as the nRF52840-DK's). Prints over the UART (the transmit path) what it checks,
 * rewrites flash pages through nrf5_nvmc_write and exits over semihosting with 0 when every check held. The receive
 * path is not checked: QEMU 7.2's nRF51 UART model stalls host input unpredictably (it asks its chardev for more only
 * when RXD is read), so an echo test passed about half the runs; docs/boards.md says so.
 * Built and run by test/board/nrf5-microbit.test.ts. */
#include <stdint.h>
#include <string.h>

#include "nrf5_uart.h"
#include "semihost.h"

#define PAGE 1024u          /* nRF51 flash page */
#define TEST_ADDR 0x30000u  /* a page well above this image */

extern uint32_t __stack_top[], __data_start[], __data_end[], __data_load[], __bss_start[], __bss_end[];
static uint8_t g_page[PAGE];

static void say(const char *s) { nrf5_uart_write((const uint8_t *)s, strlen(s)); }

static int check(int ok, const char *what) {
  say(ok ? "ok " : "FAIL ");
  say(what);
  say("\n");
  return ok ? 0 : 1;
}

int main(void) {
  int fails = 0;
  nrf5_uart_init(24, 25); /* micro:bit edge connector UART pins */

  say("nrf5 selftest\n");
  /* NVMC: a write over erased flash, a rewrite that needs an erase (ANDing would corrupt it), a neighbour kept,
   * and a write across a page boundary */
  const uint8_t a[16] = "0123456789abcdef", b[8] = "ZYXWVUTS";
  fails += check(nrf5_nvmc_write(TEST_ADDR, a, sizeof a, g_page, PAGE) == 0 && memcmp((const void *)TEST_ADDR, a, 16) == 0, "nvmc write over erased flash");
  fails += check(nrf5_nvmc_write(TEST_ADDR + 4, b, sizeof b, g_page, PAGE) == 0 && memcmp((const void *)(TEST_ADDR + 4), b, 8) == 0, "nvmc rewrite with erase");
  fails += check(memcmp((const void *)TEST_ADDR, a, 4) == 0 && memcmp((const void *)(TEST_ADDR + 12), a + 12, 4) == 0, "nvmc neighbours kept");
  fails += check(nrf5_nvmc_write(TEST_ADDR + PAGE - 3, a, 6, g_page, PAGE) == 0 && memcmp((const void *)(TEST_ADDR + PAGE - 3), a, 6) == 0, "nvmc write across a page boundary");
  say(fails ? "selftest failed\n" : "selftest passed\n");
  return fails;
}

__attribute__((noreturn)) void Reset_Handler(void) {
  memcpy(__data_start, __data_load, (size_t)((char *)__data_end - (char *)__data_start));
  memset(__bss_start, 0, (size_t)((char *)__bss_end - (char *)__bss_start));
  semihost_exit(main());
}

__attribute__((noreturn)) static void Fault_Handler(void) {
  semihost_log("nrf5 selftest: fault\n");
  semihost_exit(70);
}

void _init(void) {}
void _fini(void) {}

__attribute__((section(".isr_vector"), used)) static void (*const vectors[16])(void) = {
    [0] = (void (*)(void))__stack_top, [1] = Reset_Handler, [2] = Fault_Handler, [3] = Fault_Handler,
};
