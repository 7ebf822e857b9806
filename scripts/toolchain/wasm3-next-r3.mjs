// On 32-bit Arm firmware, has each wasm3 operation load the next operation's address into r3, the register gcc
// tail-calls through, except the comparisons and op_SetSlot_i32, where that costs more.
//
// An operation ends with a tail call to the operation after it (`bx r3`: gcc's Thumb sibling calls go through r3,
// the one argument register the operations leave free). gcc often loads that address early into another register
// and moves it to r3 before the jump, one instruction more in most operations (loads and stores, i64 and f32
// arithmetic, moves to slots). With this edit the load is tied to r3 by an empty asm statement with the address as
// its operand (gcc's documented use of a local register variable); nothing else changes, the jump's target is the
// same. In the comparisons and op_SetSlot_i32 the tie costs an instruction instead (gcc splits an IT block, or
// loads the slot's immediate through r3 first), so those keep wasm3's own nextOp (measured per operation from
// `arm-none-eabi-objdump` of the operations; op_SetSlot_i32 itself later takes wasm3-fetch-next.mjs's jump). Op
// profiling and tracing builds keep their own nextOp. Applied by scripts/setup-toolchain.mjs after
// wasm3-loop-jump.mjs; each edit must match exactly where it is expected, or the install stops. docs/firmware.md
// "wasm3 from 2.34M to 1.73M".
import { applyEdits } from "./wasm3-op-signature.mjs";

const UNTIED = "#undef d_m3NextOp\n#define d_m3NextOp()                nextOpDirect()\n";
const TIED = "#undef d_m3NextOp\n#define d_m3NextOp()                nextOpTied()\n";

/** [file, pattern, replacement, expected number of matches] */
const EDITS = [
  [
    "m3_exec_defs.h",
    /(#define nextOpDirect\(\)              return nextOpImpl\(\)\n)/g,
    `$1#if defined(__arm__) && !defined(__aarch64__) && !defined(__linux__)
// bitrl (scripts/toolchain/wasm3-next-r3.mjs): the tail call to operation OP (its immediates from PC) with OP tied
// to r3, where gcc's Thumb sibling calls jump; nextOpTied loads the next operation's address into it
#define d_m3TailCallR3(OP, PC)      do { register IM3Operation m3r3_ asm ("r3") = (OP); \\
    __asm__ ("" : "+r" (m3r3_)); return m3r3_ (_r0, PC, d_m3OpArgs); } while (0)
#define nextOpTied()                d_m3TailCallR3 ((IM3Operation) (* _pc), _pc + 1)
#else
#define nextOpTied()                nextOpDirect()
#endif
#define d_m3NextOp()                nextOpTied()
`,
    1,
  ],
  [
    "m3_exec.h",
    /#   define nextOp\(\)                 nextOpDirect\(\)\n/g,
    "#   define nextOp()                 d_m3NextOp()\n",
    1,
  ],
  // the comparisons (i32, i64, f32, f64) and op_SetSlot_i32 (with op_SetRegister_i32 and op_PreserveSetSlot_i32)
  [
    "m3_exec.h",
    /(\/\/ signed\nd_m3CommutativeOp_i \(i32, Equal, [\s\S]*?d_m3CompareOp_f \(f32, GreaterThanOrEqual, [^\n]*\n#endif\n)/g,
    `${UNTIED}$1${TIED}`,
    1,
  ],
  ["m3_exec.h", /(d_m3SetRegisterSetSlot \(i32, _r0\)\n)/g, `${UNTIED}$1${TIED}`, 1],
];

/** Ties each operation's next-operation address to r3 on 32-bit Arm (but the comparisons and op_SetSlot_i32), in the
 *  wasm3 sources in `dir`, in place (after loopJump); throws naming the edit that did not fit. */
export function nextR3(dir) {
  applyEdits(dir, EDITS, "next-r3");
}
