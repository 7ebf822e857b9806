/* Host imports of the agent module, one table for every engine (docs/abi.md). Blob bytes come from the active
 * flash slot (slots.c); the clock is the HAL's; log text is kept (last message) for error replies, since the
 * serial line carries only frames. */
#include <string.h>
#include "host_imports.h"
#include "native_bind.h"
#include "slots.h"
#include "hal.h"

const char bitrl_trap_out_of_bounds[] = "[trap] out of bounds memory access";

#define LOG_CAP 160 /* bytes of the last log message kept for ERR_TRAP replies */
static char g_last_log[LOG_CAP];

/* [p, p + len) inside linear memory, without overflow. */
static int mem_range_ok(const bitrl_linear_memory *mem, uint32_t p, uint32_t len) {
    return mem->base != NULL && (uint64_t)p + len <= mem->size;
}

int32_t bitrl_host_blob_read(const bitrl_linear_memory *mem, uint32_t offset, uint32_t dst, uint32_t len) {
    if (bitrl_slots_active() < 0) return -3;
    if (!mem_range_ok(mem, dst, len)) return -2;
    int r = bitrl_slots_read_active(offset, mem->base + dst, len);
    if (r == -1) return -1;
    return r == 0 ? 0 : -3;
}

int32_t bitrl_host_blob_size(void) {
    int a = bitrl_slots_active();
    return a < 0 ? 0 : (int32_t)bitrl_slots_info(a)->bytes;
}

int64_t bitrl_host_clock(void) { return (int64_t)hal_clock(); }

const char *bitrl_host_log(const bitrl_linear_memory *mem, uint32_t ptr, uint32_t len) {
    if (!mem_range_ok(mem, ptr, len)) return bitrl_trap_out_of_bounds;
    uint32_t k = len < LOG_CAP - 1 ? len : LOG_CAP - 1;
    memcpy(g_last_log, mem->base + ptr, k);
    g_last_log[k] = '\0';
    return NULL;
}

const char *bitrl_host_last_log(void) { return g_last_log; }
void bitrl_host_log_clear(void) { g_last_log[0] = '\0'; }

static const char *imp_blob_read(const bitrl_linear_memory *mem, const uint64_t *a, uint64_t *ret) {
    *ret = (uint32_t)bitrl_host_blob_read(mem, (uint32_t)a[0], (uint32_t)a[1], (uint32_t)a[2]);
    return NULL;
}
static const char *imp_blob_size(const bitrl_linear_memory *mem, const uint64_t *a, uint64_t *ret) {
    (void)mem;
    (void)a;
    *ret = (uint32_t)bitrl_host_blob_size();
    return NULL;
}
static const char *imp_clock(const bitrl_linear_memory *mem, const uint64_t *a, uint64_t *ret) {
    (void)mem;
    (void)a;
    *ret = (uint64_t)bitrl_host_clock();
    return NULL;
}
static const char *imp_log(const bitrl_linear_memory *mem, const uint64_t *a, uint64_t *ret) {
    (void)ret;
    return bitrl_host_log(mem, (uint32_t)a[0], (uint32_t)a[1]);
}

const bitrl_host_import bitrl_host_imports[] = {
    {"bitrl", "blob_read", "i(iii)", 3, 1, imp_blob_read},
    {"bitrl", "blob_size", "i()", 0, 1, imp_blob_size},
    {"bitrl", "clock", "I()", 0, 1, imp_clock},
    {"bitrl", "log", "v(ii)", 2, 0, imp_log},
    /* kernel imports (native_bind.c): bound to C kernels in the wasm3+native build, never called otherwise */
    {"bitrl", "kernel_binding", "i()", 0, 1, bitrl_imp_kernel_binding},
    {"bitrl", "k_t3_matvec", "v(iiiiiii)", 7, 0, bitrl_imp_k_t3_matvec},
    {"bitrl", "k_quant", "i(iiiii)", 5, 1, bitrl_imp_k_quant},
    {"bitrl", "k_norm_quant", "i(iiiiii)", 6, 1, bitrl_imp_k_norm_quant},
    {"bitrl", "k_rescale", "v(iiiiii)", 6, 0, bitrl_imp_k_rescale},
    {"bitrl", "k_norm_f32", "v(iiiii)", 5, 0, bitrl_imp_k_norm_f32},
    {"bitrl", "k_attention", "v(iiiiiiiiiiii)", 12, 0, bitrl_imp_k_attention},
    {"bitrl", "k_baseline", "v(iiiiiiii)", 8, 0, bitrl_imp_k_baseline},
};
const uint32_t bitrl_host_import_count = sizeof bitrl_host_imports / sizeof bitrl_host_imports[0];
