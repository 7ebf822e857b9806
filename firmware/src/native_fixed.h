/* C twins of the integer forward's fixed-point kernels (assembly/kernels/fixed.ts): the `wasm3+native` binding of
 * the module's k_quant, k_norm_quant and k_rescale imports. Same integers bit for bit as the AssemblyScript kernels
 * (every i32 product wraps as wasm's does; golden vectors test/golden/fixed-kernels.json). Pointers are already
 * inside linear memory (native_bind.c checks them); u16/i32 values are little-endian, possibly unaligned. */
#ifndef BITRL_NATIVE_FIXED_H
#define BITRL_NATIVE_FIXED_H
#include <stdint.h>

/* quantI32: per-token int8 of x i32[n] (qin fractional bits) into out (i8[n], or u16 q + 128 at stride 8 when
 * lanes); returns the multiplier of one q unit (e << 16 | m), 0 for an all-zero x. */
int32_t bitrl_native_quant(const uint8_t *x, int32_t n, int32_t qin, uint8_t *out, int lanes);

/* normQuant: RMSNorm of x i32[n] with gains g i32[n] (shift gs) fused with the quantization above. */
int32_t bitrl_native_norm_quant(const uint8_t *x, const uint8_t *g, int32_t gs, int32_t n, uint8_t *out, int lanes);

/* t3 lanes (u16 at acc + 8 r, minus unbias) into y i32[rows]: mode 0 saturating residual add of round(v * f),
 * 2 ReLU^2 of v, else v. */
void bitrl_native_rescale(const uint8_t *acc, int32_t unbias, int32_t rows, int32_t f, uint8_t *y, int32_t mode);

/* normF32: out f32[n] = RMSNorm(x) * g from the integer x i32[n] and gains G i32[n] = g 2^gs (the features). */
void bitrl_native_norm_f32(const uint8_t *x, const uint8_t *g, int32_t gs, int32_t n, uint8_t *out);

/* rowsOutI32 of int8 accumulators acc i32[rows] into y i32[rows]: multiplier a x scales[r] (i32; f1 for every row
 * when scales is NULL), round(acc f) in 64 bits, put by mode (0 saturating residual add, 1 raw with 8 fractional
 * bits, 2 ReLU^2). */
void bitrl_native_i8_rows(const uint8_t *acc, int32_t rows, int32_t a, int32_t f1, const uint8_t *scales, uint8_t *y,
                          int32_t mode);

/* fxFromF32Bits over rows f32 scales at p, in place (a row block's scales as multipliers). */
void bitrl_native_scales_fx(uint8_t *p, int32_t rows);

/* fxMul: the product of two multipliers (e << 16 | m), rounded to a 15-bit mantissa (native_attention.c uses it). */
int32_t bitrl_native_fx_mul(int32_t a, int32_t b);

#endif
