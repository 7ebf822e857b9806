/* The firmware application: boot (slots, engine) and the serial command loop of docs/protocol.md. */
#ifndef BITRL_APP_H
#define BITRL_APP_H
#include <stddef.h>
#include <stdint.h>

/* Command codes (request frames) and status codes (reply frames); docs/protocol.md is the authority. */
enum {
    BITRL_CMD_INFO = 0x01,
    BITRL_CMD_LOAD_BEGIN = 0x02,
    BITRL_CMD_LOAD_CHUNK = 0x03,
    BITRL_CMD_LOAD_COMMIT = 0x04,
    BITRL_CMD_MEM_WRITE = 0x05,
    BITRL_CMD_MEM_READ = 0x06,
    BITRL_CMD_KERNEL = 0x07,
    BITRL_CMD_BENCH = 0x08,
    BITRL_CMD_NATIVE_BENCH = 0x09,
    BITRL_CMD_EPISODE = 0x0A,
    BITRL_CMD_TRAIN = 0x0B,
    BITRL_CMD_INFER = 0x0C,
    BITRL_CMD_MEM_FILL = 0x0D,
};

enum {
    BITRL_OK = 0,
    BITRL_ERR_CRC = 1,
    BITRL_ERR_TOO_LARGE = 2,
    BITRL_ERR_UNKNOWN_CMD = 3,
    BITRL_ERR_BAD_ARGS = 4,
    BITRL_ERR_NO_MODEL = 5,
    BITRL_ERR_TRAP = 6,
    BITRL_ERR_NO_EXPORT = 7,
    BITRL_ERR_STATE = 8,
    BITRL_ERR_FLASH = 9,
    BITRL_ERR_BLOB = 10,
    BITRL_ERR_MEM = 11,
    BITRL_ERR_NO_MODULE = 12,
    BITRL_ERR_AGENT = 13,
    BITRL_ERR_MODEL_ID = 14,
};

/* Boots (model slots, engine with the embedded module) and serves frames forever. */
void bitrl_app_main(const uint8_t *wasm, uint32_t wasm_len, uint32_t wasm_crc);

/* One request frame in, one reply frame out (reply written to out, its size returned); no I/O. */
size_t bitrl_app_handle(uint8_t seq, uint8_t cmd, const uint8_t *payload, size_t len, uint8_t *out, size_t cap);

#endif
