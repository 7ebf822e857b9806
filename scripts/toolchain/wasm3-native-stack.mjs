// Has wasm3's function entry check the C stack as well as its value stack, on every host.
//
// wasm3 runs a wasm call as a C call (op_Call calls the callee's code), so a call chain takes C stack at every level
// besides the value-stack slots op_Entry checks. On qemu-m4 the 8 KiB C stack ran out at ~150 nested calls of a small
// function, long before its 4 KiB value stack: the board faulted and stopped answering. op_Entry now also compares
// the stack pointer with a floor the firmware sets (stack_floor.h) and traps "stack overflow" below it, as it does
// when the value stack is full; 0, the default, leaves the check always true. Applied by scripts/setup-toolchain.mjs
// after wasm3-function-blocks.mjs; the edit must match exactly where it is expected, or the install stops.
// docs/firmware.md "Call stack bounds".
import { applyEdits } from "./wasm3-op-signature.mjs";

/** [file, pattern, replacement, expected number of matches] */
const EDITS = [
  [
    "m3_exec.h",
    '#include "m3_exec_defs.h"\n',
    `#include "m3_exec_defs.h"

// bitrl (scripts/toolchain/wasm3-native-stack.mjs): the lowest C stack address a call may start at (0: no bound)
extern uintptr_t bitrl_wasm3_native_floor;
# if defined(__arm__)
#   define d_m3NativeSp()   __extension__ ({ uintptr_t sp_; __asm__ ("mov %0, sp" : "=r" (sp_)); sp_; })
# elif defined(__riscv)
#   define d_m3NativeSp()   __extension__ ({ uintptr_t sp_; __asm__ ("mv %0, sp" : "=r" (sp_)); sp_; })
# else
#   define d_m3NativeSp()   ((uintptr_t) __builtin_frame_address (0))
# endif
`,
    1,
  ],
  [
    "m3_exec.h",
    "    if (LIKELY ((void *) (_sp + function->maxStackSlots) < d_m3Mem->maxStack))\n",
    `    // bitrl (scripts/toolchain/wasm3-native-stack.mjs): and the C stack, which every call takes as well
    if (LIKELY ((void *) (_sp + function->maxStackSlots) < d_m3Mem->maxStack) && LIKELY (d_m3NativeSp () >= bitrl_wasm3_native_floor))
`,
    1,
  ],
  [
    "m3_exec.c",
    '#include "m3_compile.h"\n',
    `#include "m3_compile.h"

// bitrl (scripts/toolchain/wasm3-native-stack.mjs): set by the firmware (stack_floor.h)
uintptr_t bitrl_wasm3_native_floor;
`,
    1,
  ],
];

/** Makes wasm3's function entry trap "stack overflow" when the C stack pointer is below bitrl_wasm3_native_floor, in
 *  the sources in `dir`, in place (after functionBlocks); throws naming the edit that did not fit. */
export function nativeStack(dir) {
  applyEdits(dir, EDITS, "native-stack");
}
