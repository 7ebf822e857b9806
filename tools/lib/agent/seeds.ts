// The reset seeds of a run, in one place: training chunks, checkpoint-selection checks, evaluation and the study's
// distortion episodes use disjoint sets by construction (docs/agents.md "Seeds"). A seed is the module PRNG's u32
// (agent_train / agent_episode take it as i32): held-out sets are small positive ranges, training chunk seeds all
// have bit 31 set, so no training chunk starts where a held-out episode does.

/** Episodes per held-out set: index i of a set must lie in [0, HELD_OUT_SPAN). */
export const HELD_OUT_SPAN = 1_000_000;
/** Greedy evaluation after training: episode i resets with EVAL_SEED + i. */
export const EVAL_SEED = 1_000_000;
/** Checkpoint selection: check episode i resets with SELECT_SEED + i. */
export const SELECT_SEED = 2_000_000;
/** The study's distortion episodes: episode i resets with DISTORT_SEED + i. */
export const DISTORT_SEED = 3_000_000;
/** Bit 31: set in every training chunk seed, clear in every held-out seed. */
const TRAIN_BIT = 0x80000000;

function heldOut(base: number, i: number): number {
  if (!(Number.isInteger(i) && i >= 0 && i < HELD_OUT_SPAN))
    throw new RangeError(`held-out episode index ${i} outside 0..${HELD_OUT_SPAN - 1}`);
  return base + i;
}
export const evalSeed = (i: number): number => heldOut(EVAL_SEED, i);
export const selectSeed = (i: number): number => heldOut(SELECT_SEED, i);
export const distortSeed = (i: number): number => heldOut(DISTORT_SEED, i);

/**
 * The seed of the training chunk that starts at episode `done` of the run seeded `seed` (the same for every
 * driver): (seed * 1000003 + done) mod 2^31 with bit 31 set, as an i32 (so always negative). Distinct within a run
 * for done < 2^31; never a held-out seed.
 */
export function chunkSeed(seed: number, done: number): number {
  return ((seed * 1000003 + done) & 0x7fffffff) | TRAIN_BIT | 0;
}
