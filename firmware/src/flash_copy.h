/* The model flash of boards that keep it as a RAM copy mirrored to a host file (the native host build, and the
 * emulated boards over semihosting): its size and the copy's half of hal_flash_read / hal_flash_write. */
#ifndef BITRL_FLASH_COPY_H
#define BITRL_FLASH_COPY_H

#include <stdint.h>
#include <string.h>

#ifndef BITRL_FLASH_SIZE
#define BITRL_FLASH_SIZE (4u * 1024u * 1024u)
#endif

/* Whether [offset, offset + len) lies inside the flash (and the flash is open): no overflow for any u32 pair. */
static inline int flash_copy_range_ok(int open, uint32_t offset, uint32_t len) {
    return open && offset <= BITRL_FLASH_SIZE && len <= BITRL_FLASH_SIZE - offset;
}

/* hal_flash_read from the copy: 0, or -1 outside the flash. */
static inline int flash_copy_read(int open, const uint8_t *copy, uint32_t offset, void *dst, uint32_t len) {
    if (!flash_copy_range_ok(open, offset, len)) return -1;
    memcpy(dst, copy + offset, len);
    return 0;
}

/* The copy's half of hal_flash_write (the caller then writes the file): 0, or -1 outside the flash. */
static inline int flash_copy_write(int open, uint8_t *copy, uint32_t offset, const void *src, uint32_t len) {
    if (!flash_copy_range_ok(open, offset, len)) return -1;
    memcpy(copy + offset, src, len);
    return 0;
}

#endif
