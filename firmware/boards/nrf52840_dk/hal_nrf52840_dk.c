/* HAL for the nRF52840-DK (nRF52840, Cortex-M4F, 64 MHz), register level (nRF52840 Product Specification), no
 * vendor SDK: the 64 MHz crystal (HFXO) started for an accurate baud rate, UART0 on the J-Link virtual COM port
 * (P0.06 TX, P0.08 RX; the legacy UART, whose code QEMU's nRF51 `microbit` tests), DWT CYCCNT extended to 64 bits
 * from a SysTick interrupt, internal flash 0x80000-0xEFFFF (448 KiB, 4 KiB pages, read in place) for the model slots
 * through the NVMC, P1.01 as the marker. Built here; not yet run on a board. */
#include <string.h>

#include "cortexm.h"
#include "hal.h"
#include "nrf5_regs.h"
#include "nrf5_uart.h"

#define CPU_HZ 64000000u
#define MODEL_ADDR 0x00080000u
#define MODEL_SIZE (448u * 1024u)
#define PAGE 4096u
#define SERIAL_GAP_MS 2u
#define TX_PIN 6u     /* P0.06 */
#define RX_PIN 8u     /* P0.08 */
#define MARKER_PIN 1u /* P1.01 */
#define WAIT_LIMIT 1000000u

static uint8_t g_page[PAGE]; /* (4096) read-modify-write buffer for one flash page */

/* SysTick every 2^24 cycles (262 ms at 64 MHz): keeps the DWT extension right however rarely hal_clock is read. */
void hal_systick_isr(void) { dwt_clock_poll(); }

void hal_init(void) {
    CLOCK_EVENTS_HFCLKSTARTED = 0;
    CLOCK_TASKS_HFCLKSTART = 1;
    for (uint32_t i = 0; i < WAIT_LIMIT && !CLOCK_EVENTS_HFCLKSTARTED; i++) {}
    nrf5_uart_init(TX_PIN, RX_PIN);
    GPIO_OUTCLR(GPIO_P1_BASE) = 1u << MARKER_PIN;
    GPIO_DIRSET(GPIO_P1_BASE) = 1u << MARKER_PIN;
    dwt_clock_start();
}

const char *hal_board_name(void) { return "nrf52840_dk"; }

uint64_t hal_clock(void) { return dwt_clock_read(); }

const char *hal_clock_unit(void) { return "cycles"; }

size_t hal_serial_read(uint8_t *buf, size_t cap, uint32_t timeout_ms) {
    const uint64_t per_ms = CPU_HZ / 1000u;
    return nrf5_uart_read(buf, cap, (uint64_t)timeout_ms * per_ms, SERIAL_GAP_MS * per_ms, dwt_clock_read);
}

void hal_serial_write(const uint8_t *buf, size_t len) { nrf5_uart_write(buf, len); }

uint32_t hal_flash_size(void) { return MODEL_SIZE; }

int hal_flash_read(uint32_t offset, void *dst, uint32_t len) {
    if (offset > MODEL_SIZE || len > MODEL_SIZE - offset) return -1;
    memcpy(dst, (const void *)(MODEL_ADDR + offset), len);
    return 0;
}

int hal_flash_write(uint32_t offset, const void *src, uint32_t len) {
    if (offset > MODEL_SIZE || len > MODEL_SIZE - offset) return -1;
    return nrf5_nvmc_write(MODEL_ADDR + offset, src, len, g_page, PAGE);
}

const uint8_t *hal_flash_map(void) { return (const uint8_t *)MODEL_ADDR; }

void hal_marker(int level) {
    if (level)
        GPIO_OUTSET(GPIO_P1_BASE) = 1u << MARKER_PIN;
    else
        GPIO_OUTCLR(GPIO_P1_BASE) = 1u << MARKER_PIN;
}
