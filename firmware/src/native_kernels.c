/* Native ternary matvec kernel (i2 packing) used as the floor in `bitrl bench`; bit-exact with the module's. */
#include "native_kernels.h"

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
