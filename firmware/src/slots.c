/* Model slots over hal_flash_*: layout [header A | blob A][header B | blob B], each half of the storage. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "slots.h"
#include "blob.h"
#include "crc32.h"
#include "hal.h"
#include "bitrl_config.h"

#define SLOT_MAGIC 0x544F4C53u /* "SLOT" little-endian */
#define SLOT_HEADER_USED 20u   /* magic, seq, bytes, crc, header_crc */

static bitrl_slot_info g_slot[2];
static int g_active = -1;
static struct {
    int open;       /* an upload is in progress */
    int slot;       /* its target */
    uint32_t bytes; /* announced length */
    uint32_t crc;   /* announced CRC */
    uint32_t received;
} g_up;

static uint32_t slot_size(void) {
    uint32_t half = hal_flash_size() / 2u;
    return half - half % 256u;
}
uint32_t bitrl_slots_capacity(void) {
    uint32_t s = slot_size();
    return s > BITRL_CFG_SLOT_HEADER_BYTES ? s - BITRL_CFG_SLOT_HEADER_BYTES : 0u;
}
static uint32_t slot_base(int slot) { return (uint32_t)slot * slot_size(); }
static uint32_t slot_data(int slot) { return slot_base(slot) + BITRL_CFG_SLOT_HEADER_BYTES; }

static void put32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}
static uint32_t get32(const uint8_t *p) {
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

typedef struct {
    uint32_t base, size;
} flash_window;
static int flash_window_read(void *ctx, uint32_t off, void *dst, uint32_t len) {
    const flash_window *w = (const flash_window *)ctx;
    if ((uint64_t)off + len > w->size) return -1;
    return hal_flash_read(w->base + off, dst, len) == 0 ? 0 : -1;
}

/* Verifies bytes [0, bytes) of a slot: its model id (the CRC-32 of every byte before the blob's 4-byte trailer,
 * which is what the trailer holds: the CRC of a whole blob is CRC-32's residue constant, the same for every
 * model), then the full blob validation. */
static const char *slot_verify(int slot, uint32_t bytes, uint32_t crc, char *err, size_t cap) {
    flash_window w = {slot_data(slot), bytes};
    uint8_t buf[64];
    uint32_t c = 0;
    uint32_t covered = bytes >= 4 ? bytes - 4 : 0;
    for (uint32_t done = 0; done < covered;) {
        uint32_t k = covered - done < sizeof buf ? covered - done : (uint32_t)sizeof buf;
        if (hal_flash_read(w.base + done, buf, k) != 0) {
            snprintf(err, cap, "flash read failed at slot %d offset %" PRIu32, slot, done);
            return "ERR_FLASH";
        }
        c = bitrl_crc32(buf, k, c);
        done += k;
    }
    if (c != crc) {
        snprintf(err, cap, "slot %d: model id %08" PRIx32 " arrived, %08" PRIx32 " announced", slot, c, crc);
        return "ERR_MODEL_ID";
    }
    bitrl_blob_source src = {flash_window_read, &w, bytes};
    const char *r = bitrl_blob_validate(&src, err, cap);
    if (r) return "ERR_BLOB";
    return NULL;
}

static void slot_load_header(int slot) {
    uint8_t h[SLOT_HEADER_USED];
    char err[8];
    bitrl_slot_info *s = &g_slot[slot];
    memset(s, 0, sizeof *s);
    if (hal_flash_read(slot_base(slot), h, sizeof h) != 0) return;
    if (get32(h) != SLOT_MAGIC || bitrl_crc32(h, 16, 0) != get32(h + 16)) return;
    s->seq = get32(h + 4);
    s->bytes = get32(h + 8);
    s->crc = get32(h + 12);
    if (s->bytes == 0 || s->bytes > bitrl_slots_capacity()) return;
    s->valid = slot_verify(slot, s->bytes, s->crc, err, sizeof err) == NULL;
}

int bitrl_slots_boot(void) {
    g_active = -1;
    memset(&g_up, 0, sizeof g_up);
    if (bitrl_slots_capacity() == 0) return -1;
    for (int i = 0; i < 2; i++) slot_load_header(i);
    if (g_slot[0].valid && (!g_slot[1].valid || g_slot[0].seq >= g_slot[1].seq))
        g_active = 0;
    else if (g_slot[1].valid)
        g_active = 1;
    return g_active;
}

int bitrl_slots_active(void) { return g_active; }
const bitrl_slot_info *bitrl_slots_info(int slot) { return slot == 0 || slot == 1 ? &g_slot[slot] : NULL; }
uint32_t bitrl_slots_received(void) { return g_up.open ? g_up.received : 0u; }

void bitrl_slots_abort(void) { g_up.open = 0; }

int bitrl_slots_read_active(uint32_t offset, void *dst, uint32_t len) {
    if (g_active < 0) return -3;
    if ((uint64_t)offset + len > g_slot[g_active].bytes) return -1;
    if (len == 0) return 0;
    return hal_flash_read(slot_data(g_active) + offset, dst, len) == 0 ? 0 : -4;
}

const char *bitrl_slots_begin(uint32_t bytes, uint32_t crc, char *err, size_t cap) {
    g_up.open = 0;
    if (bytes == 0 || bytes > bitrl_slots_capacity()) {
        snprintf(err, cap, "blob of %" PRIu32 " bytes, a slot holds %" PRIu32, bytes, bitrl_slots_capacity());
        return "ERR_TOO_LARGE";
    }
    int target = g_active == 0 ? 1 : 0;
    uint8_t zero[SLOT_HEADER_USED];
    memset(zero, 0, sizeof zero);
    if (hal_flash_write(slot_base(target), zero, sizeof zero) != 0) {
        snprintf(err, cap, "cannot clear slot %d header", target);
        return "ERR_FLASH";
    }
    memset(&g_slot[target], 0, sizeof g_slot[target]);
    g_up.open = 1;
    g_up.slot = target;
    g_up.bytes = bytes;
    g_up.crc = crc;
    g_up.received = 0;
    return NULL;
}

/* Whether slot `slot` holds these bytes at offset (flash read in small pieces: no buffer the size of a chunk). */
static int slot_holds(int slot, uint32_t offset, const uint8_t *data, uint32_t len) {
    uint8_t piece[64];
    for (uint32_t at = 0; at < len; at += sizeof piece) {
        uint32_t n = len - at < sizeof piece ? len - at : (uint32_t)sizeof piece;
        if (hal_flash_read(slot_data(slot) + offset + at, piece, n) != 0 || memcmp(piece, data + at, n) != 0) return 0;
    }
    return 1;
}

const char *bitrl_slots_chunk(uint32_t offset, const uint8_t *data, uint32_t len, char *err, size_t cap) {
    if (!g_up.open) {
        snprintf(err, cap, "no upload in progress (send load-model begin first)");
        return "ERR_STATE";
    }
    /* the last chunk again, byte for byte: the host resent it because our reply was lost or late; answer again */
    if (len > 0 && offset < g_up.received && (uint64_t)offset + len == g_up.received &&
        slot_holds(g_up.slot, offset, data, len))
        return NULL;
    if (offset != g_up.received) {
        snprintf(err, cap, "chunk at offset %" PRIu32 ", expected %" PRIu32, offset, g_up.received);
        return "ERR_STATE";
    }
    if ((uint64_t)offset + len > g_up.bytes) {
        snprintf(err, cap, "chunk [%" PRIu32 ", %" PRIu32 ") past the announced %" PRIu32 " bytes", offset,
                 offset + len, g_up.bytes);
        return "ERR_TOO_LARGE";
    }
    if (hal_flash_write(slot_data(g_up.slot) + offset, data, len) != 0) {
        snprintf(err, cap, "flash write failed at slot %d offset %" PRIu32, g_up.slot, offset);
        return "ERR_FLASH";
    }
    g_up.received += len;
    return NULL;
}

const char *bitrl_slots_commit(char *err, size_t cap) {
    if (!g_up.open) {
        snprintf(err, cap, "no upload in progress");
        return "ERR_STATE";
    }
    if (g_up.received != g_up.bytes) {
        snprintf(err, cap, "received %" PRIu32 " of %" PRIu32 " bytes", g_up.received, g_up.bytes);
        return "ERR_STATE";
    }
    g_up.open = 0;
    const char *r = slot_verify(g_up.slot, g_up.bytes, g_up.crc, err, cap);
    if (r) return r;
    uint32_t seq = g_active >= 0 ? g_slot[g_active].seq + 1u : 1u;
    uint8_t h[SLOT_HEADER_USED];
    put32(h, SLOT_MAGIC);
    put32(h + 4, seq);
    put32(h + 8, g_up.bytes);
    put32(h + 12, g_up.crc);
    put32(h + 16, bitrl_crc32(h, 16, 0));
    if (hal_flash_write(slot_base(g_up.slot), h, sizeof h) != 0) {
        snprintf(err, cap, "cannot write slot %d header", g_up.slot);
        return "ERR_FLASH";
    }
    g_slot[g_up.slot].valid = 1;
    g_slot[g_up.slot].seq = seq;
    g_slot[g_up.slot].bytes = g_up.bytes;
    g_slot[g_up.slot].crc = g_up.crc;
    g_active = g_up.slot;
    return NULL;
}
