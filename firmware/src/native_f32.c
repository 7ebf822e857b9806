/* C twins of the fp32 forward's kernels (see native_f32.h). Products and sums are separate f32 operations: the
 * compiler must not fuse them (fp-contract off below), or an FPU with FMA would round once where wasm rounds twice. */
#include "native_f32.h"
#include <math.h>
#include <string.h>

#if BITRL_NATIVE_KERNELS /* only the wasm3+native build calls them */

#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

static inline float ld(const uint8_t *p) {
    float v;
    memcpy(&v, p, 4);
    return v;
}
static inline void st(uint8_t *p, float v) { memcpy(p, &v, 4); }

/* the module's putF32 (assembly/kernels/plain.ts) */
static inline void put(uint8_t *p, float v, int32_t mode) {
    if (mode == 0) {
        st(p, v);
    } else if (mode == 1) {
        st(p, ld(p) + v);
    } else {
        uint32_t bits;
        memcpy(&bits, &v, 4);
        st(p, bits - 1u < 0x7f800000u ? v * v : 0.0f);
    }
}

/* A float at p; with `aligned` (a constant at each call) the compiler may load it straight into an FPU register. */
static inline __attribute__((always_inline)) float ld_as(const uint8_t *p, int aligned) {
    return aligned ? ld((const uint8_t *)__builtin_assume_aligned(p, 4)) : ld(p);
}

/* The small loops over a quad's columns and the tokens must unroll, so their values stay in FPU registers. */
#if defined(__clang__)
#define UNROLL4 _Pragma("unroll 4")
#else
#define UNROLL4 _Pragma("GCC unroll 4")
#endif

/* Rows r and r + 1 (only r when !pair) for nt tokens (1..4, a constant where inlined): each weight is loaded once for
 * every token, each activation once for both rows; four columns a step. Every (token, row) sum runs in column
 * order, as matvec_f32's does, so batching changes no bit. */
static inline __attribute__((always_inline)) void rows_tokens(const uint8_t *wa, uint32_t rb, const uint8_t *x,
                                                              uint32_t xsb, uint8_t *y, uint32_t ysb, int32_t cols,
                                                              int32_t mode, int nt, int pair, int aligned) {
    float a[4] = {0.0f, 0.0f, 0.0f, 0.0f}, b[4] = {0.0f, 0.0f, 0.0f, 0.0f};
    const uint8_t *wb = wa + rb;
    const int32_t quads = cols & ~3;
    int32_t c = 0;
    for (; c < quads; c += 4) {
        const uint32_t o = 4u * (uint32_t)c;
        float wa4[4], wb4[4];
        UNROLL4
        for (int j = 0; j < 4; j++) {
            wa4[j] = ld_as(wa + o + 4u * (uint32_t)j, aligned);
            wb4[j] = pair ? ld_as(wb + o + 4u * (uint32_t)j, aligned) : 0.0f;
        }
        UNROLL4
        for (int k = 0; k < nt; k++) {
            const uint8_t *xk = x + (uint32_t)k * xsb + o;
            UNROLL4
            for (int j = 0; j < 4; j++) {
                const float xj = ld_as(xk + 4u * (uint32_t)j, aligned);
                a[k] += wa4[j] * xj;
                if (pair) b[k] += wb4[j] * xj;
            }
        }
    }
    for (; c < cols; c++) {
        const uint32_t o = 4u * (uint32_t)c;
        const float wac = ld_as(wa + o, aligned), wbc = pair ? ld_as(wb + o, aligned) : 0.0f;
        UNROLL4
        for (int k = 0; k < nt; k++) {
            const float xc = ld_as(x + (uint32_t)k * xsb + o, aligned);
            a[k] += wac * xc;
            if (pair) b[k] += wbc * xc;
        }
    }
    UNROLL4
    for (int k = 0; k < nt; k++) {
        put(y + (uint32_t)k * ysb, a[k], mode);
        if (pair) put(y + (uint32_t)k * ysb + 4u, b[k], mode);
    }
}

/* Every row for nt tokens: two rows per pass, then the odd one. */
static inline __attribute__((always_inline)) void rows_all(const uint8_t *w, const uint8_t *x, uint32_t xsb, uint8_t *y,
                                                           uint32_t ysb, int32_t rows, int32_t cols, int32_t mode,
                                                           int nt, int aligned) {
    const uint32_t rb = 4u * (uint32_t)cols;
    int32_t r = 0;
    for (; r + 1 < rows; r += 2)
        rows_tokens(w + (uint32_t)r * rb, rb, x, xsb, y + 4u * (uint32_t)r, ysb, cols, mode, nt, 1, aligned);
    if (r < rows) rows_tokens(w + (uint32_t)r * rb, rb, x, xsb, y + 4u * (uint32_t)r, ysb, cols, mode, nt, 0, aligned);
}

/* Up to four tokens per pass over the weights when w, x and the token stride are word-aligned (the backbone's buffers
 * always are): loads go straight into FPU registers. Other operands take a byte-wise path, one token at a time (one
 * more copy of the body rather than four). */
static void linear_block(const uint8_t *w, const uint8_t *x, uint32_t xsb, uint8_t *y, uint32_t ysb, int32_t rows,
                         int32_t cols, int32_t mode, int32_t nt, int aligned) {
    if (!aligned) {
        for (int32_t k = 0; k < nt; k++)
            rows_all(w, x + (uint32_t)k * xsb, xsb, y + (uint32_t)k * ysb, ysb, rows, cols, mode, 1, 0);
        return;
    }
    switch (nt) {
        case 4:
            rows_all(w, x, xsb, y, ysb, rows, cols, mode, 4, 1);
            break;
        case 3:
            rows_all(w, x, xsb, y, ysb, rows, cols, mode, 3, 1);
            break;
        case 2:
            rows_all(w, x, xsb, y, ysb, rows, cols, mode, 2, 1);
            break;
        default:
            rows_all(w, x, xsb, y, ysb, rows, cols, mode, 1, 1);
            break;
    }
}

void bitrl_native_f32_linear_tokens(const uint8_t *w, const uint8_t *x, int32_t xs, uint8_t *y, int32_t ys,
                                    int32_t rows, int32_t cols, int32_t n, int32_t mode) {
    const uint32_t xsb = 4u * (uint32_t)xs, ysb = 4u * (uint32_t)ys;
    const int aligned = ((((uintptr_t)w | (uintptr_t)x | xsb) & 3u) == 0);
    for (int32_t t0 = 0; t0 < n; t0 += 4) {
        const int32_t nt = n - t0 < 4 ? n - t0 : 4;
        linear_block(w, x + (uint32_t)t0 * xsb, xsb, y + (uint32_t)t0 * ysb, ysb, rows, cols, mode, nt, aligned);
    }
}

void bitrl_native_f32_linear(const uint8_t *w, const uint8_t *x, uint8_t *y, int32_t rows, int32_t cols, int32_t mode) {
    bitrl_native_f32_linear_tokens(w, x, cols, y, rows, rows, cols, 1, mode);
}

void bitrl_native_f32_rmsnorm(const uint8_t *x, const uint8_t *g, uint8_t *out, int32_t n) {
    float ss = 0.0f;
    for (int32_t i = 0; i < n; i++) {
        float v = ld(x + 4u * (uint32_t)i);
        ss += v * v;
    }
    const float inv = 1.0f / sqrtf(ss / (float)n + 1e-5f);
    for (int32_t i = 0; i < n; i++) {
        uint32_t p = 4u * (uint32_t)i;
        st(out + p, ld(x + p) * inv * ld(g + p));
    }
}

/* assembly/model/mathf.ts expf: range reduction by ln 2, degree-7 Taylor, the same f32 steps. */
static float expf_twin(float x) {
    if (x < -80.0f) return 0.0f;
    if (x > 80.0f) x = 80.0f;
    const float kf = rintf(x * (float)1.4426950408889634);
    float r = x - kf * (float)0.693145751953125;
    r = r - kf * (float)1.428606765330187e-6;
    float p = (float)(1.0 / 5040.0);
    p = p * r + (float)(1.0 / 720.0);
    p = p * r + (float)(1.0 / 120.0);
    p = p * r + (float)(1.0 / 24.0);
    p = p * r + (float)(1.0 / 6.0);
    p = p * r + 0.5f;
    p = p * r + 1.0f;
    p = p * r + 1.0f;
    uint32_t bits = (uint32_t)((int32_t)kf + 127) << 23;
    float two_k;
    memcpy(&two_k, &bits, 4);
    return p * two_k;
}

void bitrl_native_f32_attention(uint8_t *qkv, int32_t n, int32_t dim, int32_t heads, const uint8_t *rope, uint8_t *sc,
                                uint8_t *out) {
    const int32_t hd = dim / heads, half = hd / 2;
    const uint32_t stride = 12u * (uint32_t)dim;
    /* ropeF32: q then k of every token, pairs (i, i + half) of each head */
    for (int32_t t = 0; t < n; t++)
        for (int32_t part = 0; part < 2; part++)
            for (int32_t h = 0; h < heads; h++) {
                uint8_t *pa = qkv + (uint32_t)t * stride + 4u * (uint32_t)(part * dim + h * hd),
                        *pb = pa + 4u * (uint32_t)half;
                const uint8_t *ro = rope + 4u * (uint32_t)(t * hd);
                for (int32_t i = 0; i < half; i++) {
                    float co = ld(ro + 8u * (uint32_t)i), si = ld(ro + 8u * (uint32_t)i + 4u);
                    float a = ld(pa + 4u * (uint32_t)i), b = ld(pb + 4u * (uint32_t)i);
                    st(pa + 4u * (uint32_t)i, a * co - b * si);
                    st(pb + 4u * (uint32_t)i, a * si + b * co);
                }
            }
    /* attendF32 / attendHeadF32 */
    const float scale = 1.0f / sqrtf((float)hd);
    for (int32_t t = 0; t < n; t++)
        for (int32_t h = 0; h < heads; h++) {
            const uint8_t *q = qkv + (uint32_t)t * stride + 4u * (uint32_t)(h * hd);
            const uint8_t *k = qkv + 4u * (uint32_t)(dim + h * hd), *v = qkv + 4u * (uint32_t)(2 * dim + h * hd);
            const int32_t m = t + 1;
            float mx = -INFINITY;
            for (int32_t j = 0; j < m; j++) {
                float dot = 0.0f;
                const uint8_t *kj = k + (uint32_t)j * stride;
                for (int32_t i = 0; i < hd; i++) dot += ld(q + 4u * (uint32_t)i) * ld(kj + 4u * (uint32_t)i);
                float s = dot * scale;
                st(sc + 4u * (uint32_t)j, s);
                if (s > mx) mx = s;
            }
            float sum = 0.0f;
            for (int32_t j = 0; j < m; j++) {
                float e = expf_twin(ld(sc + 4u * (uint32_t)j) - mx);
                st(sc + 4u * (uint32_t)j, e);
                sum += e;
            }
            for (int32_t j = 0; j < m; j++) st(sc + 4u * (uint32_t)j, ld(sc + 4u * (uint32_t)j) / sum);
            uint8_t *o = out + 4u * (uint32_t)(t * dim + h * hd);
            for (int32_t i = 0; i < hd; i++) {
                float acc = 0.0f;
                for (int32_t j = 0; j < m; j++)
                    acc += ld(sc + 4u * (uint32_t)j) * ld(v + (uint32_t)j * stride + 4u * (uint32_t)i);
                st(o + 4u * (uint32_t)i, acc);
            }
        }
}

/* The RL head's layer (the module's affineF32, plain.ts): each sum starts from its bias and adds the products in
 * column order; ReLU (v > 0, else +0) when relu. Two rows a pass share each activation load. */
void bitrl_native_f32_affine(const uint8_t *w, const uint8_t *b, const uint8_t *x, uint8_t *y, int32_t rows,
                             int32_t cols, int32_t relu) {
    const uint32_t rb = 4u * (uint32_t)cols;
    int32_t r = 0;
    for (; r + 1 < rows; r += 2) {
        const uint8_t *wa = w + (uint32_t)r * rb, *wb = wa + rb;
        float s = ld(b + 4u * (uint32_t)r), t = ld(b + 4u * (uint32_t)r + 4u);
        for (uint32_t c = 0; c < rb; c += 4u) {
            const float v = ld(x + c);
            s += ld(wa + c) * v;
            t += ld(wb + c) * v;
        }
        if (relu) {
            if (!(s > 0.0f)) s = 0.0f;
            if (!(t > 0.0f)) t = 0.0f;
        }
        st(y + 4u * (uint32_t)r, s);
        st(y + 4u * (uint32_t)r + 4u, t);
    }
    if (r < rows) {
        const uint8_t *wa = w + (uint32_t)r * rb;
        float s = ld(b + 4u * (uint32_t)r);
        for (uint32_t c = 0; c < rb; c += 4u) s += ld(wa + c) * ld(x + c);
        if (relu && !(s > 0.0f)) s = 0.0f;
        st(y + 4u * (uint32_t)r, s);
    }
}

#endif
