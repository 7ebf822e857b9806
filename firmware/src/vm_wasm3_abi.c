/* vm.h on the wasm3 engine, in the standard ABI: each call becomes one request for bitrl_vm3_dispatch
 * (vm_wasm3.c), entered through vm3_enter, which keeps r4..r8 for the caller (vm_wasm3.h says why). */
#include "vm_wasm3.h"
#include "native_bind.h" /* BITRL_NATIVE_KERNELS */

#if BITRL_ENGINE_CALL_USED
/* Defined by the builder exactly when it compiles the engine with those flags (bitrl_sources.py, 32-bit Arm).
 * Saves r4..r8 (and r3 to keep the stack 8-byte aligned), calls fn(c), restores them: the engine's files may
 * return with r4..r8 changed (-fcall-used-r4 .. -fcall-used-r8); r7 and r9..r11 they keep (gcc cannot make r7
 * call-used in Thumb code, and wasm3 keeps r9..r11 for its caller, wasm3-arm-registers.mjs). c arrives in r0, fn
 * in r1; a naked function holds basic asm only. */
__attribute__((naked, noinline)) static void vm3_enter(bitrl_vm3_call *c, void (*fn)(bitrl_vm3_call *)) {
    __asm__ volatile("push {r3, r4, r5, r6, r8, lr}\n\t"
                     "blx r1\n\t"
                     "pop {r3, r4, r5, r6, r8, pc}\n\t");
}
#else
/* Otherwise the engine is compiled with the standard ABI. */
static void vm3_enter(bitrl_vm3_call *c, void (*fn)(bitrl_vm3_call *)) { fn(c); }
#endif

static bitrl_vm3_call *vm3_run(bitrl_vm3_call *c) {
    vm3_enter(c, bitrl_vm3_dispatch);
    return c;
}

const char *bitrl_vm_init(const uint8_t *wasm, uint32_t len) {
    bitrl_vm3_call c = {.op = VM3_INIT, .wasm = wasm, .len = len};
    return vm3_run(&c)->error;
}

const char *bitrl_vm_bench(const char *name, const int32_t *args, uint32_t argc, uint32_t reps, bitrl_vm_value *ret,
                           uint64_t *ticks) {
    bitrl_vm3_call c = {
        .op = VM3_BENCH, .name = name, .args = args, .argc = argc, .reps = reps, .ret = ret, .ticks = ticks};
    return vm3_run(&c)->error;
}

const char *bitrl_vm_call(const char *name, const int32_t *args, uint32_t argc, bitrl_vm_value *ret, uint64_t *ticks) {
    return bitrl_vm_bench(name, args, argc, 1, ret, ticks);
}

uint8_t *bitrl_vm_memory(uint32_t *size) {
    bitrl_vm3_call c = {.op = VM3_MEMORY, .size = size};
    return vm3_run(&c)->memory;
}

int bitrl_vm_has(const char *name) {
    bitrl_vm3_call c = {.op = VM3_HAS, .name = name};
    return (int)vm3_run(&c)->value;
}

int64_t bitrl_vm_heap_used(void) {
    bitrl_vm3_call c = {.op = VM3_HEAP_USED};
    return vm3_run(&c)->value;
}

int64_t bitrl_vm_stack_peak(uint32_t *size) {
    bitrl_vm3_call c = {.op = VM3_STACK_PEAK, .size = size};
    return vm3_run(&c)->value;
}

/* The kernel binding is part of the engine's name: figures measured with C kernels say so. */
const char *bitrl_vm_backend(void) {
#if BITRL_NATIVE_KERNELS
    return "wasm3+native";
#else
    return "wasm3";
#endif
}
