/* C library glue for the real boards built without a vendor SDK: no console (the UART carries the binary protocol,
 * so stdout/stderr are dropped), the heap is the linker's fixed __heap_start..__heap_end, exit resets the board. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>

#include "hal.h"

extern char __heap_start[], __heap_end[];

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
  for (;;) {
  }
}
#else
int _write(int fd, const char *buf, int len) {
  (void)buf;
  if (fd != 1 && fd != 2) { errno = EBADF; return -1; }
  return len;
}
int _read(int fd, char *buf, int len) { (void)fd; (void)buf; (void)len; errno = EBADF; return -1; }
int _close(int fd) { (void)fd; return -1; }
int _lseek(int fd, int off, int whence) { (void)fd; (void)off; (void)whence; return -1; }
int _fstat(int fd, struct stat *st) { (void)fd; st->st_mode = S_IFCHR; return 0; }
int _isatty(int fd) { return fd <= 2; }
int _getpid(void) { return 1; }
int _kill(int pid, int sig) { (void)pid; (void)sig; errno = EINVAL; return -1; }
void _exit(int code) {
  hal_exit(code);
  for (;;) {
  }
}

/* The heap never grows past its linker-reserved block: running out is ENOMEM, never a collision with the stack. */
void *_sbrk(ptrdiff_t incr) {
  static char *brk = __heap_start;
  if (incr > __heap_end - brk || incr < __heap_start - brk) { errno = ENOMEM; return (void *)-1; }
  char *prev = brk;
  brk += incr;
  return prev;
}
#endif
