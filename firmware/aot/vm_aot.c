/* The vm.h engine, ahead of time: the agent module compiled to C by wasm2c (scripts/aot-gen.mjs) and linked into
 * the firmware. Same exports, same host import table (host_imports.c), same replies as vm_wasm3.c; a trap
 * (every memory access is bounds-checked by the generated code) unwinds back here and becomes an error. */
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include "vm.h"
#include "hal.h"
#include "host_imports.h"
#include "bitrl_config.h"
#include "agent.h"
#include "aot_exports.h"
#include "aot_config.h"

extern jmp_buf *bitrl_aot_trap_target;
extern wasm_rt_trap_t bitrl_aot_last_trap;
uint32_t bitrl_aot_memory_pool_bytes(void);

/* wasm2c hands every import the import module's instance; ours only points back at the agent (no import reads it since
 * the kernel imports stopped forwarding to the module's exports). */
struct Z_bitrl_instance_t {
    Z_agent_instance_t *agent;
};

static Z_agent_instance_t g_agent;
static struct Z_bitrl_instance_t g_host = {&g_agent};
static int g_ready;
static char g_trap[48];

static const char k_no_export[] = "ERR_NO_EXPORT";
static const char k_bad_args[] = "ERR_BAD_ARGS";
static const char k_not_ready[] = "ERR_NO_MODULE";

static bitrl_linear_memory module_memory(void) {
    wasm_rt_memory_t *m = Z_agentZ_memory(&g_agent);
    bitrl_linear_memory mem = {m->data, m->size};
    return mem;
}

/* An import that traps (bad pointer) must unwind the compiled module like any other trap. */
static void import_trap(const char *msg) {
    (void)msg;
    wasm_rt_trap(WASM_RT_TRAP_OOB);
}

/* ---- imports of module "bitrl" (docs/abi.md): forwards to the typed functions of host_imports.c */
u32 Z_bitrlZ_blob_read(struct Z_bitrl_instance_t *h, u32 offset, u32 dst, u32 len) {
    (void)h;
    bitrl_linear_memory mem = module_memory();
    return (u32)bitrl_host_blob_read(&mem, offset, dst, len);
}
u32 Z_bitrlZ_blob_size(struct Z_bitrl_instance_t *h) {
    (void)h;
    return (u32)bitrl_host_blob_size();
}
u64 Z_bitrlZ_clock(struct Z_bitrl_instance_t *h) {
    (void)h;
    return (u64)bitrl_host_clock();
}
void Z_bitrlZ_log(struct Z_bitrl_instance_t *h, u32 ptr, u32 len) {
    (void)h;
    bitrl_linear_memory mem = module_memory();
    const char *trap = bitrl_host_log(&mem, ptr, len);
    if (trap) import_trap(trap);
}

/* ---- kernel imports (docs/abi.md "Kernel imports"): kernel_binding answers 0, so the compiled module calls its own
 * kernels directly, as plain wasm3 and WAMR do: one C file, so gcc inlines them into their callers, and the
 * backbone fuses the passes the import interface keeps apart (RoPE and the q/k maxima into the q|k|v outputs, the
 * ReLU^2 maxima into their store; docs/aot.md). The imports must still exist for the module to link; a call traps. */
u32 Z_bitrlZ_kernel_binding(struct Z_bitrl_instance_t *h) {
    (void)h;
    return 0;
}
/* a module that called one anyway ignored kernel_binding: trap as `unreachable` */
static void kernel_import_unbound(void) { wasm_rt_trap(WASM_RT_TRAP_UNREACHABLE); }
void Z_bitrlZ_k_t3_matvec(struct Z_bitrl_instance_t *h, u32 x4, u32 cols, u32 w, u32 rows, u32 stride, u32 acc,
                          u32 lut) {
    (void)h, (void)x4, (void)cols, (void)w, (void)rows, (void)stride, (void)acc, (void)lut;
    kernel_import_unbound();
}
u32 Z_bitrlZ_k_quant(struct Z_bitrl_instance_t *h, u32 x, u32 n, u32 qin, u32 out, u32 lanes) {
    (void)h, (void)x, (void)n, (void)qin, (void)out, (void)lanes;
    kernel_import_unbound();
    return 0;
}
u32 Z_bitrlZ_k_norm_quant(struct Z_bitrl_instance_t *h, u32 x, u32 g, u32 gs, u32 n, u32 out, u32 lanes) {
    (void)h, (void)x, (void)g, (void)gs, (void)n, (void)out, (void)lanes;
    kernel_import_unbound();
    return 0;
}
void Z_bitrlZ_k_rescale(struct Z_bitrl_instance_t *h, u32 acc, u32 unbias, u32 rows, u32 f, u32 y, u32 mode) {
    (void)h, (void)acc, (void)unbias, (void)rows, (void)f, (void)y, (void)mode;
    kernel_import_unbound();
}
void Z_bitrlZ_k_norm_f32(struct Z_bitrl_instance_t *h, u32 x, u32 g, u32 gs, u32 n, u32 out) {
    (void)h, (void)x, (void)g, (void)gs, (void)n, (void)out;
    kernel_import_unbound();
}
void Z_bitrlZ_k_attention(struct Z_bitrl_instance_t *h, u32 qkv, u32 n, u32 dim, u32 heads, u32 rope, u32 mult, u32 qk8,
                          u32 sc, u32 out, u32 score_fx, u32 P, u32 exp2) {
    (void)h, (void)qkv, (void)n, (void)dim, (void)heads, (void)rope, (void)mult, (void)qk8, (void)sc, (void)out,
        (void)score_fx, (void)P, (void)exp2;
    kernel_import_unbound();
}
void Z_bitrlZ_k_baseline(struct Z_bitrl_instance_t *h, u32 op, u32 a, u32 b, u32 c, u32 d, u32 e, u32 f, u32 g) {
    (void)h, (void)op, (void)a, (void)b, (void)c, (void)d, (void)e, (void)f, (void)g;
    kernel_import_unbound();
}

static const char *trap_message(void) {
    if (bitrl_aot_last_trap == WASM_RT_TRAP_OOB) return bitrl_trap_out_of_bounds;
    snprintf(g_trap, sizeof g_trap, "[trap] %s", wasm_rt_strerror(bitrl_aot_last_trap));
    return g_trap;
}

const char *bitrl_vm_init(const uint8_t *wasm, uint32_t len) {
    (void)wasm, (void)len; /* the module is compiled in; the bytes are only the wasm3 backend's input */
    if (g_ready) return NULL;
    jmp_buf guard;
    bitrl_aot_trap_target = &guard;
    if (setjmp(guard)) {
        bitrl_aot_trap_target = NULL;
        return "ERR_AOT_MEMORY: the module's memory exceeds BITRL_CFG_AOT_MEMORY_BYTES";
    }
    wasm_rt_init();
    Z_agent_init_module();
    Z_agent_instantiate(&g_agent, &g_host);
#ifdef BITRL_CFG_AOT_MEMORY_PARTIAL
    /* the module sizes free-memory allocations (a PPO rollout) by what is mapped, not by its declared pages */
    Z_agentZ_memory_map(&g_agent, (u32)bitrl_aot_memory_pool_bytes());
#endif
    bitrl_aot_trap_target = NULL;
    /* aot-gen's cheaper bounds check (addr > size - sizeof(t)) is exact only while size >= 8: require a page */
    if (Z_agentZ_memory(&g_agent)->size < 65536u) return "ERR_AOT_MEMORY: the module's memory is smaller than one page";
    g_ready = 1;
    return NULL;
}

static const bitrl_aot_export *find_export(const char *name) {
    for (unsigned i = 0; i < bitrl_aot_export_count; i++)
        if (strcmp(bitrl_aot_exports[i].name, name) == 0) return &bitrl_aot_exports[i];
    return NULL;
}

static const char *check_args(const bitrl_aot_export *e, uint32_t argc) {
    if (e->param_count != argc || argc > BITRL_CFG_MAX_CALL_ARGS) return k_bad_args;
    for (uint32_t i = 0; i < argc; i++)
        if (e->param_types[i] != BITRL_AOT_I32) return k_bad_args;
    return NULL;
}

/* The firmware's value type of each AOT result type (BITRL_AOT_VOID and unknown ones: none). */
static const bitrl_val_type k_result_types[] = {[BITRL_AOT_I32] = BITRL_VAL_I32,
                                                [BITRL_AOT_I64] = BITRL_VAL_I64,
                                                [BITRL_AOT_F32] = BITRL_VAL_F32,
                                                [BITRL_AOT_F64] = BITRL_VAL_F64};

static void set_result(const bitrl_aot_export *e, uint64_t r, bitrl_vm_value *ret) {
    int known = e->result_type < sizeof k_result_types / sizeof k_result_types[0];
    bitrl_vm_result_of(ret, known ? k_result_types[e->result_type] : BITRL_VAL_NONE, known ? r : 0);
}

const char *bitrl_vm_bench(const char *name, const int32_t *args, uint32_t argc, uint32_t reps, bitrl_vm_value *ret,
                           uint64_t *ticks) {
    if (!g_ready) return k_not_ready;
    const bitrl_aot_export *e = find_export(name);
    if (!e) return k_no_export;
    const char *err = check_args(e, argc);
    if (err) return err;
    if (reps == 0 || reps > BITRL_CFG_MAX_BENCH_REPS) return k_bad_args;
    uint64_t slots[BITRL_CFG_MAX_CALL_ARGS];
    for (uint32_t i = 0; i < argc; i++) slots[i] = (uint32_t)args[i];
    volatile uint64_t t0 = hal_clock();
    uint64_t r = 0;
    jmp_buf guard;
    bitrl_aot_trap_target = &guard;
    if (setjmp(guard)) {
        bitrl_aot_trap_target = NULL;
        *ticks = hal_clock() - t0;
        ret->type = BITRL_VAL_NONE;
        ret->bits = 0;
        return trap_message();
    }
    for (uint32_t k = 0; k < reps; k++) e->thunk(&g_agent, slots, &r);
    uint64_t t1 = hal_clock();
    bitrl_aot_trap_target = NULL;
    *ticks = t1 - t0;
    set_result(e, r, ret);
    return NULL;
}

const char *bitrl_vm_call(const char *name, const int32_t *args, uint32_t argc, bitrl_vm_value *ret, uint64_t *ticks) {
    return bitrl_vm_bench(name, args, argc, 1, ret, ticks);
}

uint8_t *bitrl_vm_memory(uint32_t *size) {
    *size = 0;
    if (!g_ready) return NULL;
    bitrl_linear_memory m = module_memory();
    *size = m.size;
    return m.base;
}

int bitrl_vm_has(const char *name) { return g_ready && find_export(name) != NULL; }

/* No engine heap: the compiled module's only RAM is its linear memory pool (reported as linear memory). */
int64_t bitrl_vm_heap_used(void) { return 0; }

/* wasm frames run on the C stack (wasm2c): no value stack of the engine's own. */
int64_t bitrl_vm_stack_peak(uint32_t *size) {
    *size = 0;
    return -1;
}

const char *bitrl_vm_backend(void) { return "aot"; }
