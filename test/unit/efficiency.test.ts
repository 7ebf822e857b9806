// The sample-efficiency study: its committed section of docs/results.md and its figures are exactly what the
// committed JSON renders to (so a hand edit fails here), and the curve helpers (step grid, trailing mean, steps to
// threshold, median, bootstrap interval) do what docs/results.md says they do.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import * as curves from "../../tools/lib/agent/learning-curves.ts";
import { runStepsToTarget, targetScores } from "../../tools/lib/agent/targets.ts";
import {
  EFFICIENCY_BEGIN,
  EFFICIENCY_END,
  efficiencySection,
  efficiencySvg,
  withEfficiencySection,
  type EfficiencyStudy,
} from "../../tools/lib/report/efficiency.ts";
import { projectPath } from "../../tools/lib/util/paths.ts";

const read = (...p: string[]) => readFileSync(projectPath(...p), "utf8");

test("should re-render the committed results.md section and SVGs from the committed JSON byte for byte", () => {
  const study = JSON.parse(read("docs", "results", "efficiency.json")) as EfficiencyStudy;
  assert.ok(study.arms.length > 0, "the JSON has arms");
  for (const e of study.envs)
    assert.fixture(efficiencySvg(study, e.env), read("docs", "results", `efficiency-${e.env}.svg`), e.env);
  const doc = read("docs", "results.md");
  assert.is(doc.split(EFFICIENCY_BEGIN).length, 2, "one begin marker");
  assert.is(doc.split(EFFICIENCY_END).length, 2, "one end marker");
  assert.fixture(withEfficiencySection(doc, efficiencySection(study)), doc);
});

test("should refuse a document without the markers", () => {
  assert.throws(() => withEfficiencySection("# results\n", "x"), /markers/);
});

test("should space a step grid evenly up to the budget", () => {
  assert.equal(curves.stepGrid(100, 4), [25, 50, 75, 100]);
  assert.equal(curves.stepGrid(10, 3), [3, 7, 10]);
  assert.throws(() => curves.stepGrid(2, 3), /grid/);
});

test("should average the last `window` episodes that ended by each grid step, holding the last value", () => {
  // episodes end at steps 10, 20, 40, 50 with scores 1, 0, 1, 1
  const run = { scores: [1, 0, 1, 1], steps: [10, 10, 20, 10] };
  assert.equal(curves.trailingMeanOnGrid(run, [5, 10, 39, 40, 60], 2), [null, 1, 0.5, 0.5, 1]);
  assert.equal(curves.trailingMeanOnGrid(run, [50], 10), [0.75]);
});

test("should find the first step where a full window's mean reaches the threshold", () => {
  const run = { scores: [1, 1, 0, 1, 1, 1], steps: [5, 5, 5, 5, 5, 5] };
  // a window of 3: means 2/3 (at 15), 2/3 (20), 2/3 (25), 1 (30)
  assert.is(curves.stepsToThreshold(run, 3, 1), 30);
  assert.is(curves.stepsToThreshold(run, 3, 0.6), 15); // not at 10: the first two alone are not a full window
  assert.is(curves.stepsToThreshold(run, 7, 0.1), null);
  // 19 of 20 is 0.95 (a float mean must not fall just short)
  const nineteen = { scores: [...Array(19).fill(1), 0], steps: Array(20).fill(1) };
  assert.is(curves.stepsToThreshold(nineteen, 20, 0.95), 20);
  assert.is(curves.stepsToThreshold(nineteen, 20, 0.951), null);
});

test("should count steps to each task's target on its own score: returns for acrobot, success for keydoor", () => {
  // acrobot: 20 episodes of -500 (the limit), then 20 of -90: the trailing 20-episode mean reaches -100 only when
  // the window is all -90 episodes, at 20 * 500 + 20 * 90 steps
  const returns = [...Array(20).fill(-500), ...Array(20).fill(-90)];
  const steps = returns.map((r) => -r);
  assert.is(runStepsToTarget("acrobot", returns, steps), 20 * 500 + 20 * 90);
  assert.is(
    runStepsToTarget("acrobot", returns.slice(0, 39), steps.slice(0, 39)),
    null,
    "19 of 20 at -90: mean -110.5",
  );
  // keydoor scores success (return > 0), not return: 100 successes of return 0.1 reach 0.95 although 0.1 < 0.95
  assert.equal(targetScores("keydoor", [0.1, 0]), [1, 0]);
  assert.is(runStepsToTarget("keydoor", Array(100).fill(0.1), Array(100).fill(3)), 300);
  assert.is(runStepsToTarget("cartpole", Array(100).fill(470), Array(100).fill(470)), null, "475 is cartpole's target");
});

test("should take the median with never-reached seeds as infinitely late", () => {
  assert.is(curves.medianSteps([30, 10, 20]), 20);
  assert.is(curves.medianSteps([10, null, 20, 40]), 30);
  assert.is(curves.medianSteps([10, null, null, 40]), null);
  assert.is(curves.medianSteps([null, 5, null]), null);
  assert.is(curves.medianSteps([]), null);
});

test("should give a fixed bootstrap interval of the mean inside the data's range", () => {
  const xs = [0.2, 0.9, 0.5, 0.7, 1, 0.4, 0.8, 0.6, 0.3, 1];
  const [lo, hi] = curves.bootstrapMeanCi(xs);
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  assert.ok(0.2 <= lo && lo < m && m < hi && hi <= 1, `[${lo}, ${hi}] around ${m}`);
  assert.equal(curves.bootstrapMeanCi(xs), [lo, hi], "same data, same interval");
  assert.equal(curves.bootstrapMeanCi([3, 3, 3]), [3, 3]);
  const band = curves.bandAcrossSeeds([
    [null, 1],
    [null, 3],
  ]);
  assert.equal(band.mean, [null, 2]);
  assert.ok(band.lo[1]! >= 1 && band.hi[1]! <= 3);
});

test.run();
