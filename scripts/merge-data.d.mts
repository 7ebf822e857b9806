// Types of scripts/merge-data.mjs (build step, also imported by test/unit/merge-data.test.ts).
/** The module with its active data segments merged into one (the input itself when there is nothing to do). */
export function mergeDataSegments(bytes: Uint8Array): Uint8Array;
