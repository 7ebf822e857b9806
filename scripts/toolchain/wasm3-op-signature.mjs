// Reorders the arguments of wasm3's operation functions so that, on 32-bit Arm, all of them travel in registers.
//
// wasm3 runs a module as a chain of C functions, each ending in a tail call to the next with the same arguments:
// (pc, sp, mem, r0, fp0), r0 being its one 64-bit integer register. The Arm procedure call standard puts a 64-bit
// argument in an even register pair; after three pointers in r0..r2 none is left, so r0 goes to the stack and
// every integer operation loads and stores it there. With r0 first it takes r0:r1 and pc, sp land in r2, r3 (mem,
// read by memory operations only, goes to the stack instead). Nothing else changes: the operations, their order
// and every result are wasm3's. Other targets pass all four in registers either way (x86-64, RV32, Xtensa).
// Applied by scripts/setup-toolchain.mjs to the pinned sources after their SHA-256 check; each edit must match
// exactly where it is expected, or the install stops. docs/firmware.md "wasm3's operation signature".
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** [file, pattern, replacement, expected number of matches] */
const EDITS = [
  [
    "m3_exec_defs.h",
    /(define d_m3BaseOpSig\s+)pc_t _pc, m3stack_t _sp, M3MemoryHeader \* _mem, m3reg_t _r0/g,
    "$1m3reg_t _r0, pc_t _pc, m3stack_t _sp, M3MemoryHeader * _mem",
    1,
  ],
  ["m3_exec_defs.h", /(define d_m3BaseOpArgs\s+)_sp, _mem, _r0/g, "$1_sp, _mem", 1],
  ["m3_exec_defs.h", /(define d_m3BaseOpAllArgs\s+)_pc, _sp, _mem, _r0/g, "$1_r0, _pc, _sp, _mem", 1],
  // the default (zero) r0 moves to the front of each entry call below; fp0's default stays last
  ["m3_exec_defs.h", /(define d_m3BaseOpDefaultArgs)\s+0\n/g, "$1\n", 1],
  [
    "m3_exec_defs.h",
    /(define d_m3ExpOpDefaultArgs\(\.\.\.\)\s+)d_m3BaseOpDefaultArgs, __VA_ARGS__/g,
    "$1, __VA_ARGS__",
    1,
  ],
  ["m3_exec_defs.h", /\(_pc \+ 1, d_m3OpArgs\)/g, "(_r0, _pc + 1, d_m3OpArgs)", 1],
  ["m3_exec_defs.h", /\( PC \+ 1, d_m3OpArgs\)/g, "(_r0, PC + 1, d_m3OpArgs)", 1],
  ["m3_env.c", /Call \(([^;]*?), d_m3OpDefaultArgs\)/g, "Call (0, $1 d_m3OpDefaultArgs)", 5],
  ["m3_exec.h", /Call \(([^;]*?), d_m3OpDefaultArgs\)/g, "Call (0, $1 d_m3OpDefaultArgs)", 2],
];

/** Applies counted text edits ([file, pattern, replacement, expected matches]) to the wasm3 sources in `dir`, in place;
 *  a pattern is a global RegExp (the replacement may use $1...) or a literal string (every occurrence, the replacement
 *  taken as it is); throws naming the edit that did not fit (and writes nothing then). */
export function applyEdits(dir, edits, label) {
  const texts = new Map();
  for (const [file, pattern, replacement, expected] of edits) {
    const before = texts.get(file) ?? readFileSync(join(dir, file), "utf8");
    const literal = typeof pattern === "string";
    const found = literal ? before.split(pattern).length - 1 : (before.match(pattern)?.length ?? 0);
    if (found !== expected)
      throw new Error(
        `wasm3 ${label} edit ${literal ? JSON.stringify(pattern.slice(0, 60)) : pattern} matched ${found} times in ${file}, expected ${expected}: not the pinned sources?`,
      );
    texts.set(file, literal ? before.replaceAll(pattern, () => replacement) : before.replace(pattern, replacement));
  }
  for (const [file, text] of texts) writeFileSync(join(dir, file), text);
}

/** Applies the reordering to the wasm3 sources in `dir`, in place; throws naming the edit that did not fit. */
export function reorderOpSignature(dir) {
  applyEdits(dir, EDITS, "op-signature");
}
