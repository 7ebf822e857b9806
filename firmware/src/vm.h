/* The WebAssembly engine as the firmware sees it: load the agent module, call an export with i32 arguments,
 * reach linear memory. vm_wasm3.c implements it with wasm3; an AOT backend can implement the same header. */
#ifndef BITRL_VM_H
#define BITRL_VM_H
#include <stdint.h>

typedef enum {
    BITRL_VAL_NONE = 0,
    BITRL_VAL_I32 = 1,
    BITRL_VAL_I64 = 2,
    BITRL_VAL_F32 = 3,
    BITRL_VAL_F64 = 4
} bitrl_val_type;

typedef struct {
    bitrl_val_type type;
    uint64_t bits; /* the value's bits: i32/f32 in the low half */
} bitrl_vm_value;

/* A call's result from the engine's raw 64 bits: an i32 or f32 is the low half. */
static inline void bitrl_vm_result_of(bitrl_vm_value *ret, bitrl_val_type type, uint64_t bits) {
    ret->type = type;
    ret->bits = (type == BITRL_VAL_I32 || type == BITRL_VAL_F32) ? (uint32_t)bits : bits;
}

/* Parses, loads and links the module (bytes must stay valid for the program's life). NULL or an error. */
const char *bitrl_vm_init(const uint8_t *wasm, uint32_t len);

/* Calls export `name` with argc i32 arguments; *ticks gets hal_clock() ticks spent inside the call. NULL or an
 * error: "ERR_NO_EXPORT", "ERR_BAD_ARGS" (signature mismatch) or a wasm3 trap message (caller says ERR_TRAP). */
const char *bitrl_vm_call(const char *name, const int32_t *args, uint32_t argc, bitrl_vm_value *ret, uint64_t *ticks);

/* Calls export `name` reps times (same arguments); *ticks = ticks of all calls together (call overhead included,
 * no serial or lookup cost). */
const char *bitrl_vm_bench(const char *name, const int32_t *args, uint32_t argc, uint32_t reps, bitrl_vm_value *ret,
                           uint64_t *ticks);

/* Linear memory (base, size in *size); NULL before init. */
uint8_t *bitrl_vm_memory(uint32_t *size);

/* Whether the module exports `name` (a function). */
int bitrl_vm_has(const char *name);

/* Engine heap in use (bytes, high-water: wasm3's fixed heap only moves forward), or -1 when unknown. */
int64_t bitrl_vm_heap_used(void);
/* Value stack of the engine (bytes in *size) and the most of it any call has written so far, or -1 when the engine
 * keeps none of its own (AOT and WAMR run wasm frames on the C stack / in their pool). */
int64_t bitrl_vm_stack_peak(uint32_t *size);
/* Engine name for `info`. */
const char *bitrl_vm_backend(void);

#endif
