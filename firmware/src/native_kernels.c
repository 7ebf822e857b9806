/* Native ternary matvec kernels used as floors in `bitrl bench`, bit-exact with the module's: a plain i2 kernel and
 * a lookup-table t3 kernel (table build included, as the module's LUT rows include theirs). */
#include "native_kernels.h"
#include <string.h>

void bitrl_native_matvec_i2(const uint8_t *w, const int8_t *x, int32_t *y, uint32_t rows, uint32_t cols) {
    uint32_t full = cols / 4u, row_bytes = (cols + 3u) / 4u;
    for (uint32_t r = 0; r < rows; r++) {
        const uint8_t *wr = w + r * row_bytes;
        int32_t acc = 0;
        for (uint32_t b = 0; b < full; b++) {
            uint32_t v = wr[b];
            const int8_t *xb = x + 4u * b;
            /* weight = code - 1 */
            acc += ((int32_t)(v & 3u) - 1) * xb[0] + ((int32_t)((v >> 2) & 3u) - 1) * xb[1] +
                   ((int32_t)((v >> 4) & 3u) - 1) * xb[2] + ((int32_t)(v >> 6) - 1) * xb[3];
        }
        for (uint32_t c = 4u * full; c < cols; c++) acc += ((int32_t)((wr[full] >> (2u * (c - 4u * full))) & 3u) - 1) * x[c];
        y[r] = acc;
    }
}

/* One group's 243 entries: entry b = sum_j (trit_j(b) - 1) x_j, built as 9 blocks of the 27 sums over x0..x2 plus
 * the block's sum over x3, x4. */
static void build_group_t3(int16_t *t, int32_t x0, int32_t x1, int32_t x2, int32_t x3, int32_t x4) {
    int16_t a[27];
    for (int i = 0; i < 27; i++) a[i] = (int16_t)((i % 3 - 1) * x0 + ((i / 3) % 3 - 1) * x1 + (i / 9 - 1) * x2);
    for (int j = 0; j < 9; j++) {
        int16_t s = (int16_t)((j % 3 - 1) * x3 + (j / 3 - 1) * x4);
        for (int i = 0; i < 27; i++) t[27 * j + i] = (int16_t)(a[i] + s);
    }
}

void bitrl_native_lut_build_t3(const int8_t *x, uint32_t cols, int16_t *lut) {
    uint32_t groups = (cols + 4u) / 5u;
    for (uint32_t g = 0; g < groups; g++) {
        int32_t v[5];
        for (uint32_t j = 0; j < 5; j++) v[j] = 5u * g + j < cols ? x[5u * g + j] : 0;
        build_group_t3(lut + 243u * g, v[0], v[1], v[2], v[3], v[4]);
    }
}

static inline uint32_t load_u32(const uint8_t *p) {
    uint32_t v;
    memcpy(&v, p, 4); /* one (unaligned) word load on the Cortex-M4 */
    return v;
}

/* Four groups of one row from its packed word v: four table reads, tables 243 entries apart. */
static inline int32_t quad_t3(const int16_t *t, uint32_t v) {
    return t[v & 0xffu] + t[243 + ((v >> 8) & 0xffu)] + t[486 + ((v >> 16) & 0xffu)] + t[729 + (v >> 24)];
}

void bitrl_native_matvec_t3_lut(const uint8_t *w, const int16_t *lut, int32_t *y, uint32_t rows, uint32_t cols) {
    uint32_t groups = (cols + 4u) / 5u, quads = groups / 4u;
    /* two rows per pass share the table pointer; an invalid byte 243..255 (rejected by blob readers) reads into the
     * next table or the caller's 13-entry slack, never outside lut */
    for (uint32_t r = 0; r < rows; r += 2u) {
        const uint8_t *w0 = w + r * groups, *w1 = r + 1u < rows ? w0 + groups : w0;
        const int16_t *t = lut;
        int32_t a0 = 0, a1 = 0;
        for (uint32_t q = 0; q < quads; q++, t += 4 * 243) {
            a0 += quad_t3(t, load_u32(w0 + 4u * q));
            a1 += quad_t3(t, load_u32(w1 + 4u * q));
        }
        for (uint32_t g = 4u * quads; g < groups; g++, t += 243) {
            a0 += t[w0[g]];
            a1 += t[w1[g]];
        }
        y[r] = a0;
        if (r + 1u < rows) y[r + 1u] = a1;
    }
}
