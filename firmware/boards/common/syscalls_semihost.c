/* C library glue for the emulated boards: stdout/stderr go to the host over semihosting (never to the UART, which
 * carries the binary protocol), the heap is the linker's fixed __heap_start..__heap_end, exit ends the emulation. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>

#include "semihost.h"

static int host_stdout = -1, host_stderr = -1;

static int host_write(int fd, const char *buf, int len) {
    int *h = fd == 2 ? &host_stderr : &host_stdout;
    if (*h < 0) *h = semihost_open(":tt", fd == 2 ? SEMIHOST_MODE_A : SEMIHOST_MODE_W);
    if (*h < 0) return -1;
    return len - semihost_write(*h, buf, (uint32_t)len);
}

#if defined(__PICOLIBC__)
/* picolibc: stdio is a FILE the application provides; send it to the host's stdout. */
static int bitrl_putc(char c, FILE *f) {
    (void)f;
    return host_write(1, &c, 1) == 1 ? (unsigned char)c : EOF;
}
static FILE bitrl_stdio = FDEV_SETUP_STREAM(bitrl_putc, NULL, NULL, _FDEV_SETUP_WRITE);
FILE *const stdout = &bitrl_stdio;
FILE *const stderr = &bitrl_stdio;
FILE *const stdin = NULL;

void _exit(int code) { semihost_exit(code); }
#else
/* newlib (nano): the classic syscall stubs. */
int _write(int fd, const char *buf, int len) {
    if (fd != 1 && fd != 2) {
        errno = EBADF;
        return -1;
    }
    return host_write(fd, buf, len);
}
void _exit(int code) { semihost_exit(code); }

#include "newlib_stubs.h"
#endif
