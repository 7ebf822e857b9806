/* Two model slots in the board's persistent storage (docs/firmware.md): uploads go to the inactive slot and a
 * slot header (sequence number + CRC) written last decides, at boot, which complete and verified blob is active. */
#ifndef BITRL_SLOTS_H
#define BITRL_SLOTS_H
#include <stddef.h>
#include <stdint.h>

typedef struct {
    int valid;      /* header CRC good, data CRC good, blob validated */
    uint32_t seq;   /* higher = newer */
    uint32_t bytes; /* blob length */
    uint32_t crc;   /* the model id: CRC-32 of the blob's bytes before its trailer (what the trailer holds) */
} bitrl_slot_info;

/* Reads both slot headers and verifies each slot's blob (CRC and bitrl_blob_validate); picks the newest valid one.
 * Returns the active slot index (0 or 1) or -1 when no slot holds a valid model. */
int bitrl_slots_boot(void);

/* Active slot, or -1. */
int bitrl_slots_active(void);
const bitrl_slot_info *bitrl_slots_info(int slot);

/* Bytes one slot can hold (after its header). */
uint32_t bitrl_slots_capacity(void);

/* Reads bytes of the active blob (bounds-checked); 0 ok, -1 outside the blob, -3 no model, -4 flash error. */
int bitrl_slots_read_active(uint32_t offset, void *dst, uint32_t len);

/* Upload: begin erases the inactive slot's header (so a torn upload can never become active), chunks must arrive
 * in order, commit verifies the CRC and the blob and only then writes the header that makes it active.
 * Each returns NULL or a named error ("ERR_TOO_LARGE", "ERR_STATE", "ERR_FLASH", "ERR_CRC", "ERR_BLOB"); err gets
 * a detail line. */
const char *bitrl_slots_begin(uint32_t bytes, uint32_t model_id, char *err, size_t cap);
const char *bitrl_slots_chunk(uint32_t offset, const uint8_t *data, uint32_t len, char *err, size_t cap);
const char *bitrl_slots_commit(char *err, size_t cap);
/* Drops the upload in progress, if any: its slot's header was erased at begin, so nothing becomes active. */
void bitrl_slots_abort(void);
/* Bytes received by the upload in progress (0 when none). */
uint32_t bitrl_slots_received(void);

#endif
