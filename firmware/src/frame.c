/* Frame codec (docs/protocol.md), twin of tools/lib/board/protocol.ts: a linear buffer scanned for a sync pair
 * followed by a header whose CRC-16 matches. Noise is skipped without waiting for bytes it seems to announce; a
 * real header whose frame fails skips its sync pair and rescans, so a truncated frame costs one error reply. */
#include <string.h>
#include "frame.h"
#include "crc32.h"

/* CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF), as tools/lib/util/crc16.ts: only ever over 4 header bytes. */
static uint16_t frame_crc16(const uint8_t *p, size_t len) {
    uint16_t c = 0xFFFFu;
    for (size_t i = 0; i < len; i++) {
        c ^= (uint16_t)(p[i] << 8);
        for (int k = 0; k < 8; k++) c = (c & 0x8000u) ? (uint16_t)((c << 1) ^ 0x1021u) : (uint16_t)(c << 1);
    }
    return c;
}

void bitrl_frame_reset(bitrl_frame_decoder *d) {
    d->n = 0;
    d->consume = 0;
    d->payload = NULL;
    d->len = 0;
}

static void frame_shift(bitrl_frame_decoder *d, size_t k) {
    if (k >= d->n) {
        d->n = 0;
        return;
    }
    memmove(d->buf, d->buf + k, d->n - k);
    d->n -= k;
}

size_t bitrl_frame_push(bitrl_frame_decoder *d, const uint8_t *bytes, size_t len) {
    if (d->consume) {
        frame_shift(d, d->consume);
        d->consume = 0;
    }
    size_t room = sizeof d->buf - d->n;
    size_t k = len < room ? len : room;
    memcpy(d->buf + d->n, bytes, k);
    d->n += k;
    return k;
}

bitrl_frame_event bitrl_frame_poll(bitrl_frame_decoder *d) {
    if (d->consume) {
        frame_shift(d, d->consume);
        d->consume = 0;
    }
    /* Each pass either returns or drops at least one byte, so the loop ends within d->n passes. */
    while (d->n > 0) {
        if (d->buf[0] != BITRL_FRAME_SYNC0) {
            size_t i = 1;
            while (i < d->n && d->buf[i] != BITRL_FRAME_SYNC0) i++;
            frame_shift(d, i);
            continue;
        }
        if (d->n < 2) return BITRL_FRAME_NONE;
        if (d->buf[1] != BITRL_FRAME_SYNC1) {
            frame_shift(d, 1);
            continue;
        }
        if (d->n < BITRL_FRAME_HEADER) return BITRL_FRAME_NONE;
        if (frame_crc16(d->buf + 2, 4) != (uint16_t)(d->buf[6] | (d->buf[7] << 8))) {
            frame_shift(d, 2); /* not a header: noise, or a header the line corrupted */
            continue;
        }
        uint16_t len = (uint16_t)(d->buf[2] | (d->buf[3] << 8));
        d->seq = d->buf[4];
        d->code = d->buf[5];
        d->len = len;
        if (len > BITRL_CFG_MAX_PAYLOAD) {
            d->consume = 2; /* skip the sync pair only: the next frame may start right after the header */
            d->payload = NULL;
            return BITRL_FRAME_TOO_LARGE;
        }
        size_t total = BITRL_FRAME_HEADER + (size_t)len + BITRL_FRAME_TRAILER;
        if (d->n < total) return BITRL_FRAME_NONE;
        const uint8_t *t = d->buf + BITRL_FRAME_HEADER + len;
        uint32_t want = (uint32_t)t[0] | ((uint32_t)t[1] << 8) | ((uint32_t)t[2] << 16) | ((uint32_t)t[3] << 24);
        if (bitrl_crc32(d->buf + 2, BITRL_FRAME_HEADER - 2u + len, 0) != want) {
            d->consume = 2;
            d->payload = NULL;
            return BITRL_FRAME_BAD_CRC;
        }
        d->payload = d->buf + BITRL_FRAME_HEADER;
        d->consume = total;
        return BITRL_FRAME_OK;
    }
    return BITRL_FRAME_NONE;
}

void bitrl_frame_drop_partial(bitrl_frame_decoder *d) {
    if (d->consume) {
        frame_shift(d, d->consume);
        d->consume = 0;
    }
    if (d->n > 0) frame_shift(d, 1);
}

size_t bitrl_frame_encode(uint8_t *out, size_t cap, uint8_t seq, uint8_t code, const uint8_t *payload, size_t len) {
    size_t total = BITRL_FRAME_HEADER + len + BITRL_FRAME_TRAILER;
    if (len > 0xFFFFu || total > cap) return 0;
    out[0] = BITRL_FRAME_SYNC0;
    out[1] = BITRL_FRAME_SYNC1;
    out[2] = (uint8_t)(len & 0xFFu);
    out[3] = (uint8_t)(len >> 8);
    out[4] = seq;
    out[5] = code;
    uint16_t h = frame_crc16(out + 2, 4);
    out[6] = (uint8_t)h;
    out[7] = (uint8_t)(h >> 8);
    if (len) memmove(out + BITRL_FRAME_HEADER, payload, len);
    uint32_t c = bitrl_crc32(out + 2, BITRL_FRAME_HEADER - 2u + len, 0);
    uint8_t *t = out + BITRL_FRAME_HEADER + len;
    t[0] = (uint8_t)c;
    t[1] = (uint8_t)(c >> 8);
    t[2] = (uint8_t)(c >> 16);
    t[3] = (uint8_t)(c >> 24);
    return total;
}
