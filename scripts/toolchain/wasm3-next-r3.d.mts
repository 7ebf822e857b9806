// Types of scripts/toolchain/wasm3-next-r3.mjs (setup step, also imported by test/board/toolchain.test.ts).
/** Ties each wasm3 operation's next-operation address to r3 on 32-bit Arm (but the comparisons and op_SetSlot_i32), in the sources in `dir`, in place; throws naming an edit that does not fit. */
export function nextR3(dir: string): void;
