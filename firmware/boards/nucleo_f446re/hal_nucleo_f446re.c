/* HAL for NUCLEO-F446RE (STM32F446RE, Cortex-M4F), register level (RM0390), no vendor SDK: 180 MHz from the ST-LINK's
 * 8 MHz clock (HSE bypass, PLL, over-drive, 5 flash wait states), USART2 on the ST-LINK virtual COM port (the same
 * driver qemu-stm32f4 boots), DWT CYCCNT extended to 64 bits from a SysTick interrupt, flash sector 7 (128 KiB at
 * 0x08060000) for model slots with sector 6 as the scratch for read-modify-write, PA8 as the marker. The image must
 * stay within sectors 0-5 (256 KiB; nucleo_f446re.ld). Built here; not yet run on a board. */
#include <string.h>

#include "cortexm.h"
#include "hal.h"
#include "stm32f4_regs.h"
#include "stm32f4_usart.h"

#ifndef BITRL_SERIAL_BAUD
#define BITRL_SERIAL_BAUD 115200u
#endif
#define HSE_HZ 8000000u /* the ST-LINK's MCO output, fed to PH0 (HSE bypass) on Nucleo-64 boards */
#define HSI_HZ 16000000u
#define MODEL_ADDR 0x08060000u /* sector 7 */
#define MODEL_SECTOR 7u
#define SCRATCH_ADDR 0x08040000u /* sector 6 */
#define SCRATCH_SECTOR 6u
#define MODEL_SIZE (128u * 1024u)
#define SERIAL_GAP_MS 2u
#define WAIT_LIMIT 1000000u /* polls before a clock source counts as dead */

static uint32_t s_sysclk = HSI_HZ, s_apb1 = HSI_HZ;

/* SysTick every 2^24 cycles (93 ms at 180 MHz): keeps the DWT extension right however rarely hal_clock is read. */
void hal_systick_isr(void) { dwt_clock_poll(); }

static int wait_set(volatile uint32_t *reg, uint32_t mask) {
    for (uint32_t i = 0; i < WAIT_LIMIT; i++)
        if ((*reg & mask) == mask) return 1;
    return 0;
}

/* HSE bypass 8 MHz -> PLL (M=8, N=360, P=2: 180 MHz; Q=7, R=2), voltage scale 1 with over-drive, AHB /1,
 * APB1 /4 (45 MHz), APB2 /2 (90 MHz). If the HSE does not start, the board stays on the 16 MHz HSI. */
static void clock_180mhz(void) {
    RCC_APB1ENR |= RCC_APB1ENR_PWREN;
    (void)RCC_APB1ENR;
    PWR_CR |= PWR_CR_VOS_SCALE1;
    RCC_CR |= RCC_CR_HSEBYP;
    RCC_CR |= RCC_CR_HSEON;
    if (!wait_set(&RCC_CR, RCC_CR_HSERDY)) return;
    RCC_PLLCFGR = 8u | (360u << 6) | (0u << 16) | (1u << 22) | (7u << 24) | (2u << 28);
    RCC_CR |= RCC_CR_PLLON;
    if (!wait_set(&RCC_CR, RCC_CR_PLLRDY)) return;
    PWR_CR |= PWR_CR_ODEN;
    if (!wait_set(&PWR_CSR, PWR_CSR_ODRDY)) return;
    PWR_CR |= PWR_CR_ODSWEN;
    if (!wait_set(&PWR_CSR, PWR_CSR_ODSWRDY)) return;
    FLASH_ACR = 5u | FLASH_ACR_PRFTEN | FLASH_ACR_ICEN | FLASH_ACR_DCEN;
    RCC_CFGR = (RCC_CFGR & ~0xFCF3u) | (0u << 4) | (5u << 10) | (4u << 13);
    RCC_CFGR = (RCC_CFGR & ~3u) | 2u;
    for (uint32_t i = 0; i < WAIT_LIMIT && ((RCC_CFGR >> 2) & 3u) != 2u; i++) {}
    if (((RCC_CFGR >> 2) & 3u) == 2u) {
        s_sysclk = HSE_HZ / 8u * 360u / 2u;
        s_apb1 = s_sysclk / 4u;
    }
}

/* PA2 (TX) / PA3 (RX) in alternate function 7 (USART2), PA3 pulled up; PA8 (Arduino D7) a push-pull output. */
static void pins_init(void) {
    RCC_AHB1ENR |= RCC_AHB1ENR_GPIOAEN;
    (void)RCC_AHB1ENR;
    GPIOA_MODER = (GPIOA_MODER & ~(3u << 4 | 3u << 6 | 3u << 16)) | 2u << 4 | 2u << 6 | 1u << 16;
    GPIOA_OSPEEDR |= 3u << 4 | 3u << 6;
    GPIOA_PUPDR = (GPIOA_PUPDR & ~(3u << 6)) | 1u << 6;
    GPIOA_AFRL = (GPIOA_AFRL & ~(0xFu << 8 | 0xFu << 12)) | 7u << 8 | 7u << 12;
    GPIOA_BSRR = 1u << (8 + 16);
}

void hal_marker(int level) { GPIOA_BSRR = level ? 1u << 8 : 1u << (8 + 16); }

void hal_init(void) {
    clock_180mhz();
    pins_init();
    RCC_APB1ENR |= RCC_APB1ENR_USART2EN;
    (void)RCC_APB1ENR;
    stm32_usart_init(USART2_BASE, s_apb1, BITRL_SERIAL_BAUD);
    dwt_clock_start();
}

const char *hal_board_name(void) { return "nucleo_f446re"; }

uint64_t hal_clock(void) { return dwt_clock_read(); }

const char *hal_clock_unit(void) { return "cycles"; }

size_t hal_serial_read(uint8_t *buf, size_t cap, uint32_t timeout_ms) {
    uint64_t per_ms = s_sysclk / 1000u;
    return stm32_usart_read(USART2_BASE, buf, cap, (uint64_t)timeout_ms * per_ms, SERIAL_GAP_MS * per_ms,
                            dwt_clock_read);
}

void hal_serial_write(const uint8_t *buf, size_t len) { stm32_usart_write(USART2_BASE, buf, len); }

/* ---- flash (RM0390 section 3.6): sector erase and byte programming, 2.7-3.6 V (x8 parallelism works at any) */
uint32_t hal_flash_size(void) { return MODEL_SIZE; }

int hal_flash_read(uint32_t offset, void *dst, uint32_t len) {
    if (offset > MODEL_SIZE || len > MODEL_SIZE - offset) return -1;
    memcpy(dst, (const void *)(MODEL_ADDR + offset), len);
    return 0;
}

static int flash_wait(void) {
    while (FLASH_SR & FLASH_SR_BSY) {}
    uint32_t sr = FLASH_SR;
    FLASH_SR = sr & (FLASH_SR_ERRORS | FLASH_SR_EOP); /* write 1 to clear */
    return (sr & FLASH_SR_ERRORS) ? -2 : 0;
}

static int erase_sector(uint32_t sector) {
    if (flash_wait() != 0) return -2;
    FLASH_CR = FLASH_CR_SER | FLASH_CR_SNB(sector) | FLASH_CR_PSIZE_X32;
    FLASH_CR |= FLASH_CR_STRT;
    int r = flash_wait();
    FLASH_CR = 0;
    return r;
}

static int program_byte(uint32_t addr, uint8_t v) {
    FLASH_CR = FLASH_CR_PG | FLASH_CR_PSIZE_X8;
    *(volatile uint8_t *)addr = v;
    __asm__ volatile("dsb" ::: "memory");
    int r = flash_wait();
    FLASH_CR = 0;
    return r;
}

/* Callers need no erase: bytes over erased (or equal) flash are programmed directly; otherwise the whole sector is
 * rebuilt through the scratch sector (copy with the patch applied, erase, copy back), byte by byte, so no 128 KiB
 * RAM buffer is needed. */
int hal_flash_write(uint32_t offset, const void *src, uint32_t len) {
    if (offset > MODEL_SIZE || len > MODEL_SIZE - offset) return -1;
    const uint8_t *s = (const uint8_t *)src;
    const volatile uint8_t *old = (const volatile uint8_t *)(MODEL_ADDR + offset);
    int direct = 1;
    for (uint32_t i = 0; i < len && direct; i++) direct = old[i] == 0xFF || old[i] == s[i];
    uint32_t p = irq_save();
    if (FLASH_CR & FLASH_CR_LOCK) {
        FLASH_KEYR = FLASH_KEY1;
        FLASH_KEYR = FLASH_KEY2;
    }
    int r = 0;
    if (direct) {
        for (uint32_t i = 0; i < len && r == 0; i++)
            if (old[i] != s[i]) r = program_byte(MODEL_ADDR + offset + i, s[i]);
    } else {
        r = erase_sector(SCRATCH_SECTOR);
        for (uint32_t i = 0; i < MODEL_SIZE && r == 0; i++) {
            uint8_t b = (i >= offset && i - offset < len) ? s[i - offset] : *(const volatile uint8_t *)(MODEL_ADDR + i);
            if (b != 0xFF) r = program_byte(SCRATCH_ADDR + i, b);
        }
        if (r == 0) r = erase_sector(MODEL_SECTOR);
        for (uint32_t i = 0; i < MODEL_SIZE && r == 0; i++) {
            uint8_t b = *(const volatile uint8_t *)(SCRATCH_ADDR + i);
            if (b != 0xFF) r = program_byte(MODEL_ADDR + i, b);
        }
    }
    FLASH_CR = FLASH_CR_LOCK;
    /* the ART accelerator's data cache may hold the old bytes: reset it */
    FLASH_ACR &= ~FLASH_ACR_DCEN;
    FLASH_ACR |= FLASH_ACR_DCRST;
    FLASH_ACR &= ~FLASH_ACR_DCRST;
    FLASH_ACR |= FLASH_ACR_DCEN;
    irq_restore(p);
    return r;
}

const uint8_t *hal_flash_map(void) { return (const uint8_t *)MODEL_ADDR; }
