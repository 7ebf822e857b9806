// The pretraining-data study (issue #16, "pretraining without the answer"): does the RL head earn its return, or
// was the policy already in the backbone? For every backbone kind, the pretraining data sets of the env's
// transcripts with the same recipe and seed: "mixed" (the shipped backbones: random actions with probability 1,
// 0.5, 0.2, 0.05 by episode, a scripted near-expert otherwise; cartpole and keydoor) and "random" (uniformly random
// actions only: models/<env>-backbone-<kind>-random.bitrl; acrobot and mountaincar have only these, see DATA).
// Per backbone: the zero-shot readout (the tied output layer's action logits as a policy, no RL:
// tools/lib/agent/zero-shot.ts) and a fresh head trained by `bitrl train`'s defaults (PPO, --steps budget, 10
// seeds, each seed's greedy eval on 20 held-out seeds, and the environment steps its training curve took to reach
// the env's target: tools/lib/agent/targets.ts); and the same for each quantized kind made by post-training
// quantization of that data's fp32 backbone (PTQ: tools/lib/train/ptq.ts), so QAT and PTQ of the same weights'
// recipe sit side by side. Baselines on the same eval seeds: the one-hot head (`--backbone none`) and the
// tabular-Q lookup table. Writes docs/results/pretraining-<env>.json and renders its section of docs/results.md.
// Usage: node --import tsx scripts/study-pretraining.ts [--env cartpole|acrobot|mountaincar|keydoor|textroom] [--seeds 10]
//   [--steps the env's `bitrl train` budget] [--eval 20]
//   [--render] (train nothing: re-render docs/results.md's sections from the committed JSON)
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import {
  DEFAULT_RUN,
  ENV_SHAPES,
  runStepsToTarget,
  TASK_TARGETS,
  trainTabular,
  zeroShotEval,
} from "../tools/lib/agent/index.ts";
import type { EnvName } from "../tools/lib/reference/envs.ts";
import { readBlobFile, writeBlobFile } from "../tools/lib/format/blob-file.ts";
import { quantizeBackboneBlob as ptqBackbone } from "../tools/lib/train/ptq.ts";
import { writeFileAtomic } from "../tools/lib/util/files.ts";
import { repoRoot } from "../tools/lib/util/paths.ts";
import { renderedResults } from "./study/results-sections.ts";
import {
  PRETRAINING_ENVS,
  type PretrainingArm,
  type PretrainingEnv,
  type PretrainingStudy,
} from "./study/pretraining-section.ts";

const text = { type: "string" } as const;
const { values } = parseArgs({
  options: { env: text, seeds: text, steps: text, eval: text, render: { type: "boolean" } },
});
const ENV = (values.env ?? "cartpole") as PretrainingEnv & EnvName;
if (!PRETRAINING_ENVS.includes(ENV))
  throw new Error(`--env must be one of ${PRETRAINING_ENVS.join(", ")}, got '${ENV}'`);
const JSON_PATH = join(repoRoot, "docs", "results", `pretraining-${ENV}.json`);
const RESULTS_MD = join(repoRoot, "docs", "results.md");
const KINDS = ["fp32", "int8", "ternary", "binary"] as const;
/** The pretraining data per env. Acrobot and mountaincar have no "mixed" backbones: the question is whether RL earns
 *  its return on data without the answer, and the expert-data contrast is shown on cartpole and keydoor, whose
 *  mixed backbones ship. */
const DATA: Record<PretrainingEnv, readonly ("mixed" | "random")[]> = {
  cartpole: ["mixed", "random"],
  keydoor: ["mixed", "random"],
  acrobot: ["random"],
  mountaincar: ["random"],
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
}

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
        seeds: { eval_mean_return: number; curve: number[]; curve_steps: number[] }[];
      };
      resolve({
        rl: r.seeds.map((s) => s.eval_mean_return),
        steps: r.seeds.map((s) => runStepsToTarget(ENV, s.curve, s.curve_steps)),
      });
    });
  });
}

/** The previous JSON when it was made with the same settings: its arms are reused (a finished arm is not retrained). */
function previous(seeds: number, steps: number, evalN: number): PretrainingStudy | null {
  if (!existsSync(JSON_PATH)) return null;
  const p = JSON.parse(readFileSync(JSON_PATH, "utf8")) as PretrainingStudy;
  return p.seeds === seeds && p.steps === steps && p.eval_episodes === evalN ? p : null;
}

/** The arms an interrupted run with the same settings finished (written after every arm, in $TMPDIR; removed once
 *  the JSON is written, so a later run with rebuilt backbones does not reuse them). */
const partialPath = (seeds: number, steps: number, evalN: number) =>
  join(tmpdir(), `bitrl-pretraining-${ENV}-${seeds}x${steps}-eval${evalN}.json`);

const seeds = Number(values.seeds ?? 10),
  steps = Number(values.steps ?? DEFAULT_RUN[ENV].steps),
  evalN = Number(values.eval ?? 20);

async function run(): Promise<PretrainingStudy> {
  const prev = previous(seeds, steps, evalN);
  const partial = partialPath(seeds, steps, evalN);
  const started: PretrainingArm[] =
    prev?.arms ?? (existsSync(partial) ? (JSON.parse(readFileSync(partial, "utf8")) as PretrainingArm[]) : []);
  const arms: PretrainingArm[] = [];
  for (const method of METHODS)
    for (const data of DATA[ENV])
      for (const kind of KINDS) {
        if (method === "ptq" && kind === "fp32") continue; // PTQ starts from the fp32 backbone
        const done = started.find((a) => (a.method ?? "qat") === method && a.data === data && a.kind === kind);
        if (done) {
          arms.push({ ...done, method });
          continue;
        }
        const suffix = data === "random" ? "-random" : "";
        const qat = `models/${ENV}-backbone-${kind}${suffix}.bitrl`;
        const fp32 = `models/${ENV}-backbone-fp32${suffix}.bitrl`;
        const blob =
          method === "qat" ? readBlobFile(join(repoRoot, qat)) : ptqBackbone(readBlobFile(join(repoRoot, fp32)), kind);
        const file =
          method === "qat" ? join(repoRoot, qat) : join(tmpdir(), `bitrl-ptq-${process.pid}-${data}-${kind}.bitrl`);
        if (method === "ptq") writeBlobFile(file, blob);
        console.error(`[study-pretraining] ${method} ${data} ${kind}: zero-shot, then ${seeds} heads`);
        const zero = zeroShotEval(blob, ENV, evalN).returns;
        const backbone = method === "qat" ? qat : `PTQ of ${fp32} to ${kind}`;
        const t = await train(file, seeds, steps, evalN);
        arms.push({ method, data, kind, backbone, zero_shot: zero, rl: t.rl, steps_to_threshold: t.steps });
        writeFileAtomic(partial, JSON.stringify(arms) + "\n");
      }
  console.error("[study-pretraining] baselines: one-hot head, lookup table");
  const none = prev ? { rl: prev.none, steps: prev.none_steps_to_threshold } : await train("none", seeds, steps, evalN);
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
  return {
    env: ENV,
    seeds,
    steps,
    eval_episodes: evalN,
    command: `node --import tsx scripts/study-pretraining.ts${flags}`,
    tabular_episodes: tabularEpisodes(steps),
    arms,
    none: none.rl,
    tabular,
    ...(ENV === "cartpole" ? {} : { runtime: RUNTIME }),
    ...(withSteps ? { target: TASK_TARGETS[ENV], none_steps_to_threshold: none.steps } : {}),
  };
}

if (!values.render) {
  if (!existsSync(join(repoRoot, "docs", "results"))) mkdirSync(join(repoRoot, "docs", "results"), { recursive: true });
  writeFileAtomic(JSON_PATH, JSON.stringify(await run(), null, 1) + "\n");
  rmSync(partialPath(seeds, steps, evalN), { force: true }); // the finished arms are in the JSON now
}
writeFileAtomic(RESULTS_MD, renderedResults(readFileSync(RESULTS_MD, "utf8")));
console.error(`[study-pretraining] wrote ${values.render ? "" : `${JSON_PATH} and `}the sections of docs/results.md`);
