/* C library glue for the real boards built without a vendor SDK: no console (the UART carries the binary protocol,
 * so stdout/stderr are dropped), the heap is the linker's fixed __heap_start..__heap_end, exit resets the board. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>

#include "hal.h"

#if defined(__PICOLIBC__)
static int bitrl_putc(char c, FILE *f) {
    (void)f;
    return (unsigned char)c;
}
static FILE bitrl_stdio = FDEV_SETUP_STREAM(bitrl_putc, NULL, NULL, _FDEV_SETUP_WRITE);
FILE *const stdout = &bitrl_stdio;
FILE *const stderr = &bitrl_stdio;
FILE *const stdin = NULL;

void _exit(int code) {
    hal_exit(code);
    for (;;) {}
}
#else
int _write(int fd, const char *buf, int len) {
    (void)buf;
    if (fd != 1 && fd != 2) {
        errno = EBADF;
        return -1;
    }
    return len;
}
void _exit(int code) {
    hal_exit(code);
    for (;;) {}
}

#include "newlib_stubs.h"
#endif
