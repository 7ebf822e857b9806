/* Native C kernels: the speed floor `bitrl bench` compares the interpreted module against, on the same board. */
#ifndef BITRL_NATIVE_KERNELS_H
#define BITRL_NATIVE_KERNELS_H
#include <stdint.h>

/* y[r] = sum_c w[r][c] * x[c] for an i2-packed (rows, cols) ternary matrix (docs/format.md: code = w + 1, four
 * weights per byte, LSB first, each row padded to a byte), int8 x (cols), int32 y (rows). Plain reference form. */
void bitrl_native_matvec_i2(const uint8_t *w /* (rows, ceil(cols/4)) */, const int8_t *x /* (cols) */,
                            int32_t *y /* (rows) */, uint32_t rows, uint32_t cols);

/* The same product for a t3-packed (rows, cols) matrix (five weights per byte, first weight the least significant
 * trit, rows ceil(cols/5) bytes) through lookup tables, as the module's LUT kernels: lut_build fills lut
 * i16[ceil(cols/5) * 243 + 13] from x (entries biased by 1024; the 13 absorb invalid bytes 243..255), the matvec reads
 * it. */
void bitrl_native_lut_build_t3(const int8_t *x /* (cols) */, uint32_t cols, int16_t *lut);
void bitrl_native_matvec_t3_lut(const uint8_t *w /* (rows, ceil(cols/5)) */, const int16_t *lut,
                                int32_t *y /* (rows) */, uint32_t rows, uint32_t cols);

/* The backbone's token-packed t3 product (the module's k_t3_matvec, assembly/kernels/bound.ts): lane k (u16 at byte
 * 2k) of acc[r] (8 bytes per row) = g * 1024 + sum_c w[r][c] x[k][c] for the g = ceil(cols/5) groups, x4 the
 * interleaved activations (u16[5 g][4], x + 128), t3 rows `stride` bytes apart, cols <= 195. Split tables (27 + 9
 * entries of four lanes per group) go to lut (g * 288 bytes of scratch). Invalid bytes 243..255 count as 0. */
void bitrl_native_t3_matvec_x4(const uint8_t *x4, uint32_t cols, const uint8_t *w, uint32_t rows, uint32_t stride,
                               uint8_t *acc, uint8_t *lut);

/* matvec_i8: acc i32[rows] = i8 rows w[rows][cols] (contiguous) times i8 x[cols], wrapping as wasm's i32 does (the
 * `wasm3+native` binding of k_baseline's int8 op; SMLAD on cores with the DSP extension). */
void bitrl_native_i8_matvec(const uint8_t *w, const uint8_t *x, uint8_t *acc, int32_t rows, int32_t cols);
/* The same for n tokens: token t's x i8[cols] at x + t xs, its sums at acc + 4 t accs (xs >= cols, accs >= rows;
 * x and acc apart), two tokens and two rows per pass. */
void bitrl_native_i8_matvec_tokens(const uint8_t *w, const uint8_t *x, int32_t xs, uint8_t *acc, int32_t accs,
                                   int32_t rows, int32_t cols, int32_t n);

#endif
