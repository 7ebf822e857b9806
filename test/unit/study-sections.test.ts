// docs/results.md's generated sections equal what their renderers make of the committed JSON (issue #16: tables
// written from data, so a hand edit or a stale table fails here). Re-render: the scripts' --render mode.
import { test } from "uvu";
import { replaceSection } from "../../tools/lib/report/markers.ts";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "../../tools/lib/util/paths.ts";
import { pretrainingStudy, renderedResults } from "../../scripts/study/results-sections.ts";
import {
  PRETRAINING_ENVS,
  pretrainingMarker,
  pretrainingSection,
  type PretrainingArm,
  type PretrainingStudy,
} from "../../scripts/study/pretraining-section.ts";

const results = readFileSync(join(repoRoot, "docs", "results.md"), "utf8");

test("every generated section of docs/results.md equals its rendering from the committed JSON", () => {
  assert.is(renderedResults(results), results);
});

test("each pretraining section is the rendering of its docs/results/pretraining-<env>.json", () => {
  const envs = PRETRAINING_ENVS.filter((env) => pretrainingStudy(env) !== null);
  assert.ok(envs.includes("cartpole"), "cartpole's study is committed");
  for (const env of envs) {
    const study = pretrainingStudy(env)!;
    assert.is(study.env, env);
    assert.is(replaceSection(results, pretrainingMarker(env), pretrainingSection(study)), results, env);
  }
});

/** A random-data study of `env` whose every arm's heads score `fp32` (fp32) or `other` (the rest). */
function synthetic(env: string, fp32: number[], other: number[]): PretrainingStudy {
  const arm = (kind: string, method: "qat" | "ptq", rl: number[]): PretrainingArm => ({
    method,
    data: "random",
    kind,
    backbone: `models/${env}-backbone-${kind}-random.bitrl`,
    zero_shot: [-500, -500],
    rl,
    steps_to_threshold: rl.map((x) => (x >= -100 ? 50_000 : null)),
  });
  return {
    env,
    seeds: fp32.length,
    steps: 100_000,
    eval_episodes: 2,
    command: "test",
    tabular_episodes: 200,
    arms: [arm("fp32", "qat", fp32), arm("ternary", "qat", other), arm("ternary", "ptq", other)],
    none: other,
    tabular: other,
    target: { metric: "return", threshold: -100, window: 20 },
    none_steps_to_threshold: other.map(() => null),
  };
}

test("should judge a negative-return task's saturation and retention on its range above the worst return", () => {
  // acrobot: returns in [-500, 0]; 90% of the range is -50
  const saturated = pretrainingSection(synthetic("acrobot", [-45, -44, -46], [-45, -44, -46]));
  assert.match(
    saturated,
    /fp32 head's mean is -45\.0 \(not below 90% of the way from the worst return -500 to the bound 0, i\.e\. -50\.0\)/,
  );
  assert.match(saturated, /kinds do not differ from fp32 beyond their retention intervals/);
  const open = pretrainingSection(synthetic("acrobot", [-90, -92, -88], [-300, -310, -290]));
  assert.match(open, /fp32 head's mean is -90\.0 \(below 90%/);
  // retention (-300 + 500) / (-90 + 500) = 0.488, beyond the interval for QAT and PTQ alike
  assert.match(open, /\| random \| ternary \| QAT \| -500\.0 ± 0\.0 \| -300\.0 ± [0-9.]+ \| -310\.0 \| 0\.488 /);
  assert.match(open, /differ from fp32 beyond the retention interval for ternary \(QAT\), ternary \(PTQ\)/);
  assert.match(open, /\| -310\.0 \| 0\.488 \[[0-9.]+, [0-9.]+\] \| 200\.0 \| never \(0\/3\) \|/);
  assert.match(
    open,
    /target \(return -100\) on random-play backbones: fp32 50 000, ternary never, ternary \(PTQ\) never; one-hot head never\./,
  );
  assert.match(open, /The fp32 head's greedy mean reaches the target -100\./);
});

test("should say so when every fp32 head scored the worst return (retention undefined)", () => {
  const stuck = pretrainingSection(synthetic("mountaincar", [-200, -200], [-200, -199]));
  assert.match(stuck, /retention is undefined, shown n\/a/);
  assert.match(
    stuck,
    /the task is at its floor, not its ceiling, and retention is not measured; kinds whose 95% interval of the mean return lies apart from fp32's: none\./,
  );
  // ternary's interval (-199.5 +- 6.4) overlaps fp32's -200 +- 0; a head clear of it is apart
  const apart = pretrainingSection(synthetic("mountaincar", [-200, -200, -200], [-120, -125, -118]));
  assert.match(apart, /lies apart from fp32's: ternary \(QAT\), ternary \(PTQ\)\./);
  assert.match(stuck, /\| n\/a \[n\/a, n\/a\] \|/);
  assert.match(stuck, /does not reach the target -100/);
});

test("replaceSection keeps the markers and refuses a document without them", () => {
  const doc = "a\n<!-- x:begin -->\nold\n<!-- x:end -->\nb";
  assert.is(replaceSection(doc, "x", "new"), "a\n<!-- x:begin -->\nnew\n<!-- x:end -->\nb");
  assert.throws(() => replaceSection("no markers", "x", "new"), /no <!-- x:begin -->/);
});

test.run();
