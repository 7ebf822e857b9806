/* HAL for qemu-rv32 (QEMU virt, rv32imc): NS16550A UART for the protocol, the minstret counter as the clock
 * (under -icount shift=0 QEMU returns the exact guest instruction count), a host file over semihosting as flash. */
#include <stdint.h>
#include <string.h>

#include "hal.h"
#include "semihost.h"
#include "flash_semihost.h"
#include "serial_polled.h"

/* CSR access. Plain -march=rv32imc keeps the picolibc multilib; binutils 2.40 wants Zicsr named for csrr/csrw. */
#define CSR_READ(csr, out)                                                                                             \
    __asm__ volatile(".option push\n.option arch, +zicsr\ncsrr %0, " #csr "\n.option pop" : "=r"(out))
#define CSR_WRITE(csr, val)                                                                                            \
    __asm__ volatile(".option push\n.option arch, +zicsr\ncsrw " #csr ", %0\n.option pop" ::"r"(val))

/* -icount shift=0: one instruction is 1 ns of virtual time. */
#define INSTR_PER_MS 1000000u
#define SERIAL_GAP_INSTR 200000u

/* ---- NS16550A at 0x10000000 (byte registers) ---- */
#define UART_BASE 0x10000000u
#define UART_REG(off) (*(volatile uint8_t *)(UART_BASE + (off)))
#define UART_RBR UART_REG(0) /* receive buffer (read) / transmit holding (write) */
#define UART_IER UART_REG(1)
#define UART_LCR UART_REG(3)
#define UART_LSR UART_REG(5)
#define LSR_DATA_READY 0x01u
#define LSR_THR_EMPTY 0x20u

uint64_t hal_clock(void) {
    uint32_t hi, lo, hi2;
    do {
        CSR_READ(minstreth, hi);
        CSR_READ(minstret, lo);
        CSR_READ(minstreth, hi2);
    } while (hi != hi2);
    return (uint64_t)hi << 32 | lo;
}

const char *hal_board_name(void) { return "qemu-rv32"; }

static int uart_rx(uint8_t *out) {
    if (!(UART_LSR & LSR_DATA_READY)) return 0;
    *out = UART_RBR;
    return 1;
}

size_t hal_serial_read(uint8_t *buf, size_t cap, uint32_t timeout_ms) {
    return serial_read_polled(buf, cap, (uint64_t)timeout_ms * INSTR_PER_MS, SERIAL_GAP_INSTR, hal_clock, uart_rx);
}

void hal_serial_write(const uint8_t *buf, size_t len) {
    for (size_t i = 0; i < len; i++) {
        while (!(UART_LSR & LSR_THR_EMPTY)) {}
        UART_RBR = buf[i];
    }
}

/* ---- flash: firmware/boards/common/flash_semihost.c, as on qemu-m4 */

void hal_init(void) {
    UART_IER = 0x00; /* polled */
    UART_LCR = 0x03; /* 8N1 */
    /* FCR stays 0 (16450 mode, one-byte holding register): QEMU then holds further input back in the socket instead
   * of queueing it, and enabling the FIFOs here would discard bytes the host sent before the firmware started. */
    semihost_flash_open("qemu-rv32");
}

void hal_exit(int code) { semihost_exit(code); }

/* No meter is attached to an emulated or host board: the measurement window has no pin to drive. */
void hal_marker(int level) { (void)level; }
