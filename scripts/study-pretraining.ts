// The pretraining-data study (issue #16, "pretraining without the answer"): does the RL head earn its return, or
// was the policy already in the backbone? For every backbone kind, the pretraining data sets of the env's
// transcripts with the same recipe and seed: "mixed" (the shipped backbones: random actions with probability 1,
// 0.5, 0.2, 0.05 by episode, a scripted near-expert otherwise; cartpole, keydoor and frozenlake) and "random" (uniformly random
// actions only: models/<env>-backbone-<kind>-random.bitrl; acrobot and mountaincar have only these, see DATA).
// Per backbone: the zero-shot readout (the tied output layer's action logits as a policy, no RL:
// tools/lib/agent/zero-shot.ts) and a fresh head trained by `bitrl train`'s defaults (PPO, --steps budget, 10
// seeds, each seed's greedy eval on 20 held-out seeds, and the environment steps its training curve took to reach
// the env's target: tools/lib/agent/targets.ts); and the same for each quantized kind made by post-training
// quantization of that data's fp32 backbone (PTQ: tools/lib/train/ptq.ts), so QAT and PTQ of the same weights'
// recipe sit side by side. Baselines on the same eval seeds: the one-hot head (`--backbone none`) and the
// tabular-Q lookup table. Distortion (scripts/study/distortion.ts) of every quantized arm's heads against the same
// data's fp32 QAT heads, seed i vs seed i, on seed i's fp32-visited states and on random-play states, beside the
// between-seed spread (seed i vs seed i+1 of the same arm). Writes docs/results/pretraining-<env>.json, each arm's
// per-seed heads to docs/results/pretraining-<env>-heads.json, and renders its section of docs/results.md.
// Usage: node --import tsx scripts/study-pretraining.ts [--env cartpole|acrobot|mountaincar|keydoor|frozenlake|textroom] [--seeds 10]
//   [--steps the env's `bitrl train` budget] [--eval 20]
//   [--render] (train nothing: re-render docs/results.md's sections from the committed JSON)
//   [--rebuilt] (the quantized kinds' QAT backbones were rebuilt, e.g. by exact QAT: retrain those arms and do not
//   hold them to the previous JSON's returns; every other arm is still reused or checked)
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import {
  buildAgentBlob,
  DEFAULT_RUN,
  defaultTrain,
  distortSeed,
  ENV_SHAPES,
  runStepsToTarget,
  TASK_TARGETS,
  trainTabular,
  zeroShotEval,
} from "../tools/lib/agent/index.ts";
import type { BackboneKind } from "../tools/lib/reference/backbone.ts";
import type { EnvName } from "../tools/lib/reference/envs.ts";
import { readBlobFile, writeBlobFile } from "../tools/lib/format/blob-file.ts";
import { quantizeBackboneBlob as ptqBackbone } from "../tools/lib/train/ptq.ts";
import { writeFileAtomic } from "../tools/lib/util/files.ts";
import { repoRoot } from "../tools/lib/util/paths.ts";
import {
  distortionRow,
  featurizer,
  greedyStates,
  headFromBase64,
  headShape,
  nextSeed,
  RANDOM_PLAY_SEEDS,
  randomPlayStates,
  type PolicyAgent,
} from "./study/distortion.ts";
import { renderedResults } from "./study/results-sections.ts";
import {
  PRETRAINING_ENVS,
  type PretrainingArm,
  type PretrainingDistortionRow,
  type PretrainingEnv,
  type PretrainingHeads,
  type PretrainingStudy,
} from "./study/pretraining-section.ts";
import { DISTORT_EPISODES, QUANTIZED, RANDOM_PLAY_EPISODES } from "./study/schema.ts";

const text = { type: "string" } as const;
const { values } = parseArgs({
  options: {
    env: text,
    seeds: text,
    steps: text,
    eval: text,
    render: { type: "boolean" },
    rebuilt: { type: "boolean" },
  },
});
const ENV = (values.env ?? "cartpole") as PretrainingEnv & EnvName;
if (!PRETRAINING_ENVS.includes(ENV))
  throw new Error(`--env must be one of ${PRETRAINING_ENVS.join(", ")}, got '${ENV}'`);
const JSON_PATH = join(repoRoot, "docs", "results", `pretraining-${ENV}.json`);
const HEADS_PATH = join(repoRoot, "docs", "results", `pretraining-${ENV}-heads.json`);
const RESULTS_MD = join(repoRoot, "docs", "results.md");
const KINDS = ["fp32", "int8", "ternary", "binary"] as const;
/** The pretraining data per env. Acrobot and mountaincar have no "mixed" backbones: the question is whether RL earns
 *  its return on data without the answer, and the expert-data contrast is shown on cartpole, keydoor and
 *  frozenlake, whose mixed backbones ship. */
const DATA: Record<PretrainingEnv, readonly ("mixed" | "random")[]> = {
  cartpole: ["mixed", "random"],
  keydoor: ["mixed", "random"],
  acrobot: ["random"],
  mountaincar: ["random"],
  frozenlake: ["mixed", "random"],
  textroom: ["random"], // no mixed backbones ship for it
};
/** QAT: the shipped recipe (trained through the quantizer); PTQ: the fp32 backbone quantized after training. */
const METHODS = ["qat", "ptq"] as const;
/** Tabular Q episodes per seed: cartpole's 2000 are about the agents' step budget at the table's early episode
 *  lengths; the other envs get the budget over the time limit, so the table never takes more steps than the agents. */
const tabularEpisodes = (steps: number) => (ENV === "cartpole" ? 2000 : Math.floor(steps / ENV_SHAPES[ENV].maxSteps));
const RUNTIME = "Host runs: build/agent.wasm in Node (V8)";

interface Trained {
  /** per seed: the kept head's greedy mean over the eval seeds */
  rl: number[];
  /** per seed: environment steps to the env's target (targets.ts) on the training curve; null: never */
  steps: (number | null)[];
  /** per seed: the kept head.params, f32 little-endian bytes in base64 */
  heads: string[];
  /** the heads' hidden units */
  hidden: number;
}

/** An arm with its per-seed heads (what the partial file in $TMPDIR keeps; the JSON keeps them apart). */
type ArmWithHeads = PretrainingArm & { heads: string[]; hidden: number };

/** `bitrl train --json` for one backbone (or none): the CLI's own defaults, so the study runs what users run. */
function train(backbone: string, seeds: number, steps: number, evalN: number): Promise<Trained> {
  const out = join(tmpdir(), `bitrl-pretraining-${process.pid}.bitrl`);
  const args = [join(repoRoot, "bin", "bitrl.mjs"), "train", "--env", ENV, "--backbone", backbone];
  args.push(
    "--seeds",
    String(seeds),
    "--steps",
    String(steps),
    "--eval-episodes",
    String(evalN),
    "--json",
    "--out",
    out,
  );
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "inherit"] });
    let stdout = "";
    p.stdout.on("data", (b) => (stdout += b));
    p.on("close", (code) => {
      if (code !== 0) return reject(new Error(`bitrl train --backbone ${backbone} exited ${code}`));
      const r = JSON.parse(stdout) as {
        hidden: number;
        seeds: { eval_mean_return: number; curve: number[]; curve_steps: number[]; head: string }[];
      };
      resolve({
        rl: r.seeds.map((s) => s.eval_mean_return),
        steps: r.seeds.map((s) => runStepsToTarget(ENV, s.curve, s.curve_steps)),
        heads: r.seeds.map((s) => s.head),
        hidden: r.hidden,
      });
    });
  });
}

/** The previous JSON when it was made with the same settings: its arms whose heads are kept are reused (a finished
 *  arm is not retrained; one without heads is, and must reproduce its returns), and its baselines. */
function previous(seeds: number, steps: number, evalN: number): PretrainingStudy | null {
  if (!existsSync(JSON_PATH)) return null;
  const p = JSON.parse(readFileSync(JSON_PATH, "utf8")) as PretrainingStudy;
  return p.seeds === seeds && p.steps === steps && p.eval_episodes === evalN ? p : null;
}

/** The previous heads file when it matches the previous JSON's settings. */
function previousHeads(prev: PretrainingStudy | null): PretrainingHeads | null {
  if (!prev || !existsSync(HEADS_PATH)) return null;
  const h = JSON.parse(readFileSync(HEADS_PATH, "utf8")) as PretrainingHeads;
  return h.seeds === prev.seeds && h.steps === prev.steps ? h : null;
}

const sameArm = (a: { method?: string; data: string; kind: string }, method: string, data: string, kind: string) =>
  (a.method ?? "qat") === method && a.data === data && a.kind === kind;

/** The arms an interrupted run with the same settings finished (written after every arm, in $TMPDIR; removed once
 *  the JSON is written, so a later run with rebuilt backbones does not reuse them). */
const partialPath = (seeds: number, steps: number, evalN: number) =>
  join(tmpdir(), `bitrl-pretraining-${ENV}-${seeds}x${steps}-eval${evalN}.json`);

const seeds = Number(values.seeds ?? 10),
  steps = Number(values.steps ?? DEFAULT_RUN[ENV].steps),
  evalN = Number(values.eval ?? 20);

/** Backbone file of an arm (PTQ: the fp32 one, quantized when loaded) and the blob its heads were trained on. */
function backboneOf(method: "qat" | "ptq", data: "mixed" | "random", kind: string) {
  const suffix = data === "random" ? "-random" : "";
  const qat = `models/${ENV}-backbone-${kind}${suffix}.bitrl`;
  const fp32 = `models/${ENV}-backbone-fp32${suffix}.bitrl`;
  return method === "qat"
    ? { name: qat, blob: readBlobFile(join(repoRoot, qat)) }
    : {
        name: `PTQ of ${fp32} to ${kind}`,
        blob: ptqBackbone(readBlobFile(join(repoRoot, fp32)), kind as BackboneKind),
      };
}

/** A retrained arm's per-seed returns and steps against the previous JSON's (training is deterministic). */
type Outcome = Pick<PretrainingArm, "rl" | "steps_to_threshold">;
const notReproduced: string[] = [];
function reproduced(label: string, was: Outcome | undefined, now: Outcome): void {
  if (!was) return;
  const same =
    JSON.stringify(was.rl) === JSON.stringify(now.rl) &&
    (!was.steps_to_threshold || JSON.stringify(was.steps_to_threshold) === JSON.stringify(now.steps_to_threshold));
  console.error(
    `[study-pretraining] ${label}: ${same ? "reproduces the previous JSON's per-seed returns exactly" : `DIFFERS: was ${JSON.stringify(was.rl)}, now ${JSON.stringify(now.rl)}`}`,
  );
  if (!same) notReproduced.push(label);
}

async function run(): Promise<{ study: PretrainingStudy; heads: PretrainingHeads }> {
  const prev = previous(seeds, steps, evalN);
  const prevHeads = previousHeads(prev);
  const partial = partialPath(seeds, steps, evalN);
  // an interrupted run's finished arms (read once: this run rewrites the file after each arm)
  const interrupted: ArmWithHeads[] = existsSync(partial)
    ? (JSON.parse(readFileSync(partial, "utf8")) as ArmWithHeads[])
    : [];
  // finished arms: the previous JSON's with their heads, else an interrupted run's; an arm without heads is retrained
  const started: ArmWithHeads[] = prevHeads
    ? prev!.arms.flatMap((a) => {
        const h = prevHeads.arms.find((b) => sameArm(b, a.method ?? "qat", a.data, a.kind));
        return h ? [{ ...a, heads: h.heads, hidden: h.hidden }] : [];
      })
    : interrupted;
  const arms: ArmWithHeads[] = [];
  for (const method of METHODS)
    for (const data of DATA[ENV])
      for (const kind of KINDS) {
        if (method === "ptq" && kind === "fp32") continue; // PTQ starts from the fp32 backbone
        const label = `${method} ${data} ${kind}`;
        // --rebuilt: the quantized QAT backbones changed, so their previous arms say nothing about the new ones
        const rebuilt = values.rebuilt && method === "qat" && kind !== "fp32";
        const was = rebuilt ? undefined : prev?.arms.find((a) => sameArm(a, method, data, kind));
        const finished = (a: ArmWithHeads) => sameArm(a, method, data, kind) && a.heads?.length === seeds;
        // (a rebuilt arm is only taken from an interrupted run of this study, never from the previous JSON)
        const done = (rebuilt ? interrupted : started).find(finished);
        if (done) {
          arms.push({ ...done, method });
          // an interrupted run's arm is checked too (the previous JSON's own arms are what they are checked against)
          if (!prevHeads) reproduced(label, was, done);
          continue;
        }
        const { name, blob } = backboneOf(method, data, kind);
        const file =
          method === "qat" ? join(repoRoot, name) : join(tmpdir(), `bitrl-ptq-${process.pid}-${data}-${kind}.bitrl`);
        if (method === "ptq") writeBlobFile(file, blob);
        console.error(`[study-pretraining] ${label}: zero-shot, then ${seeds} heads`);
        const zero = zeroShotEval(blob, ENV, evalN).returns;
        const t = await train(file, seeds, steps, evalN);
        const arm: PretrainingArm = {
          method,
          data,
          kind,
          backbone: name,
          zero_shot: zero,
          rl: t.rl,
          steps_to_threshold: t.steps,
        };
        arms.push({ ...arm, heads: t.heads, hidden: t.hidden });
        writeFileAtomic(partial, JSON.stringify(arms) + "\n");
        reproduced(label, was, arm);
      }
  console.error("[study-pretraining] baselines: one-hot head, lookup table");
  // the one-hot head keeps no heads (no distortion): reused unless its steps to the target were not recorded
  const none = prev?.none_steps_to_threshold
    ? { rl: prev.none, steps: prev.none_steps_to_threshold }
    : await train("none", seeds, steps, evalN);
  if (prev && !prev.none_steps_to_threshold) reproduced("one-hot head", { rl: prev.none }, { rl: none.rl });
  if (notReproduced.length)
    throw new Error(
      `retrained arms differ from ${JSON_PATH} (training is deterministic: find out why before writing it): ` +
        notReproduced.join("; "),
    );
  const tabular =
    prev?.tabular ??
    Array.from(
      { length: seeds },
      (_, i) => trainTabular(ENV, { episodes: tabularEpisodes(steps), seed: i + 1, evalEpisodes: evalN }).evalMean,
    );
  // cartpole's study (the first) keeps its command and fields; the others record how and to what they were run
  const flags = [
    ENV === "cartpole" ? "" : ` --env ${ENV}`,
    seeds === 10 ? "" : ` --seeds ${seeds}`,
    steps === DEFAULT_RUN[ENV].steps ? "" : ` --steps ${steps}`,
    evalN === 20 ? "" : ` --eval ${evalN}`,
  ].join("");
  const withSteps = arms.every((a) => a.steps_to_threshold) && none.steps !== undefined;
  const study: PretrainingStudy = {
    env: ENV,
    seeds,
    steps,
    eval_episodes: evalN,
    command: `node --import tsx scripts/study-pretraining.ts${flags}`,
    tabular_episodes: tabularEpisodes(steps),
    arms: arms.map(({ heads: _h, hidden: _n, ...a }) => a),
    none: none.rl,
    tabular,
    ...(ENV === "cartpole" ? {} : { runtime: RUNTIME }),
    ...(withSteps ? { target: TASK_TARGETS[ENV], none_steps_to_threshold: none.steps } : {}),
    distortion: distortions(arms),
  };
  const heads: PretrainingHeads = {
    env: ENV,
    seeds,
    steps,
    encoding: "per seed 1..seeds: the kept head.params (layout of assembly/rl/head.ts), f32 little-endian, base64",
    arms: arms.map((a) => ({
      method: a.method ?? "qat",
      data: a.data,
      kind: a.kind,
      hidden: a.hidden,
      heads: a.heads,
    })),
  };
  return { study, heads };
}

/** Every quantized arm's heads against the same data's fp32 QAT heads (seed i vs seed i), beside the between-seed
 *  spread (seed i vs seed i+1) of fp32 and of that arm, on seed i's fp32-visited states and on random-play states. */
function distortions(arms: ArmWithHeads[]): NonNullable<PretrainingStudy["distortion"]> {
  console.error("[study-pretraining] distortion");
  const armOf = (method: string, data: string, kind: string) => arms.find((a) => sameArm(a, method, data, kind))!;
  const feats = new Map<string, (t: Int32Array) => Float32Array>();
  const agent = (a: ArmWithHeads, i: number): PolicyAgent => {
    const key = `${a.method ?? "qat"} ${a.data} ${a.kind}`;
    if (!feats.has(key)) feats.set(key, featurizer(backboneOf(a.method ?? "qat", a.data, a.kind).blob));
    return { feat: feats.get(key)!, head: headFromBase64(a.heads[i]) };
  };
  const fp32Any = armOf("qat", DATA[ENV][0], "fp32");
  const shape = headShape(
    buildAgentBlob({
      env: ENV,
      backbone: backboneOf("qat", fp32Any.data, "fp32").blob,
      hidden: fp32Any.hidden,
      train: defaultTrain(ENV, "blob", "ppo"),
      initSeed: 1,
    }),
  );
  const randomStates = randomPlayStates(ENV, shape.A, RANDOM_PLAY_EPISODES);
  const seedIdx = Array.from({ length: seeds }, (_, i) => i);
  const rows: PretrainingDistortionRow[] = [];
  for (const data of DATA[ENV]) {
    const fp32 = armOf("qat", data, "fp32");
    const fp32States = seedIdx.map((i) => greedyStates(ENV, agent(fp32, i), shape, DISTORT_EPISODES));
    const compare = (label: string, what: string, pairs: [PolicyAgent, PolicyAgent][]) =>
      rows.push({ data, ...distortionRow(label, `${data} data: ${what}`, pairs, shape, fp32States, randomStates) });
    compare(
      "fp32 seed i+1",
      `fp32 seed i vs fp32 seed i+1 (${seeds} vs 1): between-seed spread of fp32`,
      seedIdx.map((i) => [agent(fp32, i), agent(fp32, nextSeed(i, seeds))]),
    );
    for (const kind of QUANTIZED)
      for (const method of METHODS) {
        const a = armOf(method, data, kind);
        const tag = `${kind} (${method.toUpperCase()})`;
        compare(
          `${kind} ${method.toUpperCase()}`,
          `fp32 seed i vs ${tag} seed i`,
          seedIdx.map((i) => [agent(fp32, i), agent(a, i)]),
        );
        compare(
          `${kind} ${method.toUpperCase()} seed i+1`,
          `${tag} seed i vs seed i+1: between-seed spread of ${tag}`,
          seedIdx.map((i) => [agent(a, i), agent(a, nextSeed(i, seeds))]),
        );
      }
  }
  return {
    fp32_states: `seed i's fp32 (QAT) agent on the same pretraining data, greedy, ${DISTORT_EPISODES} episodes (reset seeds ${distortSeed(0)} + e)`,
    random_states: `a uniformly random policy, ${RANDOM_PLAY_EPISODES} episodes (reset seeds ${RANDOM_PLAY_SEEDS}), the same states for every pair`,
    rows,
  };
}

if (!values.render) {
  if (!existsSync(join(repoRoot, "docs", "results"))) mkdirSync(join(repoRoot, "docs", "results"), { recursive: true });
  const { study, heads } = await run();
  writeFileAtomic(HEADS_PATH, JSON.stringify(heads, null, 1) + "\n");
  writeFileAtomic(JSON_PATH, JSON.stringify(study, null, 1) + "\n");
  rmSync(partialPath(seeds, steps, evalN), { force: true }); // the finished arms are in the JSON now
}
writeFileAtomic(RESULTS_MD, renderedResults(readFileSync(RESULTS_MD, "utf8")));
console.error(`[study-pretraining] wrote ${values.render ? "" : `${JSON_PATH} and `}the sections of docs/results.md`);
