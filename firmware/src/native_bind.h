/* The kernel imports of the agent module (docs/abi.md "Kernel imports": kernel_binding, k_t3_matvec, k_quant,
 * k_norm_quant, k_rescale, k_attention, k_norm_f32, k_baseline) as host-import
 * table entries (host_imports.c). With BITRL_NATIVE_KERNELS (the `wasm3+native` backend) kernel_binding answers 1
 * and the k_* imports run the C kernels of native_fixed.c, native_kernels.c, native_attention.c and native_f32.c
 * after checking every pointer range; without it kernel_binding answers 0 (the module calls its own
 * kernels) and a k_* call traps. The AOT backend answers 0 itself (firmware/aot/vm_aot.c). */
#ifndef BITRL_NATIVE_BIND_H
#define BITRL_NATIVE_BIND_H
#include "host_imports.h"

#ifndef BITRL_NATIVE_KERNELS
#define BITRL_NATIVE_KERNELS 0 /* 1 in the wasm3+native build (platformio.ini, buildHostFirmware) */
#endif

const char *bitrl_imp_kernel_binding(const bitrl_linear_memory *mem, const uint64_t *a, uint64_t *ret);
#if BITRL_NATIVE_KERNELS
const char *bitrl_imp_k_t3_matvec(const bitrl_linear_memory *mem, const uint64_t *a, uint64_t *ret);
const char *bitrl_imp_k_quant(const bitrl_linear_memory *mem, const uint64_t *a, uint64_t *ret);
const char *bitrl_imp_k_norm_quant(const bitrl_linear_memory *mem, const uint64_t *a, uint64_t *ret);
const char *bitrl_imp_k_rescale(const bitrl_linear_memory *mem, const uint64_t *a, uint64_t *ret);
const char *bitrl_imp_k_norm_f32(const bitrl_linear_memory *mem, const uint64_t *a, uint64_t *ret);
const char *bitrl_imp_k_attention(const bitrl_linear_memory *mem, const uint64_t *a, uint64_t *ret);
const char *bitrl_imp_k_baseline(const bitrl_linear_memory *mem, const uint64_t *a, uint64_t *ret);
#else
/* one refusal for every k_* (same signature): the module never calls them when kernel_binding answers 0 */
const char *bitrl_imp_k_unbound(const bitrl_linear_memory *mem, const uint64_t *a, uint64_t *ret);
#define bitrl_imp_k_t3_matvec bitrl_imp_k_unbound
#define bitrl_imp_k_quant bitrl_imp_k_unbound
#define bitrl_imp_k_norm_quant bitrl_imp_k_unbound
#define bitrl_imp_k_rescale bitrl_imp_k_unbound
#define bitrl_imp_k_attention bitrl_imp_k_unbound
#define bitrl_imp_k_norm_f32 bitrl_imp_k_unbound
#define bitrl_imp_k_baseline bitrl_imp_k_unbound
#endif

#endif
