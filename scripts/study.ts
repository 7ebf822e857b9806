// The retention study (docs/results.md). For each env it trains heads on every backbone arm with the SAME procedure
// the shipped agents use (`bitrl train --algo reinforce` defaults: trainAgent per seed as trainSeeds runs it,
// defaultTrain(env, feature source), DEFAULT_RUN episodes and head width, checkpoint selection every 100 episodes on
// 10 greedy episodes, reset seeds selectSeed(i)), then scores each seed's written head greedily on held-out reset
// seeds evalSeed(i). Arms: the one-hot "none" agent; the QAT backbones fp32, int8, ternary, binary (models/); and
// the PTQ backbones int8-ptq, ternary-ptq, binary-ptq (the fp32 backbone quantized after training, the same
// pretraining seed), whose heads are retrained, and which are also scored with the fp32 heads kept (no training).
// Baselines: the zero-shot readout of each backbone's tied output layer and a tabular-Q lookup table. Distortion
// (KL, action agreement, value error) on fp32-visited and random-play states, beside the between-seed spread.
// Writes docs/results/<env>.json (every value) and <env>-<arm>.json (per-seed heads and curves); `--render`
// trains nothing and writes docs/results/<env>.md, the SVGs and the generated blocks of docs/results.md from the
// committed JSON. Deterministic: the same command gives the same bytes.
// Usage: node --import tsx scripts/study.ts [--env cartpole,keydoor] [--seeds 10] [--eval 20]
//   [--kinds none,fp32,...,ternary-ptq] (train only these arms) [--seed-list 1-5] (only these seeds; a worker)
//   [--cache DIR] (per-seed results, default $TMPDIR/bitrl-study; a finished seed is not retrained)
//   [--aggregate] (train nothing: aggregate the arms whose docs/results/<env>-<arm>.json exist, then render)
//   [--render] (train and measure nothing: regenerate the docs from docs/results/*.json)
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { crc32 } from "../tools/lib/util/crc32.ts";
import {
  buildAgentBlob,
  DEFAULT_RUN,
  defaultTrain,
  envIdOf,
  EVAL_SEED,
  evaluateAgent,
  ratioCi,
  REINFORCE_SELECT,
  SELECT_SEED,
  trainAgent,
  trainTabular,
  withHead,
  zeroShotEval,
  type TrainConfig,
} from "../tools/lib/agent/index.ts";
import { encodeBlob } from "../tools/lib/format/blob.ts";
import { readBlobFile } from "../tools/lib/format/blob-file.ts";
import type { Blob } from "../tools/lib/format/types.ts";
import type { BackboneKind } from "../tools/lib/reference/backbone.ts";
import type { EnvName } from "../tools/lib/reference/envs.ts";
import { loadAgent } from "../tools/lib/runtime/wasm.ts";
import { quantizeBackboneBlob } from "../tools/lib/train/ptq.ts";
import {
  distortionRow,
  featurizer,
  greedyStates,
  headFromBase64,
  headShape,
  nextSeed,
  randomPlayStates,
  RANDOM_PLAY_SEEDS,
  type PolicyAgent,
} from "./study/distortion.ts";
import { renderAll } from "./study/render.ts";
import { meanOf, summarize } from "./study/stats.ts";
import {
  DISTORT_EPISODES,
  QUANTIZED,
  RANDOM_PLAY_EPISODES,
  THRESHOLD,
  THRESHOLD_WINDOW,
  type DistortionRow,
  type StudyJson,
} from "./study/schema.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const outDir = join(root, "docs", "results");
const { values } = parseArgs({
  options: {
    env: { type: "string" },
    seeds: { type: "string" },
    eval: { type: "string" },
    kinds: { type: "string" },
    "seed-list": { type: "string" },
    cache: { type: "string" },
    aggregate: { type: "boolean" },
    render: { type: "boolean" },
  },
});

function writeAtomic(path: string, text: string): void {
  writeFileSync(path + ".tmp", text);
  renameSync(path + ".tmp", path);
}

if (values.render) {
  for (const [path, text] of Object.entries(renderAll(root))) writeAtomic(join(root, path), text);
  process.exit(0);
}

const envs = (values.env ?? "cartpole").split(",").map(envIdOf);
const SEEDS = Number(values.seeds ?? 10);
const EVAL = Number(values.eval ?? 20);
const PTQ_ARMS = QUANTIZED.map((k) => `${k}-ptq`);
/** Backbones pretrained on uniformly random play (`bitrl pretrain --play random`), where the env has them. */
const RANDOM_ARMS = ["fp32", ...QUANTIZED].map((k) => `${k}-random`);
const ALL_ARMS = ["none", "fp32", ...QUANTIZED, ...PTQ_ARMS, ...RANDOM_ARMS];
/** The arms an env can run: the random-play ones only where their backbones are shipped. */
const armsFor = (env: EnvName) =>
  ALL_ARMS.filter((a) => !a.endsWith("-random") || existsSync(join(root, `models/${env}-backbone-${a}.bitrl`)));
const ARMS = values.kinds?.split(",");
for (const a of ARMS ?? [])
  if (!ALL_ARMS.includes(a)) throw new Error(`--kinds: unknown arm '${a}' (${ALL_ARMS.join(", ")})`);
const CACHE = values.cache ?? join(tmpdir(), "bitrl-study");

function seedList(): number[] {
  const s = values["seed-list"];
  if (!s) return Array.from({ length: SEEDS }, (_, i) => i + 1);
  const [a, b] = s.split("-").map(Number);
  return Array.from({ length: (b ?? a) - a + 1 }, (_, i) => a + i);
}

/** The shipped agents' procedure for a feature source: `bitrl train --algo reinforce` without other flags. */
function procedure(env: EnvName, arm: string) {
  const run = DEFAULT_RUN[env];
  const backbone = arm !== "none";
  return {
    episodes: backbone ? run.backboneEpisodes : run.episodes,
    hidden: backbone ? run.backboneHidden : run.hidden,
    train: defaultTrain(env, backbone ? "blob" : "none") as TrainConfig,
    select: REINFORCE_SELECT, // bitrl train's REINFORCE checks, on seeds 2000000 + i
    eval_episodes: EVAL,
    eval_seeds: `${EVAL_SEED} + i`,
    select_seeds: `${SELECT_SEED} + i`,
  };
}

const blobCache = new Map<string, Blob | null>();
/** The backbone of an arm: none, a shipped QAT backbone, or the fp32 one quantized after training ("K-ptq"). */
function backboneOf(env: EnvName, arm: string): Blob | null {
  const key = `${env}/${arm}`;
  if (!blobCache.has(key)) {
    const file = (k: string) => readBlobFile(join(root, `models/${env}-backbone-${k}.bitrl`));
    blobCache.set(
      key,
      arm === "none"
        ? null
        : arm.endsWith("-ptq")
          ? quantizeBackboneBlob(file("fp32"), arm.slice(0, -4) as BackboneKind)
          : file(arm),
    );
  }
  return blobCache.get(key)!;
}
const modelOf = (env: EnvName, arm: string) =>
  arm === "none"
    ? "one-hot features, no backbone"
    : arm.endsWith("-ptq")
      ? `models/${env}-backbone-fp32.bitrl quantized to ${arm.slice(0, -4)} after training (tools/lib/train/ptq.ts)`
      : `models/${env}-backbone-${arm}.bitrl`;

/** Training episodes until the mean sampled return of the last THRESHOLD_WINDOW episodes first reaches t (null: never). */
function episodesToThreshold(curve: number[], t: number): number | null {
  let s = 0;
  for (let i = 0; i < curve.length; i++) {
    s += curve[i] - (i >= THRESHOLD_WINDOW ? curve[i - THRESHOLD_WINDOW] : 0);
    if (i >= THRESHOLD_WINDOW - 1 && s / THRESHOLD_WINDOW >= t) return i + 1;
  }
  return null;
}

/** Environment steps of training until episodesToThreshold's point, where a return is its episode's length
 *  (cartpole: +1 per step; null elsewhere or when never reached). */
function stepsToThreshold(env: EnvName, curve: number[], t: number): number | null {
  const k = episodesToThreshold(curve, t);
  return env === "cartpole" && k !== null ? curve.slice(0, k).reduce((a, b) => a + b, 0) : null;
}

/** One trained seed (cached in CACHE/<env>-<arm>-s<seed>.json). */
interface SeedRun {
  seed: number;
  settings: string;
  /** CRC-32 of the backbone blob the head was trained on: a cached seed is reused only on the same bytes */
  backbone_crc32?: number | null;
  /** greedy mean over the eval episodes (seeds 1000000 + i) of the written (selected) head */
  eval_mean: number;
  eval_returns: number[];
  /** training return of every episode (sampled actions) */
  curve: number[];
  /** the written head.params: f32 little-endian bytes, base64 */
  head: string;
  wall_s: number;
}

/** One arm over all seeds (docs/results/<env>-<arm>.json). */
interface ArmRun {
  kind: string;
  settings: string;
  seeds: number[];
  per_seed: number[];
  per_seed_eval_returns: number[][];
  /** mean training return over windows of episodes, averaged over seeds */
  curve: number[];
  curve_window: number;
  /** per seed: training episodes until the trailing mean reached THRESHOLD[env] (null: never) */
  episodes_to_threshold: (number | null)[];
  /** per seed: environment steps of training until then (cartpole only, whose returns are episode lengths) */
  steps_to_threshold: (number | null)[];
  /** trained head.params per seed (for the distortion analysis) */
  heads: string[];
  wall_s_per_seed: number[];
  blob_bytes: number;
  runtime_bytes: number;
  model: string;
}

mkdirSync(outDir, { recursive: true });
mkdirSync(CACHE, { recursive: true });
const readJson = <T>(p: string) => JSON.parse(readFileSync(p, "utf8")) as T;

for (const env of envs) {
  const settingsOf = (arm: string) => JSON.stringify({ seeds: SEEDS, ...procedure(env, arm) });
  const armPath = (a: string) => join(outDir, `${env}-${a}.json`);
  const seedPath = (a: string, s: number) => join(CACHE, `${env}-${a}-s${s}.json`);
  // ---- phase 1: train (each seed exactly as trainSeeds does it: head init and episode stream from the seed) ----
  for (const arm of values.aggregate ? [] : (ARMS ?? armsFor(env))) {
    const p = procedure(env, arm);
    const settings = settingsOf(arm);
    const backbone = backboneOf(env, arm);
    const bytes = backbone ? encodeBlob(backbone) : null;
    const crc = bytes ? crc32(bytes) : null;
    /** seed s's cached run if it was made with these settings on these backbone bytes, else null */
    const cachedRun = (s: number): SeedRun | null => {
      if (!existsSync(seedPath(arm, s))) return null;
      const sr = readJson<SeedRun>(seedPath(arm, s));
      return sr.settings === settings && sr.backbone_crc32 === crc ? sr : null;
    };
    for (const s of seedList()) {
      if (cachedRun(s)) continue;
      const t0 = performance.now();
      const start = buildAgentBlob({ env, backbone, hidden: p.hidden, train: p.train, initSeed: s });
      const r = trainAgent(start, s, p.episodes, { evalEpisodes: EVAL, select: p.select });
      const wall = (performance.now() - t0) / 1000;
      const sr: SeedRun = {
        seed: s,
        settings,
        backbone_crc32: crc,
        eval_mean: r.eval.mean_return,
        eval_returns: r.eval.returns,
        curve: r.curve,
        head: Buffer.from(r.blob.tensors.find((t) => t.name === "head.params")!.data).toString("base64"),
        wall_s: wall,
      };
      writeAtomic(seedPath(arm, s), JSON.stringify(sr) + "\n");
      console.error(
        `study ${env} ${arm} seed ${s}: greedy eval ${r.eval.mean_return.toFixed(3)} (${wall.toFixed(1)} s)`,
      );
    }
    // an arm is complete when seeds 1..SEEDS are all cached with these settings (any worker may finish it)
    const runs: SeedRun[] = [];
    for (let s = 1; s <= SEEDS; s++) {
      const sr = cachedRun(s);
      if (!sr) break;
      runs.push(sr);
    }
    if (runs.length < SEEDS) {
      console.error(`study ${env} ${arm}: ${runs.length}/${SEEDS} seeds cached; not aggregated yet`);
      continue;
    }
    const w = 50;
    const curve = Array.from({ length: Math.floor(p.episodes / w) }, (_, i) =>
      meanOf(runs.map((r) => meanOf(r.curve.slice(i * w, (i + 1) * w)))),
    );
    let ram = 0;
    if (bytes) {
      const m = loadAgent("release", { blob: bytes });
      m.fn.backbone_load();
      ram = m.fn.backbone_memory();
    }
    const ar: ArmRun = {
      kind: arm,
      settings,
      seeds: runs.map((r) => r.seed),
      per_seed: runs.map((r) => r.eval_mean),
      per_seed_eval_returns: runs.map((r) => r.eval_returns),
      curve,
      curve_window: w,
      episodes_to_threshold: runs.map((r) => episodesToThreshold(r.curve, THRESHOLD[env])),
      steps_to_threshold: runs.map((r) => stepsToThreshold(env, r.curve, THRESHOLD[env])),
      heads: runs.map((r) => r.head),
      wall_s_per_seed: runs.map((r) => Math.round(r.wall_s * 10) / 10),
      blob_bytes: bytes ? bytes.length : 0,
      runtime_bytes: ram,
      model: modelOf(env, arm),
    };
    writeAtomic(armPath(arm), JSON.stringify(ar) + "\n");
  }
  if (!values.aggregate && values["seed-list"]) continue; // a worker: the aggregate is run once at the end
  aggregate(env, armPath, settingsOf);
}
if (values.aggregate || !values["seed-list"])
  for (const [path, text] of Object.entries(renderAll(root))) writeAtomic(join(root, path), text);

/** Phase 2: every measurement of an env from its trained arms, written to docs/results/<env>.json. */
function aggregate(env: EnvName, armPath: (a: string) => string, settingsOf: (a: string) => string): void {
  const t0 = performance.now();
  const byArm: Record<string, ArmRun> = {};
  for (const arm of armsFor(env)) {
    if (!existsSync(armPath(arm))) continue;
    const ar = readJson<ArmRun>(armPath(arm));
    if (ar.settings === settingsOf(arm)) byArm[arm] = ar;
    else console.error(`study: ${armPath(arm)} was trained with other settings; left out`);
  }
  if (!byArm.fp32) throw new Error(`study ${env}: the fp32 arm is not trained; nothing to compare with`);
  const fp32 = byArm.fp32;
  const p = procedure(env, "fp32");
  const agentBlob = (arm: string, head: Float32Array) =>
    withHead(
      buildAgentBlob({ env, backbone: backboneOf(env, arm), hidden: p.hidden, train: p.train, initSeed: 1 }),
      head,
    );
  // PTQ with the fp32 heads kept: seed i's fp32 head on the quantized fp32 backbone, scored on the same eval seeds
  const kept: Record<string, number[]> = {};
  for (const k of QUANTIZED)
    kept[k] = fp32.heads.map(
      (h) => evaluateAgent(agentBlob(`${k}-ptq`, headFromBase64(h)), EVAL, EVAL_SEED).mean_return,
    );
  const arms = Object.values(byArm).map((r) => ({
    arm: r.kind,
    train_episodes: procedure(env, r.kind).episodes,
    per_seed: r.per_seed,
    ...summarize(r.per_seed),
    episodes_to_threshold: r.episodes_to_threshold,
    steps_to_threshold: r.steps_to_threshold ?? [],
    blob_bytes: r.blob_bytes,
    runtime_bytes: r.runtime_bytes,
    model: r.model,
    curve: r.curve,
    curve_window: r.curve_window,
  }));
  for (const k of QUANTIZED)
    arms.push({
      arm: `${k}-ptq-fp32-head`,
      train_episodes: 0,
      per_seed: kept[k],
      ...summarize(kept[k]),
      episodes_to_threshold: [],
      steps_to_threshold: [],
      blob_bytes: encodeBlob(backboneOf(env, `${k}-ptq`)!).length,
      runtime_bytes: byArm[k]?.runtime_bytes ?? 0,
      model: `${modelOf(env, `${k}-ptq`)}, fp32 seed i's head`,
      curve: [],
      curve_window: 0,
    });
  const perSeedOf = (a: string) => arms.find((r) => r.arm === a)?.per_seed;
  const retention: StudyJson["retention"] = {};
  for (const a of arms) {
    if (a.arm === "none" || a.arm === "fp32") continue;
    // random-play arms against the fp32 backbone pretrained on the same random play
    const ref = a.arm.endsWith("-random") ? perSeedOf("fp32-random") : perSeedOf("fp32");
    if (a.arm === "fp32-random" || !ref) continue;
    retention[a.arm] = { ratio: a.mean / meanOf(ref), ci95_bootstrap: ratioCi(a.per_seed, ref) };
  }
  // ---- baselines: zero-shot readout of every backbone, tabular Q, (none is an arm) ----
  const zeroShot: StudyJson["baselines"]["zero_shot"] = [];
  const zsOf = (label: string, data: string, blob: Blob, model: string) => {
    const r = zeroShotEval(blob, env, EVAL);
    zeroShot.push({ backbone: label, pretraining_data: data, model, returns: r.returns, ...summarize(r.returns) });
  };
  for (const k of ["fp32", ...QUANTIZED]) zsOf(k, "expert-mixed", backboneOf(env, k)!, modelOf(env, k));
  for (const k of QUANTIZED) zsOf(`${k}-ptq`, "expert-mixed", backboneOf(env, `${k}-ptq`)!, modelOf(env, `${k}-ptq`));
  for (const k of ["fp32", ...QUANTIZED]) {
    const f = join(root, `models/${env}-backbone-${k}-random.bitrl`);
    if (existsSync(f)) zsOf(`${k}-random`, "random-play", readBlobFile(f), `models/${env}-backbone-${k}-random.bitrl`);
  }
  const tabEpisodes = DEFAULT_RUN[env].backboneEpisodes;
  const tab = Array.from({ length: SEEDS }, (_, i) =>
    trainTabular(env, { episodes: tabEpisodes, seed: i + 1, evalEpisodes: EVAL }),
  );
  const tabular = {
    episodes: tabEpisodes,
    settings: "Q-learning, alpha 0.1, gamma 0.99, epsilon 1 -> 0.05 linearly, table over the env's tokens",
    per_seed: tab.map((t) => t.evalMean),
    states_per_seed: tab.map((t) => t.states),
    episodes_to_threshold: tab.map((t) => episodesToThreshold(t.curve, THRESHOLD[env])),
    ...summarize(tab.map((t) => t.evalMean)),
  };
  // ---- distortion: every comparison on seed i's fp32-visited states and on the fixed random-play states ----
  const shape = headShape(agentBlob("fp32", headFromBase64(fp32.heads[0])));
  const feats: Record<string, (t: Int32Array) => Float32Array> = {};
  const featOf = (arm: string) => (feats[arm] ??= featurizer(backboneOf(env, arm)!));
  const agent = (arm: string, head: string): PolicyAgent => ({ feat: featOf(arm), head: headFromBase64(head) });
  const n = fp32.heads.length;
  const fp32States = fp32.heads.map((h) => greedyStates(env, agent("fp32", h), shape, DISTORT_EPISODES));
  const randomStates = randomPlayStates(env, shape.A, RANDOM_PLAY_EPISODES);
  const compare = (label: string, what: string, pairs: [PolicyAgent, PolicyAgent][]): DistortionRow =>
    distortionRow(label, what, pairs, shape, fp32States, randomStates);
  const seeds = Array.from({ length: n }, (_, i) => i);
  const next = (i: number) => nextSeed(i, n);
  const rows: DistortionRow[] = [
    compare(
      "fp32 seed i+1",
      "fp32 seed i vs fp32 seed i+1 (10 vs 1): between-seed spread of fp32",
      seeds.map((i) => [agent("fp32", fp32.heads[i]), agent("fp32", fp32.heads[next(i)])]),
    ),
  ];
  for (const k of QUANTIZED) {
    if (byArm[k])
      rows.push(
        compare(
          `${k} QAT`,
          `fp32 seed i vs ${k} (QAT) seed i`,
          seeds.map((i) => [agent("fp32", fp32.heads[i]), agent(k, byArm[k].heads[i])]),
        ),
        compare(
          `${k} QAT seed i+1`,
          `${k} (QAT) seed i vs seed i+1: between-seed spread of ${k}`,
          seeds.map((i) => [agent(k, byArm[k].heads[i]), agent(k, byArm[k].heads[next(i)])]),
        ),
      );
    rows.push(
      compare(
        `${k} PTQ, fp32 head`,
        `fp32 seed i vs the same head on the ${k}-quantized fp32 backbone`,
        seeds.map((i) => [agent("fp32", fp32.heads[i]), agent(`${k}-ptq`, fp32.heads[i])]),
      ),
    );
    const ptq = byArm[`${k}-ptq`];
    if (ptq)
      rows.push(
        compare(
          `${k} PTQ, head retrained`,
          `fp32 seed i vs ${k}-ptq seed i (head retrained)`,
          seeds.map((i) => [agent("fp32", fp32.heads[i]), agent(`${k}-ptq`, ptq.heads[i])]),
        ),
        compare(
          `${k} PTQ seed i+1`,
          `${k}-ptq seed i vs seed i+1: between-seed spread of ${k}-ptq`,
          seeds.map((i) => [agent(`${k}-ptq`, ptq.heads[i]), agent(`${k}-ptq`, ptq.heads[next(i)])]),
        ),
      );
  }
  // ---- memory and pretraining, from the shipped blobs ----
  const memory: StudyJson["memory_bitrl_inspect"] = {};
  const pretraining: StudyJson["pretraining"] = {};
  for (const k of ["fp32", ...QUANTIZED]) {
    const path = join(root, `models/${env}-backbone-${k}.bitrl`);
    const j = JSON.parse(
      execFileSync(process.execPath, [join(root, "bin", "bitrl.mjs"), "inspect", path, "--json"], { encoding: "utf8" }),
    );
    memory[k] = {
      bytes: j.bytes,
      fp32_bytes: j.fp32_bytes,
      ratio_vs_fp32: j.ratio_vs_fp32,
      bits_per_weight: j.bits_per_weight,
    };
    const meta = readBlobFile(path).meta as Record<string, number>;
    pretraining[k] = {
      steps: meta.steps,
      seed: meta.seed,
      valid_loss: meta.valid_loss,
      uniform_loss: meta.uniform_loss,
    };
  }
  const out: StudyJson = {
    env,
    how: "host run: the agent module (build/agent.wasm) in Node/V8. Every arm's heads trained with the shipped agents' REINFORCE procedure (bitrl train --algo reinforce defaults); per seed, the greedy mean over the eval episodes (reset seeds 1000000 + i) of the written head; mean and Student-t 95% CI over seeds; retention CI = percentile bootstrap of the ratio of means (2000 resamples, seeds resampled independently per arm)",
    command: `node --import tsx scripts/study.ts --env ${env} --seeds ${SEEDS} --eval ${EVAL}`,
    seeds: SEEDS,
    eval_episodes: EVAL,
    procedure_backbones: procedure(env, "fp32"),
    procedure_none: procedure(env, "none"),
    threshold: { value: THRESHOLD[env], window: THRESHOLD_WINDOW },
    arms,
    retention,
    baselines: { zero_shot: zeroShot, tabular },
    distortion: {
      fp32_states: `seed i's fp32 agent, greedy, ${DISTORT_EPISODES} episodes (reset seeds 3000000 + e)`,
      random_states: `a uniformly random policy, ${RANDOM_PLAY_EPISODES} episodes (reset seeds ${RANDOM_PLAY_SEEDS}), the same states for every pair`,
      rows,
    },
    memory_bitrl_inspect: memory,
    pretraining,
  };
  writeAtomic(join(outDir, `${env}.json`), JSON.stringify(out, null, 1) + "\n");
  console.error(`study ${env}: aggregated in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
}
