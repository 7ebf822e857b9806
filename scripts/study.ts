// The retention study (docs/results.md): for each env, trains the same head with the same algorithm and seeds on
// the fp32, int8, ternary and binary backbones (and the one-hot "none" baseline), evaluates greedily, and measures
// memory and policy distortion (KL between the fp32 and ternary agents' action distributions on the states the
// fp32 agent visits; value-estimate error). Writes docs/results/<env>.json and SVG plots. Deterministic.
// Usage: node --import tsx scripts/study.ts [--env cartpole,keydoor] [--seeds 10] [--episodes N] [--eval 20]
//   [--kinds none,fp32,...] (train only these, cached in docs/results/<env>-<kind>.json) [--aggregate] (train nothing)
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import {
  agentInfo, buildAgentBlob, DEFAULT_RUN, DEFAULT_TRAIN, envIdOf, trainAgent, type TrainConfig,
} from "../tools/lib/agent.ts";
import { encodeBlob } from "../tools/lib/blob.ts";
import { readBlobFile } from "../tools/lib/files.ts";
import { progress } from "../tools/lib/progress.ts";
import type { EnvName } from "../tools/lib/reference/envs.ts";
import type { Blob } from "../tools/lib/types.ts";
import { loadAgent, type AgentModule } from "../tools/lib/wasm.ts";
import { rng } from "../tools/lib/train/rng.ts";
import { ENV_IDS } from "../tools/lib/train/transcripts.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const { values } = parseArgs({ options: {
  env: { type: "string" }, seeds: { type: "string" }, episodes: { type: "string" }, eval: { type: "string" }, kinds: { type: "string" },
  lr: { type: "string" }, hidden: { type: "string" }, aggregate: { type: "boolean" },
} });
const envs = (values.env ?? "cartpole").split(",").map(envIdOf);
const SEEDS = Number(values.seeds ?? 10);
const EVAL = Number(values.eval ?? 20);
const KINDS = (values.kinds ?? "none,fp32,int8,ternary,binary").split(",");
/**
 * Head step size on backbone features. The env defaults (DEFAULT_TRAIN) were tuned on the sparse one-hot "none"
 * features; on 160 dense backbone features lr 0.01 saturates the policy within a few episodes (cartpole: every
 * seed tried collapsed to ~9 steps at lr >= 0.002), 0.001 learns. Same value for every backbone kind.
 */
const BACKBONE_LR: Record<EnvName, number> = { cartpole: 0.001, keydoor: 0.003, frozenlake: 0.001 };
/**
 * Head width on backbone features: 0 (linear). The env default for keydoor (32 hidden units, chosen on 40 one-hot
 * features) does not fit linear memory with 160 features ("the head does not fit"), 16 neither.
 */
const BACKBONE_HIDDEN: Record<EnvName, number> = { cartpole: 0, keydoor: 0, frozenlake: 0 };

/** Student-t 0.975 quantiles by degrees of freedom (1..30), for 95% confidence intervals over seeds. */
const T975 = [NaN, 12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042];

function meanCi(xs: number[]): { mean: number; ci95: number; n: number } {
  const n = xs.length, mean = xs.reduce((a, b) => a + b, 0) / n;
  if (n < 2) return { mean, ci95: NaN, n };
  const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
  return { mean, ci95: (T975[Math.min(n - 1, 30)] * sd) / Math.sqrt(n), n };
}

/** Percentile-bootstrap 95% CI of mean(a) / mean(b) over seeds (independent resampling, fixed PRNG). */
function ratioCi(a: number[], b: number[]): [number, number] {
  const r = rng(12345);
  const rnd = (n: number) => r.below(n);
  const rs: number[] = [];
  for (let k = 0; k < 2000; k++) {
    let sa = 0, sb = 0;
    for (let i = 0; i < a.length; i++) sa += a[rnd(a.length)];
    for (let i = 0; i < b.length; i++) sb += b[rnd(b.length)];
    rs.push(sb === 0 ? NaN : (sa / a.length) / (sb / b.length));
  }
  rs.sort((x, y) => x - y);
  return [rs[Math.floor(0.025 * rs.length)], rs[Math.floor(0.975 * rs.length)]];
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
  const tokAt = mod.ioBase + 2048, outAt = mod.ioBase + 4096;
  return (tokens) => {
    new Int32Array(mod.memory.buffer, tokAt, tokens.length).set(tokens);
    if (mod.fn.backbone_features(tokAt, tokens.length, outAt) !== size) throw new Error("backbone_features failed");
    return new Float32Array(mod.memory.buffer, outAt, size).slice();
  };
}

interface Agent { blob: Blob; head: Float32Array; feat: (t: Int32Array) => Float32Array }

/**
 * Distortion on the states the reference agent visits acting greedily (episodes seeded 2_000_000 + i):
 * mean KL(pi_ref || pi_other), greedy-action agreement, mean |V_ref - V_other|, and each value's RMSE against the
 * discounted return actually observed (both in the head's reward scale).
 */
function distortion(env: EnvName, ref: Agent, other: Agent, episodes: number, train: TrainConfig) {
  const info = agentInfo(ref.blob);
  const mod: AgentModule = loadAgent("release");
  const id = ENV_IDS[env];
  const tokAt = mod.ioBase + 1024;
  let kl = 0, agree = 0, dv = 0, n = 0, seRef = 0, seOther = 0;
  for (let e = 0; e < episodes; e++) {
    mod.fn.env_reset(id, 2_000_000 + e);
    const vals: { vr: number; vo: number; r: number }[] = [];
    for (;;) {
      const k = mod.fn.env_tokens(tokAt);
      const tokens = new Int32Array(mod.memory.buffer, tokAt, k).slice();
      const a = headEval(ref.head, info.features, info.hidden, info.actions, ref.feat(tokens));
      const b = headEval(other.head, info.features, info.hidden, info.actions, other.feat(tokens));
      for (let i = 0; i < a.p.length; i++) kl += a.p[i] * (Math.log(Math.max(a.p[i], 1e-12)) - Math.log(Math.max(b.p[i], 1e-12)));
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
  return { states: n, kl: kl / n, action_agreement: agree / n, value_abs_diff: dv / n, value_rmse_ref: Math.sqrt(seRef / n), value_rmse_other: Math.sqrt(seOther / n) };
}

// ---- plots ----

function svgBars(title: string, rows: { label: string; mean: number; ci: number }[], ymax: number): string {
  const W = 520, H = 300, L = 60, B = 40, bw = (W - L - 20) / rows.length;
  const y = (v: number) => H - B - (Math.max(0, v) / ymax) * (H - B - 30);
  const bars = rows.map((r, i) => {
    const x = L + i * bw + bw * 0.15, w = bw * 0.7;
    const ci = Number.isFinite(r.ci) ? `<line x1="${x + w / 2}" x2="${x + w / 2}" y1="${y(r.mean - r.ci)}" y2="${y(r.mean + r.ci)}" stroke="#000"/>` : "";
    return `<rect x="${x}" y="${y(r.mean)}" width="${w}" height="${H - B - y(r.mean)}" fill="#4a7ab0"/>${ci}` +
      `<text x="${x + w / 2}" y="${H - B + 16}" text-anchor="middle" font-size="12">${r.label}</text>` +
      `<text x="${x + w / 2}" y="${y(r.mean) - 4}" text-anchor="middle" font-size="11">${r.mean.toFixed(r.mean < 10 ? 2 : 0)}</text>`;
  }).join("");
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => `<text x="${L - 6}" y="${y(f * ymax) + 4}" text-anchor="end" font-size="11">${(f * ymax).toFixed(ymax < 10 ? 2 : 0)}</text>`).join("");
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif"><text x="${W / 2}" y="18" text-anchor="middle" font-size="14">${title}</text><line x1="${L}" x2="${L}" y1="30" y2="${H - B}" stroke="#000"/><line x1="${L}" x2="${W - 10}" y1="${H - B}" y2="${H - B}" stroke="#000"/>${ticks}${bars}</svg>\n`;
}

function svgCurves(title: string, curves: { label: string; ys: number[] }[], ymax: number): string {
  const W = 520, H = 300, L = 60, B = 40;
  const colors = ["#888", "#c33", "#e90", "#27a", "#6a3"];
  const len = Math.max(...curves.map((c) => c.ys.length));
  const x = (i: number) => L + (i / Math.max(1, len - 1)) * (W - L - 20);
  const y = (v: number) => H - B - (Math.max(0, v) / ymax) * (H - B - 30);
  const lines = curves.map((c, k) => `<polyline fill="none" stroke="${colors[k % colors.length]}" points="${c.ys.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(" ")}"/>` +
    `<text x="${W - 100}" y="${40 + 14 * k}" font-size="12" fill="${colors[k % colors.length]}">${c.label}</text>`).join("");
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif"><text x="${W / 2}" y="18" text-anchor="middle" font-size="14">${title}</text><line x1="${L}" x2="${L}" y1="30" y2="${H - B}" stroke="#000"/><line x1="${L}" x2="${W - 10}" y1="${H - B}" y2="${H - B}" stroke="#000"/><text x="${L - 6}" y="${y(ymax) + 4}" text-anchor="end" font-size="11">${ymax}</text><text x="${L - 6}" y="${H - B + 4}" text-anchor="end" font-size="11">0</text><text x="${W / 2}" y="${H - 8}" text-anchor="middle" font-size="12">training episode (mean over seeds, smoothed)</text>${lines}</svg>\n`;
}

const f3 = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : "n/a");
const f1 = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : "n/a");

/** The tables of docs/results/<env>.md (generated; docs/results.md discusses them). */
function markdown(out: { env: string; command: string; train_episodes: number }, results: { kind: string; mean: number; ci95: number; n: number; blob_bytes: number; runtime_bytes: number }[],
  retention: Record<string, unknown>, distort: Record<string, unknown>): string {
  const fmt = (x: number) => (Math.abs(x) < 10 ? f3(x) : f1(x));
  const lines = [
    `# ${out.env}: retention study (generated by scripts/study.ts)`, "",
    `Command: \`${out.command}\``, "",
    `Greedy return per seed = mean over the eval episodes; table = mean and Student-t 95% CI over seeds; ${out.train_episodes} training episodes per seed. Host run (V8).`, "",
    "| backbone | seeds | return (mean +- 95% CI) | blob bytes | backbone RAM bytes |", "|---|---|---|---|---|",
    ...results.map((r) => `| ${r.kind} | ${r.n} | ${fmt(r.mean)} +- ${fmt(r.ci95)} | ${r.blob_bytes || "-"} | ${r.runtime_bytes || "-"} |`), "",
    "| vs fp32 | retention (ratio of means) | bootstrap 95% CI | memory ratio (fp32 blob / blob) |", "|---|---|---|---|",
    ...Object.entries(retention).map(([k, v]) => {
      const r = v as { ratio: number; ci95_bootstrap: [number, number]; memory_ratio_vs_fp32: number };
      return `| ${k} | ${f3(r.ratio)} | [${f3(r.ci95_bootstrap[0])}, ${f3(r.ci95_bootstrap[1])}] | ${r.memory_ratio_vs_fp32.toFixed(2)}x |`;
    }), "",
    "Distortion on the states the fp32 agent visits (greedy, 3 episodes per seed, seeds 2000000 + i), per seed pair, averaged:", "",
    "| vs fp32 | states | KL(pi_fp32 \\|\\| pi) | greedy action agreement | mean \\|V_fp32 - V\\| | value RMSE fp32 | value RMSE this |", "|---|---|---|---|---|---|---|",
    ...Object.entries(distort).map(([k, v]) => {
      const d = v as { states: number; kl_mean: number; action_agreement: number; value_abs_diff: number; value_rmse_fp32: number; value_rmse_other: number };
      return `| ${k} | ${d.states} | ${f3(d.kl_mean)} | ${f3(d.action_agreement)} | ${f3(d.value_abs_diff)} | ${f3(d.value_rmse_fp32)} | ${f3(d.value_rmse_other)} |`;
    }), "",
    `![returns](${out.env}-returns.svg) ![curves](${out.env}-curves.svg)`, "",
  ];
  return lines.join("\n");
}

function writeAtomic(path: string, text: string): void {
  writeFileSync(path + ".tmp", text);
  renameSync(path + ".tmp", path);
}

// ---- the study: phase 1 trains each kind (cached per kind), phase 2 aggregates whatever kinds exist ----

const headOf = (b64: string) => {
  const b = Buffer.from(b64, "base64");
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
};

interface KindRun {
  kind: string;
  settings: string;
  per_seed: number[];
  /** mean training return over windows of episodes, averaged over seeds */
  curve: number[];
  /** trained head.params per seed (for the distortion analysis): f32 little-endian bytes, base64 */
  heads: string[];
  blob_bytes: number;
  runtime_bytes: number;
  model: string;
}

const outDir = join(root, "docs", "results");
mkdirSync(outDir, { recursive: true });
for (const env of envs) {
  const run = { ...DEFAULT_RUN[env], hidden: Number(values.hidden ?? BACKBONE_HIDDEN[env]) };
  const episodes = Number(values.episodes ?? run.episodes);
  const backboneTrain: TrainConfig = { ...DEFAULT_TRAIN[env], lr: Number(values.lr ?? BACKBONE_LR[env]) };
  const settings = JSON.stringify({ seeds: SEEDS, episodes, eval: EVAL, hidden: run.hidden, backboneTrain });
  const kindPath = (k: string) => join(outDir, `${env}-${k}.json`);
  const backboneOf = (k: string) => (k === "none" ? null : readBlobFile(join(root, `models/${env}-backbone-${k}.bitrl`)));
  for (const kind of KINDS) {
    if (!values.aggregate) {
      const backbone = backboneOf(kind);
      const bar = progress(`study ${env} ${kind}`, SEEDS);
      const evals: number[] = [];
      const heads: string[] = [];
      const curveSum = new Float64Array(episodes);
      for (let s = 1; s <= SEEDS; s++) {
        // the one-hot baseline keeps its own tuned defaults; every backbone kind shares backboneTrain
        const start = buildAgentBlob({ env, backbone, hidden: backbone ? run.hidden : DEFAULT_RUN[env].hidden, train: backbone ? backboneTrain : DEFAULT_TRAIN[env], initSeed: s });
        const r = trainAgent(start, s, episodes, { evalEpisodes: EVAL });
        evals.push(r.eval.mean_return);
        r.curve.forEach((v, i) => (curveSum[i] += v / SEEDS));
        heads.push(Buffer.from(r.blob.tensors.find((t) => t.name === "head.params")!.data).toString("base64"));
        bar.tick(s, `seed ${s} eval ${r.eval.mean_return.toFixed(1)}`);
      }
      bar.done();
      const w = Math.max(1, Math.floor(episodes / 50));
      const curve = Array.from({ length: Math.floor(episodes / w) }, (_, i) => curveSum.slice(i * w, (i + 1) * w).reduce((a, b) => a + b, 0) / w);
      let ram = 0;
      if (backbone) {
        const m = loadAgent("release", { blob: encodeBlob(backbone) });
        m.fn.backbone_load();
        ram = m.fn.backbone_memory();
      }
      const kr: KindRun = {
        kind, settings, per_seed: evals, curve, heads, blob_bytes: backbone ? encodeBlob(backbone).length : 0, runtime_bytes: ram,
        model: backbone ? `models/${env}-backbone-${kind}.bitrl` : "one-hot features, no backbone",
      };
      writeAtomic(kindPath(kind), JSON.stringify(kr) + "\n");
    }
  }
  // phase 2: aggregate every kind trained with these settings
  const runs: KindRun[] = [];
  for (const kind of ["none", "fp32", "int8", "ternary", "binary"]) {
    try {
      const kr = JSON.parse(readFileSync(kindPath(kind), "utf8")) as KindRun;
      if (kr.settings === settings) runs.push(kr);
      else console.error(`study: ${kindPath(kind)} was trained with other settings; left out`);
    } catch {
      // not trained yet
    }
  }
  const results = runs.map((r) => ({ kind: r.kind, seeds: r.per_seed.length, eval_episodes: EVAL, per_seed: r.per_seed, ...meanCi(r.per_seed), blob_bytes: r.blob_bytes, runtime_bytes: r.runtime_bytes, model: r.model }));
  const byKind = Object.fromEntries(runs.map((r) => [r.kind, r]));
  const mean = (k: string) => byKind[k].per_seed.reduce((a, b) => a + b, 0) / byKind[k].per_seed.length;
  const retention: Record<string, unknown> = {};
  for (const k of ["int8", "ternary", "binary"]) {
    if (!byKind[k] || !byKind.fp32) continue;
    retention[k] = { ratio: mean(k) / mean("fp32"), ci95_bootstrap: ratioCi(byKind[k].per_seed, byKind.fp32.per_seed), memory_ratio_vs_fp32: byKind.fp32.blob_bytes / byKind[k].blob_bytes };
  }
  const distort: Record<string, unknown> = {};
  const agentOf = (k: string, i: number, feat: (t: Int32Array) => Float32Array): Agent => ({
    blob: buildAgentBlob({ env, backbone: backboneOf(k), hidden: run.hidden, train: backboneTrain, initSeed: i + 1 }), head: headOf(byKind[k].heads[i]), feat,
  });
  if (byKind.fp32) {
    const fFp32 = featurizer(backboneOf("fp32")!);
    for (const k of ["int8", "ternary", "binary"]) {
      if (!byKind[k]) continue;
      const fK = featurizer(backboneOf(k)!);
      const n = Math.min(byKind.fp32.heads.length, byKind[k].heads.length);
      const per = Array.from({ length: n }, (_, i) => distortion(env, agentOf("fp32", i, fFp32), agentOf(k, i, fK), 3, backboneTrain));
      const avg = (f: (d: (typeof per)[number]) => number) => per.reduce((a, d) => a + f(d), 0) / per.length;
      distort[k] = {
        vs: "fp32", seeds: n, episodes_per_seed: 3, states: per.reduce((a, d) => a + d.states, 0),
        kl_mean: avg((d) => d.kl), action_agreement: avg((d) => d.action_agreement), value_abs_diff: avg((d) => d.value_abs_diff),
        value_rmse_fp32: avg((d) => d.value_rmse_ref), value_rmse_other: avg((d) => d.value_rmse_other),
      };
    }
  }
  const out = {
    env, how: "host run: the agent module (build/agent.wasm) in Node/V8; per seed, the mean greedy return over the eval episodes (seeds 1000000 + i); mean and Student-t 95% CI over seeds",
    command: `node --import tsx scripts/study.ts --env ${env} --seeds ${SEEDS} --episodes ${episodes} --eval ${EVAL} --lr ${backboneTrain.lr} --hidden ${run.hidden} [--kinds K,...] [--aggregate]`,
    train_episodes: episodes, head_hidden_backbones: run.hidden, head_hidden_none: DEFAULT_RUN[env].hidden, train_config_backbones: backboneTrain, train_config_none: DEFAULT_TRAIN[env], results, retention, distortion: distort,
  };
  writeAtomic(join(outDir, `${env}.json`), JSON.stringify(out, null, 1) + "\n");
  const ymax = Math.max(...results.map((r) => r.mean + (r.ci95 || 0)), 1e-9) * 1.1;
  writeAtomic(join(outDir, `${env}-returns.svg`), svgBars(`${env}: greedy return, mean and 95% CI over ${SEEDS} seeds`, results.map((r) => ({ label: r.kind, mean: r.mean, ci: r.ci95 })), ymax));
  writeAtomic(join(outDir, `${env}-curves.svg`), svgCurves(`${env}: training return`, runs.map((r) => ({ label: r.kind, ys: r.curve })), Math.ceil(Math.max(...runs.flatMap((r) => r.curve), 1e-9) * 1.1 * 100) / 100));
  writeAtomic(join(outDir, `${env}.md`), markdown(out, results, retention, distort));
  console.log(JSON.stringify({ env, results: results.map((r) => ({ kind: r.kind, mean: r.mean, ci95: r.ci95, blob_bytes: r.blob_bytes })), retention, distortion: distort }));
}
