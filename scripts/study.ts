// The retention study (docs/results.md): for each env, trains every backbone kind (fp32, int8, ternary, binary, and
// the one-hot "none" baseline) with the SAME procedure the shipped agents use (`bitrl train` defaults: trainAgent
// per seed as trainSeeds runs it, defaultTrain(env, feature source), DEFAULT_RUN episodes and head width, checkpoint
// selection every 100 episodes on 10 greedy episodes with reset seeds 2000000 + i), then evaluates each seed's
// written head greedily on held-out reset seeds 1000000 + i. Measures memory (`bitrl inspect --json`) and policy
// distortion (KL between the fp32 and the other agents' action distributions on the states the fp32 agent visits,
// seeds 3000000 + i; value-estimate error; policy entropy). Writes docs/results/<env>.{json,md} and SVG plots.
// Deterministic: the same command gives the same bytes.
// Usage: node --import tsx scripts/study.ts [--env cartpole,keydoor] [--seeds 10] [--eval 20]
//   [--kinds none,fp32,...] (train only these) [--seed-list 1-5] (train only these seeds; for 2 worker processes)
//   [--cache DIR] (per-seed results, default $TMPDIR/bitrl-study; a finished seed is not retrained)
//   [--aggregate] (train nothing: aggregate the kinds whose docs/results/<env>-<kind>.json exist)
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import {
  agentInfo,
  buildAgentBlob,
  DEFAULT_RUN,
  defaultTrain,
  envIdOf,
  EVAL_SEED,
  SELECT_SEED,
  distortSeed,
  ratioCi,
  trainAgent,
  type TrainConfig,
} from "../tools/lib/agent/index.ts";
import { encodeBlob } from "../tools/lib/format/blob.ts";
import { readBlobFile } from "../tools/lib/format/blob-file.ts";
import type { EnvName } from "../tools/lib/reference/envs.ts";
import type { Blob } from "../tools/lib/format/types.ts";
import { loadAgent, type AgentModule } from "../tools/lib/runtime/wasm.ts";
import { ENV_IDS } from "../tools/lib/train/transcripts.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const { values } = parseArgs({
  options: {
    env: { type: "string" },
    seeds: { type: "string" },
    eval: { type: "string" },
    kinds: { type: "string" },
    "seed-list": { type: "string" },
    cache: { type: "string" },
    aggregate: { type: "boolean" },
  },
});
const envs = (values.env ?? "cartpole").split(",").map(envIdOf);
const SEEDS = Number(values.seeds ?? 10);
const EVAL = Number(values.eval ?? 20);
const ALL_KINDS = ["none", "fp32", "int8", "ternary", "binary"];
const KINDS = (values.kinds ?? ALL_KINDS.join(",")).split(",");
const CACHE = values.cache ?? join(tmpdir(), "bitrl-study");
/** `bitrl train`'s default checkpoint selection (--select-every 100): 10 greedy episodes on seeds 2000000 + i. */
const SELECT = { every: 100, episodes: 10 };
/** Reset seeds of the distortion episodes: distortSeed(i), disjoint from training, selection and eval (seeds.ts). */
const DISTORT_SEED = distortSeed(0);
const DISTORT_EPISODES = 3;

function seedList(): number[] {
  const s = values["seed-list"];
  if (!s) return Array.from({ length: SEEDS }, (_, i) => i + 1);
  const [a, b] = s.split("-").map(Number);
  return Array.from({ length: (b ?? a) - a + 1 }, (_, i) => a + i);
}

/** The shipped agents' procedure for a feature source: `bitrl train` without flags. */
function procedure(env: EnvName, kind: string) {
  const run = DEFAULT_RUN[env];
  const backbone = kind !== "none";
  return {
    episodes: backbone ? run.backboneEpisodes : run.episodes,
    hidden: backbone ? run.backboneHidden : run.hidden,
    train: defaultTrain(env, backbone ? "blob" : "none") as TrainConfig,
    select: SELECT,
    eval_episodes: EVAL,
    eval_seeds: `${EVAL_SEED} + i`,
    select_seeds: `${SELECT_SEED} + i`,
  };
}

/** Student-t 0.975 quantiles by degrees of freedom (1..30), for 95% confidence intervals over seeds. */
const T975 = [
  NaN,
  12.706,
  4.303,
  3.182,
  2.776,
  2.571,
  2.447,
  2.365,
  2.306,
  2.262,
  2.228,
  2.201,
  2.179,
  2.16,
  2.145,
  2.131,
  2.12,
  2.11,
  2.101,
  2.093,
  2.086,
  2.08,
  2.074,
  2.069,
  2.064,
  2.06,
  2.056,
  2.052,
  2.048,
  2.045,
  2.042,
];

function meanCi(xs: number[]): { mean: number; ci95: number; n: number } {
  const n = xs.length,
    mean = xs.reduce((a, b) => a + b, 0) / n;
  if (n < 2) return { mean, ci95: NaN, n };
  const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
  return { mean, ci95: (T975[Math.min(n - 1, 30)] * sd) / Math.sqrt(n), n };
}

/** Policy probabilities and value of a head (layout of assembly/rl/head.ts) on features f. */
function headEval(head: Float32Array, F: number, H: number, A: number, f: Float32Array): { p: number[]; v: number } {
  let x: ArrayLike<number> = f;
  let o = 0;
  if (H > 0) {
    const h = new Float64Array(H);
    for (let j = 0; j < H; j++) {
      let s = head[H * F + j];
      for (let i = 0; i < F; i++) s += head[j * F + i] * f[i];
      h[j] = s > 0 ? s : 0;
    }
    x = h;
    o = H * F + H;
  }
  const K = H > 0 ? H : F;
  const logits = Array.from({ length: A }, (_, a) => {
    let s = head[o + A * K + a];
    for (let i = 0; i < K; i++) s += head[o + a * K + i] * x[i];
    return s;
  });
  const mx = Math.max(...logits);
  const e = logits.map((l) => Math.exp(l - mx));
  const z = e.reduce((a, b) => a + b, 0);
  let v = head[o + A * K + A + K];
  for (let i = 0; i < K; i++) v += head[o + A * K + A + i] * x[i];
  return { p: e.map((q) => q / z), v };
}

/** A module with a backbone loaded, computing features of tokens (wasm, bit-identical to the reference). */
function featurizer(backbone: Blob): (tokens: Int32Array) => Float32Array {
  const mod = loadAgent("release", { blob: encodeBlob(backbone) });
  if (mod.fn.backbone_load() !== 0) throw new Error(`backbone_load: ${mod.logs.join("; ")}`);
  const size = mod.fn.backbone_feature_size();
  const tokAt = mod.ioBase + 2048,
    outAt = mod.ioBase + 4096;
  return (tokens) => {
    new Int32Array(mod.memory.buffer, tokAt, tokens.length).set(tokens);
    if (mod.fn.backbone_features(tokAt, tokens.length, outAt) !== size) throw new Error("backbone_features failed");
    return new Float32Array(mod.memory.buffer, outAt, size).slice();
  };
}

interface Agent {
  blob: Blob;
  head: Float32Array;
  feat: (t: Int32Array) => Float32Array;
}

/**
 * Distortion on the states the reference agent visits acting greedily (episodes seeded DISTORT_SEED + i):
 * mean KL(pi_ref || pi_other), greedy-action agreement, mean |V_ref - V_other|, each value's RMSE against the
 * discounted return actually observed (both in the head's reward scale), and each policy's mean entropy (nats).
 */
function distortion(env: EnvName, ref: Agent, other: Agent, episodes: number, train: TrainConfig) {
  const info = agentInfo(ref.blob);
  const mod: AgentModule = loadAgent("release");
  const id = ENV_IDS[env];
  const tokAt = mod.ioBase + 1024;
  let kl = 0,
    agree = 0,
    dv = 0,
    n = 0,
    seRef = 0,
    seOther = 0,
    hRef = 0,
    hOther = 0;
  for (let e = 0; e < episodes; e++) {
    mod.fn.env_reset(id, distortSeed(e));
    const vals: { vr: number; vo: number; r: number }[] = [];
    for (;;) {
      const k = mod.fn.env_tokens(tokAt);
      const tokens = new Int32Array(mod.memory.buffer, tokAt, k).slice();
      const a = headEval(ref.head, info.features, info.hidden, info.actions, ref.feat(tokens));
      const b = headEval(other.head, info.features, info.hidden, info.actions, other.feat(tokens));
      for (let i = 0; i < a.p.length; i++) {
        kl += a.p[i] * (Math.log(Math.max(a.p[i], 1e-12)) - Math.log(Math.max(b.p[i], 1e-12)));
        hRef -= a.p[i] * Math.log(Math.max(a.p[i], 1e-12));
        hOther -= b.p[i] * Math.log(Math.max(b.p[i], 1e-12));
      }
      const act = a.p.indexOf(Math.max(...a.p));
      if (act === b.p.indexOf(Math.max(...b.p))) agree++;
      dv += Math.abs(a.v - b.v);
      n++;
      const flags = mod.fn.env_step(act);
      const r = new Float64Array(mod.memory.buffer, mod.ioBase, 1)[0] * train.rewardScale;
      vals.push({ vr: a.v, vo: b.v, r });
      if (flags !== 0) break;
    }
    let g = 0;
    for (let i = vals.length - 1; i >= 0; i--) {
      g = vals[i].r + train.gamma * g;
      seRef += (vals[i].vr - g) ** 2;
      seOther += (vals[i].vo - g) ** 2;
    }
  }
  return {
    states: n,
    kl: kl / n,
    action_agreement: agree / n,
    value_abs_diff: dv / n,
    value_rmse_ref: Math.sqrt(seRef / n),
    value_rmse_other: Math.sqrt(seOther / n),
    entropy_ref: hRef / n,
    entropy_other: hOther / n,
  };
}

// ---- plots ----

/** Every figure's size and its left and bottom margins (px). */
const W = 520,
  H = 300,
  L = 60,
  B = 40;
/** The y pixel of value v on an axis from 0 to ymax. */
const yAxis = (ymax: number) => (v: number) => H - B - (Math.max(0, v) / ymax) * (H - B - 30);
/** Labels at 0, 1/4, ..., 1 of ymax on the y axis. */
const yTicks = (y: (v: number) => number, ymax: number) =>
  [0, 0.25, 0.5, 0.75, 1]
    .map(
      (f) =>
        `<text x="${L - 6}" y="${y(f * ymax) + 4}" text-anchor="end" font-size="11">${(f * ymax).toFixed(ymax < 10 ? 2 : 0)}</text>`,
    )
    .join("");
/** A figure: its title and axes, then `body`. */
const svg = (title: string, body: string) =>
  `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif"><text x="${W / 2}" y="18" text-anchor="middle" font-size="14">${title}</text><line x1="${L}" x2="${L}" y1="30" y2="${H - B}" stroke="#000"/><line x1="${L}" x2="${W - 10}" y1="${H - B}" y2="${H - B}" stroke="#000"/>${body}</svg>\n`;

function svgBars(title: string, rows: { label: string; mean: number; ci: number }[], ymax: number): string {
  const bw = (W - L - 20) / rows.length;
  const y = yAxis(ymax);
  const bars = rows
    .map((r, i) => {
      const x = L + i * bw + bw * 0.15,
        w = bw * 0.7;
      const ci = Number.isFinite(r.ci)
        ? `<line x1="${x + w / 2}" x2="${x + w / 2}" y1="${y(r.mean - r.ci)}" y2="${y(r.mean + r.ci)}" stroke="#000"/>`
        : "";
      return (
        `<rect x="${x}" y="${y(r.mean)}" width="${w}" height="${H - B - y(r.mean)}" fill="#4a7ab0"/>${ci}` +
        `<text x="${x + w / 2}" y="${H - B + 16}" text-anchor="middle" font-size="12">${r.label}</text>` +
        `<text x="${x + w / 2}" y="${y(r.mean) - 4}" text-anchor="middle" font-size="11">${r.mean.toFixed(r.mean < 10 ? 2 : 0)}</text>`
      );
    })
    .join("");
  return svg(title, yTicks(y, ymax) + bars);
}

function svgCurves(title: string, curves: { label: string; ys: number[] }[], ymax: number): string {
  const colors = ["#888", "#c33", "#e90", "#27a", "#6a3"];
  const len = Math.max(...curves.map((c) => c.ys.length));
  const x = (i: number) => L + (i / Math.max(1, len - 1)) * (W - L - 20);
  const y = yAxis(ymax);
  const lines = curves
    .map(
      (c, k) =>
        `<polyline fill="none" stroke="${colors[k % colors.length]}" points="${c.ys.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(" ")}"/>` +
        `<text x="${W - 100}" y="${40 + 14 * k}" font-size="12" fill="${colors[k % colors.length]}">${c.label}</text>`,
    )
    .join("");
  return svg(
    title,
    `<text x="${L - 6}" y="${y(ymax) + 4}" text-anchor="end" font-size="11">${ymax}</text><text x="${L - 6}" y="${H - B + 4}" text-anchor="end" font-size="11">0</text><text x="${W / 2}" y="${H - 8}" text-anchor="middle" font-size="12">training episode (mean over seeds, smoothed)</text>${lines}`,
  );
}

/** Every seed's greedy return as a dot, one column per kind. */
function svgSeeds(title: string, cols: { label: string; ys: number[] }[], ymax: number): string {
  const bw = (W - L - 20) / cols.length;
  const y = yAxis(ymax);
  const dots = cols
    .map(
      (c, i) =>
        c.ys
          .map(
            (v, j) =>
              `<circle cx="${(L + i * bw + bw * 0.2 + (bw * 0.6 * j) / Math.max(1, c.ys.length - 1)).toFixed(1)}" cy="${y(v).toFixed(1)}" r="3" fill="#4a7ab0"/>`,
          )
          .join("") +
        `<text x="${L + i * bw + bw / 2}" y="${H - B + 16}" text-anchor="middle" font-size="12">${c.label}</text>`,
    )
    .join("");
  return svg(title, yTicks(y, ymax) + dots);
}

const f3 = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : "n/a");
const f1 = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : "n/a");

function writeAtomic(path: string, text: string): void {
  writeFileSync(path + ".tmp", text);
  renameSync(path + ".tmp", path);
}

const headOf = (b64: string) => {
  const b = Buffer.from(b64, "base64");
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
};

/** One trained seed (cached in CACHE/<env>-<kind>-s<seed>.json). */
interface SeedRun {
  seed: number;
  settings: string;
  /** greedy mean over the eval episodes (seeds 1000000 + i) of the written (selected) head */
  eval_mean: number;
  eval_returns: number[];
  /** training return of every episode (sampled actions) */
  curve: number[];
  /** the written head.params: f32 little-endian bytes, base64 */
  head: string;
  wall_s: number;
}

interface KindRun {
  kind: string;
  settings: string;
  seeds: number[];
  per_seed: number[];
  per_seed_eval_returns: number[][];
  /** mean training return over windows of episodes, averaged over seeds */
  curve: number[];
  curve_window: number;
  /** trained head.params per seed (for the distortion analysis) */
  heads: string[];
  wall_s_per_seed: number[];
  blob_bytes: number;
  runtime_bytes: number;
  model: string;
}

const outDir = join(root, "docs", "results");
mkdirSync(outDir, { recursive: true });
mkdirSync(CACHE, { recursive: true });
const backboneOf = (env: EnvName, k: string) =>
  k === "none" ? null : readBlobFile(join(root, `models/${env}-backbone-${k}.bitrl`));

for (const env of envs) {
  const settingsOf = (kind: string) => JSON.stringify({ seeds: SEEDS, ...procedure(env, kind) });
  const kindPath = (k: string) => join(outDir, `${env}-${k}.json`);
  const seedPath = (k: string, s: number) => join(CACHE, `${env}-${k}-s${s}.json`);
  // ---- phase 1: train (each seed exactly as trainSeeds does it: head init and episode stream from the seed) ----
  for (const kind of values.aggregate ? [] : KINDS) {
    const p = procedure(env, kind);
    const settings = settingsOf(kind);
    const backbone = backboneOf(env, kind);
    for (const s of seedList()) {
      if (
        existsSync(seedPath(kind, s)) &&
        (JSON.parse(readFileSync(seedPath(kind, s), "utf8")) as SeedRun).settings === settings
      )
        continue;
      const t0 = performance.now();
      const start = buildAgentBlob({ env, backbone, hidden: p.hidden, train: p.train, initSeed: s });
      const r = trainAgent(start, s, p.episodes, { evalEpisodes: EVAL, select: p.select });
      const wall = (performance.now() - t0) / 1000;
      const sr: SeedRun = {
        seed: s,
        settings,
        eval_mean: r.eval.mean_return,
        eval_returns: r.eval.returns,
        curve: r.curve,
        head: Buffer.from(r.blob.tensors.find((t) => t.name === "head.params")!.data).toString("base64"),
        wall_s: wall,
      };
      writeAtomic(seedPath(kind, s), JSON.stringify(sr) + "\n");
      console.error(
        `study ${env} ${kind} seed ${s}: greedy eval ${r.eval.mean_return.toFixed(3)} (${wall.toFixed(1)} s)`,
      );
    }
    // a kind is complete when seeds 1..SEEDS are all cached with these settings (any worker may finish it)
    const runs: SeedRun[] = [];
    for (let s = 1; s <= SEEDS; s++) {
      if (!existsSync(seedPath(kind, s))) break;
      const sr = JSON.parse(readFileSync(seedPath(kind, s), "utf8")) as SeedRun;
      if (sr.settings !== settings) break;
      runs.push(sr);
    }
    if (runs.length < SEEDS) {
      console.error(`study ${env} ${kind}: ${runs.length}/${SEEDS} seeds cached; not aggregated yet`);
      continue;
    }
    const w = 50;
    const curve = Array.from(
      { length: Math.floor(p.episodes / w) },
      (_, i) =>
        runs.reduce((a, r) => a + r.curve.slice(i * w, (i + 1) * w).reduce((x, y) => x + y, 0) / w, 0) / runs.length,
    );
    let ram = 0;
    if (backbone) {
      const m = loadAgent("release", { blob: encodeBlob(backbone) });
      m.fn.backbone_load();
      ram = m.fn.backbone_memory();
    }
    const kr: KindRun = {
      kind,
      settings,
      seeds: runs.map((r) => r.seed),
      per_seed: runs.map((r) => r.eval_mean),
      per_seed_eval_returns: runs.map((r) => r.eval_returns),
      curve,
      curve_window: w,
      heads: runs.map((r) => r.head),
      wall_s_per_seed: runs.map((r) => Math.round(r.wall_s * 10) / 10),
      blob_bytes: backbone ? encodeBlob(backbone).length : 0,
      runtime_bytes: ram,
      model: backbone ? `models/${env}-backbone-${kind}.bitrl` : "one-hot features, no backbone",
    };
    writeAtomic(kindPath(kind), JSON.stringify(kr) + "\n");
  }
  if (!values.aggregate && values["seed-list"]) continue; // a worker: the aggregate is run once at the end
  // ---- phase 2: aggregate every kind trained with the shipped procedure ----
  const runs: KindRun[] = [];
  for (const kind of ALL_KINDS) {
    if (!existsSync(kindPath(kind))) continue;
    const kr = JSON.parse(readFileSync(kindPath(kind), "utf8")) as KindRun;
    if (kr.settings === settingsOf(kind)) runs.push(kr);
    else console.error(`study: ${kindPath(kind)} was trained with other settings; left out`);
  }
  const byKind = Object.fromEntries(runs.map((r) => [r.kind, r]));
  const inspect = (k: string) => {
    const j = JSON.parse(
      execFileSync(
        process.execPath,
        [join(root, "bin", "bitrl.mjs"), "inspect", join(root, `models/${env}-backbone-${k}.bitrl`), "--json"],
        { encoding: "utf8" },
      ),
    );
    return {
      bytes: j.bytes as number,
      fp32_bytes: j.fp32_bytes as number,
      ratio_vs_fp32: j.ratio_vs_fp32 as number,
      bits_per_weight: j.bits_per_weight as number,
    };
  };
  const memory: Record<string, unknown> = {};
  for (const k of ["fp32", "int8", "ternary", "binary"])
    if (existsSync(join(root, `models/${env}-backbone-${k}.bitrl`))) memory[k] = inspect(k);
  const stats = (xs: number[]) => {
    const m = meanCi(xs);
    const sd = Math.sqrt(xs.reduce((a, b) => a + (b - m.mean) ** 2, 0) / Math.max(1, xs.length - 1));
    return { ...m, sd, min: Math.min(...xs), max: Math.max(...xs) };
  };
  const results = runs.map((r) => ({
    kind: r.kind,
    seeds: r.per_seed.length,
    eval_episodes: EVAL,
    train_episodes: procedure(env, r.kind).episodes,
    hidden: procedure(env, r.kind).hidden,
    per_seed: r.per_seed,
    ...stats(r.per_seed),
    blob_bytes: r.blob_bytes,
    runtime_bytes: r.runtime_bytes,
    model: r.model,
    wall_s_per_seed_mean: r.wall_s_per_seed.reduce((a, b) => a + b, 0) / r.wall_s_per_seed.length,
  }));
  const mean = (k: string) => byKind[k].per_seed.reduce((a, b) => a + b, 0) / byKind[k].per_seed.length;
  const retention: Record<string, unknown> = {};
  for (const k of ["int8", "ternary", "binary"]) {
    if (!byKind[k] || !byKind.fp32) continue;
    retention[k] = {
      ratio: mean(k) / mean("fp32"),
      ci95_bootstrap: ratioCi(byKind[k].per_seed, byKind.fp32.per_seed),
      memory_ratio_vs_fp32_blob: byKind.fp32.blob_bytes / byKind[k].blob_bytes,
    };
  }
  const distort: Record<string, unknown> = {};
  const bb = procedure(env, "fp32");
  const agentOf = (k: string, i: number, feat: (t: Int32Array) => Float32Array): Agent => ({
    blob: buildAgentBlob({ env, backbone: backboneOf(env, k), hidden: bb.hidden, train: bb.train, initSeed: i + 1 }),
    head: headOf(byKind[k].heads[i]),
    feat,
  });
  if (byKind.fp32) {
    const fFp32 = featurizer(backboneOf(env, "fp32")!);
    for (const k of ["fp32", "int8", "ternary", "binary"]) {
      if (!byKind[k]) continue;
      const fK = k === "fp32" ? fFp32 : featurizer(backboneOf(env, k)!);
      const n = Math.min(byKind.fp32.heads.length, byKind[k].heads.length);
      const per = Array.from({ length: n }, (_, i) =>
        distortion(env, agentOf("fp32", i, fFp32), agentOf(k, i, fK), DISTORT_EPISODES, bb.train),
      );
      const avg = (f: (d: (typeof per)[number]) => number) => per.reduce((a, d) => a + f(d), 0) / per.length;
      distort[k] = {
        vs: "fp32",
        seeds: n,
        episodes_per_seed: DISTORT_EPISODES,
        reset_seeds: `${DISTORT_SEED} + i`,
        states: per.reduce((a, d) => a + d.states, 0),
        kl_mean: avg((d) => d.kl),
        kl_per_seed: per.map((d) => d.kl),
        action_agreement: avg((d) => d.action_agreement),
        value_abs_diff: avg((d) => d.value_abs_diff),
        value_rmse_fp32: avg((d) => d.value_rmse_ref),
        value_rmse_other: avg((d) => d.value_rmse_other),
        entropy_fp32: avg((d) => d.entropy_ref),
        entropy_other: avg((d) => d.entropy_other),
        entropy_other_per_seed: per.map((d) => d.entropy_other),
      };
    }
  }
  const wall = runs.map((r) => ({
    kind: r.kind,
    seeds: r.wall_s_per_seed.length,
    total_s: Math.round(r.wall_s_per_seed.reduce((a, b) => a + b, 0)),
  }));
  const out = {
    env,
    how: "host run: the agent module (build/agent.wasm) in Node/V8. Every kind trained with the shipped agents' procedure (bitrl train defaults); per seed, the greedy mean over the eval episodes (reset seeds 1000000 + i) of the written head; mean and Student-t 95% CI over seeds; retention CI = percentile bootstrap of the ratio of means (2000 resamples, seeds resampled independently per kind)",
    command: `node --import tsx scripts/study.ts --env ${env} --seeds ${SEEDS} --eval ${EVAL}`,
    procedure_backbones: procedure(env, "fp32"),
    procedure_none: procedure(env, "none"),
    results,
    retention,
    memory_bitrl_inspect: memory,
    distortion: distort,
    wall_clock: wall,
  };
  writeAtomic(join(outDir, `${env}.json`), JSON.stringify(out, null, 1) + "\n");
  const ymax = Math.max(...results.map((r) => r.mean + (r.ci95 || 0)), 1e-9) * 1.1;
  writeAtomic(
    join(outDir, `${env}-returns.svg`),
    svgBars(
      `${env}: greedy return, mean and 95% CI over ${SEEDS} seeds (host, V8)`,
      results.map((r) => ({ label: r.kind, mean: r.mean, ci: r.ci95 })),
      ymax,
    ),
  );
  writeAtomic(
    join(outDir, `${env}-curves.svg`),
    svgCurves(
      `${env}: training return (sampled actions; host, V8)`,
      runs.map((r) => ({ label: r.kind, ys: r.curve })),
      Math.ceil(Math.max(...runs.flatMap((r) => r.curve), 1e-9) * 1.1 * 100) / 100,
    ),
  );
  writeAtomic(
    join(outDir, `${env}-seeds.svg`),
    svgSeeds(
      `${env}: greedy return per seed (host, V8)`,
      runs.map((r) => ({ label: r.kind, ys: r.per_seed })),
      ymax,
    ),
  );
  writeAtomic(join(outDir, `${env}.md`), markdown(out, results, retention, distort, memory));
  console.log(
    JSON.stringify({
      env,
      results: results.map((r) => ({ kind: r.kind, mean: r.mean, ci95: r.ci95, sd: r.sd, min: r.min })),
      retention,
    }),
  );
}

/** The tables of docs/results/<env>.md (generated; docs/results.md discusses them). */
function markdown(
  out: {
    env: string;
    command: string;
    procedure_backbones: ReturnType<typeof procedure>;
    procedure_none: ReturnType<typeof procedure>;
  },
  results: {
    kind: string;
    mean: number;
    ci95: number;
    n: number;
    sd: number;
    min: number;
    max: number;
    train_episodes: number;
    blob_bytes: number;
    runtime_bytes: number;
    wall_s_per_seed_mean: number;
  }[],
  retention: Record<string, unknown>,
  distort: Record<string, unknown>,
  memory: Record<string, unknown>,
): string {
  const fmt = (x: number) => (Math.abs(x) < 10 ? f3(x) : f1(x));
  const fmtAs = (ref: number, x: number) => (Math.abs(ref) < 10 ? f3(x) : f1(x));
  const pb = out.procedure_backbones,
    pn = out.procedure_none;
  const lines = [
    `# ${out.env}: retention study (generated by scripts/study.ts)`,
    "",
    `Command: \`${out.command}\` (host run, Node/V8). Workers: add \`--kinds K --seed-list A-B\`; re-aggregate: \`--aggregate\`.`,
    "",
    `Procedure (the shipped agents', \`bitrl train\` defaults): backbones ${pb.episodes} episodes, hidden ${pb.hidden}, ${JSON.stringify(pb.train)}; ` +
      `none ${pn.episodes} episodes, hidden ${pn.hidden}, ${JSON.stringify(pn.train)}; checkpoint selection every ${pb.select.every} episodes on ${pb.select.episodes} greedy episodes (reset seeds ${pb.select_seeds}); ` +
      `score per seed = greedy mean over ${pb.eval_episodes} episodes (reset seeds ${pb.eval_seeds}); table = mean and Student-t 95% CI over seeds.`,
    "",
    "| backbone | seeds | return (mean +- 95% CI) | sd over seeds | worst seed | best seed | blob bytes | backbone RAM bytes | wall s / seed |",
    "|---|---|---|---|---|---|---|---|---|",
    ...results.map(
      (r) =>
        `| ${r.kind} | ${r.n} | ${fmt(r.mean)} +- ${fmtAs(r.mean, r.ci95)} | ${fmtAs(r.mean, r.sd)} | ${fmt(r.min)} | ${fmt(r.max)} | ${r.blob_bytes || "-"} | ${r.runtime_bytes || "-"} | ${r.wall_s_per_seed_mean.toFixed(1)} |`,
    ),
    "",
    "| vs fp32 | retention (ratio of means) | bootstrap 95% CI | blob ratio (fp32 blob / blob) |",
    "|---|---|---|---|",
    ...Object.entries(retention).map(([k, v]) => {
      const r = v as { ratio: number; ci95_bootstrap: [number, number]; memory_ratio_vs_fp32_blob: number };
      return `| ${k} | ${f3(r.ratio)} | [${f3(r.ci95_bootstrap[0])}, ${f3(r.ci95_bootstrap[1])}] | ${r.memory_ratio_vs_fp32_blob.toFixed(2)}x |`;
    }),
    "",
    "Memory (`bitrl inspect <backbone> --json`): bytes of the blob, bytes of the same tensors in fp32, ratio:",
    "",
    "| backbone | bytes | fp32 bytes | ratio_vs_fp32 | bits/weight |",
    "|---|---|---|---|---|",
    ...Object.entries(memory).map(([k, v]) => {
      const m = v as { bytes: number; fp32_bytes: number; ratio_vs_fp32: number; bits_per_weight: number };
      return `| ${k} | ${m.bytes} | ${m.fp32_bytes} | ${m.ratio_vs_fp32.toFixed(2)} | ${m.bits_per_weight ?? "-"} |`;
    }),
    "",
    `Distortion on the states the fp32 agent visits (greedy, ${DISTORT_EPISODES} episodes per seed, reset seeds ${DISTORT_SEED} + i), seed i's fp32 agent against seed i's agent on the other backbone, averaged over seeds (fp32 vs fp32 = the agent against itself: entropy only):`,
    "",
    "| vs fp32 | states | KL(pi_fp32 \\|\\| pi) nats | greedy action agreement | mean \\|V_fp32 - V\\| | value RMSE fp32 | value RMSE this | policy entropy this (nats) |",
    "|---|---|---|---|---|---|---|---|",
    ...Object.entries(distort).map(([k, v]) => {
      const d = v as {
        states: number;
        kl_mean: number;
        action_agreement: number;
        value_abs_diff: number;
        value_rmse_fp32: number;
        value_rmse_other: number;
        entropy_other: number;
      };
      return `| ${k} | ${d.states} | ${f3(d.kl_mean)} | ${f3(d.action_agreement)} | ${f3(d.value_abs_diff)} | ${f3(d.value_rmse_fp32)} | ${f3(d.value_rmse_other)} | ${f3(d.entropy_other)} |`;
    }),
    "",
    `![returns](${out.env}-returns.svg) ![per seed](${out.env}-seeds.svg) ![curves](${out.env}-curves.svg)`,
    "",
  ];
  return lines.join("\n");
}
