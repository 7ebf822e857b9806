/* UTF-8 validation (see utf8.h). */
#include "utf8.h"

int bitrl_utf8_sequence(int lead, int (*next)(void *ctx), void *ctx) {
    uint32_t k, cp;
    if ((lead & 0xE0) == 0xC0) {
        k = 1;
        cp = (uint32_t)lead & 0x1F;
    } else if ((lead & 0xF0) == 0xE0) {
        k = 2;
        cp = (uint32_t)lead & 0x0F;
    } else if ((lead & 0xF8) == 0xF0) {
        k = 3;
        cp = (uint32_t)lead & 0x07;
    } else {
        return 0;
    }
    for (uint32_t j = 0; j < k; j++) {
        int d = next(ctx);
        if (d < 0 || (d & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | ((uint32_t)d & 0x3F);
    }
    if ((k == 1 && cp < 0x80) || (k == 2 && cp < 0x800) || (k == 3 && cp < 0x10000)) return 0;
    return cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF);
}

typedef struct {
    const uint8_t *s;
    size_t i, n;
} cursor;

static int cursor_next(void *ctx) {
    cursor *c = (cursor *)ctx;
    return c->i < c->n ? c->s[c->i++] : -1;
}

int bitrl_utf8_valid(const uint8_t *s, size_t n) {
    cursor c = {s, 0, n};
    for (int b = cursor_next(&c); b >= 0; b = cursor_next(&c))
        if (b >= 0x80 && !bitrl_utf8_sequence(b, cursor_next, &c)) return 0;
    return 1;
}
