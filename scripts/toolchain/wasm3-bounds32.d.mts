// Types of scripts/toolchain/wasm3-bounds32.mjs (setup step, also imported by test/board/toolchain.test.ts).
/** Makes wasm3's load/store bounds check 32-bit on 32-bit hosts in the sources in `dir`; throws naming an edit that does not fit. */
export function checkBounds32(dir: string): void;
