/* C twin of assembly/kernels/attention.ts (see native_attention.h). wasm i32 arithmetic wraps, C signed overflow
 * does not: products and sums that may wrap go through uint32_t; shifts of negative values are arithmetic (gcc,
 * clang). */
#include "native_attention.h"
#include "native_fixed.h"
#include <string.h>

#if BITRL_NATIVE_KERNELS /* only the wasm3+native build calls it */

static inline int32_t ld_i32(const uint8_t *p) {
    int32_t v;
    memcpy(&v, p, 4);
    return v;
}
static inline void st_i32(uint8_t *p, int32_t v) { memcpy(p, &v, 4); }
static inline uint16_t ld_u16(const uint8_t *p) {
    uint16_t v;
    memcpy(&v, p, 2);
    return v;
}
static inline int32_t mul32(int32_t a, int32_t b) { return (int32_t)((uint32_t)a * (uint32_t)b); }
static inline int32_t add32(int32_t a, int32_t b) { return (int32_t)((uint32_t)a + (uint32_t)b); }
static inline int32_t sub32(int32_t a, int32_t b) { return (int32_t)((uint32_t)a - (uint32_t)b); }

static void rope_raw(uint8_t *qkv, int32_t n, int32_t dim, int32_t heads, const uint8_t *rope) {
    int32_t hd = dim / heads, half = hd / 2;
    for (int32_t t = 1; t < n; t++)
        for (int32_t part = 0; part < 2; part++)
            for (int32_t h = 0; h < heads; h++) {
                uint8_t *pa = qkv + 4 * (t * 3 * dim + part * dim + h * hd), *pb = pa + 4 * half;
                const uint8_t *ro = rope + 4 * (t * half * 2);
                for (int32_t i = 0; i < half; i++, pa += 4, pb += 4, ro += 8) {
                    int32_t co = ld_i32(ro), si = ld_i32(ro + 4), a = ld_i32(pa), b = ld_i32(pb);
                    st_i32(pa, add32(sub32(mul32(a, co), mul32(b, si)), 2048) >> 12);
                    st_i32(pb, add32(add32(mul32(a, si), mul32(b, co)), 2048) >> 12);
                }
            }
}

/* mulShift64 then scoreLog2's clamp: dot * f in log2 units with 8 fractional bits, within +-2^24. */
static int32_t score_log2(int32_t dot, int32_t f) {
    int32_t s = (f >> 16) - 8;
    s = s < 1 ? 1 : s > 40 ? 40 : s;
    int64_t z = ((int64_t)dot * (int64_t)(f & 0xffff) + ((int64_t)1 << (s - 1))) >> s;
    z = z > (1 << 30) ? (1 << 30) : z < -(1 << 30) ? -(1 << 30) : z;
    return (int32_t)(z > (1 << 24) ? (1 << 24) : z < -(1 << 24) ? -(1 << 24) : z);
}

static void softmax_exp2(const uint8_t *z, int32_t n, uint8_t *p, const uint8_t *exp2) {
    int32_t zmax = ld_i32(z);
    for (int32_t j = 1; j < n; j++) {
        int32_t v = ld_i32(z + 4 * j);
        if (v > zmax) zmax = v;
    }
    uint32_t sum = 0;
    for (int32_t j = 0; j < n; j++) {
        int32_t d = zmax - ld_i32(z + 4 * j);
        uint32_t e = d >= 15 << 8 ? 0u : (uint32_t)ld_u16(exp2 + 2 * (d & 255)) >> (d >> 8);
        st_i32(p + 4 * j, (int32_t)e);
        sum += e;
    }
    uint32_t half = sum >> 1;
    for (int32_t j = 0; j < n; j++) st_i32(p + 4 * j, (int32_t)((((uint32_t)ld_i32(p + 4 * j) << 12) + half) / sum));
}

void bitrl_native_attention(uint8_t *qkv, int32_t n, int32_t dim, int32_t heads, const uint8_t *rope, uint8_t *mult,
                            uint8_t *qk8, uint8_t *sc, uint8_t *out, int32_t score_fx, int32_t P, const uint8_t *exp2) {
    int32_t hd = dim / heads, stride = 3 * dim;
    uint8_t *fx = qk8 + 2 * P * dim, *z = sc, *p = sc + 4 * P;
    rope_raw(qkv, n, dim, heads, rope);
    for (int32_t t = 0; t < n; t++) { /* q and k to int8, multipliers times the token's */
        int32_t ft = ld_i32(mult + 4 * t);
        for (int32_t part = 0; part < 2; part++)
            for (int32_t h = 0; h < heads; h++) {
                int32_t f = bitrl_native_quant(qkv + 4 * (t * stride + part * dim + h * hd), hd, 0,
                                               qk8 + t * 2 * dim + part * dim + h * hd, 0);
                st_i32(fx + 4 * ((t * 2 + part) * heads + h), bitrl_native_fx_mul(f, ft));
            }
    }
    for (int32_t t = n - 1; t >= 0; t--) { /* last query first: its weights read the v multipliers of tokens <= t */
        int32_t emin = 0x7fff;
        uint32_t amax = 0;
        for (int32_t j = 0; j <= t; j++) {
            int32_t e = ld_i32(mult + 4 * j) >> 16;
            if (e < emin) emin = e;
        }
        for (int32_t h = 0; h < heads; h++) {
            const int8_t *q = (const int8_t *)(qk8 + t * 2 * dim + h * hd);
            int32_t fq = bitrl_native_fx_mul(ld_i32(fx + 4 * (t * 2 * heads + h)), score_fx);
            for (int32_t j = 0; j <= t; j++) {
                const int8_t *k = (const int8_t *)(qk8 + j * 2 * dim + dim + h * hd);
                int32_t dot = 0;
                for (int32_t i = 0; i < hd; i++) dot += (int32_t)q[i] * (int32_t)k[i];
                st_i32(z + 4 * j, score_log2(dot, bitrl_native_fx_mul(fq, ld_i32(fx + 4 * ((j * 2 + 1) * heads + h)))));
            }
            softmax_exp2(z, t + 1, p, exp2);
            for (int32_t j = 0; j <= t; j++) { /* w_j = round(p_j m_j 2^-(e_j - emin + 12)) */
                int32_t fj = ld_i32(mult + 4 * j), s = (fj >> 16) - emin + 12;
                s = s < 31 ? s : 31;
                st_i32(p + 4 * j, add32(mul32(ld_i32(p + 4 * j), fj & 0xffff), 1 << (s - 1)) >> s);
            }
            const uint8_t *v = qkv + 4 * (2 * dim + h * hd);
            uint8_t *o = out + 4 * (t * dim + h * hd);
            for (int32_t i = 0; i < hd; i++) {
                int32_t acc = 0;
                for (int32_t j = 0; j <= t; j++)
                    acc = add32(acc, mul32(ld_i32(p + 4 * j), ld_i32(v + 4 * (j * stride + i))));
                st_i32(o + 4 * i, acc);
                uint32_t a = acc >= 0 ? (uint32_t)acc : 0u - (uint32_t)acc;
                if (a > amax) amax = a;
            }
        }
        st_i32(sc + 4 * (P + t), (int32_t)amax);
        st_i32(mult + 4 * t, (int32_t)((uint32_t)(emin + 14) << 16 | (1u << 14)));
    }
}

#endif
