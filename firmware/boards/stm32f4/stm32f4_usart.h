/* Polled USART driver shared by qemu-stm32f4 and nucleo_f446re: the protocol link's byte I/O, with the timing
 * (timeouts, burst gaps) given by the board's clock through a callback. */
#ifndef BITRL_STM32F4_USART_H
#define BITRL_STM32F4_USART_H

#include <stddef.h>
#include <stdint.h>

/* 8N1, oversampling by 16, no flow control; pclk_hz is the bus clock of the USART (APB1 for USART2). */
void stm32_usart_init(uint32_t base, uint32_t pclk_hz, uint32_t baud);
void stm32_usart_write(uint32_t base, const uint8_t *buf, size_t len);
/* Waits up to `timeout` ticks of now() for the first byte, then takes bytes while each follows within `gap`. */
size_t stm32_usart_read(uint32_t base, uint8_t *buf, size_t cap, uint64_t timeout, uint64_t gap, uint64_t (*now)(void));

#endif
