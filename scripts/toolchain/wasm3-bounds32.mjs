// Makes wasm3's load/store bounds check 32-bit on 32-bit hosts (the Cortex-M and RV32 boards), as the AOT build's
// accessors already are (docs/aot.md "32-bit checks").
//
// wasm3 adds a load's or store's address and immediate offset in 64 bits and compares address + size with the
// memory's length in 64 bits: on a 32-bit core an add with carry, a second one and a two-word compare (8 of the 19
// instructions of an i32 load on the M4). Where size_t is 32 bits the length is below 2^32, so the same test in 32
// bits is: the address + offset sum did not wrap, the + size sum did not wrap, and the end lies within the length.
// That is exactly wasm3's test for every address, offset and length (no assumption on the length: a memory of 0
// pages, or one mapped below 8 bytes, still traps every access), and every access that traps still traps with
// wasm3's message. 64-bit hosts keep wasm3's own test. Applied by scripts/setup-toolchain.mjs after
// wasm3-f32-register.mjs; each edit must match exactly where it is expected, or the install stops.
// docs/firmware.md "wasm3's bounds check in 32 bits".
import { applyEdits } from "./wasm3-op-signature.mjs";

const DEFINES = `
// bitrl (scripts/toolchain/wasm3-bounds32.mjs): the address type and the test of loads and stores. ADDR is the
// address plus OFFSET, already summed in d_m3MemAddr.
#if UINTPTR_MAX == 0xffffffffu
#  define d_m3MemAddr u32
#  define d_m3MemInBounds(ADDR, OFFSET, SIZE, LENGTH) \\
    ({ u32 m3end_; (ADDR) >= (OFFSET) && !__builtin_add_overflow ((ADDR), (u32) (SIZE), &m3end_) && m3end_ <= (LENGTH); })
#else
#  define d_m3MemAddr u64
#  define d_m3MemInBounds(ADDR, OFFSET, SIZE, LENGTH) ((ADDR) + (SIZE) <= (LENGTH))
#endif
`;

/** [file, pattern, replacement, expected number of matches] */
const EDITS = [
  ["m3_exec.h", /(#\s*define m3MemCheck\(x\) LIKELY\(x\)\n#endif\n)/g, `$1${DEFINES}`, 1],
  // the six load/store operation bodies (load _r, _s; store _rs, _sr, _ss; the float store _rr)
  ["m3_exec.h", /u64 operand = /g, "d_m3MemAddr operand = ", 6],
  [
    "m3_exec.h",
    /operand \+ sizeof \((SRC_TYPE|DEST_TYPE|TYPE)\) <= _mem->length/g,
    "d_m3MemInBounds (operand, offset, sizeof ($1), _mem->length)",
    6,
  ],
];

/** Makes the bounds check of wasm3's loads and stores 32-bit on 32-bit hosts, in the sources in `dir`, in place
 *  (after addF32Register); throws naming the edit that did not fit. */
export function checkBounds32(dir) {
  applyEdits(dir, EDITS, "bounds32");
}
