/* HAL for NUCLEO-F446RE (STM32F446RE, Cortex-M4F) on STM32Cube: 180 MHz from the ST-LINK's 8 MHz clock, USART2
 * (the ST-LINK virtual COM port) for the protocol, DWT CYCCNT as the clock, flash sector 7 (128 KiB at 0x08060000)
 * for model slots with sector 6 as the scratch for read-modify-write (128 KiB sectors do not fit in 128 KiB RAM).
 * The firmware image must stay within sectors 0-5 (256 KiB). Not built in this repository: see docs/boards.md. */
#include <string.h>

#include "hal.h"
#include "stm32f4xx_hal.h"

#ifndef BITRL_SERIAL_BAUD
#define BITRL_SERIAL_BAUD 115200
#endif
#define MODEL_ADDR 0x08060000u /* sector 7 */
#define MODEL_SECTOR FLASH_SECTOR_7
#define SCRATCH_ADDR 0x08040000u /* sector 6 */
#define SCRATCH_SECTOR FLASH_SECTOR_6
#define MODEL_SIZE (128u * 1024u)

static UART_HandleTypeDef g_uart;
static uint32_t g_cyc_high, g_cyc_last; /* 64-bit extension of the 32-bit CYCCNT (wraps every 23.9 s) */

void SysTick_Handler(void) { HAL_IncTick(); }

/* HSE bypass 8 MHz (ST-LINK MCO) -> PLL: /8 * 360 / 2 = 180 MHz, over-drive on, 5 flash wait states. */
static void clock_180mhz(void) {
  RCC_OscInitTypeDef osc = {0};
  RCC_ClkInitTypeDef clk = {0};
  __HAL_RCC_PWR_CLK_ENABLE();
  __HAL_PWR_VOLTAGESCALING_CONFIG(PWR_REGULATOR_VOLTAGE_SCALE1);
  osc.OscillatorType = RCC_OSCILLATORTYPE_HSE;
  osc.HSEState = RCC_HSE_BYPASS;
  osc.PLL.PLLState = RCC_PLL_ON;
  osc.PLL.PLLSource = RCC_PLLSOURCE_HSE;
  osc.PLL.PLLM = 8;
  osc.PLL.PLLN = 360;
  osc.PLL.PLLP = RCC_PLLP_DIV2;
  osc.PLL.PLLQ = 2;
  osc.PLL.PLLR = 2;
  if (HAL_RCC_OscConfig(&osc) != HAL_OK) return; /* stays on the 16 MHz HSI; hal_clock still counts cycles */
  if (HAL_PWREx_EnableOverDrive() != HAL_OK) return;
  clk.ClockType = RCC_CLOCKTYPE_HCLK | RCC_CLOCKTYPE_SYSCLK | RCC_CLOCKTYPE_PCLK1 | RCC_CLOCKTYPE_PCLK2;
  clk.SYSCLKSource = RCC_SYSCLKSOURCE_PLLCLK;
  clk.AHBCLKDivider = RCC_SYSCLK_DIV1;
  clk.APB1CLKDivider = RCC_HCLK_DIV4;
  clk.APB2CLKDivider = RCC_HCLK_DIV2;
  HAL_RCC_ClockConfig(&clk, FLASH_LATENCY_5);
}

static void uart_init(void) {
  GPIO_InitTypeDef io = {0};
  __HAL_RCC_GPIOA_CLK_ENABLE();
  __HAL_RCC_USART2_CLK_ENABLE();
  io.Pin = GPIO_PIN_2 | GPIO_PIN_3; /* PA2 TX, PA3 RX -> ST-LINK VCP */
  io.Mode = GPIO_MODE_AF_PP;
  io.Pull = GPIO_PULLUP;
  io.Speed = GPIO_SPEED_FREQ_VERY_HIGH;
  io.Alternate = GPIO_AF7_USART2;
  HAL_GPIO_Init(GPIOA, &io);
  g_uart.Instance = USART2;
  g_uart.Init.BaudRate = BITRL_SERIAL_BAUD;
  g_uart.Init.WordLength = UART_WORDLENGTH_8B;
  g_uart.Init.StopBits = UART_STOPBITS_1;
  g_uart.Init.Parity = UART_PARITY_NONE;
  g_uart.Init.Mode = UART_MODE_TX_RX;
  g_uart.Init.HwFlowCtl = UART_HWCONTROL_NONE;
  g_uart.Init.OverSampling = UART_OVERSAMPLING_16;
  HAL_UART_Init(&g_uart);
}

/* PA8 (Arduino D7 on the Nucleo-64 headers): the measurement-window marker (docs/energy.md). */
static void marker_init(void) {
  GPIO_InitTypeDef io = {0};
  __HAL_RCC_GPIOA_CLK_ENABLE();
  io.Pin = GPIO_PIN_8;
  io.Mode = GPIO_MODE_OUTPUT_PP;
  io.Pull = GPIO_NOPULL;
  io.Speed = GPIO_SPEED_FREQ_LOW;
  HAL_GPIO_Init(GPIOA, &io);
  HAL_GPIO_WritePin(GPIOA, GPIO_PIN_8, GPIO_PIN_RESET);
}

void hal_marker(int level) { HAL_GPIO_WritePin(GPIOA, GPIO_PIN_8, level ? GPIO_PIN_SET : GPIO_PIN_RESET); }

void hal_init(void) {
  HAL_Init();
  clock_180mhz();
  uart_init();
  marker_init();
  CoreDebug->DEMCR |= CoreDebug_DEMCR_TRCENA_Msk;
  DWT->CYCCNT = 0;
  DWT->CTRL |= DWT_CTRL_CYCCNTENA_Msk;
}

const char *hal_board_name(void) { return "nucleo_f446re"; }

/* Extends CYCCNT by counting wraps between calls: call at least every 23 s (the firmware reads it per command). */
uint64_t hal_clock(void) {
  uint32_t c = DWT->CYCCNT;
  if (c < g_cyc_last) g_cyc_high++;
  g_cyc_last = c;
  return (uint64_t)g_cyc_high << 32 | c;
}

const char *hal_clock_unit(void) { return "cycles"; }

size_t hal_serial_read(uint8_t *buf, size_t cap, uint32_t timeout_ms) {
  if (cap == 0) return 0;
  if (HAL_UART_Receive(&g_uart, buf, 1, timeout_ms) != HAL_OK) return 0;
  size_t n = 1;
  /* more bytes that follow within 2 ms belong to the same burst */
  while (n < cap && HAL_UART_Receive(&g_uart, buf + n, 1, 2) == HAL_OK) n++;
  return n;
}

void hal_serial_write(const uint8_t *buf, size_t len) {
  while (len > 0) {
    uint16_t k = len > 0xFFFFu ? 0xFFFFu : (uint16_t)len;
    HAL_UART_Transmit(&g_uart, (uint8_t *)buf, k, HAL_MAX_DELAY);
    buf += k;
    len -= k;
  }
}

uint32_t hal_flash_size(void) { return MODEL_SIZE; }

int hal_flash_read(uint32_t offset, void *dst, uint32_t len) {
  if (offset > MODEL_SIZE || len > MODEL_SIZE - offset) return -1;
  memcpy(dst, (const void *)(MODEL_ADDR + offset), len);
  return 0;
}

static int erase_sector(uint32_t sector) {
  FLASH_EraseInitTypeDef e = {.TypeErase = FLASH_TYPEERASE_SECTORS, .Sector = sector, .NbSectors = 1, .VoltageRange = FLASH_VOLTAGE_RANGE_3};
  uint32_t bad = 0;
  return HAL_FLASHEx_Erase(&e, &bad) == HAL_OK ? 0 : -2;
}

static int program_bytes(uint32_t addr, const uint8_t *src, uint32_t len) {
  for (uint32_t i = 0; i < len; i++) {
    if (src[i] == 0xFF) continue; /* erased already */
    if (HAL_FLASH_Program(FLASH_TYPEPROGRAM_BYTE, addr + i, src[i]) != HAL_OK) return -2;
  }
  return 0;
}

/* Callers need no erase: bytes over erased flash are programmed directly; otherwise the sector is rebuilt through
 * the scratch sector (copy with the patch applied, erase, copy back), one byte at a time so no RAM buffer is needed. */
int hal_flash_write(uint32_t offset, const void *src, uint32_t len) {
  if (offset > MODEL_SIZE || len > MODEL_SIZE - offset) return -1;
  const uint8_t *s = (const uint8_t *)src;
  const uint8_t *old = (const uint8_t *)(MODEL_ADDR + offset);
  int direct = 1;
  for (uint32_t i = 0; i < len && direct; i++) direct = old[i] == 0xFF || old[i] == s[i];
  int r = 0;
  HAL_FLASH_Unlock();
  if (direct) {
    for (uint32_t i = 0; i < len && r == 0; i++)
      if (old[i] != s[i]) r = HAL_FLASH_Program(FLASH_TYPEPROGRAM_BYTE, MODEL_ADDR + offset + i, s[i]) == HAL_OK ? 0 : -2;
  } else {
    r = erase_sector(SCRATCH_SECTOR);
    for (uint32_t i = 0; i < MODEL_SIZE && r == 0; i++) {
      uint8_t b = (i >= offset && i - offset < len) ? s[i - offset] : *(const uint8_t *)(MODEL_ADDR + i);
      if (b != 0xFF) r = HAL_FLASH_Program(FLASH_TYPEPROGRAM_BYTE, SCRATCH_ADDR + i, b) == HAL_OK ? 0 : -2;
    }
    if (r == 0) r = erase_sector(MODEL_SECTOR);
    if (r == 0) r = program_bytes(MODEL_ADDR, (const uint8_t *)SCRATCH_ADDR, MODEL_SIZE);
  }
  HAL_FLASH_Lock();
  /* the ART accelerator may cache the old bytes */
  __HAL_FLASH_DATA_CACHE_DISABLE();
  __HAL_FLASH_DATA_CACHE_RESET();
  __HAL_FLASH_DATA_CACHE_ENABLE();
  return r;
}

const uint8_t *hal_flash_map(void) { return (const uint8_t *)MODEL_ADDR; }

void hal_exit(int code) {
  (void)code;
  NVIC_SystemReset();
}
