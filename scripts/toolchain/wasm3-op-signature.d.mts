// Types of scripts/toolchain/wasm3-op-signature.mjs (setup step, also imported by test/board/toolchain.test.ts).
/** Reorders wasm3's op arguments to (r0, pc, sp, mem, fp0) in the sources in `dir`; throws naming an edit that does not fit. */
export function reorderOpSignature(dir: string): void;
/** Applies counted text edits ([file, pattern, replacement, expected matches]) to the wasm3 sources in `dir`; a
 *  string pattern is literal (its replacement taken as it is). */
export function applyEdits(dir: string, edits: [string, RegExp | string, string, number][], label: string): void;
