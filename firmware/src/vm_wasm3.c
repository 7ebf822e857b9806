/* The vm.h engine on wasm3: one environment, one runtime, the agent module, imports linked from the one table in
 * host_imports.c through a single trampoline. Every wasm3 result is checked and passed up unchanged. Reached only
 * through bitrl_vm3_dispatch (vm_wasm3_abi.c implements vm.h): see vm_wasm3.h for why. */
#include <string.h>
#include "vm_wasm3.h"
#include "host_imports.h"
#include "hal.h"
#include "bitrl_config.h"
#include "wasm3.h"
#include "m3_config.h"
#include "m3_env.h" /* M3Runtime.memoryLimit */
#include "stack_floor.h"

/* wasm3's allocator (m3_core.h); used only to read the fixed heap's position, see vm3_heap_used. */
void *m3_Malloc(size_t i_size);
void m3_FreeImpl(void *i_ptr);
/* the C stack floor op_Entry checks (scripts/toolchain/wasm3-native-stack.mjs) */
extern uintptr_t bitrl_wasm3_native_floor;

static IM3Environment g_env;
static IM3Runtime g_rt;
static IM3Module g_mod;
#if d_m3FixedHeap
static const uint8_t *g_heap_base; /* first block the fixed heap handed out, before wasm3 took any */
#endif

static const char k_no_export[] = "ERR_NO_EXPORT";
static const char k_bad_args[] = "ERR_BAD_ARGS";
static const char k_not_ready[] = "ERR_NO_MODULE";

/* One trampoline for every import: the table entry arrives as the import's userdata. */
static m3ApiRawFunction(vm_import_trampoline) {
    const bitrl_host_import *imp = (const bitrl_host_import *)_ctx->userdata;
    uint64_t args[BITRL_HOST_MAX_ARGS]; /* only the first argc are read */
    uint64_t ret = 0;
    uint64_t *slot = _sp + (imp->has_result ? 1 : 0);
    for (uint32_t i = 0; i < imp->argc && i < BITRL_HOST_MAX_ARGS; i++) args[i] = slot[i];
    bitrl_linear_memory mem;
    mem.base = m3_GetMemory(runtime, &mem.size, 0);
    const char *trap = imp->fn(&mem, args, &ret);
    if (trap) return trap == bitrl_trap_out_of_bounds ? m3Err_trapOutOfBoundsMemoryAccess : trap;
    if (imp->has_result) _sp[0] = ret;
    return m3Err_none;
}

static const char *vm3_init(const uint8_t *wasm, uint32_t len) {
#if d_m3FixedHeap
    if (!g_heap_base) {
        uint8_t *probe = (uint8_t *)m3_Malloc(16);
        g_heap_base = probe;
        m3_FreeImpl(probe); /* the last block goes back: the heap is as it was */
    }
#endif
    bitrl_wasm3_native_floor = bitrl_stack_floor();
    g_env = m3_NewEnvironment();
    if (!g_env) return "m3_NewEnvironment failed (heap too small?)";
    g_rt = m3_NewRuntime(g_env, BITRL_CFG_WASM_STACK_BYTES, NULL);
    if (!g_rt) return "m3_NewRuntime failed (heap too small for the stack?)";
#if BITRL_CFG_WASM_MEMORY_LIMIT
    /* map only the low part of the module's linear memory: memory.size still reports the declared pages, every
     * access at or above the mapped bytes traps as out of bounds (wasm3 checks against the mapped length) */
    g_rt->memoryLimit = BITRL_CFG_WASM_MEMORY_LIMIT;
#endif
    M3Result r = m3_ParseModule(g_env, &g_mod, wasm, len);
    if (r) return r;
    r = m3_LoadModule(g_rt, g_mod);
    if (r) {
        m3_FreeModule(g_mod);
        g_mod = NULL;
        return r;
    }
    for (uint32_t i = 0; i < bitrl_host_import_count; i++) {
        const bitrl_host_import *imp = &bitrl_host_imports[i];
        r = m3_LinkRawFunctionEx(g_mod, imp->module, imp->name, imp->signature, vm_import_trampoline, imp);
        /* a module that does not import a function is fine; any other failure is not */
        if (r && r != m3Err_functionLookupFailed) return r;
    }
#if BITRL_CFG_WASM_MEMORY_LIMIT
    /* tell the module how much is mapped, so allocations sized by the free memory (a PPO rollout) stay below */
    IM3Function map;
    if (m3_FindFunction(&map, g_rt, "memory_map") == m3Err_none) {
        uint32_t bytes = BITRL_CFG_WASM_MEMORY_LIMIT;
        const void *arg[1] = {&bytes};
        r = m3_Call(map, 1, arg);
        if (r) return r;
    }
#endif
    return NULL;
}

static const char *vm_find(const char *name, uint32_t argc, IM3Function *f) {
    if (!g_rt || !g_mod) return k_not_ready;
    M3Result r = m3_FindFunction(f, g_rt, name);
    if (r) return k_no_export;
    if (m3_GetArgCount(*f) != argc || m3_GetRetCount(*f) > 1) return k_bad_args;
    for (uint32_t i = 0; i < argc; i++)
        if (m3_GetArgType(*f, i) != c_m3Type_i32) return k_bad_args;
    return NULL;
}

/* The firmware's value type of each wasm3 result type (others: none). */
static const bitrl_val_type k_result_types[] = {[c_m3Type_i32] = BITRL_VAL_I32,
                                                [c_m3Type_i64] = BITRL_VAL_I64,
                                                [c_m3Type_f32] = BITRL_VAL_F32,
                                                [c_m3Type_f64] = BITRL_VAL_F64};

static const char *vm_result(IM3Function f, bitrl_vm_value *ret) {
    ret->type = BITRL_VAL_NONE;
    ret->bits = 0;
    if (m3_GetRetCount(f) == 0) return NULL;
    uint64_t v = 0;
    const void *ptrs[1] = {&v};
    M3Result r = m3_GetResults(f, 1, ptrs);
    if (r) return r;
    M3ValueType t = m3_GetRetType(f, 0);
    if (t >= sizeof k_result_types / sizeof k_result_types[0] || k_result_types[t] == BITRL_VAL_NONE) return k_bad_args;
    bitrl_vm_result_of(ret, k_result_types[t], v);
    return NULL;
}

static const char *vm3_bench(const char *name, const int32_t *args, uint32_t argc, uint32_t reps, bitrl_vm_value *ret,
                             uint64_t *ticks) {
    IM3Function f;
    const char *e = vm_find(name, argc, &f);
    if (e) return e;
    if (argc > BITRL_CFG_MAX_CALL_ARGS || reps == 0 || reps > BITRL_CFG_MAX_BENCH_REPS) return k_bad_args;
    const void *ptrs[BITRL_CFG_MAX_CALL_ARGS];
    for (uint32_t i = 0; i < argc; i++) ptrs[i] = &args[i];
    uint64_t t0 = hal_clock();
    M3Result r = m3Err_none;
    for (uint32_t k = 0; k < reps && !r; k++) r = m3_Call(f, argc, ptrs);
    uint64_t t1 = hal_clock();
    *ticks = t1 - t0;
    if (r) return r;
    return vm_result(f, ret);
}

static uint8_t *vm3_memory(uint32_t *size) {
    *size = 0;
    if (!g_rt || !g_mod) return NULL;
    return m3_GetMemory(g_rt, size, 0);
}

static int vm3_has(const char *name) {
    IM3Function f;
    return g_rt && g_mod && m3_FindFunction(&f, g_rt, name) == m3Err_none;
}

static int64_t vm3_heap_used(void) {
#if d_m3FixedHeap
    /* The fixed heap is a bump allocator (only the last block is ever returned), so the next block's address
     * minus the first one's is the high-water mark. */
    if (!g_heap_base) return -1;
    uint8_t *probe = (uint8_t *)m3_Malloc(16);
    if (!probe) return (int64_t)d_m3FixedHeap;
    int64_t used = (int64_t)(probe - g_heap_base);
    m3_FreeImpl(probe);
    return used;
#else
    return -1;
#endif
}

static int64_t vm3_stack_peak(uint32_t *size) {
    *size = 0;
    if (!g_rt || !g_rt->stack) return -1;
    /* wasm3 takes the stack zeroed (m3_Malloc clears it) and grows it upwards, so the highest non-zero byte is
     * how far any call chain has written: a lower bound of what its frames reserved (a slot that only ever held 0
     * is not seen), which is why the builds keep the stack at twice the shipped agents' peak (docs/firmware.md). */
    const uint8_t *st = (const uint8_t *)g_rt->stack;
    uint32_t n = g_rt->numStackSlots * (uint32_t)sizeof(m3slot_t);
    *size = n;
    while (n > 0 && st[n - 1] == 0) n--;
    return n;
}

void bitrl_vm3_dispatch(bitrl_vm3_call *c) {
    switch (c->op) {
        case VM3_INIT:
            c->error = vm3_init(c->wasm, c->len);
            break;
        case VM3_BENCH:
            c->error = vm3_bench(c->name, c->args, c->argc, c->reps, c->ret, c->ticks);
            break;
        case VM3_MEMORY:
            c->memory = vm3_memory(c->size);
            break;
        case VM3_HAS:
            c->value = vm3_has(c->name);
            break;
        case VM3_HEAP_USED:
            c->value = vm3_heap_used();
            break;
        case VM3_STACK_PEAK:
            c->value = vm3_stack_peak(c->size);
            break;
    }
}
