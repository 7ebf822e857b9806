// Types of scripts/toolchain/wasm3-end-offset.mjs (setup step, also imported by test/board/toolchain.test.ts).
/** Makes each wasm3 load's and store's immediate the end of its access on 32-bit hosts, in the sources in `dir`, in place; throws naming an edit that does not fit. */
export function endOffset(dir: string): void;
