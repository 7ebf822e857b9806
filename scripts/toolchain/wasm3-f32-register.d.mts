// Types of scripts/toolchain/wasm3-f32-register.mjs (setup step, also imported by test/board/toolchain.test.ts).
/** Gives f32 values their own register in the wasm3 sources in `dir`, in place; throws naming the edit that did not fit. */
export function addF32Register(dir: string): void;
