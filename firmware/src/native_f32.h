/* C twins of the fp32 forward's bound kernels (assembly/kernels/bound.ts k_baseline: linear, RMSNorm, attention) and of
 * every kind's RL head layer (affine), the
 * `wasm3+native` binding for the fp32 baseline: every float operation in f32, in the module's
 * order, no fused multiply-add, from libm only sqrtf and rintf (both exact), so the bits equal the module's
 * (test/board/backbone.test.ts compares the fp32 features byte for byte). Pointers are inside linear memory
 * (native_bind.c checks them). */
#ifndef BITRL_NATIVE_F32_H
#define BITRL_NATIVE_F32_H
#include <stdint.h>

/* y[r] of f32 rows w[rows][cols] times x[cols] (each summed in column order), put by mode: 0 store, 1 add to y[r],
 * 2 ReLU(v)^2 (v > 0 and not NaN; +0 otherwise). */
void bitrl_native_f32_linear(const uint8_t *w, const uint8_t *x, uint8_t *y, int32_t rows, int32_t cols, int32_t mode);
/* The same for n tokens: token t's x f32[cols] at x + 4 t xs, its outputs at y + 4 t ys (xs >= cols, ys >= rows;
 * x and y apart), up to four tokens per pass over the weights (each sum still in column order). */
void bitrl_native_f32_linear_tokens(const uint8_t *w, const uint8_t *x, int32_t xs, uint8_t *y, int32_t ys,
                                    int32_t rows, int32_t cols, int32_t n, int32_t mode);
/* out f32[n] = (x * (1 / sqrt(sum x^2 / n + 1e-5))) * g. */
void bitrl_native_f32_rmsnorm(const uint8_t *x, const uint8_t *g, uint8_t *out, int32_t n);
/* RoPE of q and k, then causal multi-head attention: qkv f32[n][3 dim], rope f32[n][hd/2][2], sc f32[n] scratch,
 * out f32[n][dim]. */
void bitrl_native_f32_attention(uint8_t *qkv, int32_t n, int32_t dim, int32_t heads, const uint8_t *rope, uint8_t *sc,
                                uint8_t *out);
/* The RL head's layer: y[r] = b[r] + w[r] . x (w f32[rows][cols], x f32[cols]), each sum from the bias in column
 * order, then ReLU (v > 0, else +0) when relu. */
void bitrl_native_f32_affine(const uint8_t *w, const uint8_t *b, const uint8_t *x, uint8_t *y, int32_t rows,
                             int32_t cols, int32_t relu);

#endif
