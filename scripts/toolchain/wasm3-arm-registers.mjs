// On 32-bit Arm firmware, keeps wasm3's memory header in r9 and its i64 register in r10:r11 (gcc global register
// variables) instead of the statics of wasm3-r64-static.mjs.
//
// As statics, every load and store reads the header's address from a literal pool and then the header (2
// instructions and a scratch register), and every i64 operation the register's address. In registers they cost
// nothing to reach, and a load or store needs one scratch register less. Only wasm3's own files declare the
// registers; for them gcc neither allocates nor saves r9..r11. Every other function (the firmware, newlib, the C
// kernels) treats r9..r11 as callee-saved (AAPCS), so across any call out of wasm3 (a host function) they come back
// unchanged; and every call into wasm3's code (the entry calls, d_m3CallEntry) saves the three registers, sets the
// memory, and restores them after, so the caller finds its r9..r11 as it left them. Every result is the same bits.
// Applied by scripts/setup-toolchain.mjs after wasm3-r64-static.mjs; docs/firmware.md "wasm3's memory and i64
// register, and its access ends".
import { applyEdits } from "./wasm3-op-signature.mjs";

/** [file, pattern, replacement, expected number of matches] */
const EDITS = [
  [
    "m3_exec_defs.h",
    /\/\/ 32-bit Arm firmware: the i64 register and the memory header are statics \(scripts\/toolchain\/wasm3-r64-static\.mjs\)\nextern i64 bitrl_m3_r64;\nextern M3MemoryHeader \* bitrl_m3_mem;\n/g,
    `// 32-bit Arm firmware: the i64 register and the memory header live in r10:r11 and r9, reserved in wasm3's files
// (scripts/toolchain/wasm3-arm-registers.mjs); entry calls save and restore them for their caller
register i64 bitrl_m3_r64 asm ("r10");
register M3MemoryHeader * bitrl_m3_mem asm ("r9");
`,
    1,
  ],
  [
    "m3_exec_defs.h",
    /# define d_m3CallEntry\(PC, SP, MEM\)     Call \(0, PC, \(bitrl_m3_mem = \(MEM\), \(SP\)\) d_m3OpDefaultArgs\)\n/g,
    `# define d_m3CallEntry(PC, SP, MEM)     ({ M3MemoryHeader * m3mem_ = bitrl_m3_mem; i64 m3r64_ = bitrl_m3_r64; \\
    bitrl_m3_mem = (MEM); m3ret_t m3r_ = Call (0, PC, SP d_m3OpDefaultArgs); \\
    bitrl_m3_mem = m3mem_; bitrl_m3_r64 = m3r64_; m3r_; })
`,
    1,
  ],
  [
    "m3_exec.c",
    /\n#if defined\(__arm__\) && !defined\(__aarch64__\) && !defined\(__linux__\)\ni64 bitrl_m3_r64; \/\/ wasm3-r64-static\.mjs\nM3MemoryHeader \* bitrl_m3_mem;\n#endif\n/g,
    "\n",
    1,
  ],
];

/** Keeps the memory header and the i64 register in r9 and r10:r11 on 32-bit Arm, in the wasm3 sources in `dir`, in
 *  place (after staticR64); throws naming the edit that did not fit. */
export function armRegisters(dir) {
  applyEdits(dir, EDITS, "arm-registers");
}
