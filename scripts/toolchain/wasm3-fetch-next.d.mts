// Types of scripts/toolchain/wasm3-fetch-next.mjs (setup step, also imported by test/board/toolchain.test.ts).
/** On 32-bit Arm (Thumb-2), fetches the frequent wasm3 operations' immediates and the next operation's address in one ldrd, in the sources in `dir`, in place; throws naming an edit that does not fit. */
export function fetchNext(dir: string): void;
