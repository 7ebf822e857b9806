/* What a board provides to the bitrl firmware. One implementation per board under firmware/boards/<board>/
 * (qemu-m4, esp32, stm32, nrf52, and `host` for the native build that runs on the development machine). */
#ifndef BITRL_HAL_H
#define BITRL_HAL_H

#include <stddef.h>
#include <stdint.h>

/* Clocks, serial, flash; called once before anything else. */
void hal_init(void);

/* Board name as `bitrl flash --board` spells it, e.g. "qemu-m4". */
const char *hal_board_name(void);

/* Serial link carrying the framed protocol (docs/protocol.md). Reads up to cap bytes, waiting at most
 * timeout_ms for the first one; returns the count (0 on timeout). Writes block until queued. */
size_t hal_serial_read(uint8_t *buf, size_t cap, uint32_t timeout_ms);
void hal_serial_write(const uint8_t *buf, size_t len);

/* Monotonic tick counter and what one tick is: "instructions" (QEMU -icount), "cycles" (DWT/CCOUNT), "ns". */
uint64_t hal_clock(void);
const char *hal_clock_unit(void);

/* Persistent storage for model slots (the emulated board backs it with a host file over semihosting).
 * Offsets are relative to the storage area; 0 = ok, < 0 = error. Writes need no erase first. */
uint32_t hal_flash_size(void);
int hal_flash_read(uint32_t offset, void *dst, uint32_t len);
int hal_flash_write(uint32_t offset, const void *src, uint32_t len);
/* A pointer to the storage mapped in the address space (execute-in-place flash), or NULL if not mapped. */
const uint8_t *hal_flash_map(void);

/* The energy-measurement window (docs/energy.md): level 1 from just before an agent episode starts to just after it
 * ends, 0 otherwise, on the board's marker GPIO (BITRL_CFG_MARKER_PIN), wired to the meter's marker input. Boards
 * without a meter (the emulators, the host build) do nothing. */
void hal_marker(int level);

/* Stops the board (the emulator exits with code); real boards reset. */
void hal_exit(int code);

#endif
