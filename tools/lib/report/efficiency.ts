// The sample-efficiency study's outputs from its JSON (docs/results/efficiency.json, written by
// scripts/efficiency.ts): one SVG of learning curves per env and the docs/results.md section between its markers.
// Pure string building: the same JSON gives the same bytes (test/unit/efficiency.test.ts checks the committed ones).
import { BitrlError } from "../util/errors.ts";
import { replaceSection } from "./markers.ts";
import { fmt } from "./format.ts";
import { lineChart, type LineSeries } from "./svg.ts";

export const EFFICIENCY_ENVS = ["cartpole", "keydoor", "frozenlake"] as const;
export type EfficiencyEnv = (typeof EFFICIENCY_ENVS)[number];
export const EFFICIENCY_BEGIN = "<!-- efficiency:begin -->";
export const EFFICIENCY_END = "<!-- efficiency:end -->";

/** One seed of one arm. */
export interface EfficiencySeed {
  seed: number;
  /** (grid points) trailing mean score at each grid step; null before the first episode ended */
  curve: (number | null)[];
  /** training steps when the trailing mean first reached the threshold; null: never */
  steps_to_threshold: number | null;
  /** held-out greedy eval: mean return (cartpole) or success rate */
  eval_score: number;
  eval_mean_return: number;
  episodes: number;
  train_steps: number;
  check_steps: number;
}

/** One arm: an env, an algorithm and a backbone kind, over seeds. */
export interface EfficiencyArm {
  env: string;
  algo: string;
  kind: string;
  hidden: number;
  /** the training settings (TrainConfig, agent.hparams) */
  train: Record<string, unknown>;
  /** (grid points) mean across seeds and its 95% interval */
  curve: { mean: (number | null)[]; lo: (number | null)[]; hi: (number | null)[] };
  eval: { mean: number; lo: number; hi: number };
  steps_to_threshold: { median: number | null; reached: number; seeds: number };
  seeds: EfficiencySeed[];
}

export interface EfficiencyEnvSettings {
  env: string;
  metric: "return" | "success";
  threshold: number;
  /** training episodes in the trailing mean */
  window: number;
  budget_steps: number;
  select: { every: number; episodes: number; gate?: number };
  /** training steps of the curve points */
  grid: number[];
}

export interface EfficiencyStudy {
  study: string;
  command: string;
  runtime: string;
  seeds: number;
  definitions: Record<string, string>;
  envs: EfficiencyEnvSettings[];
  arms: EfficiencyArm[];
}

/** Line colour per backbone kind, the same in every panel. */
const KIND_COLORS: Record<string, string> = {
  fp32: "#1f77b4",
  int8: "#2ca02c",
  ternary: "#d62728",
  binary: "#ff7f0e",
  none: "#7f7f7f",
};

const ALGO_NAMES: Record<string, string> = { ppo: "PPO", reinforce: "REINFORCE" };
const algoName = (a: string) => ALGO_NAMES[a] ?? a;
const numbers = (xs: (number | null)[]) => xs.map((x) => x ?? NaN);

/**
 * The learning curves of one env: a panel per algorithm (same axes, one above the other), in each one line per
 * backbone kind (mean across seeds) with its 95% band, and the target dashed.
 */
export function efficiencySvg(study: EfficiencyStudy, env: string): string {
  const e = study.envs.find((x) => x.env === env);
  const arms = study.arms.filter((a) => a.env === env);
  if (!e || !arms.length) return "";
  const what = e.metric === "return" ? "return" : "success rate";
  const panels = [...new Set(arms.map((a) => a.algo))].map((algo, i) => {
    const series: LineSeries[] = arms
      .filter((a) => a.algo === algo)
      .map((a) => ({
        name: a.kind,
        x: e.grid,
        y: numbers(a.curve.mean),
        lo: numbers(a.curve.lo),
        hi: numbers(a.curve.hi),
        color: KIND_COLORS[a.kind],
      }));
    series.push({
      name: `target ${e.threshold}`,
      x: [e.grid[0], e.grid[e.grid.length - 1]],
      y: [e.threshold, e.threshold],
      color: "#000",
      dashed: true,
    });
    const chart = lineChart(
      `${env} ${algoName(algo)}: mean of ${study.seeds} seeds, 95% band`,
      "training environment steps",
      `${what} (last ${e.window} episodes)`,
      series,
      // the first panel carries the style rules for the whole file
      { yRange: e.metric === "return" ? [0, 500] : [0, 1], standalone: i === 0 },
    );
    return { chart, size: chartSize(chart) };
  });
  const w = Math.max(...panels.map((p) => p.size.w));
  let y = 0;
  const body = panels.map((p) => {
    const g = `<g transform="translate(0 ${y})">${p.chart}</g>`;
    y += p.size.h;
    return g;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${w} ${y}" width="${w}" height="${y}" role="img" aria-label="${env}: training curves per algorithm">${body.join("")}</svg>\n`;
}

/** A chart's width and height (from its root element's attributes). */
function chartSize(svg: string): { w: number; h: number } {
  const m = /^<svg [^>]*width="(\d+)" height="(\d+)"/.exec(svg);
  if (!m) throw new BitrlError("a chart without its width and height");
  return { w: Number(m[1]), h: Number(m[2]) };
}

const score = (e: EfficiencyEnvSettings, x: number) => (e.metric === "return" ? x.toFixed(1) : x.toFixed(3));
const steps = (x: number | null, budget: number) => (x === null ? `not reached in ${fmt(budget)}` : fmt(x));
/** An arm's median steps for comparisons: never reached counts as later than any step. */
const medianOrInf = (a: EfficiencyArm) => a.steps_to_threshold.median ?? Infinity;

/** What the data say for one env, in sentences generated from the numbers (whichever way they fall). */
function envReading(study: EfficiencyStudy, e: EfficiencyEnvSettings): string {
  const arms = study.arms.filter((a) => a.env === e.env);
  const algos = [...new Set(arms.map((a) => a.algo))];
  const target = e.metric === "return" ? `return ${e.threshold}` : `success ${e.threshold}`;
  const parts: string[] = [];
  const reached = algos.map((al) => {
    const xs = arms.filter((a) => a.algo === al);
    const r = xs.reduce((n, a) => n + a.steps_to_threshold.reached, 0);
    const n = xs.reduce((n, a) => n + a.steps_to_threshold.seeds, 0);
    return `${algoName(al)} on ${r}/${n}`;
  });
  parts.push(`**${e.env}** (target ${target}): the training curve reached it on ${reached.join(", ")} seed runs.`);
  if (algos.includes("ppo") && algos.includes("reinforce")) {
    // per backbone kind: which algorithm's median came first, and whose eval interval lies above the other's
    const steps = { ppo: [] as string[], reinforce: [] as string[], equal: [] as string[], neither: [] as string[] };
    const evals = { ppo: [] as string[], reinforce: [] as string[], overlap: [] as string[] };
    for (const p of arms.filter((a) => a.algo === "ppo")) {
      const r = arms.find((a) => a.algo === "reinforce" && a.kind === p.kind);
      if (!r) continue;
      const mp = medianOrInf(p),
        mr = medianOrInf(r);
      const kind = `\`${p.kind}\``;
      steps[mp === Infinity && mr === Infinity ? "neither" : mp < mr ? "ppo" : mr < mp ? "reinforce" : "equal"].push(
        kind,
      );
      if (p.eval.lo > r.eval.hi) evals.ppo.push(kind);
      else if (r.eval.lo > p.eval.hi) evals.reinforce.push(kind);
      else
        evals.overlap.push(
          `${kind} (${p.eval.mean > r.eval.mean ? "PPO higher" : r.eval.mean > p.eval.mean ? "REINFORCE higher" : "equal means"})`,
        );
    }
    const on = (xs: string[]) => (xs.length ? xs.join(", ") : "no kind");
    parts.push(
      `Median steps to the target, PPO vs REINFORCE on the same features: PPO earlier on ${on(steps.ppo)}; REINFORCE earlier on ${on(steps.reinforce)}` +
        (steps.equal.length ? `; equal on ${on(steps.equal)}` : "") +
        (steps.neither.length ? `; neither median reached on ${on(steps.neither)}` : "") +
        `. Final greedy eval: PPO above REINFORCE with disjoint intervals on ${on(evals.ppo)}; REINFORCE above PPO on ${on(evals.reinforce)}` +
        (evals.overlap.length ? `; overlapping on ${evals.overlap.join(", ")}` : "") +
        ".",
    );
  }
  // the one-hot baseline has its own defaults (hparams.ts): say when it beats every backbone outright
  for (const al of algos) {
    const none = arms.find((a) => a.algo === al && a.kind === "none");
    const backbones = arms.filter((a) => a.algo === al && a.kind !== "none");
    if (!none || !backbones.length) continue;
    const best = backbones.reduce((b, a) => (a.eval.mean > b.eval.mean ? a : b));
    if (none.eval.lo > Math.max(...backbones.map((a) => a.eval.hi)))
      parts.push(
        `${algoName(al)} on one-hot features (\`none\`, its own defaults) is above every backbone kind with disjoint intervals: ${score(e, none.eval.mean)} vs at best ${score(e, best.eval.mean)} (\`${best.kind}\`).`,
      );
  }
  const fastest = [...arms].sort((a, b) => medianOrInf(a) - medianOrInf(b))[0];
  if (fastest && fastest.steps_to_threshold.median !== null)
    parts.push(
      `Earliest median: ${algoName(fastest.algo)} \`${fastest.kind}\`, ${fmt(fastest.steps_to_threshold.median)} steps.`,
    );
  // the curve follows the sampled (exploring) policy; the eval is greedy, and the two can disagree
  const gap = arms.filter(
    (a) => a.eval.mean >= e.threshold && 2 * a.steps_to_threshold.reached < a.steps_to_threshold.seeds,
  );
  if (gap.length)
    parts.push(
      `Greedy eval at or above the target although fewer than half the seeds' sampled training curves reached it: ${gap.map((a) => `${algoName(a.algo)} \`${a.kind}\` (${score(e, a.eval.mean)}; ${a.steps_to_threshold.reached}/${a.steps_to_threshold.seeds})`).join(", ")}; the curve is the exploring policy's.`,
    );
  for (const al of algos) {
    const byKind = (k: string) => arms.find((a) => a.algo === al && a.kind === k);
    const t = byKind("ternary"),
      f = byKind("fp32");
    if (!t || !f) continue;
    parts.push(
      `${algoName(al)}, ternary vs fp32: eval ${score(e, t.eval.mean)} [${score(e, t.eval.lo)}, ${score(e, t.eval.hi)}] vs ${score(e, f.eval.mean)} [${score(e, f.eval.lo)}, ${score(e, f.eval.hi)}], median steps ${steps(t.steps_to_threshold.median, e.budget_steps)} vs ${steps(f.steps_to_threshold.median, e.budget_steps)}.`,
    );
  }
  return parts.join(" ");
}

/** The hyper-parameters that differ between arms, one row per env and algorithm (backbone arms; `none` noted). */
function settingsTable(study: EfficiencyStudy): string[] {
  const rows: string[] = [];
  for (const e of study.envs)
    for (const algo of [...new Set(study.arms.filter((a) => a.env === e.env).map((a) => a.algo))]) {
      const a = study.arms.find((x) => x.env === e.env && x.algo === algo && x.kind !== "none");
      const n = study.arms.find((x) => x.env === e.env && x.algo === algo && x.kind === "none");
      if (!a) continue;
      const t = a.train as Record<string, number | string>;
      const common = `gamma ${t.gamma}, lr ${t.lr}, entropy ${t.entropy}, reward scale ${t.rewardScale}`;
      const own =
        algo === "ppo"
          ? `rollout ${t.rollout}, epochs ${t.epochs}, minibatches ${t.minibatches}, GAE lambda ${t.gaeLambda}, clip ${t.clip}, grad-norm clip ${t.maxGradNorm}, lr falling linearly to ${t.lrEnd} x lr over ${t.horizon} steps`
          : `batch ${t.batch} episodes, lr decay ${t.lrDecay} per update`;
      const diff = n
        ? Object.keys(n.train)
            .filter((k) => n.train[k] !== a.train[k])
            .map((k) => `${k} ${n.train[k]}${k === "rollout" && n.train[k] === 0 ? " (the most that fit)" : ""}`)
        : [];
      if (n && n.hidden !== a.hidden) diff.push(`hidden ${n.hidden}`);
      rows.push(`| ${e.env} | ${algoName(algo)} | ${common}; ${own} | ${diff.length ? diff.join(", ") : "same"} |`);
    }
  return [
    "| env | algorithm | settings (backbone arms, linear head) | one-hot `none` differs in |",
    "|---|---|---|---|",
    ...rows,
  ];
}

/** The docs/results.md section (without its markers), generated from the study's JSON. */
export function efficiencySection(study: EfficiencyStudy): string {
  const d = study.definitions;
  const envs = study.envs.filter((e) => study.arms.some((a) => a.env === e.env));
  const lines = [
    "## Sample efficiency: PPO vs REINFORCE on every backbone kind",
    "",
    `_Generated by \`scripts/efficiency.ts\` from [results/efficiency.json](results/efficiency.json); \`node --import tsx scripts/efficiency.ts --render\` rewrites it. Do not edit by hand._`,
    "",
    `${study.runtime}; ${study.seeds} seeds per arm (seed s: head init and training episodes from s, as \`bitrl train --seeds\` does). Command: \`${study.command}\`.`,
    "",
    `- Budget: ${d.budget}. ${study.envs.map((e) => `${e.env} ${fmt(e.budget_steps)} steps (checks every ${fmt(e.select.every)} training steps, ${e.select.episodes} greedy episodes)`).join("; ")}.`,
    `- Hyper-parameters: ${d.hyper_parameters}.`,
    `- x axis: ${d.x}.`,
    `- Curve: ${d.curve}. Window: ${study.envs.map((e) => `${e.env} ${e.window} episodes`).join(", ")} (the goal tasks' 0/1 scores need a long window, or a mean crosses the target by luck).`,
    `- Band and intervals: ${d.band}.`,
    `- Steps to target: ${d.steps_to_threshold}. Targets: ${study.envs.map((e) => `${e.env} ${e.metric} >= ${e.threshold}`).join(", ")}.`,
    `- Eval: ${d.eval}.`,
    "",
    ...settingsTable(study),
    "",
    "| env | algorithm | backbone | final greedy eval, mean [95% CI] | steps to target, median | reached |",
    "|---|---|---|---|---|---|",
  ];
  for (const e of envs)
    for (const a of study.arms.filter((x) => x.env === e.env))
      lines.push(
        `| ${e.env} | ${algoName(a.algo)} | ${a.kind} | ${score(e, a.eval.mean)} [${score(e, a.eval.lo)}, ${score(e, a.eval.hi)}] | ${steps(a.steps_to_threshold.median, e.budget_steps)} | ${a.steps_to_threshold.reached}/${a.steps_to_threshold.seeds} |`,
      );
  lines.push("", "What the data say:", "");
  for (const e of envs) lines.push(`- ${envReading(study, e)}`);
  lines.push("");
  for (const e of envs) lines.push(`![${e.env}: training curves](results/efficiency-${e.env}.svg)`, "");
  return lines.join("\n");
}

/** `doc` with the text between the efficiency markers replaced by `section`; the markers must be there. */
export function withEfficiencySection(doc: string, section: string): string {
  return replaceSection(doc, "efficiency", section);
}
