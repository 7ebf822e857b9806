// Where a decision's instructions go, drawn (tools/lib/report/stages.ts): stages grouped without loss, bars split by
// share with each segment's count in it, the report's section, and the committed figure redrawn from its data.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  asDecisionStages,
  decisionStagesChart,
  decisionStagesRecord,
  SEGMENTS,
  segmentValues,
  STAGES,
  type DecisionStages,
  type StageCost,
} from "../../tools/lib/report/stages.ts";
import { renderReport } from "../../tools/lib/report/render.ts";
import { summaryRecords } from "../../tools/lib/report/summary.ts";
import { getBoard } from "../../tools/lib/board/profiles.ts";
import type { DecisionCost } from "../../tools/lib/board/decision-cost.ts";
import { repoRoot } from "../../tools/lib/util/paths.ts";

const cost = (stages: number[], forward: number, decision: number | null): StageCost => ({ forward, stages, decision });
const sample = (): DecisionStages => ({
  env: "cartpole",
  stages: STAGES,
  rows: [
    {
      kind: "fp32",
      emulated: {
        "qemu-m4/aot": cost([1, 20, 900, 0, 12, 0, 38, 0, 5], 970, 1000),
        "qemu-m4/aot-unchecked": cost([1, 10, 600, 0, 8, 0, 24, 0, 3], 640, 660),
      },
    },
    { kind: "ternary", emulated: { "qemu-m4/aot": cost([4, 28, 157, 55, 0, 13, 24, 20, 5], 300, null) } },
  ],
});

test("should put every profiled stage in exactly one segment", () => {
  const seen = SEGMENTS.flatMap((s) => s.stages).sort((a, b) => a - b);
  assert.equal(
    seen,
    STAGES.map((_, i) => i),
  );
});

test("should group the stages and add the decision's part outside the backbone, never negative", () => {
  const v = segmentValues(cost([1, 2, 3, 4, 5, 6, 7, 8, 9], 40, 50));
  assert.equal(v, [3, 2 + 6 + 8 + 9, 4 + 5, 7, 1, 10]);
  assert.is(segmentValues(cost([1, 2, 3, 4, 5, 6, 7, 8, 9], 40, null))[5], 0, "no agent: nothing outside");
  // soft-float fp32 on an FPU-less core: the episode's forwards can be cheaper than the bench's one
  assert.is(segmentValues(cost([1, 2, 3, 4, 5, 6, 7, 8, 9], 40, 30))[5], 0);
});

test("should draw one bar per offered runtime and kind, segments by share carrying their counts", () => {
  const svg = decisionStagesChart(sample());
  assert.ok(svg.startsWith("<svg") && svg.includes("fp32, qemu-m4/aot") && svg.includes("ternary, qemu-m4/aot"));
  assert.not.ok(svg.includes("aot-unchecked"), "a measurement-only build is not drawn");
  assert.ok(svg.includes(">1K<"), "the total of a bar");
  assert.ok(svg.includes("forward only"), "a kind without an agent says so");
  // the fp32 bar's segments: widths in proportion to their counts, summing to the whole bar
  const rects = [
    ...svg.matchAll(/<rect x="([\d.]+)" y="[\d.]+" width="([\d.]+)" height="16" fill="[^"]+" data-value="([\d.]+)">/g),
  ];
  const fp32 = rects.slice(0, segmentValues(sample().rows[0].emulated["qemu-m4/aot"]).filter((v) => v > 0).length);
  const total = fp32.reduce((a, m) => a + Number(m[2]), 0);
  const sum = fp32.reduce((a, m) => a + Number(m[3]), 0);
  for (const m of fp32) assert.ok(Math.abs(Number(m[2]) / total - Number(m[3]) / sum) < 1e-3);
  assert.equal(
    fp32.map((m) => Number(m[3])),
    segmentValues(sample().rows[0].emulated["qemu-m4/aot"]).filter((v) => v > 0),
  );
});

test("should refuse a record whose stage list is not the bench's", () => {
  assert.throws(
    () => asDecisionStages({ env: "cartpole", stages: STAGES.slice(1), rows: [] }),
    /stage list is not 9 stages/,
  );
  assert.throws(() => asDecisionStages({ env: "cartpole", stages: STAGES }), /no rows/);
  const row = (c: unknown) => ({
    env: "cartpole",
    stages: STAGES,
    rows: [{ kind: "ternary", emulated: { "qemu-m4/aot": c } }],
  });
  assert.throws(() => asDecisionStages(row({})), /ternary on qemu-m4\/aot: forward, 9 stage counts and a decision/);
  assert.throws(() => asDecisionStages(row({ forward: 1, stages: [1, 2], decision: 3 })), /9 stage counts/);
  assert.throws(
    () =>
      asDecisionStages(
        row({
          ...cost(
            STAGES.map(() => 1),
            9,
            10,
          ),
          decision: "10",
        }),
      ),
    /a decision/,
  );
  assert.throws(
    () => asDecisionStages({ env: "cartpole", stages: STAGES, rows: [{ emulated: {} }] }),
    /without a kind/,
  );
});

test("should name a bad record in the report instead of failing the page", () => {
  const html = renderReport(
    [
      { v: 1, kind: "decision-stages", time: "t0", env: "cartpole", board: "qemu-m4", stages: ["x"], rows: [] },
      { v: 1, kind: "decision-stages", time: "t1", board: "all", ...sample() },
    ],
    { generated: "2026-01-01T00:00:00Z" },
  );
  assert.ok(html.includes("Skipped a decision-stages record (t0): decision stages: the stage list is not 9 stages"));
  assert.ok(html.includes("ternary, qemu-m4/aot"), "the good record is still drawn");
});

test("should show the latest decision-stages record in the report, with every number in the table", () => {
  const d = sample();
  const html = renderReport(
    [
      { v: 1, kind: "decision-stages", time: "t0", env: "cartpole", stages: STAGES, rows: [] },
      { v: 1, kind: "decision-stages", time: "t1", ...d },
    ],
    { generated: "2026-01-01T00:00:00Z" },
  );
  assert.ok(html.includes(`<section id="decision-stages">`));
  assert.not.ok(html.includes("Runs: decision-stages"), "not also drawn as an unknown kind");
  assert.ok(html.includes("qemu-m4/aot-unchecked (measurement only)"), "the table keeps the measurement-only build");
  for (const v of segmentValues(d.rows[1].emulated["qemu-m4/aot"])) assert.ok(html.includes(`data-value="${v}"`));
  // one chart per env, board and source: the main job's record does not hide the bench's
  const both = renderReport(
    [
      { v: 1, kind: "decision-stages", time: "t1", board: "all", source: "bench/model.ts", ...d },
      { v: 1, kind: "decision-stages", time: "t2", board: "qemu-m4", source: "the main job", ...d },
    ],
    { generated: "2026-01-01T00:00:00Z" },
  );
  assert.is((both.match(/<h3>cartpole, board /g) ?? []).length, 2);
  assert.ok(both.includes("board all, from bench/model.ts") && both.includes("board qemu-m4, from the main job"));
});

test("should turn a board run's staged decision costs into one record, and none without stages or on a real board", () => {
  const staged = (backend: DecisionCost["backend"], agent: string, t: number): DecisionCost => ({
    backend,
    agent,
    ticksPerDecision: t,
    steps: 20,
    tickUnit: "instructions",
    stages: [1, 2, 3, 4, 5, 6, 7, 8, 9],
    forward: t - 10,
  });
  const costs = [staged("wasm3", "ternary", 100), staged("aot", "ternary", 50), staged("aot", "fp32", 80)];
  const rec = decisionStagesRecord("cartpole", "qemu-m4", costs)!;
  assert.equal(
    rec.rows.map((r) => [r.kind, Object.keys(r.emulated)]),
    [
      ["ternary", ["qemu-m4/wasm3", "qemu-m4/aot"]],
      ["fp32", ["qemu-m4/aot"]],
    ],
  );
  assert.equal(rec.rows[0].emulated["qemu-m4/aot"], { forward: 40, stages: [1, 2, 3, 4, 5, 6, 7, 8, 9], decision: 50 });
  assert.ok(decisionChartOf(rec).includes("ternary, qemu-m4/aot"));
  const bare = costs.map(({ stages: _s, forward: _f, ...c }) => c);
  assert.is(decisionStagesRecord("cartpole", "qemu-m4", bare), null);
  const run = (board: string) => ({
    board: getBoard(board),
    env: "cartpole",
    via: "test",
    ram: null,
    agents: [],
    decisionCosts: costs,
  });
  assert.is(summaryRecords(run("qemu-m4")).filter((r) => r.kind === "decision-stages").length, 1);
  assert.is(summaryRecords(run("nrf52840_dk")).filter((r) => r.kind === "decision-stages").length, 0);
});

const decisionChartOf = (rec: Record<string, unknown>) => decisionStagesChart(asDecisionStages(rec));

test("should redraw the committed figure of docs/model.md from its committed data without a difference", () => {
  const dir = join(repoRoot, "docs", "results");
  const data = JSON.parse(readFileSync(join(dir, "decision-stages-cartpole.json"), "utf8"));
  assert.is(
    readFileSync(join(dir, "decision-stages-cartpole.svg"), "utf8"),
    decisionStagesChart(asDecisionStages(data), true) + "\n",
    "run: node --import tsx bench/model.ts --render docs/results/decision-stages-cartpole.json --svg docs/results/decision-stages-cartpole.svg",
  );
});

test.run();
