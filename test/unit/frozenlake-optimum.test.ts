// FrozenLake's optimum (the studies' 100% line): value iteration's success probability, checked against its own
// policy played on the twin, and against the known optimal policy of the 4x4 slippery map.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { frozenLakeOptimum } from "../../tools/lib/reference/frozenlake-optimum.ts";
import { frozenLakeStep, Pcg32 } from "../../tools/lib/reference/envs.ts";

test("should give the success probability its policy reaches on the twin", () => {
  const { value, policy } = frozenLakeOptimum(100);
  const N = 4000;
  let wins = 0;
  for (let e = 0; e < N; e++) {
    const rng = new Pcg32(1_000_000 + e);
    let cell = 0;
    for (let t = 100; t >= 1; t--) {
      const r = frozenLakeStep(cell, policy[t - 1][cell], rng);
      cell = r.cell;
      if (r.terminated) {
        wins += r.reward;
        break;
      }
    }
  }
  const se = Math.sqrt((value * (1 - value)) / N);
  assert.ok(Math.abs(wins / N - value) < 4 * se, `played ${wins / N}, value ${value}`);
});

test("should find the known optimal policy and a value near 0.74", () => {
  const { value, policy } = frozenLakeOptimum(100);
  assert.ok(value > 0.73 && value < 0.76, String(value));
  // with many steps left: left, up, up, up / left, -, left, - / up, down, left, - / -, right, down, -
  const known = [0, 3, 3, 3, 0, -1, 0, -1, 3, 1, 0, -1, -1, 2, 1, -1];
  known.forEach((a, cell) => a >= 0 && assert.is(policy[99][cell], a, `cell ${cell}`));
  // fewer steps cannot do better
  assert.ok(frozenLakeOptimum(10).value < value);
});

test.run();
