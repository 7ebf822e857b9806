/* Start-up shared by bitrl's Cortex-M4F boards without a vendor SDK (qemu-stm32f4, nucleo_f446re, nrf52840_dk):
 * vector table, reset (FPU on before any float, .data/.bss, constructors, main, hal_exit) and a fault entry that
 * takes a fresh stack and hands the fault registers to the board's hal_fault. The linker script of each board
 * defines __stack_top, __data_start/__data_end/__data_load and __bss_start/__bss_end. */
#include <stdint.h>
#include <string.h>

#include "cortexm.h"
#include "cortexm_vectors.h"
#include "hal.h"

extern uint32_t __stack_top[], __data_start[], __data_end[], __data_load[], __bss_start[], __bss_end[];
extern int main(void);
extern void __libc_init_array(void);

/* -nostartfiles drops crti/crtn; newlib's __libc_init_array still calls these. */
void _init(void) {}
void _fini(void) {}

__attribute__((noreturn)) void Reset_Handler(void) {
    SCB_CPACR |= 0xFu << 20; /* CP10/CP11 full access: the compiler may use FPU registers from here on */
    __asm__ volatile("dsb\n isb" ::: "memory");
    memcpy(__data_start, __data_load, (size_t)((char *)__data_end - (char *)__data_start));
    memset(__bss_start, 0, (size_t)((char *)__bss_end - (char *)__bss_start));
    __libc_init_array();
    int code = main();
    hal_exit(code);
    for (;;) {}
}

__attribute__((noreturn, used)) static void fault_entry(void) { hal_fault(SCB_CFSR, SCB_HFSR); }

/* The stack may be what failed: take a fresh one before any C code runs. */
__attribute__((naked, noreturn)) void Fault_Handler(void) {
    __asm__ volatile("ldr r0, =__stack_top\n mov sp, r0\n b fault_entry\n");
}

static void systick_entry(void) { hal_systick_isr(); }

__attribute__((section(".isr_vector"), used)) static void (*const vectors[16])(void) = {
    CORTEXM_CORE_VECTORS(__stack_top, Reset_Handler, Fault_Handler),
    [15] = systick_entry,
};
