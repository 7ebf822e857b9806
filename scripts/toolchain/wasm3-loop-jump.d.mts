// Types of scripts/toolchain/wasm3-loop-jump.mjs (setup step, also imported by test/board/toolchain.test.ts).
/** Compiles wasm3's branches back to a loop as jumps where no other loop began since, in the sources in `dir`, in place; throws naming an edit that does not fit. */
export function loopJump(dir: string): void;
