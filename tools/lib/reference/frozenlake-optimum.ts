// The best FrozenLake-v1 (4x4, slippery) allows: the largest probability of reaching the goal within the time limit,
// by finite-horizon value iteration over the twin's own transitions (frozenLakeStep; each of its three slips has
// probability 1/3). Reward is 1 at the goal only, so this is also the best mean return: the 100% of the studies'
// "90% of the task's maximum" for frozenlake, which has no scripted optimal solver.
import { frozenLakeStep, type Pcg32 } from "./envs.ts";

/** One draw in each third of [0, 1): frozenLakeStep picks slip k = 0, 1, 2 from them. */
const SLIP_DRAWS = [1 / 6, 1 / 2, 5 / 6];

/** Where action a from cell can lead: three equally likely outcomes. */
function outcomes(cell: number, a: number) {
  return SLIP_DRAWS.map((u) => frozenLakeStep(cell, a, { uniform: () => u } as unknown as Pcg32));
}

/**
 * value: the optimal success probability from the start cell with `steps` steps left; policy[t][cell]: the best
 * action with t + 1 steps left (the lowest action on ties).
 */
export function frozenLakeOptimum(steps: number): { value: number; policy: number[][] } {
  let v = new Array<number>(16).fill(0); // success probability with 0 steps left
  const policy: number[][] = [];
  for (let t = 1; t <= steps; t++) {
    const next = new Array<number>(16).fill(0);
    const best = new Array<number>(16).fill(0);
    for (let cell = 0; cell < 16; cell++) {
      let top = -1;
      for (let a = 0; a < 4; a++) {
        let q = 0;
        for (const o of outcomes(cell, a)) q += (o.reward + (o.terminated ? 0 : v[o.cell])) / 3;
        if (q > top) [top, best[cell]] = [q, a];
      }
      next[cell] = top;
    }
    policy.push(best);
    v = next;
  }
  return { value: v[0], policy };
}
