/* C library glue for the emulated boards: stdout/stderr go to the host over semihosting (never to the UART, which
 * carries the binary protocol), the heap is the linker's fixed __heap_start..__heap_end, exit ends the emulation. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>

#include "semihost.h"

extern char __heap_start[], __heap_end[];

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
  if (fd != 1 && fd != 2) { errno = EBADF; return -1; }
  return host_write(fd, buf, len);
}
int _read(int fd, char *buf, int len) { (void)fd; (void)buf; (void)len; errno = EBADF; return -1; }
int _close(int fd) { (void)fd; return -1; }
int _lseek(int fd, int off, int whence) { (void)fd; (void)off; (void)whence; return -1; }
int _fstat(int fd, struct stat *st) { (void)fd; st->st_mode = S_IFCHR; return 0; }
int _isatty(int fd) { return fd <= 2; }
int _getpid(void) { return 1; }
int _kill(int pid, int sig) { (void)pid; (void)sig; errno = EINVAL; return -1; }
void _exit(int code) { semihost_exit(code); }

/* The heap never grows past its linker-reserved block: running out is ENOMEM, never a collision with the stack. */
void *_sbrk(ptrdiff_t incr) {
  static char *brk = __heap_start;
  if (incr > __heap_end - brk || incr < __heap_start - brk) { errno = ENOMEM; return (void *)-1; }
  char *prev = brk;
  brk += incr;
  return prev;
}
#endif
