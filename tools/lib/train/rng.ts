// Seeded PRNG for host training (initialisation, batches, random play): mulberry32, so a seed fixes every byte.
import { seededRandom } from "../util/seeded-random.ts";

export interface Rng {
  /** uniform in [0, 1) */
  next(): number;
  /** integer in [0, n) */
  below(n: number): number;
  /** standard normal (Box-Muller) */
  normal(): number;
}

export function rng(seed: number): Rng {
  const next = seededRandom(seed);
  return {
    next,
    below: (n) => Math.floor(next() * n),
    normal: () => {
      const u = 1 - next(); // (0, 1]
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * next());
    },
  };
}
