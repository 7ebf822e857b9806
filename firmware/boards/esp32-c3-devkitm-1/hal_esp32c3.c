/* HAL for the ESP32-C3-DevKitM-1 (RV32IMC), register level, no ESP-IDF: UART0 (the board's USB-UART bridge, left at
 * the ROM's 115200 baud) polled through its FIFO, the core's performance counter (cycles; 32 bits, wraps every
 * 26.8 s at 160 MHz) extended to 64 bits with the 16 MHz SYSTIMER, so reads any time apart stay right. The CPU runs
 * at the clock the ROM leaves (measured against the SYSTIMER at start). Model slots: none yet. The ROM-loaded
 * image must fit SRAM whole (code, the module's data, 96 KiB of linear memory) and leaves no room for RAM slots;
 * flash slots need the ROM's SPI-flash calls (not written yet), so `load` answers that the board has no slot space
 * (BITRL_C3_SLOT_BYTES > 0 gives RAM slots, lost at reset, where a smaller build leaves room). Built here with an
 * image made by esptool; not yet run on a board. */
#include <string.h>

#include "esp32c3_regs.h"
#include "hal.h"

#define CSR_READ(csr, out)                                                                                             \
    __asm__ volatile(".option push\n.option arch, +zicsr\ncsrr %0, " #csr "\n.option pop" : "=r"(out))
#define CSR_WRITE(csr, val)                                                                                            \
    __asm__ volatile(".option push\n.option arch, +zicsr\ncsrw " #csr ", %0\n.option pop" ::"r"(val))
#define SERIAL_GAP_US 2000u
#ifndef BITRL_C3_SLOT_BYTES
#define BITRL_C3_SLOT_BYTES 0u
#endif

#if BITRL_C3_SLOT_BYTES > 0
static uint8_t g_slots[BITRL_C3_SLOT_BYTES] __attribute__((aligned(4))); /* model slots in RAM (not persistent) */
#else
static uint8_t g_slots[4];
#endif
static uint32_t s_cpu_hz = 40000000u;
static uint32_t s_last_cyc;
static uint64_t s_total, s_last_sys;

static uint64_t systimer_read(void) {
    SYSTIMER_UNIT0_OP = SYSTIMER_UNIT0_UPDATE;
    while (!(SYSTIMER_UNIT0_OP & SYSTIMER_UNIT0_VALUE_VALID)) {}
    uint32_t hi = SYSTIMER_UNIT0_VALUE_HI, lo = SYSTIMER_UNIT0_VALUE_LO;
    return (uint64_t)hi << 32 | lo;
}

static uint32_t cycles32(void) {
    uint32_t c;
    CSR_READ(0x7E2, c);
    return c;
}

/* 64-bit cycles: the counter's 32-bit difference since the last read plus the whole wraps in between, counted from
 * the SYSTIMER's elapsed time (the multiple of 2^32 nearest to it: exact while the clock estimate is better than
 * half a wrap, i.e. always for a crystal-derived clock). */
uint64_t hal_clock(void) {
    uint32_t c = cycles32();
    uint64_t sys = systimer_read();
    uint32_t delta = c - s_last_cyc;
    uint64_t expect = (sys - s_last_sys) * s_cpu_hz / SYSTIMER_HZ;
    uint64_t wraps = expect > delta ? (expect - delta + 0x80000000ull) >> 32 : 0;
    s_total += delta + (wraps << 32);
    s_last_cyc = c;
    s_last_sys = sys;
    return s_total;
}

const char *hal_clock_unit(void) { return "cycles"; }

const char *hal_board_name(void) { return "esp32-c3-devkitm-1"; }

void hal_init(void) {
    CSR_WRITE(0x7E0, 1u); /* count clock cycles */
    CSR_WRITE(0x7E1, 1u); /* counter on */
    /* the CPU clock the ROM left: cycles over 1 ms of the SYSTIMER */
    uint64_t t0 = systimer_read();
    uint32_t c0 = cycles32();
    while (systimer_read() - t0 < SYSTIMER_HZ / 1000u) {}
    s_cpu_hz = (cycles32() - c0) * 1000u;
    s_last_cyc = cycles32();
    s_last_sys = systimer_read();
    s_total = 0;
    memset(g_slots, 0xFF, sizeof g_slots);
}

size_t hal_serial_read(uint8_t *buf, size_t cap, uint32_t timeout_ms) {
    if (cap == 0) return 0;
    uint64_t deadline = systimer_read() + (uint64_t)timeout_ms * (SYSTIMER_HZ / 1000u);
    while (UART_RXFIFO_CNT(UART_STATUS) == 0) {
        if (systimer_read() >= deadline) return 0;
    }
    size_t n = 0;
    uint64_t gap_end = 0;
    while (n < cap) {
        if (UART_RXFIFO_CNT(UART_STATUS) > 0) {
            buf[n++] = (uint8_t)UART_FIFO;
            gap_end = systimer_read() + SERIAL_GAP_US * (SYSTIMER_HZ / 1000000u);
        } else if (systimer_read() >= gap_end) {
            break;
        }
    }
    return n;
}

void hal_serial_write(const uint8_t *buf, size_t len) {
    for (size_t i = 0; i < len; i++) {
        while (UART_TXFIFO_CNT(UART_STATUS) >= UART_FIFO_DEPTH - 1u) {}
        UART_FIFO = buf[i];
    }
    while (UART_TXFIFO_CNT(UART_STATUS) > 0) {}
}

uint32_t hal_flash_size(void) { return BITRL_C3_SLOT_BYTES; }

int hal_flash_read(uint32_t offset, void *dst, uint32_t len) {
    if (offset > BITRL_C3_SLOT_BYTES || len > BITRL_C3_SLOT_BYTES - offset) return -1;
    memcpy(dst, g_slots + offset, len);
    return 0;
}

int hal_flash_write(uint32_t offset, const void *src, uint32_t len) {
    if (offset > BITRL_C3_SLOT_BYTES || len > BITRL_C3_SLOT_BYTES - offset) return -1;
    memcpy(g_slots + offset, src, len);
    return 0;
}

const uint8_t *hal_flash_map(void) { return BITRL_C3_SLOT_BYTES ? g_slots : NULL; }

void hal_marker(int level) { (void)level; /* no marker pin wired on this board yet */ }

void hal_exit(int code) {
    (void)code;
    RTC_CNTL_OPTIONS0 |= RTC_CNTL_SW_SYS_RST;
    for (;;) {}
}
