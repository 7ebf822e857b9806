/* Polled STM32F4 USART (RM0390 section 25): BRR from the bus clock, 8N1, transmit on TXE, receive on RXNE; an
 * overrun (ORE) is cleared by the SR-then-DR read the receive path does anyway. */
#include "stm32f4_usart.h"
#include "stm32f4_regs.h"

void stm32_usart_init(uint32_t base, uint32_t pclk_hz, uint32_t baud) {
    USART_CR1(base) = 0;
    USART_CR2(base) = 0; /* 1 stop bit */
    USART_CR3(base) = 0; /* no flow control, no DMA */
    /* OVER8 = 0: USARTDIV = pclk / (16 * baud) as 12.4 fixed point, i.e. BRR = pclk / baud rounded */
    USART_BRR(base) = (pclk_hz + baud / 2u) / baud;
    USART_CR1(base) = USART_CR1_UE | USART_CR1_TE | USART_CR1_RE;
}

void stm32_usart_write(uint32_t base, const uint8_t *buf, size_t len) {
    for (size_t i = 0; i < len; i++) {
        while (!(USART_SR(base) & USART_SR_TXE)) {}
        USART_DR(base) = buf[i];
    }
    while (!(USART_SR(base) & USART_SR_TC)) {}
}

static int rx_byte(uint32_t base, uint8_t *out) {
    uint32_t sr = USART_SR(base);
    if (!(sr & (USART_SR_RXNE | USART_SR_ORE))) return 0;
    uint8_t b = (uint8_t)USART_DR(base); /* clears RXNE and ORE */
    if (!(sr & USART_SR_RXNE)) return 0;
    *out = b;
    return 1;
}

size_t stm32_usart_read(uint32_t base, uint8_t *buf, size_t cap, uint64_t timeout, uint64_t gap,
                        uint64_t (*now)(void)) {
    if (cap == 0) return 0;
    uint64_t deadline = now() + timeout;
    while (!rx_byte(base, &buf[0])) {
        if (now() >= deadline) return 0;
    }
    size_t n = 1;
    uint64_t gap_end = now() + gap;
    while (n < cap) {
        if (rx_byte(base, &buf[n])) {
            n++;
            gap_end = now() + gap;
        } else if (now() >= gap_end) {
            break;
        }
    }
    return n;
}
