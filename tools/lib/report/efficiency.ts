// The sample-efficiency study's outputs from its JSON (docs/results/efficiency.json, written by
// scripts/efficiency.ts): one SVG of learning curves per env and the docs/results.md section between its markers.
// Pure string building: the same JSON gives the same bytes (test/unit/efficiency.test.ts checks the committed ones).
import { BitrlError } from "../util/errors.ts";
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

/** Line colour per backbone kind; REINFORCE is drawn dashed in the same colour. */
const KIND_COLORS: Record<string, string> = {
  fp32: "#1f77b4",
  int8: "#2ca02c",
  ternary: "#d62728",
  binary: "#ff7f0e",
  none: "#7f7f7f",
};

const numbers = (xs: (number | null)[]) => xs.map((x) => x ?? NaN);

/** The learning curves of one env: one line per arm (mean across seeds) with its 95% band, and the target. */
export function efficiencySvg(study: EfficiencyStudy, env: string): string {
  const e = study.envs.find((x) => x.env === env);
  if (!e) return "";
  const series: LineSeries[] = study.arms
    .filter((a) => a.env === env)
    .map((a) => ({
      name: `${a.algo} ${a.kind}`,
      x: e.grid,
      y: numbers(a.curve.mean),
      lo: numbers(a.curve.lo),
      hi: numbers(a.curve.hi),
      color: KIND_COLORS[a.kind],
      dashed: a.algo !== "ppo",
    }));
  series.push({
    name: `target ${e.threshold}`,
    x: [e.grid[0], e.grid[e.grid.length - 1]],
    y: [e.threshold, e.threshold],
    color: "#000",
    dashed: true,
  });
  const what = e.metric === "return" ? "return" : "success rate";
  return (
    lineChart(
      `${env}: training ${what}, mean of ${study.seeds} seeds, 95% band`,
      "training environment steps",
      `${what} (last ${e.window} episodes)`,
      series,
      { yRange: e.metric === "return" ? [0, 500] : [0, 1], standalone: true },
    ) + "\n"
  );
}

const score = (e: EfficiencyEnvSettings, x: number) => (e.metric === "return" ? x.toFixed(1) : x.toFixed(3));
const steps = (x: number | null, budget: number) => (x === null ? `not reached in ${fmt(budget)}` : fmt(x));
/** An arm's median steps for comparisons: never reached counts as later than any step. */
const medianOrInf = (a: EfficiencyArm) => a.steps_to_threshold.median ?? Infinity;
const ALGO_NAMES: Record<string, string> = { ppo: "PPO", reinforce: "REINFORCE" };
const algoName = (a: string) => ALGO_NAMES[a] ?? a;

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
    let faster = 0,
      slower = 0,
      neither = 0,
      above = 0,
      below = 0,
      overlap = 0;
    const kinds: string[] = [];
    for (const p of arms.filter((a) => a.algo === "ppo")) {
      const r = arms.find((a) => a.algo === "reinforce" && a.kind === p.kind);
      if (!r) continue;
      kinds.push(p.kind);
      const mp = medianOrInf(p),
        mr = medianOrInf(r);
      if (mp === Infinity && mr === Infinity) neither++;
      else if (mp < mr) faster++;
      else if (mr < mp) slower++;
      if (p.eval.lo > r.eval.hi) above++;
      else if (r.eval.lo > p.eval.hi) below++;
      else overlap++;
    }
    parts.push(
      `Median steps to the target, PPO vs REINFORCE on the same features (${kinds.length} kinds): PPO earlier on ${faster}, REINFORCE earlier on ${slower}` +
        (neither ? `, neither median reached on ${neither}` : "") +
        (kinds.length - faster - slower - neither ? `, equal on ${kinds.length - faster - slower - neither}` : "") +
        `. Final greedy eval: PPO above REINFORCE with disjoint intervals on ${above}, REINFORCE above PPO on ${below}, intervals overlapping on ${overlap}.`,
    );
  }
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
          ? `rollout ${t.rollout}, epochs ${t.epochs}, minibatches ${t.minibatches}, GAE lambda ${t.gaeLambda}, clip ${t.clip}, lr to ${t.lrEnd} x over ${t.horizon} steps`
          : `batch ${t.batch} episodes, lr decay ${t.lrDecay} per update`;
      const diff = n
        ? Object.keys(n.train)
            .filter((k) => n.train[k] !== a.train[k])
            .map((k) => `${k} ${n.train[k]}`)
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
  const a = doc.indexOf(EFFICIENCY_BEGIN),
    b = doc.indexOf(EFFICIENCY_END);
  if (a < 0 || b < a)
    throw new BitrlError(`docs/results.md needs the markers ${EFFICIENCY_BEGIN} and ${EFFICIENCY_END}`);
  return doc.slice(0, a + EFFICIENCY_BEGIN.length) + "\n" + section + "\n" + doc.slice(b);
}
