// Types of scripts/toolchain/wasm3-arm-registers.mjs (setup step, also imported by test/board/toolchain.test.ts).
/** Keeps wasm3's memory header in r9 and its i64 register in r10:r11 on 32-bit Arm, in the sources in `dir`, in place; throws naming an edit that does not fit. */
export function armRegisters(dir: string): void;
