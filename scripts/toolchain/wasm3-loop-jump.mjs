// Compiles a branch back to a loop as a plain jump when no other loop has been entered since that loop began, on
// every host.
//
// wasm3 runs a loop inside op_Loop: each `br` or `br_if` back to it returns the loop's id (op_ContinueLoop /
// op_ContinueLoopIf) to op_Loop's C loop, which calls the body again: a return and a call, the registers cleared and
// the memory reloaded every iteration (about 15 instructions on a Cortex-M4). The return is needed when an inner
// loop's op_Loop frame sits between the branch and its target: returning unwinds it. When no loop was compiled
// between the target loop's start and the branch (none nested before it, none left behind in its body), the only
// op_Loop frame above the branch at run time is the target's own (blocks, ifs and branches are tail calls; calls
// return before the next operation), so jumping to the body's start keeps the C stack as it is: the branch is
// op_Branch / op_BranchIf_r to the body (3 instructions), and op_Loop's frame is left once, when the loop exits. The
// memory needs no reload: it reaches the next operation as every operation passes it (or in r9 on Arm). Loops with
// parameters and branch tables keep wasm3's way. Applied by scripts/setup-toolchain.mjs after
// wasm3-access-limits.mjs; each edit must match exactly where it is expected, or the install stops.
// docs/firmware.md "wasm3 from 2.34M to 1.73M".
import { applyEdits } from "./wasm3-op-signature.mjs";

/** [file, pattern, replacement, expected number of matches] */
const EDITS = [
  // a count of the loops compiled in the function, and each scope's count when it began
  [
    "m3_compile.h",
    /(    m3opcode_t                      opcode;\n    bool                            isPolymorphic;\n)\}\nM3CompilationScope;/g,
    "$1    u32                             loopMark;           // bitrl: o->loopCount when the scope began\n}\nM3CompilationScope;",
    1,
  ],
  [
    "m3_compile.h",
    /(    m3opcode_t          previousOpcode;\n)\}\nM3Compilation;/g,
    "$1    u32                 loopCount;                  // bitrl: loops compiled so far in this function\n}\nM3Compilation;",
    1,
  ],
  ["m3_compile.c", /(_       \(EmitOp \(o, op_Loop\)\);\n)/g, "$1        o->loopCount++;\n", 1],
  [
    "m3_compile.c",
    /(    block->opcode           = i_blockOpcode;\n)/g,
    "$1    block->loopMark         = o->loopCount;\n",
    1,
  ],
  // br_if back to a loop without parameters, and br back to a loop
  [
    "m3_compile.c",
    /_               \(EmitOp \(o, op_ContinueLoopIf\)\);\n                EmitPointer \(o, scope->pc\);\n/g,
    `                // bitrl (scripts/toolchain/wasm3-loop-jump.mjs): a jump when no loop began since this one did
_               (EmitOp (o, scope->loopMark == o->loopCount ? op_BranchIf_r : op_ContinueLoopIf));
                EmitPointer (o, scope->pc);
`,
    1,
  ],
  [
    "m3_compile.c",
    /    _       \(EmitOp \(o, op_ContinueLoop\)\);\n            EmitPointer \(o, scope->pc\);\n            o->block.isPolymorphic = true;\n/g,
    `    _       (EmitOp (o, scope->loopMark == o->loopCount ? op_Branch : op_ContinueLoop));
            EmitPointer (o, scope->pc);
            o->block.isPolymorphic = true;
`,
    1,
  ],
];

/** Compiles branches back to a loop as jumps where no other loop began since, in the wasm3 sources in `dir`, in place
 *  (after accessLimits); throws naming the edit that did not fit. */
export function loopJump(dir) {
  applyEdits(dir, EDITS, "loop-jump");
}
