/* nRF5 registers bitrl drives, from Nordic's nRF52840 Product Specification and nrf52840.svd (PyPI pyocd 0.46.0,
 * svd_data.zip): the legacy UART0 and the NVMC have the same addresses and offsets on the nRF51 (QEMU `microbit`),
 * which is how this code is tested under emulation. Addresses and bits only, no vendor header. */
#ifndef BITRL_NRF5_REGS_H
#define BITRL_NRF5_REGS_H

#include <stdint.h>

#define NRF_REG(addr) (*(volatile uint32_t *)(addr))

/* CLOCK */
#define CLOCK_TASKS_HFCLKSTART NRF_REG(0x40000000u)
#define CLOCK_EVENTS_HFCLKSTARTED NRF_REG(0x40000100u)

/* UART0 (legacy, polled; ENABLE = 4). On the nRF52840 UARTE0 shares the block (ENABLE = 8 selects EasyDMA). */
#define UART0_BASE 0x40002000u
#define UART_TASKS_STARTRX NRF_REG(UART0_BASE + 0x000u)
#define UART_TASKS_STOPRX NRF_REG(UART0_BASE + 0x004u)
#define UART_TASKS_STARTTX NRF_REG(UART0_BASE + 0x008u)
#define UART_TASKS_STOPTX NRF_REG(UART0_BASE + 0x00Cu)
#define UART_EVENTS_RXDRDY NRF_REG(UART0_BASE + 0x108u)
#define UART_EVENTS_TXDRDY NRF_REG(UART0_BASE + 0x11Cu)
#define UART_EVENTS_ERROR NRF_REG(UART0_BASE + 0x124u)
#define UART_ERRORSRC NRF_REG(UART0_BASE + 0x480u)
#define UART_ENABLE NRF_REG(UART0_BASE + 0x500u)
#define UART_ENABLE_UART 4u
#define UART_PSELRTS NRF_REG(UART0_BASE + 0x508u)
#define UART_PSELTXD NRF_REG(UART0_BASE + 0x50Cu)
#define UART_PSELCTS NRF_REG(UART0_BASE + 0x510u)
#define UART_PSELRXD NRF_REG(UART0_BASE + 0x514u)
#define UART_RXD NRF_REG(UART0_BASE + 0x518u)
#define UART_TXD NRF_REG(UART0_BASE + 0x51Cu)
#define UART_BAUDRATE NRF_REG(UART0_BASE + 0x524u)
#define UART_BAUDRATE_115200 0x01D7E000u
#define UART_CONFIG NRF_REG(UART0_BASE + 0x56Cu)
#define PSEL_DISCONNECTED 0xFFFFFFFFu

/* NVMC */
#define NVMC_READY NRF_REG(0x4001E400u)
#define NVMC_CONFIG NRF_REG(0x4001E504u)
#define NVMC_CONFIG_REN 0u
#define NVMC_CONFIG_WEN 1u
#define NVMC_CONFIG_EEN 2u
#define NVMC_ERASEPAGE NRF_REG(0x4001E508u)

/* GPIO port 0 (nRF52: P1 at +0x300) */
#define GPIO_P0_BASE 0x50000000u
#define GPIO_P1_BASE 0x50000300u
#define GPIO_OUTSET(p) NRF_REG((p) + 0x508u)
#define GPIO_OUTCLR(p) NRF_REG((p) + 0x50Cu)
#define GPIO_DIRSET(p) NRF_REG((p) + 0x518u)
#define GPIO_PIN_CNF(p, n) NRF_REG((p) + 0x700u + 4u * (n))

#endif
