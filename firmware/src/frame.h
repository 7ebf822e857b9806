/* Frame codec of the serial protocol (docs/protocol.md): sync, length, sequence, code, header CRC-16, payload,
 * CRC-32. The decoder is fed bytes as they arrive and resynchronises after garbage; it never allocates. */
#ifndef BITRL_FRAME_H
#define BITRL_FRAME_H
#include <stddef.h>
#include <stdint.h>
#include "bitrl_config.h"

#define BITRL_FRAME_SYNC0 0xB1u
#define BITRL_FRAME_SYNC1 0x7Eu
#define BITRL_FRAME_HEADER 8u  /* sync0 sync1 len_lo len_hi seq code hcrc_lo hcrc_hi; hcrc: CRC-16 of bytes [2, 6) */
#define BITRL_FRAME_TRAILER 4u /* CRC-32 of bytes [2, 8 + len): the header after the sync, then the payload */
#define BITRL_FRAME_MAX (BITRL_FRAME_HEADER + BITRL_CFG_MAX_PAYLOAD + BITRL_FRAME_TRAILER)

typedef enum {
    BITRL_FRAME_NONE = 0, /* need more bytes */
    BITRL_FRAME_OK,       /* a whole frame with a good CRC */
    BITRL_FRAME_BAD_CRC,  /* a real header (its CRC-16 matches), frame CRC-32 wrong: reply ERR_CRC, sync skipped */
    BITRL_FRAME_TOO_LARGE /* a real header with length > BITRL_CFG_MAX_PAYLOAD: reply ERR_TOO_LARGE, sync skipped */
} bitrl_frame_event;

typedef struct {
    uint8_t buf[BITRL_FRAME_MAX]; /* (BITRL_FRAME_MAX) bytes received and not yet consumed */
    size_t n;                     /* bytes held in buf */
    size_t consume;               /* bytes of the frame last returned, dropped on the next poll */
    uint8_t seq, code;            /* of the frame (or bad header) last returned */
    const uint8_t *payload;       /* into buf, valid until the next call */
    uint16_t len;
} bitrl_frame_decoder;

void bitrl_frame_reset(bitrl_frame_decoder *d);

/* Appends up to len bytes (as many as fit); returns how many were taken. */
size_t bitrl_frame_push(bitrl_frame_decoder *d, const uint8_t *bytes, size_t len);

/* Looks for the next event in the buffered bytes; call until it returns BITRL_FRAME_NONE. A sync pair whose header
 * CRC-16 does not match is noise and skipped without an event. */
bitrl_frame_event bitrl_frame_poll(bitrl_frame_decoder *d);

/* Drops the first byte of a pending partial frame (the line went idle: it will not complete) so the decoder
 * rescans what it swallowed; repeat with bitrl_frame_poll while bytes stay pending. */
void bitrl_frame_drop_partial(bitrl_frame_decoder *d);

/* Encodes a frame into out (cap >= 12 + len); returns the frame's size. */
size_t bitrl_frame_encode(uint8_t *out, size_t cap, uint8_t seq, uint8_t code, const uint8_t *payload, size_t len);

#endif
