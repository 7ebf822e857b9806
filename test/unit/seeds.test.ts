// The seed sets of a run are disjoint (tools/lib/agent/seeds.ts): training chunks, checkpoint selection, evaluation
// and the study's distortion episodes, for the documented ranges; and the training plan draws from them.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { chunkSeed, distortSeed, evalSeed, HELD_OUT_SPAN, selectSeed } from "../../tools/lib/agent/seeds.ts";
import { TrainPlan } from "../../tools/lib/agent/train-plan.ts";
import { Pcg32 } from "../../tools/lib/reference/envs.ts";

/** The module's view of a seed: the u32 it seeds its PRNG with (agent_train/agent_episode take i32). */
const u32 = (s: number) => s >>> 0;

test("should keep the three held-out sets apart over their whole documented range (i < 1,000,000 each)", () => {
  const sets = [evalSeed, selectSeed, distortSeed].map((f) => [f(0), f(HELD_OUT_SPAN - 1)].map(u32));
  for (const [lo, hi] of sets) assert.ok(lo < hi && hi < 2 ** 31);
  // intervals [lo, hi] pairwise disjoint
  for (let a = 0; a < sets.length; a++)
    for (let b = a + 1; b < sets.length; b++)
      assert.ok(sets[a][1] < sets[b][0] || sets[b][1] < sets[a][0], `sets ${a} and ${b} overlap`);
  assert.throws(() => evalSeed(HELD_OUT_SPAN), /outside/);
  assert.throws(() => selectSeed(-1), /outside/);
  assert.throws(() => distortSeed(0.5), /outside/);
});

test("should never give a training chunk a held-out seed, for any run seed and episode count", () => {
  const r = new Pcg32(7);
  const runSeeds = [0, 1, 2, 3, 10, 99, 2 ** 31 - 1, -1, -(2 ** 31), 1_000_000, 2_000_000, 999_997];
  for (let i = 0; i < 2000; i++) runSeeds.push(r.next() | 0);
  const dones = [0, 1, 2, 3, 7, 100, 1_000_000, 2 ** 31 - 1, 999_997];
  for (let i = 0; i < 50; i++) dones.push(r.below(2 ** 31));
  for (const seed of runSeeds) {
    for (const done of dones) {
      const c = chunkSeed(seed, done);
      assert.ok(Number.isInteger(c) && c === (c | 0), `chunk seed ${c} is not an i32`);
      assert.ok(u32(c) >= 2 ** 31, `run ${seed}, episode ${done}: chunk seed ${c} has bit 31 clear`);
    }
  }
  // the old derivation (seed * 1000003 + k) collided: run seed 1, episode 0 started on eval seed 1,000,003
  assert.is.not(u32(chunkSeed(1, 0)), evalSeed(3));
  // distinct within a run
  const within = new Set(Array.from({ length: 5000 }, (_, k) => chunkSeed(42, k)));
  assert.is(within.size, 5000);
});

test("should make the training plan train on chunk seeds and check on selection seeds only", () => {
  const plan = new TrainPlan({
    seed: 1,
    episodes: 60,
    steps: Infinity,
    chunk: 10,
    envMaxSteps: 20,
    select: { every: 20, episodes: 3 },
  });
  let trains = 0,
    checks = 0;
  for (let call = plan.next(); call; call = plan.next()) {
    if (call.op === "train") {
      trains++;
      assert.ok(u32(call.seed) >= 2 ** 31);
      plan.trained(Array(call.episodes).fill(1), Array(call.episodes).fill(5));
    } else {
      checks++;
      assert.equal(call.seeds, [selectSeed(0), selectSeed(1), selectSeed(2)]);
      plan.checked(
        call.seeds.map(() => 1),
        call.seeds.map(() => 5),
      );
    }
  }
  assert.ok(trains >= 6 && checks >= 3, `${trains} train calls, ${checks} checks`);
});

test.run();
