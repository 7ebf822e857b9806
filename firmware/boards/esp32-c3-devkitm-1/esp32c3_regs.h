/* ESP32-C3 registers bitrl drives, written from Espressif's ESP32-C3 Technical Reference Manual (RTC_CNTL watchdog
 * and super-watchdog, timer-group watchdogs, SYSTIMER, UART0 FIFO/status) and the custom performance-counter CSRs
 * of its RISC-V core. Addresses and bits only, no vendor header. */
#ifndef BITRL_ESP32C3_REGS_H
#define BITRL_ESP32C3_REGS_H

#include <stdint.h>

#define C3_REG(addr) (*(volatile uint32_t *)(addr))

/* RTC_CNTL (0x60008000): RTC watchdog and super watchdog, both armed by the ROM in flash boot */
#define RTC_CNTL_BASE 0x60008000u
#define RTC_CNTL_OPTIONS0 C3_REG(RTC_CNTL_BASE + 0x00u)
#define RTC_CNTL_SW_SYS_RST (1u << 31)
#define RTC_CNTL_WDTCONFIG0 C3_REG(RTC_CNTL_BASE + 0x90u)
#define RTC_CNTL_WDTWPROTECT C3_REG(RTC_CNTL_BASE + 0xA8u)
#define RTC_CNTL_WDT_WKEY 0x50D83AA1u
#define RTC_CNTL_SWD_CONF C3_REG(RTC_CNTL_BASE + 0xACu)
#define RTC_CNTL_SWD_AUTO_FEED_EN (1u << 31)
#define RTC_CNTL_SWD_WPROTECT C3_REG(RTC_CNTL_BASE + 0xB0u)
#define RTC_CNTL_SWD_WKEY 0x8F1D312Au

/* Timer groups 0/1: main system watchdogs (MWDT) */
#define TIMG0_BASE 0x6001F000u
#define TIMG1_BASE 0x60020000u
#define TIMG_WDTCONFIG0(b) C3_REG((b) + 0x48u)
#define TIMG_WDTWPROTECT(b) C3_REG((b) + 0x64u)

/* SYSTIMER (0x60023000): a 52-bit counter at 16 MHz (XTAL 40 MHz / 2.5), running from reset */
#define SYSTIMER_BASE 0x60023000u
#define SYSTIMER_UNIT0_OP C3_REG(SYSTIMER_BASE + 0x04u)
#define SYSTIMER_UNIT0_UPDATE (1u << 30)
#define SYSTIMER_UNIT0_VALUE_VALID (1u << 29)
#define SYSTIMER_UNIT0_VALUE_HI C3_REG(SYSTIMER_BASE + 0x40u)
#define SYSTIMER_UNIT0_VALUE_LO C3_REG(SYSTIMER_BASE + 0x44u)
#define SYSTIMER_HZ 16000000u

/* UART0 (0x60000000): the USB-UART bridge of the DevKitM-1 (GPIO21 TX, GPIO20 RX), set up by the ROM at 115200 */
#define UART0_BASE 0x60000000u
#define UART_FIFO C3_REG(UART0_BASE + 0x00u)
#define UART_STATUS C3_REG(UART0_BASE + 0x1Cu)
#define UART_RXFIFO_CNT(s) ((s)&0x3FFu)
#define UART_TXFIFO_CNT(s) (((s) >> 16) & 0x3FFu)
#define UART_FIFO_DEPTH 128u

/* Performance counter CSRs of the ESP32-C3 core (no standard mcycle): event select, mode, count */
#define CSR_MPCER 0x7E0
#define CSR_MPCMR 0x7E1
#define CSR_MPCCR 0x7E2

#endif
