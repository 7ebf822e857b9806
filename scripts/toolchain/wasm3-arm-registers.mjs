// On 32-bit Arm firmware, takes wasm3's i64 register and memory header out of the operations' arguments and keeps
// the register in r10:r11 and the memory's data (its header just below) in r9 (gcc global register variables), so
// every argument left travels in a register and a load or store reaches base + address in one operand.
//
// After the int-registers edit the operations take (r0, pc, sp, r64, mem, fp0, fp1). On 32-bit Arm (AAPCS) r64 needs
// an even register pair, finds none after r0..r2 and goes to the stack with mem; gcc then reloads and re-stores
// both stack arguments around every tail call that reads one (each load and store: mem for its bounds check, and r64
// with it), about 4 instructions an access, and i64 operations read and write r64 there. With this edit the
// operations take (r0, pc, sp, fp0, fp1), r3 stays free, `_r64` names r10:r11 and `d_m3Mem` the header below r9's
// data (d_m3SetMem sets r9 from a header; other hosts: both name the argument `_mem`), declared in wasm3's own
// files only. Only the operations use them, between two operations of one function: wasm3's compiler
// never keeps a value in its registers across a call (it spills first), and the operations that refresh `_mem`
// after a call keep doing so; wasm3's other functions (compiler, parser, API) never write them. For every other
// function (the firmware, the C kernels, newlib) r9..r11 stay callee-saved, so a host function called from an
// operation returns them unchanged; and each of the 7 entry calls (d_m3CallEntry) saves the three, sets the memory,
// calls and restores them, so a caller outside wasm3 finds its r9..r11 as it left them. One pair serves every
// function and runtime of a single-threaded program (the firmware). Other hosts (64-bit, RV32 where r64 already
// travels in a register pair, Xtensa) keep the arguments. Every result is the same bits. Applied by
// scripts/setup-toolchain.mjs after wasm3-int-registers.mjs; each edit must match exactly where it is expected, or
// the install stops. docs/firmware.md "wasm3's memory and i64 register" and
// docs/firmware.md "wasm3 from 2.34M to 1.73M".
import { applyEdits } from "./wasm3-op-signature.mjs";

/** [file, pattern, replacement, expected number of matches] */
const EDITS = [
  [
    "m3_exec_defs.h",
    /(# define d_m3BaseOpSig\s+i32 _r0, pc_t _pc, m3stack_t _sp, i64 _r64, M3MemoryHeader \* _mem\n# define d_m3BaseOpArgs\s+_sp, _r64, _mem\n# define d_m3BaseOpAllArgs\s+_r0, _pc, _sp, _r64, _mem\n)/g,
    `# if defined(__arm__) && !defined(__aarch64__) && !defined(__linux__)
// 32-bit Arm firmware: the i64 register and the memory's data live in r10:r11 and r9, reserved in wasm3's files
// (scripts/toolchain/wasm3-arm-registers.mjs); entry calls save and restore them for their caller
register i64 bitrl_m3_r64 asm ("r10");
register u8 * bitrl_m3_data asm ("r9");
// r9 holds the memory's data (its header sits just below), so a load or store reaches base + address in one operand
# define _r64                           bitrl_m3_r64
# define d_m3Mem                        ((M3MemoryHeader *) bitrl_m3_data - 1)
# define d_m3SetMem(MEM)                (bitrl_m3_data = (u8 *) ((M3MemoryHeader *) (MEM) + 1))
# define d_m3CallEntry(PC, SP, MEM)     ({ u8 * m3data_ = bitrl_m3_data; i64 m3r64_ = bitrl_m3_r64; \\
    d_m3SetMem (MEM); m3ret_t m3r_ = Call (0, PC, SP d_m3OpDefaultArgs); \\
    bitrl_m3_data = m3data_; bitrl_m3_r64 = m3r64_; m3r_; })
# define d_m3BaseOpSig                  i32 _r0, pc_t _pc, m3stack_t _sp
# define d_m3BaseOpArgs                 _sp
# define d_m3BaseOpAllArgs              _r0, _pc, _sp
# else
# define d_m3Mem                        _mem
# define d_m3SetMem(MEM)                (_mem = (MEM))
# define d_m3CallEntry(PC, SP, MEM)     Call (0, PC, SP, 0, MEM d_m3OpDefaultArgs)
$1# endif
`,
    1,
  ],
  // entry calls: the r64 and mem arguments only where they are arguments
  ["m3_env.c", /Call \(0, ([^,;]+), ([^,;]+), 0, ([^,;]*?) d_m3OpDefaultArgs\)/g, "d_m3CallEntry ($1, $2, $3)", 5],
  ["m3_exec.h", /Call \(0, ([^,;]+), ([^,;]+), 0, ([^,;]*?) d_m3OpDefaultArgs\)/g, "d_m3CallEntry ($1, $2, $3)", 2],
  // the operations that refresh the memory after a call (it may have grown and moved), then every other use of the
  // header in the operations (on Arm it is below r9's data; wasm3.h keeps `_mem` for host functions' parameters)
  ["m3_exec.h", /_mem = memory->mallocated;/g, "d_m3SetMem (memory->mallocated);", 6],
  ["m3_exec.h", /\b_mem\b/g, "d_m3Mem", 37],
];

/** Keeps the i64 register and the memory header in r10:r11 and r9 on 32-bit Arm, out of the operations' arguments,
 *  in the wasm3 sources in `dir`, in place (after splitIntRegisters); throws naming the edit that did not fit. */
export function armRegisters(dir) {
  applyEdits(dir, EDITS, "arm-registers");
}
