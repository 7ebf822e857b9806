/* vm.h's calls into the wasm3 engine, as one request (vm_wasm3_abi.c -> vm_wasm3.c).
 *
 * On 32-bit Arm wasm3 and vm_wasm3.c are compiled with -fcall-used-r4 .. -fcall-used-r8 (bitrl_sources.py): gcc
 * then spends no push and pop on those registers in wasm3's operations, but every function of those files may
 * return with r4..r8 changed. So the firmware never calls them directly: vm_wasm3_abi.c (standard ABI) puts each
 * vm.h call in a request and enters the engine through one trampoline that saves r4..r8 around it. Host functions
 * called from wasm3 are standard-ABI functions: calling them from there is always safe. */
#ifndef BITRL_VM_WASM3_H
#define BITRL_VM_WASM3_H
#include <stdint.h>
#include "vm.h"

typedef enum { VM3_INIT, VM3_BENCH, VM3_MEMORY, VM3_HAS, VM3_HEAP_USED, VM3_STACK_PEAK } bitrl_vm3_op;

typedef struct {
    bitrl_vm3_op op;
    const uint8_t *wasm; /* init */
    uint32_t len;
    const char *name; /* bench, has */
    const int32_t *args;
    uint32_t argc;
    uint32_t reps;
    bitrl_vm_value *ret;
    uint64_t *ticks;
    uint32_t *size;    /* memory, stack peak */
    const char *error; /* init, bench: NULL or an error */
    uint8_t *memory;   /* memory */
    int64_t value;     /* has, heap used, stack peak */
} bitrl_vm3_call;

/* Runs one request (vm_wasm3.c; the engine's ABI on Arm: enter through vm_wasm3_abi.c only). */
void bitrl_vm3_dispatch(bitrl_vm3_call *c);

#endif
