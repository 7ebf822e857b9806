/* WAMR's platform API (core/shared/platform/include/platform_api_vmcore.h) on bare metal, written for bitrl: no
 * OS, one thread, no malloc. Everything WAMR allocates comes from the fixed pool vm_wamr.c hands it at start-up
 * (Alloc_With_Pool), so the os_malloc family refuses; printing goes nowhere because the serial link carries the
 * protocol (errors come back through WAMR's error buffers instead). */
#include <stdarg.h>
#include <stdint.h>
#include "platform_api_vmcore.h"
#include "hal.h"

extern const char __stack_limit[] __attribute__((weak)); /* lowest address of the main stack (linker script) */

int bh_platform_init(void) { return 0; }

void bh_platform_destroy(void) {}

/* Only reached if WAMR were initialised with the system allocator, which bitrl never does. */
void *os_malloc(unsigned size) {
    (void)size;
    return NULL;
}

void *os_realloc(void *ptr, unsigned size) {
    (void)ptr, (void)size;
    return NULL;
}

void os_free(void *ptr) { (void)ptr; }

int os_vprintf(const char *format, va_list ap) {
    (void)format, (void)ap;
    return 0;
}

int os_printf(const char *format, ...) {
    (void)format;
    return 0;
}

/* In hal_clock() ticks, not microseconds: WAMR reads it only for timers and profiling, which bitrl leaves off. */
uint64 os_time_get_boot_microsecond(void) { return hal_clock(); }

/* WAMR's log lines carry a time stamp from its timer module (runtime_timer.c, left out of this build); the lines
 * go nowhere here (os_printf), so any monotonic count does. */
uint64 bh_get_tick_ms(void) { return hal_clock(); }

korp_tid os_self_thread(void) { return 1; }

/* WAMR's interpreter keeps wasm frames on its own stack in the pool; the fast interpreter does not compare the
 * native stack against this bound, so the linker's stack limit (or NULL) is all it needs. */
uint8 *os_thread_get_stack_boundary(void) { return (uint8 *)__stack_limit; }

int os_mutex_init(korp_mutex *mutex) {
    *mutex = 0;
    return BHT_OK;
}

int os_mutex_destroy(korp_mutex *mutex) {
    (void)mutex;
    return BHT_OK;
}

int os_mutex_lock(korp_mutex *mutex) {
    (void)mutex;
    return BHT_OK;
}

int os_mutex_unlock(korp_mutex *mutex) {
    (void)mutex;
    return BHT_OK;
}

/* Executable memory is for WAMR's AOT and JIT, both left out of this build. */
void *os_mmap(void *hint, size_t size, int prot, int flags) {
    (void)hint, (void)size, (void)prot, (void)flags;
    return NULL;
}

void os_munmap(void *addr, size_t size) { (void)addr, (void)size; }

int os_mprotect(void *addr, size_t size, int prot) {
    (void)addr, (void)size, (void)prot;
    return 0;
}

void os_dcache_flush(void) {}
