// Types of scripts/toolchain/wasm3-access-limits.mjs (setup step, also imported by test/board/toolchain.test.ts).
/** Tests each wasm3 load and store against a limit kept for its access size on 32-bit hosts, in the sources in `dir`, in place; throws naming an edit that does not fit. */
export function accessLimits(dir: string): void;
