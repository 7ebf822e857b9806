/* hal_serial_read for a polled UART, shared by the boards whose receiver is read a byte at a time. */
#ifndef BITRL_SERIAL_POLLED_H
#define BITRL_SERIAL_POLLED_H

#include <stddef.h>
#include <stdint.h>

/* Waits up to `timeout` ticks of now() for a first byte, then keeps reading while the next one arrives within `gap`
 * ticks (a frame comes in one burst). rx_byte takes one received byte, if any, and says whether it did. Returns the
 * bytes read: 0 on timeout. */
static inline size_t serial_read_polled(uint8_t *buf, size_t cap, uint64_t timeout, uint64_t gap, uint64_t (*now)(void),
                                        int (*rx_byte)(uint8_t *out)) {
    if (cap == 0) return 0;
    uint64_t deadline = now() + timeout;
    while (!rx_byte(&buf[0])) {
        if (now() >= deadline) return 0;
    }
    size_t n = 1;
    uint64_t gap_end = now() + gap;
    while (n < cap) {
        if (rx_byte(&buf[n])) {
            n++;
            gap_end = now() + gap;
        } else if (now() >= gap_end) {
            break;
        }
    }
    return n;
}

#endif
