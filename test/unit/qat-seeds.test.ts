// The QAT-mode-over-pretraining-seeds comparison (scripts/qat-seeds.ts): its committed docs/results.md section is
// exactly what the committed JSON renders to, and the two-level bootstrap resamples what docs/results.md says.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import {
  QAT_SEEDS_BEGIN,
  QAT_SEEDS_END,
  qatSeedsSection,
  twoLevelCi,
  withQatSeedsSection,
  type QatSeedsStudy,
} from "../../scripts/study/qat-seeds-section.ts";
import { projectPath } from "../../tools/lib/util/paths.ts";

const read = (...p: string[]) => readFileSync(projectPath(...p), "utf8");

test("should re-render the committed results.md section from the committed JSON byte for byte", () => {
  const study = JSON.parse(read("docs", "results", "qat-seeds-keydoor.json")) as QatSeedsStudy;
  assert.is(study.runs.length, 3 * 20, "three arms over 20 pretraining seeds");
  for (const r of study.runs) assert.is(r.rl_means.length, study.rl_seeds, `${r.arm} p${r.pretrain_seed}`);
  const doc = read("docs", "results.md");
  assert.is(doc.split(QAT_SEEDS_BEGIN).length, 2, "one begin marker");
  assert.is(doc.split(QAT_SEEDS_END).length, 2, "one end marker");
  assert.fixture(withQatSeedsSection(doc, qatSeedsSection(study)), doc);
});

test("should refuse a document without the markers", () => {
  assert.throws(() => withQatSeedsSection("# results\n", "x"), /markers/);
});

test("should pair pretraining seeds across arms: a fixed ratio per seed gives a point interval", () => {
  // fp32 varies a lot across pretraining seeds, ternary is exactly half of it on every seed and RL seed: resampling
  // the seeds independently per arm would spread the ratio; paired, every draw is 0.5
  const fp = [
    [0.2, 0.2],
    [0.9, 0.9],
    [0.5, 0.5],
  ];
  const half = fp.map((xs) => xs.map((x) => x / 2));
  const [lo, hi] = twoLevelCi([fp, half], ([f, t]) => t / f);
  assert.ok(Math.abs(lo - 0.5) < 1e-12 && Math.abs(hi - 0.5) < 1e-12, `${lo} ${hi}`);
});

test("should resample RL seeds within a backbone: spread there widens the interval", () => {
  const flat = [
    [0.5, 0.5],
    [0.5, 0.5],
    [0.5, 0.5],
  ];
  const noisy = [
    [0.0, 1.0],
    [0.0, 1.0],
    [0.0, 1.0],
  ];
  const [lo, hi] = twoLevelCi([flat, noisy], ([f, t]) => t / f);
  assert.ok(lo < 0.7 && hi > 1.3, `${lo} ${hi}`);
  assert.equal(
    twoLevelCi([flat, noisy], ([f, t]) => t / f),
    [lo, hi],
    "same PRNG seed, same interval",
  );
});

test.run();
