// Types of scripts/toolchain/wasm3-r64-static.mjs (setup step, also imported by test/board/toolchain.test.ts).
/** Takes wasm3's i64 register and memory header out of the operations' arguments (two statics) on 32-bit Arm, in the sources in `dir`, in place; throws naming an edit that does not fit. */
export function staticR64(dir: string): void;
