/* Polled legacy UART0 of the nRF5 family (nRF52840-DK's J-Link VCP; tested on QEMU's nRF51 `microbit`). */
#ifndef BITRL_NRF5_UART_H
#define BITRL_NRF5_UART_H

#include <stddef.h>
#include <stdint.h>

/* Pins in the PSEL format (pin | port << 5); 8N1, no flow control, 115200 baud. */
void nrf5_uart_init(uint32_t tx_psel, uint32_t rx_psel);
void nrf5_uart_write(const uint8_t *buf, size_t len);
/* Waits up to `timeout` ticks of now() for the first byte, then takes bytes while each follows within `gap`. */
size_t nrf5_uart_read(uint8_t *buf, size_t cap, uint64_t timeout, uint64_t gap, uint64_t (*now)(void));

/* NVMC: erase-and-rewrite of `len` bytes at flash address `addr` (any alignment) through a page-sized RAM buffer;
 * pages are `page` bytes (4096 on the nRF52840, 1024 on the nRF51). Needs no erase by the caller. 0 = ok. */
int nrf5_nvmc_write(uint32_t addr, const void *src, uint32_t len, uint8_t *page_buf, uint32_t page);

#endif
