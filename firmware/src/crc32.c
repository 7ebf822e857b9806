/* CRC-32, nibble-table variant: 64 bytes of flash instead of 1 KiB, fast enough for frames and flash slots. */
#include "crc32.h"

static const uint32_t k_crc_nibble[16] = {
    0x00000000u, 0x1db71064u, 0x3b6e20c8u, 0x26d930acu, 0x76dc4190u, 0x6b6b51f4u, 0x4db26158u, 0x5005713cu,
    0xedb88320u, 0xf00f9344u, 0xd6d6a3e8u, 0xcb61b38cu, 0x9b64c2b0u, 0x86d3d2d4u, 0xa00ae278u, 0xbdbdf21cu,
};

uint32_t bitrl_crc32(const uint8_t *buf, size_t len, uint32_t crc) {
    uint32_t c = ~crc;
    for (size_t i = 0; i < len; i++) {
        c ^= buf[i];
        c = (c >> 4) ^ k_crc_nibble[c & 15u];
        c = (c >> 4) ^ k_crc_nibble[c & 15u];
    }
    return ~c;
}
