/* STM32F4 registers bitrl drives, written from ST's RM0390 (STM32F446) / RM0090 (STM32F405) and the SVD files
 * STM32F446x.svd / STM32F40x.svd (PyPI sdist cmsis-svd 0.4): addresses and bit positions only, no vendor header. */
#ifndef BITRL_STM32F4_REGS_H
#define BITRL_STM32F4_REGS_H

#include "cortexm.h"

/* RCC (0x40023800) */
#define RCC_CR REG32(0x40023800u)
#define RCC_CR_HSEON (1u << 16)
#define RCC_CR_HSERDY (1u << 17)
#define RCC_CR_HSEBYP (1u << 18)
#define RCC_CR_PLLON (1u << 24)
#define RCC_CR_PLLRDY (1u << 25)
#define RCC_PLLCFGR REG32(0x40023804u) /* PLLM[5:0] PLLN[14:6] PLLP[17:16] PLLSRC[22] PLLQ[27:24] PLLR[30:28] */
#define RCC_CFGR REG32(0x40023808u)    /* SW[1:0] SWS[3:2] HPRE[7:4] PPRE1[12:10] PPRE2[15:13] */
#define RCC_AHB1ENR REG32(0x40023830u)
#define RCC_AHB1ENR_GPIOAEN (1u << 0)
#define RCC_APB1ENR REG32(0x40023840u)
#define RCC_APB1ENR_USART2EN (1u << 17)
#define RCC_APB1ENR_PWREN (1u << 28)

/* PWR (0x40007000) */
#define PWR_CR REG32(0x40007000u)
#define PWR_CR_VOS_SCALE1 (3u << 14)
#define PWR_CR_ODEN (1u << 16)
#define PWR_CR_ODSWEN (1u << 17)
#define PWR_CSR REG32(0x40007004u)
#define PWR_CSR_ODRDY (1u << 16)
#define PWR_CSR_ODSWRDY (1u << 17)

/* FLASH interface (0x40023C00) */
#define FLASH_ACR REG32(0x40023C00u)
#define FLASH_ACR_PRFTEN (1u << 8)
#define FLASH_ACR_ICEN (1u << 9)
#define FLASH_ACR_DCEN (1u << 10)
#define FLASH_ACR_ICRST (1u << 11)
#define FLASH_ACR_DCRST (1u << 12)
#define FLASH_KEYR REG32(0x40023C04u)
#define FLASH_KEY1 0x45670123u
#define FLASH_KEY2 0xCDEF89ABu
#define FLASH_SR REG32(0x40023C0Cu)
#define FLASH_SR_EOP (1u << 0)
#define FLASH_SR_ERRORS (0xF0u | (1u << 1) | (1u << 8)) /* WRPERR PGAERR PGPERR PGSERR, OPERR, RDERR */
#define FLASH_SR_BSY (1u << 16)
#define FLASH_CR REG32(0x40023C10u)
#define FLASH_CR_PG (1u << 0)
#define FLASH_CR_SER (1u << 1)
#define FLASH_CR_SNB(n) ((uint32_t)(n) << 3)
#define FLASH_CR_PSIZE_X8 (0u << 8)
#define FLASH_CR_PSIZE_X32 (2u << 8)
#define FLASH_CR_STRT (1u << 16)
#define FLASH_CR_LOCK (1u << 31)

/* GPIO port A (0x40020000) */
#define GPIOA_MODER REG32(0x40020000u)
#define GPIOA_OSPEEDR REG32(0x40020008u)
#define GPIOA_PUPDR REG32(0x4002000Cu)
#define GPIOA_BSRR REG32(0x40020018u)
#define GPIOA_AFRL REG32(0x40020020u)
#define GPIOA_AFRH REG32(0x40020024u)

/* USART2 (0x40004400): the Nucleo's ST-LINK virtual COM port (PA2 TX, PA3 RX, AF7); QEMU netduinoplus2's second
 * -serial */
#define USART2_BASE 0x40004400u
#define USART_SR(b) REG32((b) + 0x00u)
#define USART_SR_ORE (1u << 3)
#define USART_SR_RXNE (1u << 5)
#define USART_SR_TC (1u << 6)
#define USART_SR_TXE (1u << 7)
#define USART_DR(b) REG32((b) + 0x04u)
#define USART_BRR(b) REG32((b) + 0x08u)
#define USART_CR1(b) REG32((b) + 0x0Cu)
#define USART_CR1_RE (1u << 2)
#define USART_CR1_TE (1u << 3)
#define USART_CR1_UE (1u << 13)
#define USART_CR2(b) REG32((b) + 0x10u)
#define USART_CR3(b) REG32((b) + 0x14u)

#endif
