// Types of scripts/toolchain/wasm3-arm-registers.mjs (setup step, also imported by test/board/toolchain.test.ts).
/** Keeps wasm3's i64 register and memory header in r10:r11 and r9 on 32-bit Arm, out of the operations' arguments, in the sources in `dir`, in place; throws naming an edit that does not fit. */
export function armRegisters(dir: string): void;
