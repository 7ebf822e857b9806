/* The emulated boards' persistent flash: a host file over semihosting (its path is the second word of QEMU's
 * -semihosting-config arg=... command line), mirrored in a mapped copy (__model_flash, from the linker script) so
 * hal_flash_map gives execute-in-place style reads. Writes go to both. Shared by qemu-m4 and qemu-rv32. */
#include <stdint.h>
#include <string.h>
#include "hal.h"
#include "semihost.h"
#include "flash_semihost.h"
#include "flash_copy.h"

#define DEFAULT_FLASH_PATH "bitrl-flash.bin" /* when QEMU's semihosting command line names none */

extern uint8_t __model_flash[]; /* (BITRL_FLASH_SIZE) bytes, outside the RAM budget */
static int flash_handle = -1;

static void flash_log(const char *board, const char *what) {
    semihost_log("bitrl ");
    semihost_log(board);
    semihost_log(": ");
    semihost_log(what);
    semihost_log("\n");
}

void semihost_flash_open(const char *board) {
    char cmdline[256];
    const char *path = DEFAULT_FLASH_PATH;
    /* QEMU is started with -semihosting-config ...,arg=<name>,arg=<flash file>: the second word is the path. */
    if (semihost_cmdline(cmdline, sizeof cmdline) == 0) {
        cmdline[sizeof cmdline - 1] = 0;
        char *sp = strchr(cmdline, ' ');
        if (sp && sp[1]) {
            path = sp + 1;
            char *end = strchr(path, ' ');
            if (end) *end = 0;
        }
    }
    flash_handle = semihost_open(path, SEMIHOST_MODE_RPLUSB);
    if (flash_handle < 0) flash_handle = semihost_open(path, SEMIHOST_MODE_WPLUSB);
    if (flash_handle < 0) {
        flash_log(board, "cannot open the flash file; model slots unavailable");
        return;
    }
    int32_t len = semihost_flen(flash_handle);
    if (len < 0) len = 0;
    uint32_t have = (uint32_t)len < BITRL_FLASH_SIZE ? (uint32_t)len : BITRL_FLASH_SIZE;
    if (have && (semihost_seek(flash_handle, 0) != 0 || semihost_read(flash_handle, __model_flash, have) != 0)) {
        flash_log(board, "cannot read the flash file; model slots unavailable");
        semihost_close(flash_handle);
        flash_handle = -1;
        return;
    }
    /* A new or short file is extended with erased bytes (0xFF) once, so the file and the mapped copy always agree. */
    if (have < BITRL_FLASH_SIZE) {
        memset(__model_flash + have, 0xFF, BITRL_FLASH_SIZE - have);
        if (semihost_seek(flash_handle, have) != 0 ||
            semihost_write(flash_handle, __model_flash + have, BITRL_FLASH_SIZE - have) != 0)
            flash_log(board, "cannot extend the flash file");
    }
}

uint32_t hal_flash_size(void) { return flash_handle >= 0 ? BITRL_FLASH_SIZE : 0; }

int hal_flash_read(uint32_t offset, void *dst, uint32_t len) {
    return flash_copy_read(flash_handle >= 0, __model_flash, offset, dst, len);
}

int hal_flash_write(uint32_t offset, const void *src, uint32_t len) {
    if (flash_copy_write(flash_handle >= 0, __model_flash, offset, src, len) != 0) return -1;
    if (semihost_seek(flash_handle, offset) != 0 || semihost_write(flash_handle, src, len) != 0) return -2;
    return 0;
}

const uint8_t *hal_flash_map(void) { return flash_handle >= 0 ? __model_flash : NULL; }
