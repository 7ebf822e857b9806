/* The module's kernel imports bound to C kernels compiled for the board (BITRL_NATIVE_KERNELS, the `wasm3+native`
 * backend), or refused (plain wasm3, WAMR: kernel_binding answers 0, so the module never calls them). Each k_*
 * checks its sizes and every pointer range against linear memory before a byte is touched, as the module's checked
 * exports do; a bad range traps as an out-of-bounds access. */
#include "native_bind.h"
#include "native_attention.h"
#include "native_f32.h"
#include "native_fixed.h"
#include "native_kernels.h"

const char *bitrl_imp_kernel_binding(const bitrl_linear_memory *mem, const uint64_t *a, uint64_t *ret) {
    (void)mem, (void)a;
    *ret = BITRL_NATIVE_KERNELS ? 1u : 0u;
    return NULL;
}

#if BITRL_NATIVE_KERNELS

/* [p, p + len) inside linear memory (64-bit sums: no overflow). */
static int in_mem(const bitrl_linear_memory *mem, uint32_t p, uint64_t len) {
    return mem->base != NULL && (uint64_t)p + len <= mem->size;
}
static int dim_ok(int32_t n) { return n >= 1 && n <= (1 << 24); }

const char *bitrl_imp_k_t3_matvec(const bitrl_linear_memory *mem, const uint64_t *a, uint64_t *ret) {
    (void)ret;
    uint32_t x4 = (uint32_t)a[0], w = (uint32_t)a[2], acc = (uint32_t)a[5], lut = (uint32_t)a[6];
    int32_t cols = (int32_t)a[1], rows = (int32_t)a[3], stride = (int32_t)a[4];
    if (!dim_ok(cols) || !dim_ok(rows)) return bitrl_trap_out_of_bounds;
    uint32_t groups = ((uint32_t)cols + 4u) / 5u;
    if (groups > 39u || stride < (int32_t)groups) return bitrl_trap_out_of_bounds;
    if (!in_mem(mem, x4, 40ull * groups) || !in_mem(mem, w, (uint64_t)(rows - 1) * (uint32_t)stride + groups) ||
        !in_mem(mem, acc, 8ull * (uint32_t)rows) || !in_mem(mem, lut, 288ull * groups))
        return bitrl_trap_out_of_bounds;
    bitrl_native_t3_matvec_x4(mem->base + x4, (uint32_t)cols, mem->base + w, (uint32_t)rows, (uint32_t)stride,
                              mem->base + acc, mem->base + lut);
    return NULL;
}

const char *bitrl_imp_k_quant(const bitrl_linear_memory *mem, const uint64_t *a, uint64_t *ret) {
    uint32_t x = (uint32_t)a[0], out = (uint32_t)a[3];
    int32_t n = (int32_t)a[1], qin = (int32_t)a[2], lanes = (int32_t)a[4] != 0;
    if (!dim_ok(n) || !in_mem(mem, x, 4ull * (uint32_t)n) || !in_mem(mem, out, (lanes ? 8ull : 1ull) * (uint32_t)n))
        return bitrl_trap_out_of_bounds;
    *ret = (uint32_t)bitrl_native_quant(mem->base + x, n, qin, mem->base + out, lanes);
    return NULL;
}

const char *bitrl_imp_k_norm_quant(const bitrl_linear_memory *mem, const uint64_t *a, uint64_t *ret) {
    uint32_t x = (uint32_t)a[0], g = (uint32_t)a[1], out = (uint32_t)a[4];
    int32_t gs = (int32_t)a[2], n = (int32_t)a[3], lanes = (int32_t)a[5] != 0;
    if (!dim_ok(n) || !in_mem(mem, x, 4ull * (uint32_t)n) || !in_mem(mem, g, 4ull * (uint32_t)n) ||
        !in_mem(mem, out, (lanes ? 8ull : 1ull) * (uint32_t)n))
        return bitrl_trap_out_of_bounds;
    *ret = (uint32_t)bitrl_native_norm_quant(mem->base + x, mem->base + g, gs, n, mem->base + out, lanes);
    return NULL;
}

const char *bitrl_imp_k_rescale(const bitrl_linear_memory *mem, const uint64_t *a, uint64_t *ret) {
    (void)ret;
    uint32_t acc = (uint32_t)a[0], y = (uint32_t)a[4];
    int32_t unbias = (int32_t)a[1], rows = (int32_t)a[2], f = (int32_t)a[3], mode = (int32_t)a[5];
    if (!dim_ok(rows) || !in_mem(mem, acc, 8ull * (uint32_t)rows) || !in_mem(mem, y, 4ull * (uint32_t)rows))
        return bitrl_trap_out_of_bounds;
    bitrl_native_rescale(mem->base + acc, unbias, rows, f, mem->base + y, mode);
    return NULL;
}

const char *bitrl_imp_k_norm_f32(const bitrl_linear_memory *mem, const uint64_t *a, uint64_t *ret) {
    (void)ret;
    uint32_t x = (uint32_t)a[0], g = (uint32_t)a[1], out = (uint32_t)a[4];
    int32_t gs = (int32_t)a[2], n = (int32_t)a[3];
    if (!dim_ok(n) || !in_mem(mem, x, 4ull * (uint32_t)n) || !in_mem(mem, g, 4ull * (uint32_t)n) ||
        !in_mem(mem, out, 4ull * (uint32_t)n))
        return bitrl_trap_out_of_bounds;
    bitrl_native_norm_f32(mem->base + x, mem->base + g, gs, n, mem->base + out);
    return NULL;
}

const char *bitrl_imp_k_attention(const bitrl_linear_memory *mem, const uint64_t *a, uint64_t *ret) {
    (void)ret;
    uint32_t qkv = (uint32_t)a[0], rope = (uint32_t)a[4], mult = (uint32_t)a[5], qk8 = (uint32_t)a[6],
             sc = (uint32_t)a[7], out = (uint32_t)a[8], exp2 = (uint32_t)a[11];
    int32_t n = (int32_t)a[1], dim = (int32_t)a[2], heads = (int32_t)a[3], score_fx = (int32_t)a[9], P = (int32_t)a[10];
    if (P < 1 || P > 4096 || n < 1 || n > P || dim < 2 || dim > 4096 || heads < 1 || dim % heads != 0 ||
        (dim / heads) % 2 != 0)
        return bitrl_trap_out_of_bounds;
    uint64_t un = (uint32_t)n, up = (uint32_t)P, ud = (uint32_t)dim, uh = (uint32_t)heads;
    if (!in_mem(mem, qkv, un * 12 * ud) || !in_mem(mem, rope, un * 4 * (ud / uh)) || !in_mem(mem, mult, un * 4) ||
        !in_mem(mem, qk8, up * 2 * ud + un * 8 * uh) || !in_mem(mem, sc, (up + un) * 4) ||
        !in_mem(mem, out, un * 4 * ud) || !in_mem(mem, exp2, 512))
        return bitrl_trap_out_of_bounds;
    bitrl_native_attention(mem->base + qkv, n, dim, heads, mem->base + rope, mem->base + mult, mem->base + qk8,
                           mem->base + sc, mem->base + out, score_fx, P, mem->base + exp2);
    return NULL;
}

/* k_baseline: the baseline kinds' kernels by op (fp32: 0 linear, 1 RMSNorm, 2 attention; int8: 3 matvec, 4 per-row
 * outputs, 5 row scales to multipliers) and every kind's RL head layer (6), each with its own checks. */
const char *bitrl_imp_k_baseline(const bitrl_linear_memory *mem, const uint64_t *a, uint64_t *ret) {
    (void)ret;
    int32_t op = (int32_t)a[0];
    if (op == 0) {
        /* (w, x, y, rows, cols, mode | n << 4, xs | ys << 16): n tokens, strides in floats */
        uint32_t w = (uint32_t)a[1], x = (uint32_t)a[2], y = (uint32_t)a[3], mn = (uint32_t)a[6],
                 packed = (uint32_t)a[7];
        int32_t rows = (int32_t)a[4], cols = (int32_t)a[5], mode = (int32_t)(mn & 15u), n = (int32_t)(mn >> 4);
        int32_t xs = (int32_t)(packed & 0xffffu), ys = (int32_t)(packed >> 16);
        if (!dim_ok(rows) || !dim_ok(cols) || mode > 2 || n < 1 || n > 15 || xs < cols || ys < rows)
            return bitrl_trap_out_of_bounds;
        if (!in_mem(mem, w, 4ull * (uint32_t)rows * (uint32_t)cols) ||
            !in_mem(mem, x, 4ull * ((uint64_t)(n - 1) * (uint32_t)xs + (uint32_t)cols)) ||
            !in_mem(mem, y, 4ull * ((uint64_t)(n - 1) * (uint32_t)ys + (uint32_t)rows)))
            return bitrl_trap_out_of_bounds;
        bitrl_native_f32_linear_tokens(mem->base + w, mem->base + x, xs, mem->base + y, ys, rows, cols, n, mode);
    } else if (op == 1) {
        uint32_t x = (uint32_t)a[1], g = (uint32_t)a[2], out = (uint32_t)a[3];
        int32_t n = (int32_t)a[4];
        if (!dim_ok(n) || !in_mem(mem, x, 4ull * (uint32_t)n) || !in_mem(mem, g, 4ull * (uint32_t)n) ||
            !in_mem(mem, out, 4ull * (uint32_t)n))
            return bitrl_trap_out_of_bounds;
        bitrl_native_f32_rmsnorm(mem->base + x, mem->base + g, mem->base + out, n);
    } else if (op == 2) {
        uint32_t qkv = (uint32_t)a[1], rope = (uint32_t)a[5], sc = (uint32_t)a[6], out = (uint32_t)a[7];
        int32_t n = (int32_t)a[2], dim = (int32_t)a[3], heads = (int32_t)a[4];
        if (n < 1 || n > 4096 || dim < 2 || dim > 4096 || heads < 1 || dim % heads != 0 || (dim / heads) % 2 != 0)
            return bitrl_trap_out_of_bounds;
        uint64_t un = (uint32_t)n, ud = (uint32_t)dim, uh = (uint32_t)heads;
        if (!in_mem(mem, qkv, un * 12 * ud) || !in_mem(mem, rope, un * 4 * (ud / uh)) || !in_mem(mem, sc, un * 4) ||
            !in_mem(mem, out, un * 4 * ud))
            return bitrl_trap_out_of_bounds;
        bitrl_native_f32_attention(mem->base + qkv, n, dim, heads, mem->base + rope, mem->base + sc, mem->base + out);
    } else if (op == 3) {
        /* (w, x, acc, rows, cols, n, xs | accs << 16): n tokens, strides in elements */
        uint32_t w = (uint32_t)a[1], x = (uint32_t)a[2], acc = (uint32_t)a[3], packed = (uint32_t)a[7];
        int32_t rows = (int32_t)a[4], cols = (int32_t)a[5], n = (int32_t)a[6];
        int32_t xs = (int32_t)(packed & 0xffffu), accs = (int32_t)(packed >> 16);
        if (!dim_ok(rows) || !dim_ok(cols) || n < 1 || n > 15 || xs < cols || accs < rows ||
            !in_mem(mem, w, (uint64_t)(uint32_t)rows * (uint32_t)cols) ||
            !in_mem(mem, x, (uint64_t)(n - 1) * (uint32_t)xs + (uint32_t)cols) ||
            !in_mem(mem, acc, 4ull * ((uint64_t)(n - 1) * (uint32_t)accs + (uint32_t)rows)))
            return bitrl_trap_out_of_bounds;
        bitrl_native_i8_matvec_tokens(mem->base + w, mem->base + x, xs, mem->base + acc, accs, rows, cols, n);
    } else if (op == 4) {
        uint32_t acc = (uint32_t)a[1], scales = (uint32_t)a[5], y = (uint32_t)a[6];
        int32_t rows = (int32_t)a[2], am = (int32_t)a[3], f1 = (int32_t)a[4], mode = (int32_t)a[7];
        if (!dim_ok(rows) || mode < 0 || mode > 2 || !in_mem(mem, acc, 4ull * (uint32_t)rows) ||
            !in_mem(mem, y, 4ull * (uint32_t)rows) || (scales != 0 && !in_mem(mem, scales, 4ull * (uint32_t)rows)))
            return bitrl_trap_out_of_bounds;
        bitrl_native_i8_rows(mem->base + acc, rows, am, f1, scales ? mem->base + scales : NULL, mem->base + y, mode);
    } else if (op == 5) {
        uint32_t p = (uint32_t)a[1];
        int32_t rows = (int32_t)a[2];
        if (!dim_ok(rows) || !in_mem(mem, p, 4ull * (uint32_t)rows)) return bitrl_trap_out_of_bounds;
        bitrl_native_scales_fx(mem->base + p, rows);
    } else if (op == 6) {
        /* (w, b, x, y, rows, cols, relu): the RL head's layer */
        uint32_t w = (uint32_t)a[1], b = (uint32_t)a[2], x = (uint32_t)a[3], y = (uint32_t)a[4];
        int32_t rows = (int32_t)a[5], cols = (int32_t)a[6], relu = (int32_t)a[7];
        if (!dim_ok(rows) || !dim_ok(cols) || relu < 0 || relu > 1 ||
            !in_mem(mem, w, 4ull * (uint32_t)rows * (uint32_t)cols) || !in_mem(mem, b, 4ull * (uint32_t)rows) ||
            !in_mem(mem, x, 4ull * (uint32_t)cols) || !in_mem(mem, y, 4ull * (uint32_t)rows))
            return bitrl_trap_out_of_bounds;
        bitrl_native_f32_affine(mem->base + w, mem->base + b, mem->base + x, mem->base + y, rows, cols, relu);
    } else {
        return bitrl_trap_out_of_bounds;
    }
    return NULL;
}

#else

static const char k_unbound[] = "[trap] kernel import called, but this firmware binds the module's own kernels";

const char *bitrl_imp_k_unbound(const bitrl_linear_memory *mem, const uint64_t *a, uint64_t *ret) {
    (void)mem, (void)a, (void)ret;
    return k_unbound;
}

#endif
