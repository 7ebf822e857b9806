/* Blob validator: walks header, CRC trailer, tensor table, ranges and packed codes in the order docs/format.md
 * gives, streaming through a small stack buffer so it needs no heap and no RAM copy of the blob. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "blob.h"
#include "blob_meta.h"
#include "crc32.h"
#include "utf8.h"

static const char k_bad_blob[] = "bad blob";
static const char k_read_failed[] = "read failed";

#define CHUNK 64u /* bytes streamed per read when checking CRCs and codes */

static uint32_t rd32(const uint8_t *p) {
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}
static uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] | (p[1] << 8)); }

int bitrl_blob_read_memory(void *ctx, uint32_t off, void *dst, uint32_t len) {
    memcpy(dst, (const uint8_t *)ctx + off, len);
    return 0;
}

typedef struct {
    char name[48];
    uint8_t packing, ndim, scale_kind, reserved8;
    uint32_t shape[4];
    uint32_t data_offset, data_bytes, scale_offset, scale_count, data_crc, scale_crc, reserved32;
} blob_entry;

static void entry_decode(const uint8_t *e, blob_entry *t) {
    memcpy(t->name, e, 48);
    t->packing = e[48];
    t->ndim = e[49];
    t->scale_kind = e[50];
    t->reserved8 = e[51];
    for (int i = 0; i < 4; i++) t->shape[i] = rd32(e + 52 + 4 * i);
    t->data_offset = rd32(e + 68);
    t->data_bytes = rd32(e + 72);
    t->scale_offset = rd32(e + 76);
    t->scale_count = rd32(e + 80);
    t->data_crc = rd32(e + 84);
    t->scale_crc = rd32(e + 88);
    t->reserved32 = rd32(e + 92);
}

static const char *const k_packing_names[5] = {"f32", "i32", "i8", "i2", "t3"};

/* CRC of [off, off + len) read through src. */
static int source_crc(const bitrl_blob_source *src, uint32_t off, uint32_t len, uint32_t *out) {
    uint8_t buf[CHUNK];
    uint32_t c = 0;
    for (uint32_t done = 0; done < len;) {
        uint32_t k = len - done < CHUNK ? len - done : CHUNK;
        if (src->read(src->ctx, off + done, buf, k) != 0) return -1;
        c = bitrl_crc32(buf, k, c);
        done += k;
    }
    *out = c;
    return 0;
}

/* Checks the packed codes of an i2/t3 tensor: no invalid code, padding weights are zero (code/trit 1). */
static const char *check_codes(const bitrl_blob_source *src, const blob_entry *t, uint32_t index, char *err,
                               size_t cap) {
    uint32_t cols = t->shape[1];
    uint32_t per = t->packing == 3 ? 4u : 5u;
    uint32_t row_bytes = (cols + per - 1) / per;
    uint32_t pad = row_bytes * per - cols; /* padding weights at the end of each row */
    uint8_t buf[CHUNK];
    for (uint32_t done = 0; done < t->data_bytes;) {
        uint32_t k = t->data_bytes - done < CHUNK ? t->data_bytes - done : CHUNK;
        if (src->read(src->ctx, t->data_offset + done, buf, k) != 0) return k_read_failed;
        for (uint32_t i = 0; i < k; i++) {
            uint32_t at = done + i, r = at / row_bytes, b = at % row_bytes;
            uint32_t v = buf[i];
            uint32_t valid = per; /* weights of this byte that are real columns */
            if (b == row_bytes - 1) valid = per - pad;
            if (t->packing == 3) {
                for (uint32_t j = 0; j < 4; j++) {
                    uint32_t code = (v >> (2 * j)) & 3u;
                    if (code == 3u) {
                        snprintf(err, cap,
                                 "tensor %" PRIu32 " '%s': i2 code 3 (invalid) at row %" PRIu32 ", byte %" PRIu32,
                                 index, t->name, r, b);
                        return k_bad_blob;
                    }
                    if (j >= valid && code != 1u) {
                        snprintf(err, cap,
                                 "tensor %" PRIu32 " '%s': nonzero i2 padding at row %" PRIu32 ", byte %" PRIu32, index,
                                 t->name, r, b);
                        return k_bad_blob;
                    }
                }
            } else {
                if (v > 242u) {
                    snprintf(err, cap,
                             "tensor %" PRIu32 " '%s': t3 byte %" PRIu32 " (invalid) at row %" PRIu32 ", byte %" PRIu32,
                             index, t->name, v, r, b);
                    return k_bad_blob;
                }
                for (uint32_t j = 0; j < 5; j++, v /= 3u) {
                    if (j >= valid && v % 3u != 1u) {
                        snprintf(err, cap,
                                 "tensor %" PRIu32 " '%s': nonzero t3 padding at row %" PRIu32 ", byte %" PRIu32, index,
                                 t->name, r, b);
                        return k_bad_blob;
                    }
                }
            }
        }
        done += k;
    }
    return NULL;
}

/* Checks one entry's fields against the header (everything that needs no other entry). */
static const char *check_entry(const bitrl_blob_source *src, const blob_entry *t, uint32_t index, uint32_t data_start,
                               uint32_t data_end, char *err, size_t cap) {
    size_t name_len = 0;
    while (name_len < 48 && t->name[name_len] != '\0') name_len++;
    if (name_len == 0 || name_len > 47) {
        snprintf(err, cap, "tensor %" PRIu32 ": name must be 1..47 bytes", index);
        return k_bad_blob;
    }
    for (size_t i = name_len; i < 48; i++) {
        if (t->name[i] != '\0') {
            snprintf(err, cap, "tensor %" PRIu32 ": NUL inside the name", index);
            return k_bad_blob;
        }
    }
    if (!bitrl_utf8_valid((const uint8_t *)t->name, name_len)) {
        snprintf(err, cap, "tensor %" PRIu32 ": name is not UTF-8", index);
        return k_bad_blob;
    }
    if (t->packing > 4) {
        snprintf(err, cap, "tensor %" PRIu32 " '%s': unknown packing %" PRIu32, index, t->name, (uint32_t)t->packing);
        return k_bad_blob;
    }
    const char *pk = k_packing_names[t->packing];
    if (t->ndim < 1 || t->ndim > 4) {
        snprintf(err, cap, "tensor %" PRIu32 " '%s': ndim %" PRIu32 " (must be 1..4)", index, t->name,
                 (uint32_t)t->ndim);
        return k_bad_blob;
    }
    int ternary = t->packing == 3 || t->packing == 4;
    if (ternary && t->ndim != 2) {
        snprintf(err, cap, "tensor %" PRIu32 " '%s': %s needs 2 dims, has %" PRIu32, index, t->name, pk,
                 (uint32_t)t->ndim);
        return k_bad_blob;
    }
    if (t->scale_kind > 2 || ((t->packing <= 1) != (t->scale_kind == 0))) {
        snprintf(err, cap, "tensor %" PRIu32 " '%s': scale_kind %" PRIu32 " not allowed for %s", index, t->name,
                 (uint32_t)t->scale_kind, pk);
        return k_bad_blob;
    }
    if (t->reserved8 != 0 || t->reserved32 != 0) {
        snprintf(err, cap, "tensor %" PRIu32 " '%s': reserved field not 0", index, t->name);
        return k_bad_blob;
    }
    uint64_t numel = 1;
    for (uint32_t i = 0; i < 4; i++) {
        if (i < t->ndim) {
            if (t->shape[i] < 1) {
                snprintf(err, cap, "tensor %" PRIu32 " '%s': shape[%" PRIu32 "] is 0", index, t->name, i);
                return k_bad_blob;
            }
            numel *= t->shape[i];
            if (numel > (1ull << 28)) {
                snprintf(err, cap, "tensor %" PRIu32 " '%s': more than 2^28 elements", index, t->name);
                return k_bad_blob;
            }
        } else if (t->shape[i] != 0) {
            snprintf(err, cap, "tensor %" PRIu32 " '%s': shape[%" PRIu32 "] must be 0 after ndim", index, t->name, i);
            return k_bad_blob;
        }
    }
    uint64_t want;
    if (t->packing <= 1)
        want = 4 * numel;
    else if (t->packing == 2)
        want = numel;
    else
        want = (uint64_t)t->shape[0] * ((t->shape[1] + (t->packing == 3 ? 3u : 4u)) / (t->packing == 3 ? 4u : 5u));
    if (t->data_bytes != want) {
        snprintf(err, cap, "tensor %" PRIu32 " '%s': data_bytes %" PRIu32 ", %s shape needs %" PRIu32, index, t->name,
                 t->data_bytes, pk, (uint32_t)want);
        return k_bad_blob;
    }
    uint32_t want_scales = t->scale_kind == 0 ? 0u : t->scale_kind == 1 ? 1u : t->shape[0];
    if (t->scale_count != want_scales) {
        snprintf(err, cap, "tensor %" PRIu32 " '%s': scale_count %" PRIu32 ", scale_kind %" PRIu32 " needs %" PRIu32,
                 index, t->name, t->scale_count, (uint32_t)t->scale_kind, want_scales);
        return k_bad_blob;
    }
    if (t->data_offset % 16u != 0 || t->data_offset < data_start ||
        (uint64_t)t->data_offset + t->data_bytes > data_end) {
        snprintf(err, cap, "tensor %" PRIu32 " '%s': data range [%" PRIu32 ", %llu) outside the data area", index,
                 t->name, t->data_offset, (unsigned long long)((uint64_t)t->data_offset + t->data_bytes));
        return k_bad_blob;
    }
    uint64_t scale_end = (uint64_t)t->scale_offset + 4ull * t->scale_count;
    if (t->scale_count == 0) {
        if (t->scale_offset != 0) {
            snprintf(err, cap, "tensor %" PRIu32 " '%s': scale_offset must be 0 without scales", index, t->name);
            return k_bad_blob;
        }
    } else if (t->scale_offset % 16u != 0 || t->scale_offset < data_start || scale_end > data_end) {
        snprintf(err, cap, "tensor %" PRIu32 " '%s': scale range [%" PRIu32 ", %llu) outside the data area", index,
                 t->name, t->scale_offset, (unsigned long long)scale_end);
        return k_bad_blob;
    }
    uint32_t crc;
    if (source_crc(src, t->data_offset, t->data_bytes, &crc) != 0) return k_read_failed;
    if (crc != t->data_crc) {
        snprintf(err, cap, "tensor %" PRIu32 " '%s': data checksum mismatch (table %08" PRIx32 ", data %08" PRIx32 ")",
                 index, t->name, t->data_crc, crc);
        return k_bad_blob;
    }
    if (source_crc(src, t->scale_offset, 4u * t->scale_count, &crc) != 0) return k_read_failed;
    if (crc != t->scale_crc) {
        snprintf(err, cap,
                 "tensor %" PRIu32 " '%s': scale checksum mismatch (table %08" PRIx32 ", scales %08" PRIx32 ")", index,
                 t->name, t->scale_crc, crc);
        return k_bad_blob;
    }
    for (uint32_t i = 0; i < t->scale_count; i++) {
        uint8_t b[4];
        if (src->read(src->ctx, t->scale_offset + 4u * i, b, 4) != 0) return k_read_failed;
        uint32_t bits = rd32(b);
        /* finite and >= 0, judged on the bits: exponent not all ones; sign clear, except -0 which equals 0 */
        int finite = ((bits >> 23) & 0xFFu) != 0xFFu;
        int negative = (bits >> 31) != 0 && (bits & 0x7FFFFFFFu) != 0;
        if (!finite || negative) {
            snprintf(err, cap, "tensor %" PRIu32 " '%s': scale %" PRIu32 " is not a finite value >= 0", index, t->name,
                     i);
            return k_bad_blob;
        }
    }
    if (ternary) return check_codes(src, t, index, err, cap);
    return NULL;
}

static const char *meta_check(const bitrl_blob_source *src, uint32_t meta, char *err, size_t cap) {
    uint32_t stop;
    int r = bitrl_blob_meta_check(src, BITRL_BLOB_HEADER_BYTES, meta, &stop);
    if (r == BITRL_META_READ_FAILED) return k_read_failed;
    if (r == BITRL_META_INVALID) {
        snprintf(err, cap, "metadata is not valid UTF-8 JSON with an object at the top (near byte %" PRIu32 ")", stop);
        return k_bad_blob;
    }
    return NULL;
}

static int ranges_overlap(uint32_t a, uint32_t alen, uint32_t b, uint32_t blen) {
    if (alen == 0 || blen == 0) return 0;
    return (uint64_t)a < (uint64_t)b + blen && (uint64_t)b < (uint64_t)a + alen;
}

const char *bitrl_blob_validate(const bitrl_blob_source *src, char *err, size_t cap) {
    uint8_t h[BITRL_BLOB_HEADER_BYTES];
    if (err && cap) err[0] = '\0';
    if (src->size < BITRL_BLOB_HEADER_BYTES + 4u) {
        snprintf(err, cap, "file is %" PRIu32 " bytes, smaller than a header and trailer (36)", src->size);
        return k_bad_blob;
    }
    if (src->read(src->ctx, 0, h, sizeof h) != 0) return k_read_failed;
    if (memcmp(h, "BTRL", 4) != 0) {
        snprintf(err, cap, "bad magic");
        return k_bad_blob;
    }
    uint16_t version = rd16(h + 4);
    if (version != 1) {
        snprintf(err, cap, "unsupported version %" PRIu32 " (this reader knows 1)", (uint32_t)version);
        return k_bad_blob;
    }
    if (rd16(h + 6) != BITRL_BLOB_HEADER_BYTES) {
        snprintf(err, cap, "header_bytes %" PRIu32 " (must be 32)", (uint32_t)rd16(h + 6));
        return k_bad_blob;
    }
    uint32_t file_bytes = rd32(h + 8);
    if (file_bytes != src->size) {
        snprintf(err, cap, "file is %" PRIu32 " bytes, header says %" PRIu32 " (truncated?)", src->size, file_bytes);
        return k_bad_blob;
    }
    uint8_t tb[4];
    uint32_t crc;
    if (source_crc(src, 0, file_bytes - 4u, &crc) != 0 || src->read(src->ctx, file_bytes - 4u, tb, 4) != 0)
        return k_read_failed;
    if (crc != rd32(tb)) {
        snprintf(err, cap, "checksum mismatch (file CRC %08" PRIx32 ", trailer %08" PRIx32 ")", crc, rd32(tb));
        return k_bad_blob;
    }
    uint32_t count = rd32(h + 12), meta = rd32(h + 16), table = rd32(h + 20), data = rd32(h + 24);
    if (count < 1 || count > BITRL_BLOB_MAX_TENSORS) {
        snprintf(err, cap, "tensor_count %" PRIu32 " (must be 1..4096)", count);
        return k_bad_blob;
    }
    if (table % 4u != 0 || (uint64_t)32u + meta > table) {
        snprintf(err, cap, "table_offset %" PRIu32 " must be a multiple of 4 and >= 32 + meta_bytes (%" PRIu32 ")",
                 table, meta);
        return k_bad_blob;
    }
    if ((uint64_t)table + 96ull * count > data) {
        snprintf(err, cap, "tensor table [%" PRIu32 ", %llu) runs past data_offset %" PRIu32, table,
                 (unsigned long long)(table + 96ull * count), data);
        return k_bad_blob;
    }
    if (data % 16u != 0 || data > file_bytes - 4u) {
        snprintf(err, cap, "data_offset %" PRIu32 " must be a multiple of 16 and <= file_bytes - 4", data);
        return k_bad_blob;
    }
    if (rd32(h + 28) != 0) {
        snprintf(err, cap, "reserved header field not 0");
        return k_bad_blob;
    }
    /* metadata: UTF-8 JSON whose top level is an object, checked as strictly as JSON.parse (blob_meta.c) */
    if (meta > 0) {
        const char *r = meta_check(src, meta, err, cap);
        if (r) return r;
    }
    const uint32_t data_end = file_bytes - 4u;
    for (uint32_t i = 0; i < count; i++) {
        uint8_t e[BITRL_BLOB_ENTRY_BYTES];
        blob_entry t, u;
        if (src->read(src->ctx, table + 96u * i, e, sizeof e) != 0) return k_read_failed;
        entry_decode(e, &t);
        const char *r = check_entry(src, &t, i, data, data_end, err, cap);
        if (r) return r;
        if (ranges_overlap(t.data_offset, t.data_bytes, t.scale_offset, 4u * t.scale_count)) {
            snprintf(err, cap, "tensor %" PRIu32 " '%s': data and scale ranges overlap", i, t.name);
            return k_bad_blob;
        }
        /* unique names and disjoint ranges against every earlier entry: O(count^2) reads, bounded by 4096^2 / 2 */
        for (uint32_t j = 0; j < i; j++) {
            if (src->read(src->ctx, table + 96u * j, e, sizeof e) != 0) return k_read_failed;
            entry_decode(e, &u);
            if (memcmp(t.name, u.name, 48) == 0) {
                snprintf(err, cap, "tensor %" PRIu32 " '%s': name used twice (also tensor %" PRIu32 ")", i, t.name, j);
                return k_bad_blob;
            }
            if (ranges_overlap(t.data_offset, t.data_bytes, u.data_offset, u.data_bytes) ||
                ranges_overlap(t.data_offset, t.data_bytes, u.scale_offset, 4u * u.scale_count) ||
                ranges_overlap(t.scale_offset, 4u * t.scale_count, u.data_offset, u.data_bytes) ||
                ranges_overlap(t.scale_offset, 4u * t.scale_count, u.scale_offset, 4u * u.scale_count)) {
                snprintf(err, cap, "tensor %" PRIu32 " '%s': range overlaps tensor %" PRIu32 " '%s'", i, t.name, j,
                         u.name);
                return k_bad_blob;
            }
        }
    }
    return NULL;
}
