/* A bare-metal implementation of wabt's wasm-rt.h API (wabt 1.0.32) for the ahead-of-time backend: the module
 * compiled by wasm2c calls these. No OS: linear memory comes from one static pool sized per board
 * (BITRL_CFG_AOT_MEMORY_BYTES), a trap longjmps back to the caller that armed bitrl_aot_trap_target, and
 * memory bounds are checked explicitly by the generated code (WASM_RT_MEMCHECK_SIGNAL_HANDLER=0). */
#include <stdarg.h>
#include <stdint.h>
#include <string.h>
#include "wasm-rt.h"
#include "aot_config.h"
#include "stack_floor.h"

/* ---- call stack, bounded in bytes: each compiled function's prologue (scripts/aot-gen.mjs) traps "call stack
 * exhausted" when the stack pointer is below the floor (stack_floor.h), as wasm3 traps "stack overflow". Where the
 * linked stack is known the prologue compares with BITRL_LINKED_STACK_FLOOR, a constant; elsewhere (the host) with
 * this variable, set at init */
#ifndef BITRL_LINKED_STACK_FLOOR
uintptr_t bitrl_aot_stack_floor;
#endif

/* ---- traps: the adapter arms a jmp_buf before every call into the module */
jmp_buf *bitrl_aot_trap_target;
wasm_rt_trap_t bitrl_aot_last_trap;

void wasm_rt_trap(wasm_rt_trap_t code) {
    bitrl_aot_last_trap = code;
    if (bitrl_aot_trap_target) longjmp(*bitrl_aot_trap_target, 1);
    for (;;) {} /* no handler armed: a bug in the firmware; hang visibly rather than run on corrupted state */
}

const char *wasm_rt_strerror(wasm_rt_trap_t trap) {
    switch (trap) {
        case WASM_RT_TRAP_NONE:
            return "no trap";
        case WASM_RT_TRAP_OOB:
            return "out of bounds memory access";
        case WASM_RT_TRAP_INT_OVERFLOW:
            return "integer overflow";
        case WASM_RT_TRAP_DIV_BY_ZERO:
            return "integer divide by zero";
        case WASM_RT_TRAP_INVALID_CONVERSION:
            return "invalid conversion to integer";
        case WASM_RT_TRAP_UNREACHABLE:
            return "unreachable executed";
        case WASM_RT_TRAP_CALL_INDIRECT:
            return "indirect call signature mismatch";
        case WASM_RT_TRAP_UNCAUGHT_EXCEPTION:
            return "uncaught exception";
#if !WASM_RT_MERGED_OOB_AND_EXHAUSTION_TRAPS
        case WASM_RT_TRAP_EXHAUSTION:
            return "call stack exhausted";
#endif
    }
    return "unknown trap";
}

/* ---- lifecycle */
static bool s_initialized;
void wasm_rt_init(void) {
#ifndef BITRL_LINKED_STACK_FLOOR
    bitrl_aot_stack_floor = bitrl_stack_floor();
#endif
    s_initialized = true;
}
bool wasm_rt_is_initialized(void) { return s_initialized; }
void wasm_rt_free(void) { s_initialized = false; }

/* ---- function types: equal signatures must get equal ids (call_indirect compares them) */
#define BITRL_AOT_MAX_TYPE_SLOTS 16 /* params + results of one signature */
typedef struct {
    uint8_t params, results;
    uint8_t types[BITRL_AOT_MAX_TYPE_SLOTS];
} aot_func_type;
static aot_func_type s_types[BITRL_CFG_AOT_MAX_FUNC_TYPES];
static uint32_t s_type_count;

uint32_t wasm_rt_register_func_type(uint32_t params, uint32_t results, ...) {
    aot_func_type t;
    memset(&t, 0, sizeof t);
    if (params + results > BITRL_AOT_MAX_TYPE_SLOTS) wasm_rt_trap(WASM_RT_TRAP_CALL_INDIRECT);
    t.params = (uint8_t)params;
    t.results = (uint8_t)results;
    va_list ap;
    va_start(ap, results);
    /* enums are promoted to int through varargs: read int, whatever the enum's own size (-fshort-enums) */
    for (uint32_t i = 0; i < params + results; i++) t.types[i] = (uint8_t)va_arg(ap, int);
    va_end(ap);
    for (uint32_t i = 0; i < s_type_count; i++)
        if (memcmp(&s_types[i], &t, sizeof t) == 0) return i + 1;
    if (s_type_count == BITRL_CFG_AOT_MAX_FUNC_TYPES) wasm_rt_trap(WASM_RT_TRAP_CALL_INDIRECT);
    s_types[s_type_count] = t;
    return ++s_type_count; /* 0 stays "no type" (null funcref) */
}

/* Exceptions are not used by AssemblyScript modules built without the exception-handling feature. */
uint32_t wasm_rt_register_tag(uint32_t size) {
    (void)size;
    return 0;
}
void wasm_rt_load_exception(uint32_t tag, uint32_t size, const void *values) {
    (void)tag, (void)size, (void)values;
    wasm_rt_trap(WASM_RT_TRAP_UNCAUGHT_EXCEPTION);
}
void wasm_rt_throw(void) { wasm_rt_trap(WASM_RT_TRAP_UNCAUGHT_EXCEPTION); }
static WASM_RT_UNWIND_TARGET *s_unwind_target;
WASM_RT_UNWIND_TARGET *wasm_rt_get_unwind_target(void) { return s_unwind_target; }
void wasm_rt_set_unwind_target(WASM_RT_UNWIND_TARGET *target) { s_unwind_target = target; }
uint32_t wasm_rt_exception_tag(void) { return 0; }
uint32_t wasm_rt_exception_size(void) { return 0; }
void *wasm_rt_exception(void) { return NULL; }

/* ---- linear memory: one static pool, no growth beyond it (the module's memory is fixed-size by design).
 * With BITRL_CFG_AOT_MEMORY_PARTIAL (bytes, a multiple of 4 KiB) a board short of RAM maps only the low part of the
 * module's declared memory: memory.size still reports the declared pages, but every access at or beyond the mapped
 * bytes fails the generated bounds check and traps (out of bounds), so nothing outside the pool is ever touched.
 * The agent's data, stack and heap sit in the low part (tools/lib/board/fit.ts checks what it needs). */
#ifdef BITRL_CFG_AOT_MEMORY_PARTIAL
#define AOT_POOL_BYTES BITRL_CFG_AOT_MEMORY_PARTIAL
#else
#define AOT_POOL_BYTES BITRL_CFG_AOT_MEMORY_BYTES
#endif
/* The module's one memory and its current size in bytes, as globals: the generated accessors (scripts/aot-gen.mjs)
 * use these two rather than the instance's memory, so gcc knows a store into the memory changes neither and keeps
 * them in registers through a loop. The instance's memory (data, pages, size) always says the same. */
uint8_t bitrl_aot_memory[AOT_POOL_BYTES] __attribute__((aligned(8)));
uint32_t bitrl_aot_memory_size;
static bool s_memory_taken;

uint32_t bitrl_aot_memory_pool_bytes(void) { return (uint32_t)sizeof bitrl_aot_memory; }

void wasm_rt_allocate_memory(wasm_rt_memory_t *memory, uint32_t initial_pages, uint32_t max_pages) {
    uint64_t bytes = (uint64_t)initial_pages * 65536u;
#ifdef BITRL_CFG_AOT_MEMORY_PARTIAL
    if (bytes > sizeof bitrl_aot_memory) bytes = sizeof bitrl_aot_memory; /* partial mapping: the rest traps */
#endif
    if (s_memory_taken || bytes > sizeof bitrl_aot_memory) {
        /* instantiation cannot report an error: trap, which the adapter turns into ERR_AOT_MEMORY */
        bitrl_aot_last_trap = WASM_RT_TRAP_OOB;
        wasm_rt_trap(WASM_RT_TRAP_OOB);
    }
    s_memory_taken = true;
    memset(bitrl_aot_memory, 0, (size_t)bytes);
    memory->data = bitrl_aot_memory;
    memory->pages = initial_pages;
    memory->max_pages = max_pages;
    memory->size = (uint32_t)bytes;
    bitrl_aot_memory_size = memory->size;
}

uint32_t wasm_rt_grow_memory(wasm_rt_memory_t *memory, uint32_t delta) {
    uint64_t pages = (uint64_t)memory->pages + delta;
    if (pages > memory->max_pages || pages * 65536u > sizeof bitrl_aot_memory) return (uint32_t)-1;
    uint32_t old = memory->pages;
    memset(memory->data + memory->size, 0, (size_t)(pages * 65536u - memory->size));
    memory->pages = (uint32_t)pages;
    memory->size = (uint32_t)(pages * 65536u);
    bitrl_aot_memory_size = memory->size;
    return old;
}

void wasm_rt_free_memory(wasm_rt_memory_t *memory) {
    (void)memory;
    /* never called while the firmware runs (vm_aot.c keeps its one instance); a module must not run after this: the
     * 32-bit checks (scripts/aot-gen.mjs) are exact only while the size is at least a page, as vm_aot.c requires */
    bitrl_aot_memory_size = 0;
    s_memory_taken = false;
}

/* ---- tables: AssemblyScript's stub runtime has at most a tiny function table */
static wasm_rt_funcref_t s_funcref_pool[BITRL_CFG_AOT_MAX_TABLE];
void wasm_rt_allocate_funcref_table(wasm_rt_funcref_table_t *table, uint32_t elements, uint32_t max_elements) {
    if (elements > BITRL_CFG_AOT_MAX_TABLE) wasm_rt_trap(WASM_RT_TRAP_OOB);
    memset(s_funcref_pool, 0, sizeof s_funcref_pool);
    table->data = s_funcref_pool;
    table->size = elements;
    table->max_size = max_elements;
}
void wasm_rt_free_funcref_table(wasm_rt_funcref_table_t *table) { (void)table; }
uint32_t wasm_rt_grow_funcref_table(wasm_rt_funcref_table_t *table, uint32_t delta, wasm_rt_funcref_t init) {
    (void)table, (void)delta, (void)init;
    return (uint32_t)-1;
}
void wasm_rt_allocate_externref_table(wasm_rt_externref_table_t *table, uint32_t elements, uint32_t max_elements) {
    if (elements) wasm_rt_trap(WASM_RT_TRAP_OOB);
    table->data = NULL;
    table->size = 0;
    table->max_size = max_elements;
}
void wasm_rt_free_externref_table(wasm_rt_externref_table_t *table) { (void)table; }
uint32_t wasm_rt_grow_externref_table(wasm_rt_externref_table_t *table, uint32_t delta, wasm_rt_externref_t init) {
    (void)table, (void)delta, (void)init;
    return (uint32_t)-1;
}
