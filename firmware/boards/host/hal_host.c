/* HAL for the native `host` board (wasm3 built for the development machine): serial = stdin/stdout, clock = ns of
 * CLOCK_MONOTONIC, flash = the file named by BITRL_FLASH (default bitrl-flash.bin), size BITRL_FLASH_SIZE. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hal.h"
#include "flash_copy.h"

/* After the first byte, keep reading while more arrive within this gap. */
#define SERIAL_GAP_MS 2

static int serial_out = -1; /* the protocol's stdout (fd 1 is pointed at stderr for stray prints) */
static int flash_fd = -1;
static uint8_t *flash_copy; /* (BITRL_FLASH_SIZE) mapped view of the flash file */

void hal_init(void) {
    /* The protocol owns the original stdout; anything printf'd by mistake goes to stderr instead. */
    serial_out = dup(1);
    dup2(2, 1);
    const char *path = getenv("BITRL_FLASH");
    if (!path || !*path) path = "bitrl-flash.bin";
    flash_copy = malloc(BITRL_FLASH_SIZE);
    flash_fd = open(path, O_RDWR | O_CREAT, 0644);
    if (!flash_copy || flash_fd < 0) {
        fprintf(stderr, "bitrl host: cannot open flash file %s: %s\n", path, strerror(errno));
        flash_fd = -1;
        return;
    }
    ssize_t have = pread(flash_fd, flash_copy, BITRL_FLASH_SIZE, 0);
    if (have < 0) have = 0;
    if ((uint32_t)have < BITRL_FLASH_SIZE) {
        /* erased bytes, written once so the file and the copy agree */
        memset(flash_copy + have, 0xFF, BITRL_FLASH_SIZE - (uint32_t)have);
        if (pwrite(flash_fd, flash_copy + have, BITRL_FLASH_SIZE - (uint32_t)have, have) < 0)
            fprintf(stderr, "bitrl host: cannot extend the flash file: %s\n", strerror(errno));
    }
}

const char *hal_board_name(void) { return "host"; }

uint64_t hal_clock(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

const char *hal_clock_unit(void) { return "ns"; }

static int wait_readable(int ms) {
    struct pollfd p = {.fd = 0, .events = POLLIN};
    int r = poll(&p, 1, ms);
    return r > 0;
}

size_t hal_serial_read(uint8_t *buf, size_t cap, uint32_t timeout_ms) {
    if (cap == 0 || !wait_readable((int)timeout_ms)) return 0;
    size_t n = 0;
    while (n < cap) {
        ssize_t r = read(0, buf + n, cap - n);
        if (r == 0) hal_exit(0); /* the host closed our stdin: nobody is listening any more */
        if (r < 0) {
            if (errno == EINTR) continue;
            break;
        }
        n += (size_t)r;
        if (!wait_readable(SERIAL_GAP_MS)) break;
    }
    return n;
}

void hal_serial_write(const uint8_t *buf, size_t len) {
    while (len > 0) {
        ssize_t w = write(serial_out, buf, len);
        if (w < 0) {
            if (errno == EINTR) continue;
            hal_exit(1);
        }
        buf += w;
        len -= (size_t)w;
    }
}

uint32_t hal_flash_size(void) { return flash_fd >= 0 ? BITRL_FLASH_SIZE : 0; }

int hal_flash_read(uint32_t offset, void *dst, uint32_t len) {
    return flash_copy_read(flash_fd >= 0, flash_copy, offset, dst, len);
}

int hal_flash_write(uint32_t offset, const void *src, uint32_t len) {
    if (flash_copy_write(flash_fd >= 0, flash_copy, offset, src, len) != 0) return -1;
    return pwrite(flash_fd, src, len, offset) == (ssize_t)len ? 0 : -2;
}

const uint8_t *hal_flash_map(void) { return flash_fd >= 0 ? flash_copy : NULL; }

void hal_exit(int code) {
    if (flash_fd >= 0) fsync(flash_fd);
    exit(code);
}

/* No meter is attached to an emulated or host board: the measurement window has no pin to drive. */
void hal_marker(int level) { (void)level; }
