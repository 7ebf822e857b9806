/* Semihosting calls (Arm and RISC-V use the same operation numbers): host files for the emulated boards'
 * persistent flash, host stdout/stderr for logs, and the exit code. Only meaningful under QEMU
 * (-semihosting-config enable=on,target=native); on a real board without a debugger they fault. */
#ifndef BITRL_SEMIHOST_H
#define BITRL_SEMIHOST_H

#include <stdint.h>

/* open modes (fopen-style): */
#define SEMIHOST_MODE_RB 1     /* "rb"  */
#define SEMIHOST_MODE_RPLUSB 3 /* "r+b" */
#define SEMIHOST_MODE_W 4      /* "w": with ":tt", the host's stdout */
#define SEMIHOST_MODE_WPLUSB 7 /* "w+b" (creates / truncates) */
#define SEMIHOST_MODE_A 8      /* "a": with ":tt", the host's stderr */

/* Returns a handle >= 0, or -1. */
int semihost_open(const char *path, int mode);
int semihost_close(int handle);
/* Both return the number of bytes NOT transferred (0 = all), or -1 on error. */
int semihost_read(int handle, void *buf, uint32_t len);
int semihost_write(int handle, const void *buf, uint32_t len);
/* Absolute position; 0 ok, < 0 error. */
int semihost_seek(int handle, uint32_t pos);
/* File length in bytes, or -1. */
int32_t semihost_flen(int handle);
/* The command line QEMU was given with -semihosting-config arg=...; 0 ok. */
int semihost_cmdline(char *buf, uint32_t cap);
/* Writes a NUL-terminated string to the host's stderr (for faults and logs). */
void semihost_log(const char *s);
/* Ends the emulation with this exit code. */
void semihost_exit(int code) __attribute__((noreturn));

#endif
