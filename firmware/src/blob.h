/* C reader of the model blob (docs/format.md): validates every field, as strictly as tools/lib/blob.ts, before
 * anything trusts an offset. Reads through a callback so it works on a RAM buffer, mapped flash or a file. */
#ifndef BITRL_BLOB_H
#define BITRL_BLOB_H
#include <stddef.h>
#include <stdint.h>

#define BITRL_BLOB_HEADER_BYTES 32u
#define BITRL_BLOB_ENTRY_BYTES 96u
#define BITRL_BLOB_MAX_TENSORS 4096u

/* Reads len bytes at off into dst; 0 = ok. The validator never asks beyond the size it was given. */
typedef int (*bitrl_blob_read_fn)(void *ctx, uint32_t off, void *dst, uint32_t len);

typedef struct {
    bitrl_blob_read_fn read;
    void *ctx;
    uint32_t size; /* bytes available (the file's length or the slot's recorded length) */
} bitrl_blob_source;

/* NULL when the blob is valid; otherwise a short constant class ("bad blob", "read failed") with the reason
 * (as docs/format.md words it) in err[0, err_cap). */
const char *bitrl_blob_validate(const bitrl_blob_source *src, char *err, size_t err_cap);

/* A source over bytes in memory (a RAM buffer or execute-in-place flash). */
int bitrl_blob_read_memory(void *ctx, uint32_t off, void *dst, uint32_t len);

#endif
