/* nRF5 legacy UART0 (polled: TXDRDY after each byte, RXDRDY per received byte from the 6-byte RX FIFO) and the NVMC
 * page rewrite (read the page into RAM, patch, erase, write back word by word, skipping erased words). The same
 * offsets on the nRF51 and nRF52 let QEMU's `microbit` test both (scripts/toolchain/nrf5-selftest). */
#include <string.h>

#include "nrf5_regs.h"
#include "nrf5_uart.h"
#include "serial_polled.h"

void nrf5_uart_init(uint32_t tx_psel, uint32_t rx_psel) {
    uint32_t port = (tx_psel >> 5) ? GPIO_P1_BASE : GPIO_P0_BASE;
    GPIO_OUTSET(port) = 1u << (tx_psel & 31u); /* TX idles high before the UART takes the pin */
    GPIO_DIRSET(port) = 1u << (tx_psel & 31u);
    UART_ENABLE = 0;
    UART_PSELRTS = PSEL_DISCONNECTED;
    UART_PSELCTS = PSEL_DISCONNECTED;
    UART_PSELTXD = tx_psel;
    UART_PSELRXD = rx_psel;
    UART_BAUDRATE = UART_BAUDRATE_115200;
    UART_CONFIG = 0; /* no parity, no flow control */
    UART_ENABLE = UART_ENABLE_UART;
    UART_EVENTS_RXDRDY = 0;
    UART_EVENTS_TXDRDY = 0;
    UART_TASKS_STARTRX = 1;
    UART_TASKS_STARTTX = 1;
}

void nrf5_uart_write(const uint8_t *buf, size_t len) {
    for (size_t i = 0; i < len; i++) {
        UART_EVENTS_TXDRDY = 0;
        UART_TXD = buf[i];
        while (!UART_EVENTS_TXDRDY) {}
    }
}

static int rx_byte(uint8_t *out) {
    if (UART_EVENTS_ERROR) { /* overrun/framing: clear and carry on (the protocol's CRC catches lost bytes) */
        UART_ERRORSRC = UART_ERRORSRC;
        UART_EVENTS_ERROR = 0;
    }
    if (!UART_EVENTS_RXDRDY) return 0;
    UART_EVENTS_RXDRDY = 0; /* clear before reading RXD, so a byte arriving meanwhile raises it again */
    *out = (uint8_t)UART_RXD;
    return 1;
}

size_t nrf5_uart_read(uint8_t *buf, size_t cap, uint64_t timeout, uint64_t gap, uint64_t (*now)(void)) {
    return serial_read_polled(buf, cap, timeout, gap, now, rx_byte);
}

static void nvmc_wait(void) {
    while (!(NVMC_READY & 1u)) {}
}

int nrf5_nvmc_write(uint32_t addr, const void *src, uint32_t len, uint8_t *page_buf, uint32_t page) {
    const uint8_t *s = (const uint8_t *)src;
    while (len > 0) {
        uint32_t base = addr & ~(page - 1u);
        uint32_t at = addr - base;
        uint32_t k = page - at < len ? page - at : len;
        if (memcmp((const void *)addr, s, k) != 0) {
            memcpy(page_buf, (const void *)base, page);
            memcpy(page_buf + at, s, k);
            NVMC_CONFIG = NVMC_CONFIG_EEN;
            nvmc_wait();
            NVMC_ERASEPAGE = base;
            nvmc_wait();
            NVMC_CONFIG = NVMC_CONFIG_WEN;
            nvmc_wait();
            volatile uint32_t *dst = (volatile uint32_t *)base;
            for (uint32_t w = 0; w < page / 4u; w++) {
                uint32_t v;
                memcpy(&v, page_buf + 4u * w, 4);
                if (v != 0xFFFFFFFFu) {
                    dst[w] = v;
                    nvmc_wait();
                }
            }
            NVMC_CONFIG = NVMC_CONFIG_REN;
            nvmc_wait();
            if (memcmp((const void *)addr, s, k) != 0) return -2;
        }
        addr += k;
        s += k;
        len -= k;
    }
    return 0;
}
