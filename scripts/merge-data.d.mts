// Types of scripts/merge-data.mjs (build step, also imported by test/unit/merge-data.test.ts).
/** The widest run of zeros filled between two segments. */
export const MAX_GAP: number;
/** The module's active data segments as [offset, length] pairs (null: it has passive or non-constant ones). */
export function dataSegments(bytes: Uint8Array): [number, number][] | null;
/** The module with its active data segments merged, segments more than MAX_GAP apart kept apart (the input itself
 *  when there is nothing to do). */
export function mergeDataSegments(bytes: Uint8Array): Uint8Array;
