/* WAMR build settings of the bitrl firmware, force-included (-include) before every WAMR source and vm_wamr.c so
 * the runtime and the firmware agree on them: the fast interpreter only, no AOT/JIT, no libc or WASI imports (the
 * agent imports only module "bitrl"), no threads, no logging (the serial link carries the protocol). */
#ifndef BITRL_WAMR_SETTINGS_H
#define BITRL_WAMR_SETTINGS_H

#define WASM_ENABLE_INTERP 1
#define WASM_ENABLE_FAST_INTERP 1 /* WAMR pre-compiles each function into its own operand-slot code at load */
#define WASM_ENABLE_AOT 0
#define WASM_ENABLE_JIT 0
#define WASM_ENABLE_LIBC_BUILTIN 0
#define WASM_ENABLE_LIBC_WASI 0
#define WASM_ENABLE_MULTI_MODULE 0
#define WASM_ENABLE_MINI_LOADER 0 /* the full loader validates the module */
#define WASM_ENABLE_BULK_MEMORY 0 /* the module is built without bulk memory (asconfig.json) */
#define WASM_ENABLE_SHARED_MEMORY 0
#define WASM_ENABLE_THREAD_MGR 0
#define WASM_ENABLE_LIB_PTHREAD 0
#define WASM_ENABLE_LOG 0
#define WASM_ENABLE_MEMORY_PROFILING 0
#define WASM_DISABLE_HW_BOUND_CHECK 1 /* no MMU, no signals: every access is checked in software */
#define BH_MALLOC wasm_runtime_malloc /* every allocation of the runtime comes from the fixed pool */
#define BH_FREE wasm_runtime_free
#define BH_PLATFORM_BITRL 1

#if defined(__arm__) && defined(__thumb__) && defined(__ARM_FP)
#define BUILD_TARGET_THUMB_VFP /* picks invokeNative_thumb_vfp.s's calling convention (hard float) */
#endif

#endif
