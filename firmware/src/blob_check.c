/* Host-only tool: validates .bitrl files with the firmware's C reader, one line per file ("ok" or the reason),
 * so tests feed the C and TypeScript readers the same corrupt blobs. Compiled only with -DBITRL_BLOB_CHECK_MAIN
 * (cc firmware/src/blob_check.c firmware/src/blob.c firmware/src/blob_meta.c firmware/src/utf8.c firmware/src/crc32.c); empty in board builds. */
#ifdef BITRL_BLOB_CHECK_MAIN
#include <stdio.h>
#include <stdlib.h>
#include "blob.h"

typedef struct {
    FILE *f;
} file_ctx;

static int file_read(void *ctx, uint32_t off, void *dst, uint32_t len) {
    FILE *f = ((file_ctx *)ctx)->f;
    if (fseek(f, (long)off, SEEK_SET) != 0) return -1;
    return fread(dst, 1, len, f) == len ? 0 : -1;
}

int main(int argc, char **argv) {
    int bad = 0;
    for (int i = 1; i < argc; i++) {
        file_ctx ctx = {fopen(argv[i], "rb")};
        if (!ctx.f) {
            printf("%s: error: cannot open\n", argv[i]);
            bad = 1;
            continue;
        }
        fseek(ctx.f, 0, SEEK_END);
        long size = ftell(ctx.f);
        char err[200];
        const char *r = size < 0 || size > 0x7fffffffL ? "bad blob" : NULL;
        if (!r) {
            bitrl_blob_source src = {file_read, &ctx, (uint32_t)size};
            r = bitrl_blob_validate(&src, err, sizeof err);
        } else {
            snprintf(err, sizeof err, "file too large");
        }
        if (r) {
            printf("%s: error: %s: %s\n", argv[i], r, err);
            bad = 1;
        } else {
            printf("%s: ok\n", argv[i]);
        }
        fclose(ctx.f);
    }
    return bad;
}
#endif
