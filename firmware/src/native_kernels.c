/* Native ternary matvec kernels, bit-exact with the module's: a plain i2 kernel and a lookup-table t3 kernel (table
 * build included, as the module's LUT rows include theirs), the floors in `bitrl bench`; and the token-packed t3
 * product the `wasm3+native` binding gives the backbone (k_t3_matvec). */
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
        for (uint32_t c = 4u * full; c < cols; c++)
            acc += ((int32_t)((wr[full] >> (2u * (c - 4u * full))) & 3u) - 1) * x[c];
        y[r] = acc;
    }
}

/* One group's 243 entries: entry b = sum_j (trit_j(b) - 1) x_j, built as 9 blocks of the 27 sums over x0..x2 plus
 * the block's sum over x3, x4. Two entries per 32-bit add and store: the 27 block sums are kept biased by 1024, so
 * both 16-bit halves of a word stay in 1024 +- 635 whatever a block adds (|sum over x3, x4| <= 254) and no borrow
 * crosses them; a block's sum s adds to both halves as s * 0x10001 (mod 2^32). The stored entries are therefore the
 * sums plus 1024, as the module's tables (lut.ts); bitrl_native_matvec_t3_lut takes the bias off. */
#define T3_LUT_BIAS 1024
static void build_group_t3(uint8_t *t, int32_t x0, int32_t x1, int32_t x2, int32_t x3, int32_t x4) {
    int32_t e[28]; /* the block sums in entry order (trit 0 fastest); e[27] pads the last word, never stored */
    int n = 0;
#pragma GCC unroll 3
    for (int32_t t2 = -1; t2 <= 1; t2++)
#pragma GCC unroll 3
        for (int32_t t1 = -1; t1 <= 1; t1++) {
            int32_t s = T3_LUT_BIAS + t1 * x1 + t2 * x2;
            e[n++] = s - x0;
            e[n++] = s;
            e[n++] = s + x0;
        }
    e[27] = 0;
    uint32_t a[14];
#pragma GCC unroll 14
    for (int k = 0; k < 14; k++) a[k] = (uint32_t)e[2 * k] & 0xffffu | (uint32_t)e[2 * k + 1] << 16;
    for (int j = 0; j < 9; j++, t += 54) {
        uint32_t s = (uint32_t)((j % 3 - 1) * x3 + (j / 3 - 1) * x4) * 0x10001u;
#pragma GCC unroll 13
        for (int k = 0; k < 13; k++) {
            uint32_t e = a[k] + s;
            memcpy(t + 4 * k, &e, 4); /* one (unaligned) word store on the Cortex-M4 */
        }
        uint16_t last = (uint16_t)(a[13] + s);
        memcpy(t + 52, &last, 2);
    }
}

void bitrl_native_lut_build_t3(const int8_t *x, uint32_t cols, int16_t *lut) {
    uint32_t groups = (cols + 4u) / 5u;
    for (uint32_t g = 0; g < groups; g++) {
        int32_t v[5];
        for (uint32_t j = 0; j < 5; j++) v[j] = 5u * g + j < cols ? x[5u * g + j] : 0;
        build_group_t3((uint8_t *)(lut + 243u * g), v[0], v[1], v[2], v[3], v[4]);
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
        y[r] = a0 - (int32_t)groups * T3_LUT_BIAS;
        if (r + 1u < rows) y[r + 1u] = a1 - (int32_t)groups * T3_LUT_BIAS;
    }
}

#if BITRL_NATIVE_KERNELS /* the wasm3+native binding only */

/* ---- token-packed t3 product (k_t3_matvec) ----------------------------------------------------------------------
 * Four tokens share each table entry as four 16-bit lanes of a u64 (lane k holds token k's partial sum; negative
 * lanes borrow from the next, which the final sums undo: every lane of a finished row is in 0..65535). */

/* Each entry is a u64 (lane k at bits 16k), but its two 32-bit halves are summed on their own, modulo 2^32: lanes 0-1
 * and lanes 2-3. That gives the same lanes as summing the u64s (every lane of a finished row is in 0..65535, so each
 * half's total is exact modulo 2^32, carries included) without a carry chain between the halves: two independent
 * adds, where an RV32 core (no carry flag) needs four or more for a 64-bit add.
 * Per group 36 entries, 288 bytes: t27 [27] then t9 [9], the size of the module's split tables. */
#define LANE_OFF32 0x00800080u /* 128 in both lanes of a half */
#define BIAS2 0x04000400u      /* 1024 in both lanes */
#define GROUP_BYTES 288u

/* An entry. Word aligned, RV32 loads it with two lw (byte loads otherwise); on the Cortex-M4 gcc emits two ldr
 * either way (it does not choose ldrd here). */
typedef uint64_t u64_word_aligned __attribute__((aligned(4)));
static inline __attribute__((always_inline)) uint64_t ld64(const uint8_t *p, int aligned) {
    if (aligned) return *(const u64_word_aligned *)__builtin_assume_aligned(p, 4);
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}
static inline __attribute__((always_inline)) void st32(uint8_t *p, uint32_t v, int aligned) {
    if (aligned)
        *(uint32_t *)__builtin_assume_aligned(p, 4) = v;
    else
        memcpy(p, &v, 4);
}

/* One group's entries, half h (0: lanes 0-1, 1: lanes 2-3) at byte 4 h of each, from its five columns' halves
 * (lanes as signed values, borrows included). */
static inline __attribute__((always_inline)) void build_half(uint8_t *t27, uint32_t x0, uint32_t x1, uint32_t x2,
                                                             uint32_t x3, uint32_t x4, int aligned) {
    uint8_t *t9 = t27 + 216;
    uint32_t s2 = BIAS2 - x2;
    for (int k2 = 0; k2 < 3; k2++, s2 += x2) {
        uint32_t s1 = s2 - x1;
        for (int k1 = 0; k1 < 3; k1++, s1 += x1) {
            uint8_t *o = t27 + 8 * (9 * k2 + 3 * k1);
            st32(o, s1 - x0, aligned);
            st32(o + 8, s1, aligned);
            st32(o + 16, s1 + x0, aligned);
        }
    }
    uint32_t s4 = 0u - x4;
    for (int k4 = 0; k4 < 3; k4++, s4 += x4) {
        st32(t9 + 24 * k4, s4 - x3, aligned);
        st32(t9 + 24 * k4 + 8, s4, aligned);
        st32(t9 + 24 * k4 + 16, s4 + x3, aligned);
    }
}

/* Byte b = lo + 27 hi: lo the first three trits, hi the last two (invalid bytes 243..255 -> 0, 0); in flash. */
static const uint8_t k_dec_lo[256] = {
    0,  1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 0,  1,
    2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 0,  1,  2,  3,
    4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 0,  1,  2,  3,  4,  5,
    6,  7,  8,  9,  10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 0,  1,  2,  3,  4,  5,  6,  7,
    8,  9,  10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 0,  1,  2,  3,  4,  5,  6,  7,  8,  9,
    10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 0,  1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11,
    12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 0,  1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13,
    14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 0,  1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15,
    16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,
};
static const uint8_t k_dec_hi[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
    2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 4, 4, 4,
    4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5,
    5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6,
    6, 6, 6, 6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 8, 8, 8, 8, 8, 8,
    8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};

static inline __attribute__((always_inline)) void t3_x4(const uint8_t *x4, uint32_t groups, const uint8_t *w,
                                                        uint32_t rows, uint32_t stride, uint8_t *acc, uint8_t *lut,
                                                        int aligned) {
    for (uint32_t g = 0; g < groups; g++) {
        const uint8_t *xp = x4 + 40u * g;
        for (int h = 0; h < 2; h++) {
            const uint8_t *xh = xp + 4 * h;
            build_half(lut + GROUP_BYTES * g + 4 * h, load_u32(xh) - LANE_OFF32, load_u32(xh + 8) - LANE_OFF32,
                       load_u32(xh + 16) - LANE_OFF32, load_u32(xh + 24) - LANE_OFF32, load_u32(xh + 32) - LANE_OFF32,
                       aligned);
        }
    }
    for (uint32_t r = 0; r < rows; r++) {
        const uint8_t *wr = w + r * stride, *end = wr + groups;
        const uint8_t *p = lut;
        uint32_t lo = 0, hi = 0;
        for (; wr < end; wr++, p += GROUP_BYTES) {
            const uint32_t b = *wr;
            const uint64_t u = ld64(p + 8u * k_dec_lo[b], aligned), v = ld64(p + 216u + 8u * k_dec_hi[b], aligned);
            lo += (uint32_t)u + (uint32_t)v;
            hi += (uint32_t)(u >> 32) + (uint32_t)(v >> 32);
        }
        st32(acc + 8u * r, lo, 0);
        st32(acc + 8u * r + 4u, hi, 0);
    }
}

void bitrl_native_t3_matvec_x4(const uint8_t *x4, uint32_t cols, const uint8_t *w, uint32_t rows, uint32_t stride,
                               uint8_t *acc, uint8_t *lut) {
    const uint32_t groups = (cols + 4u) / 5u;
    /* the module's table scratch (lut_fast_base()) is word aligned on the board; word-aligned entries load in one
     * ldrd (Cortex-M4) or two lw (RV32, which has no unaligned word loads); any other address takes byte-safe loads */
    if (((uintptr_t)lut & 3u) == 0)
        t3_x4(x4, groups, w, rows, stride, acc, lut, 1);
    else
        t3_x4(x4, groups, w, rows, stride, acc, lut, 0);
}

#endif

#if BITRL_NATIVE_KERNELS
#if defined(__ARM_FEATURE_SIMD32)
#include <arm_acle.h>
#endif

/* A word of four int8 values ready for dot products: two sign-extended 16-bit pairs (bytes 0, 2 and 1, 3) where the
 * core has the DSP extension's SMLAD, else the word itself. Unpacked once, a word serves several products. */
typedef struct {
    uint32_t lo, hi;
} i8x4;

static inline i8x4 unpack4(uint32_t v) {
#if defined(__ARM_FEATURE_SIMD32)
    /* bytes 1 and 3: a rotate by 8 (arm_acle.h's __ror is not in every toolchain; gcc folds this into SXTB16) */
    i8x4 u = {__sxtb16(v), __sxtb16((v >> 8) | (v << 24))};
#else
    i8x4 u = {v, 0u};
#endif
    return u;
}

/* Four int8 products of two unpacked words added to acc (two dual 16-bit multiply-adds, or one at a time). Integer
 * sums wrap as wasm's i32 does; their order does not change them. */
static inline int32_t dot4u(i8x4 w, i8x4 x, int32_t acc) {
#if defined(__ARM_FEATURE_SIMD32)
    return __smlad(w.hi, x.hi, __smlad(w.lo, x.lo, acc));
#else
    uint32_t s = (uint32_t)acc;
    for (int k = 0; k < 32; k += 8) s += (uint32_t)((int32_t)(int8_t)(w.lo >> k) * (int32_t)(int8_t)(x.lo >> k));
    return (int32_t)s;
#endif
}

static inline int32_t dot4(uint32_t wv, uint32_t xv, int32_t acc) { return dot4u(unpack4(wv), unpack4(xv), acc); }

static inline int32_t mac8(const uint8_t *w, const uint8_t *x, int32_t acc) {
    return (int32_t)((uint32_t)acc + (uint32_t)((int32_t)(int8_t)*w * (int8_t)*x));
}

/* Two tokens (x0, x1 into o0, o1) and two rows per pass: each weight and activation word loaded and unpacked once
 * for two dot products, as the module's matvecI8Pair does. */
static void i8_pair(const uint8_t *w, const uint8_t *x0, const uint8_t *x1, uint8_t *o0, uint8_t *o1, int32_t rows,
                    int32_t cols) {
    const int32_t quads = cols & ~3;
    int32_t r = 0;
    for (; r + 1 < rows; r += 2) {
        const uint8_t *wa = w + (uint32_t)r * (uint32_t)cols, *wb = wa + cols;
        int32_t a0 = 0, a1 = 0, b0 = 0, b1 = 0, c = 0;
        for (; c < quads; c += 4) {
            const i8x4 u = unpack4(load_u32(x0 + c)), v = unpack4(load_u32(x1 + c));
            const i8x4 p = unpack4(load_u32(wa + c)), q = unpack4(load_u32(wb + c));
            a0 = dot4u(p, u, a0);
            a1 = dot4u(p, v, a1);
            b0 = dot4u(q, u, b0);
            b1 = dot4u(q, v, b1);
        }
        for (; c < cols; c++) {
            a0 = mac8(wa + c, x0 + c, a0);
            a1 = mac8(wa + c, x1 + c, a1);
            b0 = mac8(wb + c, x0 + c, b0);
            b1 = mac8(wb + c, x1 + c, b1);
        }
        memcpy(o0 + 4u * (uint32_t)r, &a0, 4);
        memcpy(o0 + 4u * (uint32_t)r + 4u, &b0, 4);
        memcpy(o1 + 4u * (uint32_t)r, &a1, 4);
        memcpy(o1 + 4u * (uint32_t)r + 4u, &b1, 4);
    }
    if (r < rows) {
        const uint8_t *wa = w + (uint32_t)r * (uint32_t)cols;
        int32_t a0 = 0, a1 = 0;
        for (int32_t c = 0; c < cols; c++) {
            a0 = mac8(wa + c, x0 + c, a0);
            a1 = mac8(wa + c, x1 + c, a1);
        }
        memcpy(o0 + 4u * (uint32_t)r, &a0, 4);
        memcpy(o1 + 4u * (uint32_t)r, &a1, 4);
    }
}

void bitrl_native_i8_matvec_tokens(const uint8_t *w, const uint8_t *x, int32_t xs, uint8_t *acc, int32_t accs,
                                   int32_t rows, int32_t cols, int32_t n) {
    const uint32_t ab = 4u * (uint32_t)accs;
    int32_t t = 0;
    for (; t + 1 < n; t += 2) {
        const uint8_t *xt = x + (uint32_t)t * (uint32_t)xs;
        uint8_t *at = acc + (uint32_t)t * ab;
        i8_pair(w, xt, xt + xs, at, at + ab, rows, cols);
    }
    if (t < n) bitrl_native_i8_matvec(w, x + (uint32_t)t * (uint32_t)xs, acc + (uint32_t)t * ab, rows, cols);
}

void bitrl_native_i8_matvec(const uint8_t *w, const uint8_t *x, uint8_t *acc, int32_t rows, int32_t cols) {
    const int32_t quads = cols & ~3;
    int32_t r = 0;
    for (; r + 1 < rows; r += 2) {
        const uint8_t *wa = w + (uint32_t)r * (uint32_t)cols, *wb = wa + cols;
        int32_t a = 0, b = 0, c = 0;
        for (; c < quads; c += 4) {
            const uint32_t xv = load_u32(x + c);
            a = dot4(load_u32(wa + c), xv, a);
            b = dot4(load_u32(wb + c), xv, b);
        }
        for (; c < cols; c++) {
            a = mac8(wa + c, x + c, a);
            b = mac8(wb + c, x + c, b);
        }
        memcpy(acc + 4u * (uint32_t)r, &a, 4);
        memcpy(acc + 4u * (uint32_t)r + 4u, &b, 4);
    }
    if (r < rows) {
        const uint8_t *wa = w + (uint32_t)r * (uint32_t)cols;
        int32_t a = 0, c = 0;
        for (; c < quads; c += 4) a = dot4(load_u32(wa + c), load_u32(x + c), a);
        for (; c < cols; c++) a = mac8(wa + c, x + c, a);
        memcpy(acc + 4u * (uint32_t)r, &a, 4);
    }
}
#endif
