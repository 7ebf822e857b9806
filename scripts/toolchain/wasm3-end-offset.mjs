// On 32-bit hosts, gives each wasm3 load and store the end of its access as its immediate: offset + access size,
// summed once by the compiler, so the operation adds one number to the address and compares the sum with the
// memory's length.
//
// After the bounds32 edit an access tests: address + offset did not wrap, that sum + size did not wrap, the end lies
// within the length (two adds with a carry test each, then a compare). With this edit the compiler stores
// end = offset + size as the immediate (saturated at 2^32 - 1 when the sum does not fit: every access with such an
// offset must trap, and address + 2^32 - 1 either wraps or is 2^32 - 1 itself, above any 32-bit host's length), and
// the operation tests: address + end did not wrap, and it lies within the length; the data sits at
// base + (address + end) - size. That is the same test for every address, offset and length: without a wrap,
// address + end is the true end of the access. 64-bit hosts keep the offset and their own test. Applied by
// scripts/setup-toolchain.mjs after wasm3-arm-registers.mjs; each edit must match exactly where it is expected, or the
// install stops. docs/firmware.md "wasm3's memory and i64 register, and its access ends".
import { applyEdits } from "./wasm3-op-signature.mjs";

const END_OFFSET = `#if UINTPTR_MAX == 0xffffffffu
// bitrl (scripts/toolchain/wasm3-end-offset.mjs): on 32-bit hosts a load's or store's immediate is its offset plus
// its access size (saturated at 2^32 - 1: such an access traps for every address), so the operation tests one sum.
static u32  bitrl_EndOffset  (u32 i_offset, m3opcode_t i_opcode)
{
    // access sizes of the opcodes 0x28 (i32.load) .. 0x3e (i64.store32), the ones Compile_Load_Store compiles
    static const u8 sizes [] = { 4, 8, 4, 8, 1, 1, 2, 2, 1, 1, 2, 2, 4, 4, 4, 8, 4, 8, 1, 2, 1, 2, 4 };
    u32 size = sizes [i_opcode - 0x28];
    return i_offset > 0xffffffffu - size ? 0xffffffffu : i_offset + size;
}
#endif

`;

/** [file, pattern, replacement, expected number of matches] */
const EDITS = [
  // the test (32-bit hosts: ADDR is address + end, OFFSET the end) and where the data sits
  [
    "m3_exec.h",
    /#  define d_m3MemInBounds\(ADDR, OFFSET, SIZE, LENGTH\) \\\n    \(\{ u32 m3end_; \(ADDR\) >= \(OFFSET\) && !__builtin_add_overflow \(\(ADDR\), \(u32\) \(SIZE\), &m3end_\) && m3end_ <= \(LENGTH\); \}\)\n/g,
    "#  define d_m3MemInBounds(ADDR, OFFSET, SIZE, LENGTH) ((ADDR) >= (OFFSET) && (ADDR) <= (LENGTH))\n#  define d_m3MemAt(ADDR, SIZE) (m3MemData (_mem) + (ADDR) - (SIZE))\n",
    1,
  ],
  [
    "m3_exec.h",
    /(#  define d_m3MemInBounds\(ADDR, OFFSET, SIZE, LENGTH\) \(\(ADDR\) \+ \(SIZE\) <= \(LENGTH\)\)\n)/g,
    "$1#  define d_m3MemAt(ADDR, SIZE) (m3MemData (_mem) + (ADDR))\n",
    1,
  ],
  // the six load/store bodies: the data at d_m3MemAt, by the size their test names (each test's nearest data line)
  [
    "m3_exec.h",
    /(d_m3MemInBounds \(operand, offset, sizeof \((\w+)\), _mem->length\)[\s\S]*?u8\* (?:src8|mem8) = )m3MemData\(_mem\) \+ operand;/g,
    "$1d_m3MemAt (operand, sizeof ($2));",
    6,
  ],
  // the compiler: the end as the immediate on 32-bit hosts
  [
    "m3_compile.c",
    /(M3Result  Compile_Load_Store  \(IM3Compilation o, m3opcode_t i_opcode\)\n)/g,
    `${END_OFFSET}$1`,
    1,
  ],
  [
    "m3_compile.c",
    /    EmitConstant32 \(o, memoryOffset\);\n/g,
    "#if UINTPTR_MAX == 0xffffffffu\n    EmitConstant32 (o, bitrl_EndOffset (memoryOffset, i_opcode));\n#else\n    EmitConstant32 (o, memoryOffset);\n#endif\n",
    1,
  ],
];

/** Makes each load's and store's immediate the end of its access on 32-bit hosts, in the wasm3 sources in `dir`, in
 *  place (after armRegisters); throws naming the edit that did not fit. */
export function endOffset(dir) {
  applyEdits(dir, EDITS, "end-offset");
}
