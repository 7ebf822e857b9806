/* Frame codec of the serial protocol (docs/protocol.md): sync, length, sequence, code, payload, CRC-32.
 * The decoder is fed bytes as they arrive and resynchronises after garbage; it never allocates. */
#ifndef BITRL_FRAME_H
#define BITRL_FRAME_H
#include <stddef.h>
#include <stdint.h>
#include "bitrl_config.h"

#define BITRL_FRAME_SYNC0 0xB1u
#define BITRL_FRAME_SYNC1 0x7Eu
#define BITRL_FRAME_HEADER 6u  /* sync0 sync1 len_lo len_hi seq code */
#define BITRL_FRAME_TRAILER 4u /* CRC-32 of bytes [2, 6 + len): length, seq, code, payload */
#define BITRL_FRAME_MAX (BITRL_FRAME_HEADER + BITRL_CFG_MAX_PAYLOAD + BITRL_FRAME_TRAILER)

typedef enum {
    BITRL_FRAME_NONE = 0, /* need more bytes */
    BITRL_FRAME_OK,       /* a whole frame with a good CRC */
    BITRL_FRAME_BAD_CRC,  /* header found, CRC wrong: reply ERR_CRC, the decoder skipped its sync */
    BITRL_FRAME_TOO_LARGE /* length field > BITRL_CFG_MAX_PAYLOAD: reply ERR_TOO_LARGE, sync skipped */
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

/* Looks for the next event in the buffered bytes; call until it returns BITRL_FRAME_NONE. */
bitrl_frame_event bitrl_frame_poll(bitrl_frame_decoder *d);

/* Drops one byte of a pending partial frame (after an idle timeout) so the decoder rescans from the next sync. */
void bitrl_frame_drop_partial(bitrl_frame_decoder *d);

/* Encodes a frame into out (cap >= 10 + len); returns the frame's size. */
size_t bitrl_frame_encode(uint8_t *out, size_t cap, uint8_t seq, uint8_t code, const uint8_t *payload, size_t len);

#endif
