// Retention statistics over seeds: the ratio of a kind's mean to the fp32 mean, with a percentile-bootstrap 95%
// interval (seeds resampled independently per kind, fixed PRNG: the same data give the same interval).
import { rng } from "../train/rng.ts";

/** Percentile-bootstrap 95% CI of mean(a) / mean(b) (2000 resamples). */
export function ratioCi(a: number[], b: number[]): [number, number] {
  const r = rng(12345);
  const rs: number[] = [];
  for (let k = 0; k < 2000; k++) {
    let sa = 0,
      sb = 0;
    for (let i = 0; i < a.length; i++) sa += a[r.below(a.length)];
    for (let i = 0; i < b.length; i++) sb += b[r.below(b.length)];
    rs.push(sb === 0 ? NaN : sa / a.length / (sb / b.length));
  }
  rs.sort((x, y) => x - y);
  return [rs[Math.floor(0.025 * rs.length)], rs[Math.floor(0.975 * rs.length)]];
}
