// Types of scripts/toolchain/wasm3-native-stack.mjs (setup step, also imported by test/board/toolchain.test.ts).
/** Makes wasm3's function entry check the C stack pointer against bitrl_wasm3_native_floor, in the sources in `dir`, in place; throws naming an edit that does not fit. */
export function nativeStack(dir: string): void;
