/* UTF-8 validation, one decoder for the blob's tensor names (bytes in memory) and its metadata (a byte stream):
 * no overlong forms, no surrogates, nothing above U+10FFFF (what TextDecoder's fatal mode accepts). */
#ifndef BITRL_UTF8_H
#define BITRL_UTF8_H
#include <stddef.h>
#include <stdint.h>

/* The rest of a multi-byte sequence whose lead byte is `lead` (>= 0x80): its continuation bytes come from
 * next(ctx), which returns -1 at the end. 1 when the whole sequence is valid. */
int bitrl_utf8_sequence(int lead, int (*next)(void *ctx), void *ctx);

/* 1 when the n bytes at s are valid UTF-8. */
int bitrl_utf8_valid(const uint8_t *s, size_t n);

#endif
