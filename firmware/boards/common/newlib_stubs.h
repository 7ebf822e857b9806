/* newlib's system calls that every board answers the same way, included once by each board's C library glue
 * (common/syscalls_semihost.c, baremetal/syscalls_baremetal.c) after its own _write and _exit: nothing to read,
 * close or seek, one process, and a heap that never grows past the linker's __heap_start..__heap_end. */
#ifndef BITRL_NEWLIB_STUBS_H
#define BITRL_NEWLIB_STUBS_H
#include <errno.h>
#include <stddef.h>
#include <sys/stat.h>

extern char __heap_start[], __heap_end[];

int _read(int fd, char *buf, int len) {
    (void)fd;
    (void)buf;
    (void)len;
    errno = EBADF;
    return -1;
}
int _close(int fd) {
    (void)fd;
    return -1;
}
int _lseek(int fd, int off, int whence) {
    (void)fd;
    (void)off;
    (void)whence;
    return -1;
}
int _fstat(int fd, struct stat *st) {
    (void)fd;
    st->st_mode = S_IFCHR;
    return 0;
}
int _isatty(int fd) { return fd <= 2; }
int _getpid(void) { return 1; }
int _kill(int pid, int sig) {
    (void)pid;
    (void)sig;
    errno = EINVAL;
    return -1;
}

/* The heap never grows past its linker-reserved block: running out is ENOMEM, never a collision with the stack. */
void *_sbrk(ptrdiff_t incr) {
    static char *brk = __heap_start;
    if (incr > __heap_end - brk || incr < __heap_start - brk) {
        errno = ENOMEM;
        return (void *)-1;
    }
    char *prev = brk;
    brk += incr;
    return prev;
}

#endif
