// Learning curves against environment steps, for comparing runs of different episode lengths: a run's trailing
// mean on a common step grid, the first step it reaches a threshold, and intervals across seeds (pure, no I/O).
import { BitrlError } from "../util/errors.ts";
import { rng } from "../train/rng.ts";

/** One training run: per episode (in order) the score (return, or 1/0 success) and its environment steps. */
export interface EpisodeScores {
  scores: number[];
  steps: number[];
}

/** `points` step counts from budget / points up to the budget, evenly spaced (rounded to whole steps). */
export function stepGrid(budget: number, points: number): number[] {
  if (!(Number.isInteger(points) && points >= 1) || !(budget >= points))
    throw new BitrlError(
      `a step grid needs at least one point and a budget of one step per point (${budget}, ${points})`,
    );
  return Array.from({ length: points }, (_, k) => Math.round(((k + 1) * budget) / points));
}

/**
 * The mean score of the last `window` episodes that ended at or before each grid step (fewer while fewer have
 * ended; null before the first). A grid step past the run's last episode keeps the run's final value.
 */
export function trailingMeanOnGrid(run: EpisodeScores, grid: number[], window: number): (number | null)[] {
  const out: (number | null)[] = [];
  let end = 0, // cumulative steps at the end of episode i - 1
    i = 0,
    sum = 0; // scores of episodes [i - window, i); exact for whole-number scores
  for (const g of grid) {
    while (i < run.scores.length && end + run.steps[i] <= g) {
      end += run.steps[i];
      sum += run.scores[i];
      if (i >= window) sum -= run.scores[i - window];
      i++;
    }
    out.push(i === 0 ? null : sum / Math.min(i, window));
  }
  return out;
}

/**
 * The first environment step (cumulative steps at the end of an episode) at which the mean score of the last
 * `window` episodes is at least `threshold`; null if it never is. Needs a full window: a lucky first few episodes
 * do not count.
 */
export function stepsToThreshold(run: EpisodeScores, window: number, threshold: number): number | null {
  let end = 0,
    sum = 0;
  for (let i = 0; i < run.scores.length; i++) {
    end += run.steps[i];
    sum += run.scores[i];
    if (i >= window) sum -= run.scores[i - window];
    // 1e-9: a mean such as 19 / 20 must count as reaching 0.95
    if (i + 1 >= window && sum / window >= threshold - 1e-9) return end;
  }
  return null;
}

/** The median of per-seed steps, a seed that never reached the threshold counted as infinitely late: null when
 *  the median itself is one of those (more than half never reached it, or exactly half with an even count). */
export function medianSteps(steps: (number | null)[]): number | null {
  if (!steps.length) return null;
  const s = steps.map((x) => x ?? Infinity).sort((a, b) => a - b);
  const n = s.length;
  const m = n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  return Number.isFinite(m) ? m : null;
}

/** Resamples and PRNG seed of every bootstrap interval here: the same data give the same interval. */
export const BOOTSTRAP_RESAMPLES = 2000;
export const BOOTSTRAP_SEED = 12345;

/**
 * Percentile-bootstrap 95% interval of the mean (seeds resampled with replacement, BOOTSTRAP_RESAMPLES times,
 * fixed PRNG); it stays inside the data's range, unlike a t interval on success rates near 1. [x, x] for one value.
 */
export function bootstrapMeanCi(xs: number[]): [number, number] {
  if (!xs.length) throw new BitrlError("a bootstrap interval needs at least one value");
  const r = rng(BOOTSTRAP_SEED);
  const means = new Float64Array(BOOTSTRAP_RESAMPLES);
  for (let k = 0; k < BOOTSTRAP_RESAMPLES; k++) {
    let s = 0;
    for (let i = 0; i < xs.length; i++) s += xs[r.below(xs.length)];
    means[k] = s / xs.length;
  }
  means.sort();
  return [means[Math.floor(0.025 * BOOTSTRAP_RESAMPLES)], means[Math.floor(0.975 * BOOTSTRAP_RESAMPLES)]];
}

/** Mean and bootstrap 95% interval across seeds at each grid step (seeds without a value yet are left out; null where
 *  no seed has one). */
export function bandAcrossSeeds(perSeed: (number | null)[][]): {
  mean: (number | null)[];
  lo: (number | null)[];
  hi: (number | null)[];
} {
  const points = perSeed[0]?.length ?? 0;
  const mean: (number | null)[] = [],
    lo: (number | null)[] = [],
    hi: (number | null)[] = [];
  for (let k = 0; k < points; k++) {
    const xs = perSeed.map((c) => c[k]).filter((x): x is number => x !== null);
    if (!xs.length) {
      (mean.push(null), lo.push(null), hi.push(null));
      continue;
    }
    const [a, b] = bootstrapMeanCi(xs);
    (mean.push(xs.reduce((p, q) => p + q, 0) / xs.length), lo.push(a), hi.push(b));
  }
  return { mean, lo, hi };
}
