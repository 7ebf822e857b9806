/* Word-at-a-time memset/memcpy/memmove for qemu-rv32. Debian's picolibc is built for size, and its byte loops made
 * wasm3's start-up (zeroing 128 KiB of linear memory, copying tables) five times costlier in instructions than on
 * qemu-m4's newlib; a real ESP32-C3 has fast versions in ROM. These replace the library's (linked first). */
#include <stddef.h>
#include <stdint.h>

/* gcc must not turn these loops back into calls to memset/memcpy (they would call themselves). */
#define NO_BUILTIN_LOOPS __attribute__((optimize("no-tree-loop-distribute-patterns")))

NO_BUILTIN_LOOPS void *memset(void *dst, int c, size_t n) {
    uint8_t *d = dst;
    uint8_t v = (uint8_t)c;
    while (n && ((uintptr_t)d & 3u)) {
        *d++ = v;
        n--;
    }
    uint32_t w = v * 0x01010101u;
    uint32_t *dw = (uint32_t *)d;
    for (; n >= 16; n -= 16, dw += 4) {
        dw[0] = w;
        dw[1] = w;
        dw[2] = w;
        dw[3] = w;
    }
    for (; n >= 4; n -= 4) *dw++ = w;
    d = (uint8_t *)dw;
    while (n--) *d++ = v;
    return dst;
}

/* Forward copy; word loop when both pointers share their alignment. */
NO_BUILTIN_LOOPS static void copy_forward(uint8_t *d, const uint8_t *s, size_t n) {
    if ((((uintptr_t)d ^ (uintptr_t)s) & 3u) == 0) {
        while (n && ((uintptr_t)d & 3u)) {
            *d++ = *s++;
            n--;
        }
        uint32_t *dw = (uint32_t *)d;
        const uint32_t *sw = (const uint32_t *)s;
        for (; n >= 16; n -= 16, dw += 4, sw += 4) {
            dw[0] = sw[0];
            dw[1] = sw[1];
            dw[2] = sw[2];
            dw[3] = sw[3];
        }
        for (; n >= 4; n -= 4) *dw++ = *sw++;
        d = (uint8_t *)dw;
        s = (const uint8_t *)sw;
    }
    while (n--) *d++ = *s++;
}

void *memcpy(void *restrict dst, const void *restrict src, size_t n) {
    copy_forward(dst, src, n);
    return dst;
}

NO_BUILTIN_LOOPS void *memmove(void *dst, const void *src, size_t n) {
    uint8_t *d = dst;
    const uint8_t *s = src;
    if (d <= s || d >= s + n) {
        copy_forward(d, s, n);
    } else {
        /* overlapping with dst after src: copy backwards */
        d += n;
        s += n;
        while (n--) *--d = *--s;
    }
    return dst;
}
