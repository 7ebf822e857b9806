/* The vm.h engine on WAMR's fast interpreter (WebAssembly Micro Runtime, the tree vendored by crates.io's wamr-sys
 * 0.1.1): one fixed pool for everything WAMR allocates, handed over once at start-up; the imports linked from the
 * one table in host_imports.c to a single raw trampoline; traps reported in wasm3's words so every backend
 * replies the same. */
#include <stdio.h>
#include <string.h>
#include "vm.h"
#include "hal.h"
#include "host_imports.h"
#include "bitrl_config.h"
#include "wasm_export.h"
#include "wasm_runtime.h" /* WAMR's interpreter types: an export's signature (no public API for it in this tree) */
#include "ems_gc.h"       /* gc_heap_stats: the pool's high-water mark */
#include "wasm_native.h"

#ifndef BITRL_CFG_WAMR_POOL_BYTES
#define BITRL_CFG_WAMR_POOL_BYTES (384 * 1024) /* WAMR's whole heap: module, pre-compiled code, instance, memory */
#endif
#ifndef BITRL_CFG_WAMR_STACK_BYTES
#define BITRL_CFG_WAMR_STACK_BYTES (16 * 1024) /* WAMR's wasm operand and frame stack (in the pool) */
#endif

/* 8-byte aligned, so WAMR's allocator puts its heap header at the pool's first byte (gc_init_with_pool). */
static uint8_t g_pool[BITRL_CFG_WAMR_POOL_BYTES] __attribute__((aligned(8)));
static wasm_module_t g_mod;
static wasm_module_inst_t g_inst;
static wasm_exec_env_t g_exec;
static char g_error[128];

static const char k_no_export[] = "ERR_NO_EXPORT";
static const char k_bad_args[] = "ERR_BAD_ARGS";
static const char k_not_ready[] = "ERR_NO_MODULE";
static const char k_exception_prefix[] = "Exception: "; /* what WAMR puts before every trap message */

static bitrl_linear_memory module_memory(wasm_module_inst_t inst) {
    bitrl_linear_memory mem = {NULL, 0};
    uint32_t start = 0, end = 0;
    if (wasm_runtime_get_app_addr_range(inst, 0, &start, &end)) {
        mem.base = (uint8_t *)wasm_runtime_addr_app_to_native(inst, 0);
        mem.size = end - start;
    }
    return mem;
}

/* One trampoline for every import: the table entry arrives as the import's attachment; WAMR passes the
 * arguments as 64-bit slots and takes the result from the first one, the table's own calling convention. */
static void vm_import_trampoline(wasm_exec_env_t exec, uint64_t *slots) {
    const bitrl_host_import *imp = (const bitrl_host_import *)wasm_runtime_get_function_attachment(exec);
    wasm_module_inst_t inst = wasm_runtime_get_module_inst(exec);
    uint64_t args[BITRL_HOST_MAX_ARGS] = {0};
    uint64_t ret = 0;
    for (uint32_t i = 0; i < imp->argc && i < BITRL_HOST_MAX_ARGS; i++) args[i] = slots[i];
    bitrl_linear_memory mem = module_memory(inst);
    const char *trap = imp->fn(&mem, args, &ret);
    if (trap) {
        /* the interpreter unwinds when an import leaves an exception; the text after "[trap] " is wasm3's */
        const char *text = strncmp(trap, "[trap] ", 7) == 0 ? trap + 7 : trap;
        wasm_runtime_set_exception(inst, text);
        return;
    }
    if (imp->has_result) slots[0] = ret;
}

/* The wasm3-notation letter of a WAMR value type ('i' i32, 'I' i64, 'f' f32, 'F' f64). */
static char type_letter(uint8_t t) {
    switch (t) {
        case VALUE_TYPE_I32: return 'i';
        case VALUE_TYPE_I64: return 'I';
        case VALUE_TYPE_F32: return 'f';
        case VALUE_TYPE_F64: return 'F';
        default: return '?';
    }
}

/* Whether the module declares the import with the table's signature ("i(iii)": result, then parameters). */
static int same_signature(const WASMType *t, const bitrl_host_import *imp) {
    const char *sig = imp->signature;
    if (t->param_count != imp->argc || t->result_count != (imp->has_result ? 1 : 0)) return 0;
    if (imp->has_result && sig[0] != type_letter(t->types[t->param_count])) return 0;
    if (sig[1] != '(') return 0;
    for (uint32_t i = 0; i < t->param_count; i++)
        if (sig[2 + i] != type_letter(t->types[i])) return 0;
    return sig[2 + t->param_count] == ')';
}

/* This WAMR resolves registered natives only for its built-in module names ("env", "wasi_*"), and the agent imports
 * from "bitrl"; so every import is linked here, after loading and before instantiating, straight from the host
 * table. An import the table lacks stays unlinked and traps when called, as under wasm3. */
static const char *link_imports(wasm_module_t mod) {
    WASMModule *m = (WASMModule *)mod;
    for (uint32_t i = 0; i < m->import_function_count; i++) {
        WASMFunctionImport *fi = &m->import_functions[i].u.function;
        for (uint32_t k = 0; k < bitrl_host_import_count; k++) {
            const bitrl_host_import *imp = &bitrl_host_imports[k];
            if (strcmp(fi->module_name, imp->module) != 0 || strcmp(fi->field_name, imp->name) != 0) continue;
            if (!same_signature(fi->func_type, imp)) {
                snprintf(g_error, sizeof g_error, "import %s.%s does not have the host's signature %s", imp->module, imp->name, imp->signature);
                return g_error;
            }
            fi->func_ptr_linked = (void *)vm_import_trampoline;
            fi->signature = NULL; /* no pointer arguments for WAMR to translate: the table checks its own */
            fi->attachment = (void *)imp;
            fi->call_conv_raw = true;
            break;
        }
    }
    return NULL;
}

/* WAMR's loader asks its libc-builtin library for globals imported from "env"; that library is left out of this
 * build and the agent imports no globals, so there are none to find. */
bool wasm_native_lookup_libc_builtin_global(const char *module_name, const char *global_name, WASMGlobalImport *global) {
    (void)module_name, (void)global_name, (void)global;
    return false;
}

const char *bitrl_vm_init(const uint8_t *wasm, uint32_t len) {
    if (g_inst) return NULL;
    RuntimeInitArgs init;
    memset(&init, 0, sizeof init);
    init.mem_alloc_type = Alloc_With_Pool;
    init.mem_alloc_option.pool.heap_buf = g_pool;
    init.mem_alloc_option.pool.heap_size = sizeof g_pool;
    if (!wasm_runtime_full_init(&init)) return "ERR_WAMR: runtime init failed";
    /* the bytes stay in flash: the fast interpreter's loader reads them and writes its code into the pool */
    g_mod = wasm_runtime_load(wasm, len, g_error, sizeof g_error);
    if (!g_mod) return g_error;
    const char *e = link_imports(g_mod);
    if (e) {
        wasm_runtime_unload(g_mod);
        g_mod = NULL;
        return e;
    }
    /* no app heap inside linear memory: the module manages its own (AssemblyScript's stub runtime) */
    g_inst = wasm_runtime_instantiate(g_mod, BITRL_CFG_WAMR_STACK_BYTES, 0, g_error, sizeof g_error);
    if (!g_inst) {
        wasm_runtime_unload(g_mod);
        g_mod = NULL;
        return g_error;
    }
    g_exec = wasm_runtime_create_exec_env(g_inst, BITRL_CFG_WAMR_STACK_BYTES);
    if (!g_exec) {
        wasm_runtime_deinstantiate(g_inst);
        g_inst = NULL;
        return "ERR_WAMR: no room for the execution environment";
    }
    return NULL;
}

static const WASMType *function_type(wasm_function_inst_t f) {
    const WASMFunctionInstance *fi = (const WASMFunctionInstance *)f;
    return fi->is_import_func ? fi->u.func_import->func_type : fi->u.func->func_type;
}

static const char *vm_find(const char *name, uint32_t argc, wasm_function_inst_t *f) {
    if (!g_exec) return k_not_ready;
    *f = wasm_runtime_lookup_function(g_inst, name, NULL);
    if (!*f) return k_no_export;
    const WASMType *t = function_type(*f);
    if (t->param_count != argc || t->result_count > 1) return k_bad_args;
    for (uint32_t i = 0; i < argc; i++)
        if (t->types[i] != VALUE_TYPE_I32) return k_bad_args;
    return NULL;
}

/* The trap as wasm3 words it ("[trap] out of bounds memory access"), WAMR's "Exception: " prefix dropped. */
static const char *trap_message(void) {
    const char *ex = wasm_runtime_get_exception(g_inst);
    if (!ex) return "[trap] unknown";
    if (strncmp(ex, k_exception_prefix, sizeof k_exception_prefix - 1) == 0) ex += sizeof k_exception_prefix - 1;
    if (strcmp(ex, bitrl_trap_out_of_bounds + 7) == 0) return bitrl_trap_out_of_bounds;
    snprintf(g_error, sizeof g_error, "[trap] %s", ex);
    return g_error;
}

static void vm_result(const WASMType *t, const uint32_t *cells, bitrl_vm_value *ret) {
    ret->type = BITRL_VAL_NONE;
    ret->bits = 0;
    if (t->result_count == 0) return;
    uint64_t lo = cells[0], hi = cells[1];
    switch (t->types[t->param_count]) {
        case VALUE_TYPE_I32: ret->type = BITRL_VAL_I32; ret->bits = lo; break;
        case VALUE_TYPE_I64: ret->type = BITRL_VAL_I64; ret->bits = lo | hi << 32; break;
        case VALUE_TYPE_F32: ret->type = BITRL_VAL_F32; ret->bits = lo; break;
        case VALUE_TYPE_F64: ret->type = BITRL_VAL_F64; ret->bits = lo | hi << 32; break;
        default: break;
    }
}

const char *bitrl_vm_bench(const char *name, const int32_t *args, uint32_t argc, uint32_t reps, bitrl_vm_value *ret, uint64_t *ticks) {
    wasm_function_inst_t f;
    const char *e = vm_find(name, argc, &f);
    if (e) return e;
    if (argc > BITRL_CFG_MAX_CALL_ARGS || reps == 0 || reps > BITRL_CFG_MAX_BENCH_REPS) return k_bad_args;
    /* WAMR reads the arguments from and writes the results into the same cells: reload them for every call */
    uint32_t cells[BITRL_CFG_MAX_CALL_ARGS > 2 ? BITRL_CFG_MAX_CALL_ARGS : 2];
    wasm_runtime_clear_exception(g_inst);
    int ok = 1;
    uint64_t t0 = hal_clock();
    for (uint32_t k = 0; k < reps && ok; k++) {
        for (uint32_t i = 0; i < argc; i++) cells[i] = (uint32_t)args[i];
        ok = wasm_runtime_call_wasm(g_exec, f, argc, cells);
    }
    uint64_t t1 = hal_clock();
    *ticks = t1 - t0;
    if (!ok) {
        const char *msg = trap_message();
        wasm_runtime_clear_exception(g_inst);
        return msg;
    }
    vm_result(function_type(f), cells, ret);
    return NULL;
}

const char *bitrl_vm_call(const char *name, const int32_t *args, uint32_t argc, bitrl_vm_value *ret, uint64_t *ticks) {
    return bitrl_vm_bench(name, args, argc, 1, ret, ticks);
}

uint8_t *bitrl_vm_memory(uint32_t *size) {
    *size = 0;
    if (!g_inst) return NULL;
    bitrl_linear_memory mem = module_memory(g_inst);
    *size = mem.size;
    return mem.base;
}

int bitrl_vm_has(const char *name) { return g_inst && wasm_runtime_lookup_function(g_inst, name, NULL) != NULL; }

/* WAMR's pool allocator (ems) keeps a high-water mark of bytes in use; its header sits at the pool's start. */
int64_t bitrl_vm_heap_used(void) {
    if (!g_inst) return -1;
    uint32_t stats[GC_STAT_HIGHMARK + 1];
    gc_heap_stats(g_pool, stats, GC_STAT_HIGHMARK + 1);
    return (int64_t)stats[GC_STAT_HIGHMARK];
}

/* WAMR's operand stack lives in its pool (counted in the heap above): no separate figure. */
int64_t bitrl_vm_stack_peak(uint32_t *size) {
    *size = 0;
    return -1;
}

const char *bitrl_vm_backend(void) { return "wamr"; }
