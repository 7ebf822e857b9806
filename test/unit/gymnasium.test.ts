// Acrobot-v1 and MountainCar-v0 in the module against Gymnasium itself: test/fixtures/gymnasium/ was written by
// scripts/gymnasium-fixtures.py (its header says how the inputs are drawn; this file redraws them with the Pcg32
// twin). Single steps from 10,000 random states must agree within 1e-12 relative, >= 99% of 300 random-action
// episodes must have Gymnasium's length and flags; the TypeScript twins are held to the same fixtures.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadAgentModule } from "../../tools/lib/agent/index.ts";
import {
  acrobotReset,
  acrobotStep,
  mountainCarReset,
  mountainCarStep,
  ENV_IDS,
  Pcg32,
  type AcrobotState,
  type MountainCarState,
} from "../../tools/lib/reference/envs.ts";
import { repoRoot } from "../../tools/lib/util/paths.ts";

interface Fixture {
  gymnasium: string;
  steps: {
    count: number;
    seed: number;
    ranges: [number, number][];
    file: string;
    terminated: number[];
    reward: number[];
  };
  episodes: {
    count: number;
    action_seed: number;
    list: { length: number; terminated: boolean; truncated: boolean; final: number[] }[];
  };
}
type Twin = (s: number[], a: number) => { state: number[]; terminated: boolean; reward: number };
const ENVS: { name: "acrobot" | "mountaincar"; twin: Twin; reset: (r: Pcg32) => number[] }[] = [
  { name: "acrobot", twin: (s, a) => acrobotStep(s as AcrobotState, a), reset: acrobotReset },
  { name: "mountaincar", twin: (s, a) => mountainCarStep(s as MountainCarState, a), reset: mountainCarReset },
];
const dir = join(repoRoot, "test", "fixtures", "gymnasium");
const mod = loadAgentModule("release");
const io = mod.ioBase;
const dv = () => new DataView(mod.memory.buffer);
const readState = (): number[] =>
  Array.from({ length: mod.fn.env_state(io + 16, 0) }, (_, i) => dv().getFloat64(io + 16 + 8 * i, true));
const setState = (s: number[]) => {
  s.forEach((v, i) => dv().setFloat64(io + 16 + 8 * i, v, true));
  assert.is(mod.fn.env_state(io + 16, s.length), 0);
};
/** within 1e-12 of the larger magnitude (exact zeros must match exactly) */
const close = (a: number, b: number) => Math.abs(a - b) <= 1e-12 * Math.max(Math.abs(a), Math.abs(b));

for (const { name, twin, reset } of ENVS) {
  const fx = JSON.parse(readFileSync(join(dir, `${name}.json`), "utf8")) as Fixture;
  const raw = readFileSync(join(dir, fx.steps.file));
  const next = new Float64Array(raw.buffer, raw.byteOffset, raw.byteLength / 8);
  const id = ENV_IDS[name];
  const n = fx.steps.ranges.length;

  test(`${name}: single steps from ${fx.steps.count} random states agree with Gymnasium ${fx.gymnasium} within 1e-12 relative`, () => {
    assert.ok(fx.steps.count >= 10000 && next.length === fx.steps.count * n);
    const r = new Pcg32(fx.steps.seed);
    let exact = 0;
    for (let k = 0; k < fx.steps.count; k++) {
      const s = fx.steps.ranges.map(([lo, width]) => lo + width * r.uniform());
      const a = r.below(3);
      const want = Array.from(next.subarray(k * n, k * n + n));
      assert.is(mod.fn.env_reset(id, 0), 0);
      setState(s);
      const flags = mod.fn.env_step(a);
      const got = readState();
      const ref = twin(s, a);
      for (let i = 0; i < n; i++) {
        assert.ok(
          close(got[i], want[i]),
          `${name} step ${k} value ${i}: module ${got[i]}, gymnasium ${want[i]} (from ${s}, action ${a})`,
        );
        assert.ok(
          close(ref.state[i], want[i]),
          `${name} step ${k} value ${i}: twin ${ref.state[i]}, gymnasium ${want[i]}`,
        );
      }
      if (got.every((v, i) => v === want[i])) exact++;
      assert.is(flags & 1, fx.steps.terminated[k], `${name} step ${k} terminated`);
      assert.is(ref.terminated ? 1 : 0, fx.steps.terminated[k]);
      assert.is(dv().getFloat64(io, true), fx.steps.reward[k], `${name} step ${k} reward`);
      assert.is(ref.reward, fx.steps.reward[k]);
    }
    console.log(`  ${name}: ${exact} of ${fx.steps.count} next states bit-identical to Gymnasium's`);
  });

  test(`${name}: >= 99% of ${fx.episodes.count} random-action episodes have Gymnasium's length and flags`, () => {
    assert.ok(fx.episodes.count >= 300);
    let same = 0;
    let twinSame = 0;
    fx.episodes.list.forEach((want, e) => {
      assert.is(mod.fn.env_reset(id, e + 1), 0);
      const start = reset(new Pcg32(e + 1));
      assert.equal(readState(), start, `${name} episode ${e}: reset state`);
      const acts = new Pcg32(fx.episodes.action_seed + e);
      let steps = 0,
        flags = 0;
      let s = start,
        tTerm = false,
        tSteps = 0;
      while (flags === 0) {
        const a = acts.below(3);
        flags = mod.fn.env_step(a);
        steps++;
        if (!tTerm && tSteps < want.length) {
          const r = twin(s, a);
          s = r.state;
          tTerm = r.terminated;
          tSteps++;
        }
      }
      if (steps === want.length && (flags & 1) === +want.terminated && (flags & 2) >> 1 === +want.truncated) same++;
      if (tSteps === want.length && tTerm === want.terminated) twinSame++;
    });
    console.log(`  ${name}: ${same} of ${fx.episodes.count} episodes as Gymnasium's (twin: ${twinSame})`);
    assert.ok(same >= 0.99 * fx.episodes.count, `${name}: only ${same} of ${fx.episodes.count} episodes match`);
    assert.ok(
      twinSame >= 0.99 * fx.episodes.count,
      `${name} twin: only ${twinSame} of ${fx.episodes.count} episodes match`,
    );
  });
}

test.run();
