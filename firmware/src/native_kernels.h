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
 * i16[ceil(cols/5) * 243 + 13] from x (the 13 entries absorb invalid bytes 243..255), the matvec reads it. */
void bitrl_native_lut_build_t3(const int8_t *x /* (cols) */, uint32_t cols, int16_t *lut);
void bitrl_native_matvec_t3_lut(const uint8_t *w /* (rows, ceil(cols/5)) */, const int16_t *lut, int32_t *y /* (rows) */,
                                uint32_t rows, uint32_t cols);

#endif
