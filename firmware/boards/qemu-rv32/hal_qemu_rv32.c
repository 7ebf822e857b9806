/* HAL for qemu-rv32 (QEMU virt, rv32imac): NS16550A UART for the protocol, the minstret counter as the clock
 * (under -icount shift=0 QEMU returns the exact guest instruction count), a host file over semihosting as flash. */
#include <stdint.h>
#include <string.h>

#include "hal.h"
#include "semihost.h"

/* CSR access. Plain -march=rv32imac keeps the picolibc multilib; binutils 2.40 wants Zicsr named for csrr/csrw. */
#define CSR_READ(csr, out) __asm__ volatile(".option push\n.option arch, +zicsr\ncsrr %0, " #csr "\n.option pop" : "=r"(out))
#define CSR_WRITE(csr, val) __asm__ volatile(".option push\n.option arch, +zicsr\ncsrw " #csr ", %0\n.option pop" ::"r"(val))

#ifndef BITRL_FLASH_SIZE
#define BITRL_FLASH_SIZE (4u * 1024u * 1024u)
#endif
/* -icount shift=0: one instruction is 1 ns of virtual time. */
#define INSTR_PER_MS 1000000u
#define SERIAL_GAP_INSTR 200000u
#define DEFAULT_FLASH_PATH "bitrl-flash.bin"

/* ---- NS16550A at 0x10000000 (byte registers) ---- */
#define UART_BASE 0x10000000u
#define UART_REG(off) (*(volatile uint8_t *)(UART_BASE + (off)))
#define UART_RBR UART_REG(0) /* receive buffer (read) / transmit holding (write) */
#define UART_IER UART_REG(1)
#define UART_LCR UART_REG(3)
#define UART_LSR UART_REG(5)
#define LSR_DATA_READY 0x01u
#define LSR_THR_EMPTY 0x20u

extern uint8_t __model_flash[];
static int flash_handle = -1;

uint64_t hal_clock(void) {
  uint32_t hi, lo, hi2;
  do {
    CSR_READ(minstreth, hi);
    CSR_READ(minstret, lo);
    CSR_READ(minstreth, hi2);
  } while (hi != hi2);
  return (uint64_t)hi << 32 | lo;
}

const char *hal_clock_unit(void) { return "instructions"; }

const char *hal_board_name(void) { return "qemu-rv32"; }

size_t hal_serial_read(uint8_t *buf, size_t cap, uint32_t timeout_ms) {
  if (cap == 0) return 0;
  uint64_t deadline = hal_clock() + (uint64_t)timeout_ms * INSTR_PER_MS;
  while (!(UART_LSR & LSR_DATA_READY)) {
    if (hal_clock() >= deadline) return 0;
  }
  size_t n = 0;
  buf[n++] = UART_RBR;
  uint64_t gap_end = hal_clock() + SERIAL_GAP_INSTR;
  while (n < cap) {
    if (UART_LSR & LSR_DATA_READY) {
      buf[n++] = UART_RBR;
      gap_end = hal_clock() + SERIAL_GAP_INSTR;
    } else if (hal_clock() >= gap_end) {
      break;
    }
  }
  return n;
}

void hal_serial_write(const uint8_t *buf, size_t len) {
  for (size_t i = 0; i < len; i++) {
    while (!(UART_LSR & LSR_THR_EMPTY)) {
    }
    UART_RBR = buf[i];
  }
}

/* ---- flash: the same scheme as qemu-m4 (host file named by the semihosting command line, mapped copy) ---- */
static void flash_open(void) {
  char cmdline[256];
  const char *path = DEFAULT_FLASH_PATH;
  if (semihost_cmdline(cmdline, sizeof cmdline) == 0) {
    cmdline[sizeof cmdline - 1] = 0;
    char *sp = strchr(cmdline, ' ');
    if (sp && sp[1]) {
      path = sp + 1;
      char *end = strchr(path, ' ');
      if (end) *end = 0;
    }
  }
  flash_handle = semihost_open(path, SEMIHOST_MODE_RPLUSB);
  if (flash_handle < 0) flash_handle = semihost_open(path, SEMIHOST_MODE_WPLUSB);
  if (flash_handle < 0) {
    semihost_log("bitrl qemu-rv32: cannot open the flash file; model slots unavailable\n");
    return;
  }
  int32_t len = semihost_flen(flash_handle);
  if (len < 0) len = 0;
  uint32_t have = (uint32_t)len < BITRL_FLASH_SIZE ? (uint32_t)len : BITRL_FLASH_SIZE;
  if (have && (semihost_seek(flash_handle, 0) != 0 || semihost_read(flash_handle, __model_flash, have) != 0)) {
    semihost_log("bitrl qemu-rv32: cannot read the flash file; model slots unavailable\n");
    semihost_close(flash_handle);
    flash_handle = -1;
    return;
  }
  if (have < BITRL_FLASH_SIZE) {
    memset(__model_flash + have, 0xFF, BITRL_FLASH_SIZE - have);
    if (semihost_seek(flash_handle, have) != 0 || semihost_write(flash_handle, __model_flash + have, BITRL_FLASH_SIZE - have) != 0)
      semihost_log("bitrl qemu-rv32: cannot extend the flash file\n");
  }
}

uint32_t hal_flash_size(void) { return flash_handle >= 0 ? BITRL_FLASH_SIZE : 0; }

static int flash_range_ok(uint32_t offset, uint32_t len) {
  return flash_handle >= 0 && offset <= BITRL_FLASH_SIZE && len <= BITRL_FLASH_SIZE - offset;
}

int hal_flash_read(uint32_t offset, void *dst, uint32_t len) {
  if (!flash_range_ok(offset, len)) return -1;
  memcpy(dst, __model_flash + offset, len);
  return 0;
}

int hal_flash_write(uint32_t offset, const void *src, uint32_t len) {
  if (!flash_range_ok(offset, len)) return -1;
  memcpy(__model_flash + offset, src, len);
  if (semihost_seek(flash_handle, offset) != 0 || semihost_write(flash_handle, src, len) != 0) return -2;
  return 0;
}

const uint8_t *hal_flash_map(void) { return flash_handle >= 0 ? __model_flash : NULL; }

void hal_init(void) {
  UART_IER = 0x00; /* polled */
  UART_LCR = 0x03; /* 8N1 */
  /* FCR stays 0 (16450 mode, one-byte holding register): QEMU then holds further input back in the socket instead
   * of queueing it, and enabling the FIFOs here would discard bytes the host sent before the firmware started. */
  flash_open();
}

void hal_exit(int code) { semihost_exit(code); }

/* No meter is attached to an emulated or host board: the measurement window has no pin to drive. */
void hal_marker(int level) { (void)level; }
