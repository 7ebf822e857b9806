/* HAL for qemu-stm32f4 (QEMU netduinoplus2, an STM32F405): the same USART2 driver as nucleo_f446re for the
 * protocol (QEMU's second -serial), SysTick on the processor clock as the clock, and a host file over semihosting
 * as the model flash (QEMU 7.2's STM32F4 model ignores flash writes, and reads RCC and DWT as 0, so the Nucleo's
 * clock tree, cycle counter and flash-sector code cannot run here; they are built for nucleo_f446re only). */
#include <stdint.h>

#include "cortexm.h"
#include "flash_semihost.h"
#include "hal.h"
#include "semihost.h"
#include "stm32f4_regs.h"
#include "stm32f4_usart.h"

/* QEMU's STM32F405 SoC clocks the core (and SysTick with CLKSOURCE=1) at 168 MHz; with -icount shift=0 one guest
 * instruction is 1 ns of virtual time, so one SysTick tick is 1000/168 = 125/21 instructions. */
#define TICK_INSTR_NUM 125u
#define TICK_INSTR_DEN 21u
#define INSTR_PER_MS 1000000u
#define SERIAL_GAP_INSTR 200000u /* after the first byte, keep reading while the next arrives within this gap */
#define APB1_HZ 42000000u        /* QEMU ignores the baud rate; BRR is still set as on the chip */

static volatile uint32_t s_wraps;

void hal_systick_isr(void) { s_wraps++; }

/* Guest instructions since hal_init, to within one SysTick tick (6 instructions). */
uint64_t hal_clock(void) {
    uint32_t p = irq_save();
    uint32_t val = SYST_CVR;
    uint32_t wraps = s_wraps;
    /* a wrap whose interrupt has not run yet (masked): the value is from after it when it is in the top half */
    if ((SCB_ICSR & SCB_ICSR_PENDSTSET) && val > SYST_RELOAD_MAX / 2) wraps++;
    irq_restore(p);
    uint64_t ticks = (uint64_t)wraps * (SYST_RELOAD_MAX + 1u) + (SYST_RELOAD_MAX - val);
    return ticks * TICK_INSTR_NUM / TICK_INSTR_DEN;
}

const char *hal_board_name(void) { return "qemu-stm32f4"; }

size_t hal_serial_read(uint8_t *buf, size_t cap, uint32_t timeout_ms) {
    return stm32_usart_read(USART2_BASE, buf, cap, (uint64_t)timeout_ms * INSTR_PER_MS, SERIAL_GAP_INSTR, hal_clock);
}

void hal_serial_write(const uint8_t *buf, size_t len) { stm32_usart_write(USART2_BASE, buf, len); }

void hal_init(void) {
    RCC_AHB1ENR |= RCC_AHB1ENR_GPIOAEN; /* as on the chip (QEMU needs no clock enables) */
    RCC_APB1ENR |= RCC_APB1ENR_USART2EN;
    stm32_usart_init(USART2_BASE, APB1_HZ, 115200u);
    SYST_RVR = SYST_RELOAD_MAX;
    SYST_CVR = 0;
    SYST_CSR = SYST_CSR_ENABLE | SYST_CSR_TICKINT | SYST_CSR_CLKSOURCE;
    semihost_flash_open("qemu-stm32f4");
}

void hal_exit(int code) { semihost_exit(code); }

static void put_hex(char *dst, uint32_t v) {
    for (int i = 7; i >= 0; i--, v >>= 4) dst[i] = "0123456789abcdef"[v & 0xF];
}

void hal_fault(uint32_t cfsr, uint32_t hfsr) {
    char msg[] = "bitrl qemu-stm32f4: fault, CFSR=0x........ HFSR=0x........\n";
    put_hex(msg + 34, cfsr);
    put_hex(msg + 50, hfsr);
    semihost_log(msg);
    semihost_exit(70);
}

/* No meter is attached to an emulated board. */
void hal_marker(int level) { (void)level; }
