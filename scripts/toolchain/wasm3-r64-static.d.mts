// Types of scripts/toolchain/wasm3-r64-static.mjs (setup step, also imported by test/board/toolchain.test.ts).
/** Keeps wasm3's i64 register in a static on 32-bit Arm in the sources in `dir`, in place; throws naming an edit that does not fit. */
export function staticR64(dir: string): void;
