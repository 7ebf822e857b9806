// Grows wasm3's array of function records 16 records at a time, on every host.
//
// wasm3 adds a module's functions one by one, reallocating the array of 64-byte records (M3Function) to one more each
// time. With the fixed heap of the firmware builds (a bump allocator) a reallocation grows in place only when the
// array is the last block; each import's two names are read into new blocks just before its record is added, so for
// every import after the first the array is copied and the old copy is lost for the module's life (the agent's 12
// imports: 11 copies, 4,224 B). In blocks of 16 the first import's allocation holds them all; the 17th record copies
// the block once (1 KiB lost), then the array grows in place, at most 15 records unused at the end. Every agent's
// peak RAM on qemu-m4 falls by 2,816 B (emulated, firmware accounting). Applied by
// scripts/setup-toolchain.mjs after wasm3-fetch-next.mjs; the edit must match exactly where it is expected, or the
// install stops. docs/firmware.md "RAM accounting".
import { applyEdits } from "./wasm3-op-signature.mjs";

/** [file, pattern, replacement, expected number of matches] */
const EDITS = [
  [
    "m3_module.c",
    /    io_module->functions = m3_ReallocArray \(M3Function, io_module->functions, io_module->numFunctions, index\);\n/g,
    `    // bitrl (scripts/toolchain/wasm3-function-blocks.mjs): 16 records at a time, so the imports' names read between
    // two additions do not leave a copy of the array behind in the fixed heap at each one
    io_module->functions = m3_ReallocArray (M3Function, io_module->functions, (io_module->numFunctions + 15) & ~15u, (index + 15) & ~15u);
`,
    1,
  ],
];

/** Grows the function records' array 16 records at a time, in the wasm3 sources in `dir`, in place (after
 *  fetchNext); throws naming the edit that did not fit. */
export function functionBlocks(dir) {
  applyEdits(dir, EDITS, "function-blocks");
}
