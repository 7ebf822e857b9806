// Summary statistics over seeds for the study: mean with a Student-t 95% confidence interval, spread, extremes
// (tools/lib/util/stats.ts computes them; a single value has no spread here: NaN, not 0).
import { ci95, mean, stdev } from "../../tools/lib/util/stats.ts";

export interface Summary {
  n: number;
  mean: number;
  /** half-width of the Student-t 95% CI of the mean (NaN for one value) */
  ci95: number;
  /** sample standard deviation */
  sd: number;
  min: number;
  max: number;
}

export function summarize(xs: number[]): Summary {
  const n = xs.length;
  return {
    n,
    mean: mean(xs),
    ci95: n < 2 ? NaN : ci95(xs),
    sd: n < 2 ? NaN : stdev(xs),
    min: Math.min(...xs),
    max: Math.max(...xs),
  };
}

export const meanOf = mean;
