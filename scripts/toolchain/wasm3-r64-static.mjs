// Takes wasm3's i64 register and memory header out of the operations' arguments on 32-bit Arm: two statics, so
// every argument left travels in a register.
//
// After the int-registers edit the operations take (r0, pc, sp, r64, mem, fp0, fp1). On 32-bit Arm (AAPCS) r64 needs
// an even register pair, finds none after r0..r2 and goes to the stack with mem; gcc then reloads and re-stores
// both stack arguments around every tail call that reads one (each load and store: mem for its bounds check, and r64
// with it), about 4 instructions an access. With this edit the operations take (r0, pc, sp, fp0, fp1), r3 stays free,
// and `_r64` and `_mem` name two statics; each entry call (d_m3CallEntry) sets the memory. Only the operations use
// them, between two operations of one function: wasm3's compiler never keeps a value in its registers across a call
// (it spills to the stack first), and the operations that refresh `_mem` after a call keep doing so, so one pair
// serves every function and every runtime of a single-threaded program (the firmware). Other hosts (64-bit, RV32
// where r64 already travels in a register pair, Xtensa) keep the arguments. Every result is the same bits. Applied
// by scripts/setup-toolchain.mjs after wasm3-int-registers.mjs; wasm3-arm-registers.mjs then moves the two into
// registers. docs/firmware.md "wasm3's memory and i64 register, and its access ends".
import { applyEdits } from "./wasm3-op-signature.mjs";

/** [file, pattern, replacement, expected number of matches] */
const EDITS = [
  [
    "m3_exec_defs.h",
    /(# define d_m3BaseOpSig\s+i32 _r0, pc_t _pc, m3stack_t _sp, i64 _r64, M3MemoryHeader \* _mem\n# define d_m3BaseOpArgs\s+_sp, _r64, _mem\n# define d_m3BaseOpAllArgs\s+_r0, _pc, _sp, _r64, _mem\n)/g,
    `# if defined(__arm__) && !defined(__aarch64__) && !defined(__linux__)
// 32-bit Arm firmware: the i64 register and the memory header are statics (scripts/toolchain/wasm3-r64-static.mjs)
extern i64 bitrl_m3_r64;
extern M3MemoryHeader * bitrl_m3_mem;
# define _r64                           bitrl_m3_r64
# define _mem                           bitrl_m3_mem
# define d_m3CallEntry(PC, SP, MEM)     Call (0, PC, (bitrl_m3_mem = (MEM), (SP)) d_m3OpDefaultArgs)
# define d_m3BaseOpSig                  i32 _r0, pc_t _pc, m3stack_t _sp
# define d_m3BaseOpArgs                 _sp
# define d_m3BaseOpAllArgs              _r0, _pc, _sp
# else
# define d_m3CallEntry(PC, SP, MEM)     Call (0, PC, SP, 0, MEM d_m3OpDefaultArgs)
$1# endif
`,
    1,
  ],
  // entry calls: the r64 and mem arguments only where they are arguments
  ["m3_env.c", /Call \(0, ([^,;]+), ([^,;]+), 0, ([^,;]*?) d_m3OpDefaultArgs\)/g, "d_m3CallEntry ($1, $2, $3)", 5],
  ["m3_exec.h", /Call \(0, ([^,;]+), ([^,;]+), 0, ([^,;]*?) d_m3OpDefaultArgs\)/g, "d_m3CallEntry ($1, $2, $3)", 2],
  // their one definition
  [
    "m3_exec.c",
    /(#include "m3_exec\.h"\n)/g,
    "$1\n#if defined(__arm__) && !defined(__aarch64__) && !defined(__linux__)\ni64 bitrl_m3_r64; // wasm3-r64-static.mjs\nM3MemoryHeader * bitrl_m3_mem;\n#endif\n",
    1,
  ],
];

/** Takes the i64 register and the memory header out of the operations' arguments on 32-bit Arm in the wasm3 sources
 *  in `dir`, in place (after splitIntRegisters); throws naming the edit that did not fit. */
export function staticR64(dir) {
  applyEdits(dir, EDITS, "r64-static");
}
