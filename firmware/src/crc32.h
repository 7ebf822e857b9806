/* CRC-32 (IEEE, reflected, poly 0xEDB88320): the same checksum as tools/lib/crc32.ts, for frames and blobs. */
#ifndef BITRL_CRC32_H
#define BITRL_CRC32_H
#include <stddef.h>
#include <stdint.h>

/* CRC of buf[0, len); pass a previous result as crc to continue over several pieces (0 to start). */
uint32_t bitrl_crc32(const uint8_t *buf, size_t len, uint32_t crc);

#endif
