// Types of scripts/toolchain/wasm3-function-blocks.mjs (setup step, also imported by test/board/toolchain.test.ts).
/** Grows wasm3's array of function records 16 records at a time, in the sources in `dir`, in place; throws naming an edit that does not fit. */
export function functionBlocks(dir: string): void;
