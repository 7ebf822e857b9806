// Types of scripts/toolchain/wasm3-int-registers.mjs (setup step, also imported by test/board/toolchain.test.ts).
/** Gives i32 and i64 values a register each in the wasm3 sources in `dir`, in place; throws naming an edit that does not fit. */
export function splitIntRegisters(dir: string): void;
