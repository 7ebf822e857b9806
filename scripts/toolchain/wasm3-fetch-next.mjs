// On 32-bit Arm firmware (Thumb-2), has the most frequent wasm3 operations fetch their immediates and the next
// operation's address in one post-indexed ldrd (and one ldr for a third word), into r3 for the tail call.
//
// An operation reads its immediates (slot offsets, a memory offset, a branch target) from the code after its own
// address, then the next operation's address after them, and advances the code pointer past all of it. gcc loads
// them one word at a time and adds to the pointer apart (3 or 4 instructions for two words, 4 or 5 for three). With
// this edit an extended asm does it in one `ldrd rA, rN, [pc], #8` (one immediate) or `ldrd rA, rB, [pc], #12` and
// an `ldr` (two), for: the moves to slots (op_SetSlot_*), the binary operations with one or two slot operands (_rs,
// _sr, and _ss but the 64-bit ones, where the two i64 operands leave too few registers), loads with their address in
// the register or a slot, stores with their address or value in a slot, and op_If_r and op_If_s. The address is
// tied to r3 only at the jump (wasm3-next-r3.mjs's d_m3TailCallR3): tied from the load on, an operation that calls
// a function in between (soft float, 64-bit division) would pass an argument through r3 over it. The same words are
// read in the same order; nothing else changes. Other hosts, and op profiling or tracing builds, keep wasm3's `immediate` and
// nextOp. Applied by scripts/setup-toolchain.mjs after wasm3-entry-slots.mjs; each edit must match
// exactly where it is expected, or the install stops. docs/firmware.md "wasm3 from 2.34M to 1.73M".
import { applyEdits } from "./wasm3-op-signature.mjs";

const FETCH = `#if defined(__arm__) && defined(__thumb2__) && !defined(__linux__) && !d_m3EnableOpProfiling && !d_m3EnableOpTracing
// bitrl (scripts/toolchain/wasm3-fetch-next.mjs): an operation's one or two immediates and the next operation's
// address in one post-indexed ldrd (and an ldr); the address goes to r3, where the tail call jumps, at the jump
#define d_m3ImmNext(TYPE, NAME)     TYPE NAME; IM3Operation m3next_; \\
    __asm__ ("ldrd %0, %1, [%2], #8" : "=&r" (NAME), "=&r" (m3next_), "+r" (_pc))
#define d_m3Imm2Next(TA, A, TB, B)  TA A; TB B; IM3Operation m3next_; \\
    __asm__ ("ldrd %0, %1, [%3], #12\\n\\tldr %2, [%3, #-4]" : "=&r" (A), "=&r" (B), "=&r" (m3next_), "+r" (_pc))
// the address tied to r3 only at the jump (wasm3-next-r3.mjs's d_m3TailCallR3): an operation that calls a function
// (soft float, 64-bit division) in between may pass arguments in r3
#define d_m3JumpNext()              d_m3TailCallR3 (m3next_, _pc)
#else
#define d_m3ImmNext(TYPE, NAME)     TYPE NAME = immediate (TYPE)
#define d_m3Imm2Next(TA, A, TB, B)  TA A = immediate (TA); TB B = immediate (TB)
#define d_m3JumpNext()              nextOp ()
#endif
`;

/** Literal text edits: [file, old, new, expected matches]. */
const LITERAL = [
  [
    "m3_exec.h",
    "#define d_m3CommutativeOpMacro(RES, REG, TYPE, NAME, OP, ...) \\\n",
    `${FETCH}\n#define d_m3CommutativeOpMacro(RES, REG, TYPE, NAME, OP, ...) \\\n`,
    1,
  ],
  // binary operations: one slot operand (_rs, _sr) or two (_ss; 64-bit types keep wasm3's reads)
  [
    "m3_exec.h",
    "    TYPE operand = slot (TYPE);                         \\\n    OP((RES), operand, ((TYPE) REG), ##__VA_ARGS__);    \\\n    nextOp ();                                          \\\n",
    "    d_m3ImmNext (i32, m3slot_);                         \\\n    TYPE operand = * (TYPE *) (_sp + m3slot_);          \\\n    OP((RES), operand, ((TYPE) REG), ##__VA_ARGS__);    \\\n    d_m3JumpNext ();                                    \\\n",
    1,
  ],
  [
    "m3_exec.h",
    "    TYPE operand = slot (TYPE);                         \\\n    OP((RES), ((TYPE) REG), operand, ##__VA_ARGS__);    \\\n    nextOp ();                                          \\\n",
    "    d_m3ImmNext (i32, m3slot_);                         \\\n    TYPE operand = * (TYPE *) (_sp + m3slot_);          \\\n    OP((RES), ((TYPE) REG), operand, ##__VA_ARGS__);    \\\n    d_m3JumpNext ();                                    \\\n",
    1,
  ],
  [
    "m3_exec.h",
    "    TYPE operand2 = slot (TYPE);                        \\\n    TYPE operand1 = slot (TYPE);                        \\\n    OP((RES), operand1, operand2, ##__VA_ARGS__);       \\\n    nextOp ();                                          \\\n",
    "    if (sizeof (TYPE) > 4) {                            \\\n        TYPE operand2 = slot (TYPE);                    \\\n        TYPE operand1 = slot (TYPE);                    \\\n        OP((RES), operand1, operand2, ##__VA_ARGS__);   \\\n        nextOp ();                                      \\\n    }                                                   \\\n    d_m3Imm2Next (i32, m3slot2_, i32, m3slot1_);        \\\n    TYPE operand2 = * (TYPE *) (_sp + m3slot2_);        \\\n    TYPE operand1 = * (TYPE *) (_sp + m3slot1_);        \\\n    OP((RES), operand1, operand2, ##__VA_ARGS__);       \\\n    d_m3JumpNext ();                                    \\\n",
    1,
  ],
  // op_If_r: the else branch's address
  [
    "m3_exec.h",
    "    pc_t elsePC = immediate (pc_t);\n\n    if (condition)\n        nextOp ();\n    else\n        jumpOp (elsePC);\n",
    "    d_m3ImmNext (pc_t, elsePC);\n\n    if (condition)\n        d_m3JumpNext ();\n    else\n        jumpOp (elsePC);\n",
    2,
  ],
  // the moves to slots of every type
  [
    "m3_exec.h",
    "d_m3Op (SetSlot_##TYPE)                 \\\n{                                       \\\n    slot (TYPE) = (TYPE) REG;           \\\n    nextOp ();                          \\\n}",
    "d_m3Op (SetSlot_##TYPE)                 \\\n{                                       \\\n    d_m3ImmNext (i32, m3slot_);         \\\n    * (TYPE *) (_sp + m3slot_) = (TYPE) REG; \\\n    d_m3JumpNext ();                    \\\n}",
    1,
  ],
  // loads: the offset (address in the register), or the address's slot and the offset
  [
    "m3_exec.h",
    "    d_m3TracePrepare                                    \\\n    u32 offset = immediate (u32);                       \\\n    d_m3MemAddr operand = (u32) _r0;                            \\\n",
    "    d_m3TracePrepare                                    \\\n    d_m3ImmNext (u32, offset);                          \\\n    d_m3MemAddr operand = (u32) _r0;                            \\\n",
    1,
  ],
  // loads and stores with the address in a slot: its slot and the offset
  [
    "m3_exec.h",
    "    d_m3TracePrepare                                    \\\n    d_m3MemAddr operand = slot (u32);                           \\\n    u32 offset = immediate (u32);                       \\\n    operand += offset;                                  \\\n",
    "    d_m3TracePrepare                                    \\\n    d_m3Imm2Next (i32, m3slot_, u32, offset);           \\\n    d_m3MemAddr operand = * (u32 *) (_sp + m3slot_);    \\\n    operand += offset;                                  \\\n",
    2,
  ],
  // stores with the value in a slot and the address in the register: the value's slot and the offset
  [
    "m3_exec.h",
    "    const SRC_TYPE value = slot (SRC_TYPE);             \\\n    d_m3MemAddr operand = (u32) _r0;                            \\\n    u32 offset = immediate (u32);                       \\\n",
    "    d_m3Imm2Next (i32, m3slot_, u32, offset);           \\\n    const SRC_TYPE value = * (SRC_TYPE *) (_sp + m3slot_); \\\n    d_m3MemAddr operand = (u32) _r0;                            \\\n",
    1,
  ],
];

/** On 32-bit Arm (Thumb-2), fetches the frequent operations' immediates and the next operation's address in one ldrd,
 *  in the wasm3 sources in `dir`, in place (after entrySlots); throws naming the edit that did not fit. */
export function fetchNext(dir) {
  applyEdits(
    dir,
    [
      ...LITERAL,
      // the four load and store bodies above: their jump to the next operation
      [
        "m3_exec.h",
        /(d_m3Imm2?Next \((?:u32, offset|i32, m3slot_, u32, offset)\);[^}]*?)        nextOp \(\);                                      \\\n/g,
        "$1        d_m3JumpNext ();                                \\\n",
        4,
      ],
    ],
    "fetch-next",
  );
}
