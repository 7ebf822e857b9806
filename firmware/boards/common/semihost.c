/* Semihosting calls for the emulated boards: the trap sequence per architecture, then plain wrappers. */
#include "semihost.h"

#include <string.h>

enum {
    SYS_OPEN = 0x01,
    SYS_CLOSE = 0x02,
    SYS_WRITE0 = 0x04,
    SYS_WRITE = 0x05,
    SYS_READ = 0x06,
    SYS_SEEK = 0x0A,
    SYS_FLEN = 0x0C,
    SYS_GET_CMDLINE = 0x15,
    SYS_EXIT_EXTENDED = 0x20,
};
#define ADP_STOPPED_APPLICATION_EXIT 0x20026

#if defined(__riscv)
/* The RISC-V semihosting trap: an uncompressed slli/ebreak/srai triple that QEMU recognises by its neighbours.
 * A function of its own, 16-byte aligned, so the three never straddle a page; a0 = op, a1 = arg, result in a0. */
__attribute__((naked, noinline, aligned(16))) static intptr_t semihost_trap(int op, const void *arg) {
    __asm__ volatile(".option push\n.option norvc\n"
                     "slli x0, x0, 0x1f\n"
                     "ebreak\n"
                     "srai x0, x0, 7\n"
                     ".option pop\n"
                     "ret\n");
}
#endif

/* One semihosting request: op and a pointer to its argument block in, result out. */
static inline intptr_t semihost_call(int op, const void *arg) {
#if defined(__arm__)
    register intptr_t r0 __asm__("r0") = op;
    register const void *r1 __asm__("r1") = arg;
    __asm__ volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
#elif defined(__riscv)
    __asm__ volatile("" ::: "memory"); /* the host reads and writes memory behind the compiler's back */
    intptr_t r = semihost_trap(op, arg);
    __asm__ volatile("" ::: "memory");
    return r;
#else
#error "semihosting: unsupported architecture"
#endif
}

int semihost_open(const char *path, int mode) {
    uintptr_t a[3] = {(uintptr_t)path, (uintptr_t)mode, (uintptr_t)strlen(path)};
    return (int)semihost_call(SYS_OPEN, a);
}

int semihost_close(int handle) {
    uintptr_t a[1] = {(uintptr_t)handle};
    return (int)semihost_call(SYS_CLOSE, a);
}

int semihost_read(int handle, void *buf, uint32_t len) {
    uintptr_t a[3] = {(uintptr_t)handle, (uintptr_t)buf, len};
    return (int)semihost_call(SYS_READ, a);
}

int semihost_write(int handle, const void *buf, uint32_t len) {
    uintptr_t a[3] = {(uintptr_t)handle, (uintptr_t)buf, len};
    return (int)semihost_call(SYS_WRITE, a);
}

int semihost_seek(int handle, uint32_t pos) {
    uintptr_t a[2] = {(uintptr_t)handle, pos};
    return (int)semihost_call(SYS_SEEK, a);
}

int32_t semihost_flen(int handle) {
    uintptr_t a[1] = {(uintptr_t)handle};
    return (int32_t)semihost_call(SYS_FLEN, a);
}

int semihost_cmdline(char *buf, uint32_t cap) {
    uintptr_t a[2] = {(uintptr_t)buf, cap};
    return (int)semihost_call(SYS_GET_CMDLINE, a);
}

void semihost_log(const char *s) { semihost_call(SYS_WRITE0, s); }

void semihost_exit(int code) {
    uintptr_t a[2] = {ADP_STOPPED_APPLICATION_EXIT, (uintptr_t)code};
    semihost_call(SYS_EXIT_EXTENDED, a);
    for (;;) {}
}
