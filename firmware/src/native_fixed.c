/* C twins of assembly/kernels/fixed.ts (quantI32, normQuant, rescaleAdd / storeRaw and the multiplier helpers they
 * use), for the `wasm3+native` kernel binding. wasm i32 arithmetic wraps, C signed overflow does not: products and
 * sums that may wrap go through uint32_t, shifts of negative values are arithmetic (gcc, clang). */
#include "native_fixed.h"
#include <string.h>

#if BITRL_NATIVE_KERNELS /* only the wasm3+native build calls them: other builds (ROM-loaded SRAM images) stay as small as before */

#define XQ 12
#define XMAX ((1 << 21) - 1)
#define RMS_EPS_I 168
#define FX_INV127 ((21 << 16) | 16512)

static inline int32_t ld_i32(const uint8_t *p) {
    int32_t v;
    memcpy(&v, p, 4);
    return v;
}
static inline uint16_t ld_u16(const uint8_t *p) {
    uint16_t v;
    memcpy(&v, p, 2);
    return v;
}
static inline void st_i32(uint8_t *p, int32_t v) { memcpy(p, &v, 4); }
static inline void st_u16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }
static inline int32_t mul32(int32_t a, int32_t b) { return (int32_t)((uint32_t)a * (uint32_t)b); }
static inline int32_t add32(int32_t a, int32_t b) { return (int32_t)((uint32_t)a + (uint32_t)b); }
static inline int32_t pack(int32_t m, int32_t e) { return (int32_t)((uint32_t)e << 16) | m; }
static inline int clz64(uint64_t v) { return v ? __builtin_clzll(v) : 64; }

static int32_t fx_from_u64(uint64_t v, int32_t e) {
    if (v == 0) return 0;
    int32_t s = 64 - clz64(v) - 15, sh = s, m;
    if (s > 0) {
        m = (int32_t)((v + ((uint64_t)1 << (s - 1))) >> s);
        if (m == 1 << 15) {
            m = 1 << 14;
            sh++;
        }
    } else {
        m = (int32_t)(v << -s);
    }
    return pack(m, e - sh);
}

static int32_t fx_mul(int32_t a, int32_t b) {
    int32_t ma = a & 0xffff, mb = b & 0xffff;
    if (ma == 0 || mb == 0) return 0;
    /* the module multiplies in i32 and sign-extends to u64 */
    if ((ma | mb) >= 1 << 15 || ma < 1 << 14 || mb < 1 << 14)
        return fx_from_u64((uint64_t)(int64_t)mul32(ma, mb), (a >> 16) + (b >> 16));
    /* both mantissas in [2^14, 2^15): fixed.ts fxMul's 32-bit path (the product in [2^28, 2^30), shift 14 or 15) */
    uint32_t p = (uint32_t)ma * (uint32_t)mb;
    int32_t sh = 14 + (int32_t)(p >> 29);
    int32_t m = (int32_t)((p + (1u << (sh - 1))) >> sh);
    if (m == 1 << 15) {
        m = 1 << 14;
        sh++;
    }
    return pack(m, (a >> 16) + (b >> 16) - sh);
}

static uint32_t isqrt30(uint32_t n) {
    uint32_t x = 1u << 15;
    for (;;) {
        uint32_t y = (x + n / x) >> 1;
        if (y >= x) return x;
        x = y;
    }
}

static int32_t fx_rsqrt(uint64_t v) {
    int32_t k = (64 - clz64(v) - 29) >> 1;
    uint32_t n = (uint32_t)(k >= 0 ? v >> (2 * k) : v << (-2 * k));
    int32_t m = (int32_t)((1u << 29) / isqrt30(n));
    return m == 1 << 15 ? pack(1 << 14, 28 + k) : pack(m, 29 + k);
}

static int32_t rms_inverse(int64_t ss, int32_t n) {
    int32_t f = fx_rsqrt((uint64_t)(ss / (int64_t)n) + (uint64_t)RMS_EPS_I);
    return pack(f & 0xffff, (f >> 16) - XQ);
}

static inline uint32_t abs_u32(int32_t v) { return v >= 0 ? (uint32_t)v : 0u - (uint32_t)v; }

/* q[i] = round(127 h[i] / amax), h = x (* g), normalised by 2^-sh to 15 bits first; the q unit's multiplier. */
static int32_t quant_by(const uint8_t *x, int32_t n, uint32_t amax, const uint8_t *g, int32_t qin, uint8_t *out,
                        int lanes) {
    if (amax == 0) {
        if (lanes)
            for (int32_t i = 0; i < n; i++) st_u16(out + 8 * i, 128);
        else
            memset(out, 0, (size_t)n);
        return 0;
    }
    int32_t bl = 32 - __builtin_clz(amax);
    int32_t sh = bl > 15 ? bl - 15 : 0;
    uint32_t an = amax >> sh;
    int32_t r = (int32_t)((127u << 23) / an);
    for (int32_t i = 0; i < n; i++) {
        int32_t h = ld_i32(x + 4 * i);
        if (g) h = mul32(h, ld_i32(g + 4 * i));
        int32_t q = add32(mul32(h >> sh, r), 1 << 22) >> 23;
        if (lanes)
            st_u16(out + 8 * i, (uint16_t)(q + 128));
        else
            out[i] = (uint8_t)q;
    }
    return fx_mul(fx_from_u64(an, qin - sh), FX_INV127);
}

void bitrl_native_norm_f32(const uint8_t *x, const uint8_t *g, int32_t gs, int32_t n, uint8_t *out) {
    uint64_t ss = 0;
    for (int32_t i = 0; i < n; i++) {
        int32_t v = ld_i32(x + 4 * i);
        ss += (uint64_t)((int64_t)v * v);
    }
    int32_t f = rms_inverse((int64_t)ss, n);
    int32_t e = (f >> 16) + XQ + gs;
    e = e < -127 ? -127 : e > 126 ? 126 : e;
    uint32_t bits = (uint32_t)(127 - e) << 23;
    float unit;
    memcpy(&unit, &bits, 4);
    float scale = (float)(f & 0xffff) * unit; /* exact: 15-bit mantissa times a power of two */
    for (int32_t i = 0; i < n; i++) {
        float v = (float)mul32(ld_i32(x + 4 * i), ld_i32(g + 4 * i)) * scale; /* one rounding, as wasm's f32.mul */
        memcpy(out + 4 * i, &v, 4);
    }
}

int32_t bitrl_native_fx_mul(int32_t a, int32_t b) { return fx_mul(a, b); }

int32_t bitrl_native_quant(const uint8_t *x, int32_t n, int32_t qin, uint8_t *out, int lanes) {
    uint32_t amax = 0;
    for (int32_t i = 0; i < n; i++) {
        uint32_t a = abs_u32(ld_i32(x + 4 * i));
        if (a > amax) amax = a;
    }
    return quant_by(x, n, amax, NULL, qin, out, lanes);
}

int32_t bitrl_native_norm_quant(const uint8_t *x, const uint8_t *g, int32_t gs, int32_t n, uint8_t *out, int lanes) {
    uint64_t ss = 0; /* wraps as the module's i64 does */
    uint32_t amax = 0;
    for (int32_t i = 0; i < n; i++) {
        int32_t v = ld_i32(x + 4 * i);
        ss += (uint64_t)((int64_t)v * v);
        uint32_t a = abs_u32(mul32(v, ld_i32(g + 4 * i)));
        if (a > amax) amax = a;
    }
    int32_t f = quant_by(x, n, amax, g, XQ + gs, out, lanes);
    return fx_mul(f, rms_inverse((int64_t)ss, n));
}

/* fixed.ts mulShift64: round(v * f) with outq fractional bits, the product in 64 bits, clamped to +-2^30. */
static int32_t mul_shift64(int32_t v, int32_t f, int32_t outq) {
    int32_t s = (f >> 16) - outq;
    s = s < 1 ? 1 : s > 40 ? 40 : s;
    int64_t z = ((int64_t)v * (int64_t)(f & 0xffff) + ((int64_t)1 << (s - 1))) >> s;
    return z > (1 << 30) ? (1 << 30) : z < -(1 << 30) ? -(1 << 30) : (int32_t)z;
}

/* fixed.ts addSaturate: x + u saturated at +-XMAX into p (the residual add). */
static inline void add_saturate(uint8_t *p, int32_t u) {
    int32_t x = add32(ld_i32(p), u);
    x = x < XMAX ? x : XMAX;
    st_i32(p, x > -XMAX ? x : -XMAX);
}

/* fixed.ts emit: saturating residual add (mode 0), ReLU^2 with u clamped to 46340 (mode 2), else a raw store. */
static void emit(uint8_t *p, int32_t u, int32_t mode) {
    if (mode == 0) {
        add_saturate(p, u);
    } else if (mode == 2) {
        int32_t c = u < 46340 ? u : 46340;
        st_i32(p, c > 0 ? c * c : 0);
    } else {
        st_i32(p, u);
    }
}

/* fixed.ts fxFromF32Bits: |f| of an f32 given by its bits as a multiplier (denormal, inf and NaN bits -> 0). */
static int32_t fx_from_f32_bits(uint32_t bits) {
    int32_t ex = (int32_t)((bits >> 23) & 0xffu);
    return ex == 0 || ex == 0xff ? 0 : fx_from_u64((uint64_t)((bits & 0x7fffffu) | 0x800000u), 150 - ex);
}

void bitrl_native_scales_fx(uint8_t *p, int32_t rows) {
    for (int32_t r = 0; r < rows; r++) st_i32(p + 4 * r, fx_from_f32_bits((uint32_t)ld_i32(p + 4 * r)));
}

void bitrl_native_i8_rows(const uint8_t *acc, int32_t rows, int32_t a, int32_t f1, const uint8_t *scales, uint8_t *y,
                          int32_t mode) {
    for (int32_t r = 0; r < rows; r++) {
        int32_t f = scales ? fx_mul(a, ld_i32(scales + 4 * r)) : f1;
        emit(y + 4 * r, mul_shift64(ld_i32(acc + 4 * r), f, mode == 0 ? XQ : 8), mode);
    }
}

void bitrl_native_rescale(const uint8_t *acc, int32_t unbias, int32_t rows, int32_t f, uint8_t *y, int32_t mode) {
    if (mode == 0) {
        int32_t m = f & 0xffff, s = (f >> 16) - XQ;
        s = s < 1 ? 1 : s > 31 ? 31 : s;
        int32_t half = 1 << (s - 1);
        for (int32_t r = 0; r < rows; r++) {
            add_saturate(y + 4 * r, add32(mul32((int32_t)ld_u16(acc + 8 * r) - unbias, m), half) >> s);
        }
    } else if (mode == 2) {
        for (int32_t r = 0; r < rows; r++) {
            int32_t v = (int32_t)ld_u16(acc + 8 * r) - unbias;
            v = v > 0 ? v : 0;
            st_i32(y + 4 * r, mul32(v, v));
        }
    } else {
        for (int32_t r = 0; r < rows; r++) st_i32(y + 4 * r, (int32_t)ld_u16(acc + 8 * r) - unbias);
    }
}

#endif
