// Types of scripts/toolchain/wasm3-entry-slots.mjs (setup step, also imported by test/board/toolchain.test.ts).
/** Zeroes the locals and copies the constants a slot at a time at wasm3's function entry, in the sources in `dir`, in place; throws naming an edit that does not fit. */
export function entrySlots(dir: string): void;
