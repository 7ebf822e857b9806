// Run logs and the HTML report: records append and read back, the page holds the input's numbers, bad input
// gives a one-line error.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { appendRun, readRuns } from "../../tools/lib/report/runlog.ts";
import { renderReport } from "../../tools/lib/report/render.ts";
import { buildReport } from "../../tools/lib/report/write.ts";
import { studyFigures } from "../../tools/lib/report/study-figures.ts";
import { fmt } from "../../tools/lib/report/format.ts";
import { ci95, mean } from "../../tools/lib/util/stats.ts";
import { lineChart, niceTicks } from "../../tools/lib/report/svg.ts";
import { movingAverage } from "../../tools/lib/report/sections.ts";
import { fixtureRecords } from "../fixtures/report-fixture.ts";
import { fp32Bytes, summaryLines, summaryRecords } from "../../tools/lib/report/summary.ts";
import { peakRamBytes } from "../../tools/lib/board/ram.ts";
import { getBoard } from "../../tools/lib/board/profiles.ts";

const tmp = () => mkdtempSync(join(tmpdir(), "bitrl-report-"));

test("should append run records as JSON lines and read them back in order", () => {
  const dir = tmp();
  const f = appendRun("energy", { board: "qemu-m4", x: 1.5, bad: Infinity }, dir);
  appendRun("energy", { board: "qemu-m4", x: 2 }, dir);
  assert.is(f, join(dir, "energy.jsonl"));
  assert.is(readFileSync(f, "utf8").trim().split("\n").length, 2);
  const rs = readRuns([dir]);
  assert.equal(
    rs.map((r) => r.x),
    [1.5, 2],
  );
  assert.is(rs[0].bad, null);
  assert.is(rs[0].kind, "energy");
  assert.match(String(rs[0].time), /^\d{4}-\d\d-\d\dT/);
  assert.throws(() => appendRun("Bad Kind", {}, dir), /run-log kind must be/);
});

test("should name the file and line of a bad run record", () => {
  const dir = tmp();
  writeFileSync(join(dir, "x.jsonl"), '{"kind":"a"}\n{oops\n');
  assert.throws(() => readRuns([dir]), /x\.jsonl:2: not JSON/);
  assert.throws(() => readRuns([join(dir, "missing.jsonl")]), /does not exist/);
});

test("should compute the statistics the learning table shows", () => {
  assert.is(mean([1, 2, 3]), 2);
  // sd = 1, t(0.975, 2) = 4.303, / sqrt(3)
  assert.ok(Math.abs(ci95([1, 2, 3]) - 4.303 / Math.sqrt(3)) < 1e-12);
  assert.equal(niceTicks(0, 10), [0, 2, 4, 6, 8, 10]);
  assert.equal(movingAverage([2, 4, 6, 8], 2), [2, 3, 5, 7]);
  assert.is(fmt(0.000123456), "1.235e-4");
  assert.is(fmt(12345), "12 345");
  assert.is(fmt(313635.45), "313 635");
  assert.is(fmt(48.5234), "48.52");
});

test("should render a self-contained page with every section and the input's numbers", () => {
  const html = renderReport(fixtureRecords(), { generated: "fixed" });
  assert.not.match(html, /<script/i);
  assert.not.match(html, /(src|href)="(https?:)?\/\//);
  for (const id of ["learning", "latency", "decision-stages", "memory", "energy", "kind-run"])
    assert.match(html, new RegExp(`<section id="${id}"`));
  assert.ok((html.match(/<svg /g) ?? []).length >= 5, "charts");
  assert.match(html, /data-value="13.25"/);
  assert.match(html, /data-value="187.5"/);
  assert.match(html, /data-value="56321"/);
  assert.match(html, /data-value="324193"/, "the decision of the decision-stages record");
  // energy table shows uJ: 0.000123456 J = 123.456 uJ
  assert.match(html, new RegExp(`data-value="${JSON.stringify(0.000123456 * 1e6)}"`));
  assert.match(html, /estimated/);
  assert.match(html, /Retention/);
});

test("should show the committed study figures in a Studies section (sample-efficiency curves), none outside the repository", () => {
  const figures = studyFigures();
  assert.equal(
    figures.map((f) => f.title.split(",")[1].split(":")[0].trim()),
    ["cartpole", "keydoor", "frozenlake"],
  );
  const html = renderReport(fixtureRecords(), { generated: "fixed", figures });
  assert.match(html, /<section id="studies"><h2>Studies \(host, from docs\/results\)<\/h2>/);
  assert.ok(html.includes(figures[0].svg), "the SVG inline");
  assert.not.match(renderReport(fixtureRecords(), { generated: "fixed" }), /id="studies"/);
  assert.equal(studyFigures(tmp()), []);
});

test("should escape text from records", () => {
  const html = renderReport([{ v: 1, kind: "run", time: "t", note: "<img onerror=x>" }], {});
  assert.not.match(html, /<img/);
  assert.match(html, /&lt;img onerror=x&gt;/);
});

test("should write the report atomically and say how many records went in", () => {
  const dir = tmp();
  const runs = join(dir, "runs.jsonl");
  writeFileSync(
    runs,
    fixtureRecords()
      .map((r) => JSON.stringify(r))
      .join("\n") + "\n",
  );
  const out = join(dir, "r", "index.html");
  const r = buildReport([runs], out);
  assert.is(r.records, fixtureRecords().length);
  assert.ok(existsSync(out));
  assert.is(readFileSync(out, "utf8").length, r.bytes);
});

test("should summarise a board run: bytes vs fp32, peak RAM vs budget, speed and estimated energy", () => {
  const blob = {
    version: 1,
    meta: {},
    tensors: [
      { name: "w", shape: [16, 10], packing: "t3" as const, data: new Uint8Array(32), scales: new Float32Array(1) },
      { name: "c", shape: [4], packing: "i32" as const, data: new Uint8Array(16), scales: new Float32Array(0) },
    ],
  };
  assert.is(fp32Bytes(blob), 4 * 160 + 4 * 4);
  const ram = { budget: 262144, static_buffers: 2114, wasm3_heap: 167152, linear_memory: 131072 };
  assert.is(peakRamBytes(ram), 169266);
  assert.is(peakRamBytes({ ...ram, wasm3_heap: null }), 133186);
  const s = {
    board: getBoard("qemu-m4"),
    env: "cartpole",
    via: "test",
    ram,
    agents: [
      {
        work: { agent: "ternary", ticks: 6.4e6, decisions: 100, episodes: 2 },
        meanReturn: 50,
        model: "m",
        modelFileBytes: 1000,
        fp32Bytes: 20000,
      },
      {
        work: { agent: "fp32", ticks: 3.2e7, decisions: 100, episodes: 2 },
        meanReturn: 50,
        model: "f",
        modelFileBytes: 20100,
        fp32Bytes: 20000,
      },
    ],
  };
  const recs = summaryRecords(s);
  const run = recs.find((r) => r.kind === "run")!.record;
  // 6.4e6 instructions at 64 MHz = 0.1 s for 100 decisions
  assert.is(run.decisionsPerSecond, 1000);
  assert.is(run.ticksPerDecision, 64000);
  assert.is(run.timeKind, "emulated");
  const bench = recs.filter((r) => r.kind === "bench").map((r) => [r.record.metric, r.record.value]);
  assert.equal(bench.slice(0, 2), [
    ["instructions/decision", 64000],
    ["ms/decision", 1],
  ]);
  const energy = recs.find((r) => r.kind === "energy")!.record.figures as { joulesPerDecision: number }[];
  assert.ok(Math.abs(energy[0].joulesPerDecision - 9.9e-6) < 1e-15);
  const text = summaryLines(s).join("\n");
  assert.match(text, /1\.0 ms\/decision, 1000\.0 decisions\/s \(emulated, 64 MHz\)/);
  assert.match(text, /64000 instructions\/decision \(emulated\)/);
  assert.match(text, /20\.0x/);
  assert.match(text, /9\.90 uJ\/decision \(estimated\)/);
  assert.match(text, /ternary  peak RAM 169266 B of the 262144 B budget/);
  assert.match(text, /fp32 \/ ternary: 5\.00x instructions per decision \(emulated\), so 5\.00x estimated energy/);
  assert.not.match(text, /per backend/, "no backend table without measurements");
});

test("should show one decision per backend at the slowest board's clock, like-for-like ratios only, and the control period", () => {
  const cost = (backend: "wasm3" | "wasm3+native" | "aot", agent: string, t: number) => ({
    backend,
    agent,
    ticksPerDecision: t,
    steps: 20,
    tickUnit: "instructions",
  });
  const s = {
    board: getBoard("qemu-m4"),
    env: "cartpole",
    via: "test",
    ram: null,
    agents: [],
    decisionCosts: [
      cost("wasm3", "ternary", 4.0e6),
      cost("wasm3", "fp32", 3.2e7),
      cost("wasm3+native", "ternary", 6.4e5),
      cost("wasm3+native", "fp32", 1.6e6),
      cost("aot", "ternary", 5.0e5),
      cost("aot", "fp32", 2.0e6),
    ],
  };
  const text = summaryLines(s).join("\n");
  assert.match(
    text,
    /wasm3 +\| ternary 4,000,000 \(62\.5 ms\) \| fp32 32,000,000 \(500\.0 ms\) \| fp32 \/ ternary 8\.00x/,
  );
  assert.match(
    text,
    /wasm3\+native +\| ternary 640,000 \(10\.0 ms\) \| fp32 1,600,000 \(25\.0 ms\) \| fp32 \/ ternary 2\.50x/,
  );
  assert.match(text, /aot +\| .*fp32 \/ ternary 4\.00x/);
  assert.match(text, /within cartpole's 20 ms control period at 64 MHz \(estimated\): wasm3\+native, aot; not wasm3/);
  const bench = summaryRecords(s)
    .filter((r) => r.kind === "bench")
    .map((r) => r.record.name);
  assert.ok(bench.includes("cartpole ternary decision (wasm3+native)"));
});

test("should chart a curve of 300,000 points (a 1M-step training run's) without overflowing the stack", () => {
  const x = Array.from({ length: 300000 }, (_, i) => i);
  const svg = lineChart("long", "step", "return", [{ name: "seed 1", x, y: x.map((v) => v % 7) }]);
  assert.match(svg, /^<svg /);
});

test.run();
