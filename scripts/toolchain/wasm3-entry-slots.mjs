// Has wasm3's function entry zero the locals and copy the constants a slot at a time, in place of memset and memcpy,
// on every host.
//
// op_Entry clears a function's locals and copies its constant table into the new frame at every call, through memset
// and memcpy: two library calls for a few slots each (both sizes are whole slots, wasm3 computes them as slot counts
// times the slot size). Two slot loops do the same stores without the calls; an empty asm statement in each keeps
// gcc from turning them back into memset and memcpy. Applied by scripts/setup-toolchain.mjs after wasm3-next-r3.mjs;
// the edit must match exactly where it is expected, or the install stops. docs/firmware.md "wasm3 from 2.34M to 1.73M".
import { applyEdits } from "./wasm3-op-signature.mjs";

/** [file, pattern, replacement, expected number of matches] */
const EDITS = [
  [
    "m3_exec.h",
    /        u8 \* stack = \(u8 \*\) \(\(m3slot_t \*\) _sp \+ function->numRetAndArgSlots\);\n\n        memset \(stack, 0x0, function->numLocalBytes\);\n        stack \+= function->numLocalBytes;\n\n        if \(function->constants\)\n        \{\n            memcpy \(stack, function->constants, function->numConstantBytes\);\n        \}\n/g,
    `        // bitrl (scripts/toolchain/wasm3-entry-slots.mjs): locals zeroed and constants copied a slot at a time
        m3slot_t * stack = (m3slot_t *) _sp + function->numRetAndArgSlots;
        m3slot_t * end = (m3slot_t *) ((u8 *) stack + function->numLocalBytes);

        for (; stack < end; ++stack) { * stack = 0; __asm__ ("" : "+r" (stack)); }

        if (function->constants)
        {
            const m3slot_t * constant = (const m3slot_t *) function->constants;
            end = (m3slot_t *) ((u8 *) stack + function->numConstantBytes);
            for (; stack < end; ++stack, ++constant) { * stack = * constant; __asm__ ("" : "+r" (stack)); }
        }
`,
    1,
  ],
];

/** Zeroes the locals and copies the constants a slot at a time at function entry, in the wasm3 sources in `dir`, in
 *  place (after nextR3); throws naming the edit that did not fit. */
export function entrySlots(dir) {
  applyEdits(dir, EDITS, "entry-slots");
}
