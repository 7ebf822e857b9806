// On 32-bit hosts, tests each wasm3 load and store against a limit kept for its access size, so the operation adds
// the offset to the address, compares the sum with one number and reads or writes at base + sum.
//
// After the bounds32 edit an access tests: address + offset did not wrap, that sum + size did not wrap, the end lies
// within the length (two adds with a carry test each, then a compare). With this edit the memory's header also holds
// limitN = length - N + 1 for N = 1, 2, 4, 8 (0 when the length is below N), set wherever wasm3 sets the length
// (ResizeMemory), and the operation tests: address + offset did not wrap, and it lies below the limit of its size.
// That is the same test for every address, offset and length: without a wrap, address + offset is the true start
// of the access, and start + N <= length exactly when start < length - N + 1. The data sits at base + start, which
// an Arm load or store reaches with one register offset (the arm-registers edit keeps the base in r9). 64-bit hosts
// keep their own test. Applied by scripts/setup-toolchain.mjs after wasm3-arm-registers.mjs; each edit must match
// exactly where it is expected, or the install stops. docs/firmware.md "wasm3 from 2.34M to 1.73M".
import { applyEdits } from "./wasm3-op-signature.mjs";

/** [file, pattern, replacement, expected number of matches] */
const EDITS = [
  // the test (32-bit hosts: ADDR is address + offset, its start)
  [
    "m3_exec.h",
    /#  define d_m3MemInBounds\(ADDR, OFFSET, SIZE, LENGTH\) \\\n    \(\{ u32 m3end_; \(ADDR\) >= \(OFFSET\) && !__builtin_add_overflow \(\(ADDR\), \(u32\) \(SIZE\), &m3end_\) && m3end_ <= \(LENGTH\); \}\)\n/g,
    `#  define d_m3MemLimit(SIZE) ((SIZE) == 1 ? d_m3Mem->limit1 : (SIZE) == 2 ? d_m3Mem->limit2 : (SIZE) == 4 ? d_m3Mem->limit4 : d_m3Mem->limit8)
#  define d_m3MemInBounds(ADDR, OFFSET, SIZE, LENGTH) ((ADDR) >= (OFFSET) && (ADDR) < d_m3MemLimit (SIZE))
`,
    1,
  ],
  // the limits, after the length in the header (so they sit just below the data)
  [
    "m3_core.h",
    /(typedef struct M3MemoryHeader\n\{\n    IM3Runtime      runtime;\n    void \*          maxStack;\n    size_t          length;\n)\}/g,
    `$1#if UINTPTR_MAX == 0xffffffffu
    // bitrl (scripts/toolchain/wasm3-access-limits.mjs): an access of N bytes at start is inside when start < limitN
    u32             limit8, limit4, limit2, limit1;
#endif
}`,
    1,
  ],
  // set with the length
  [
    "m3_env.c",
    /(        memory->mallocated->length =  numPageBytes;\n)/g,
    `$1#if UINTPTR_MAX == 0xffffffffu
        memory->mallocated->limit8 = numPageBytes >= 8 ? (u32) numPageBytes - 7 : 0;
        memory->mallocated->limit4 = numPageBytes >= 4 ? (u32) numPageBytes - 3 : 0;
        memory->mallocated->limit2 = numPageBytes >= 2 ? (u32) numPageBytes - 1 : 0;
        memory->mallocated->limit1 = (u32) numPageBytes;
#endif
`,
    1,
  ],
];

/** Tests each load and store against its size's limit on 32-bit hosts, in the wasm3 sources in `dir`, in place
 *  (after armRegisters); throws naming the edit that did not fit. */
export function accessLimits(dir) {
  applyEdits(dir, EDITS, "access-limits");
}
