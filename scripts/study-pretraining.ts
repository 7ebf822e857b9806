// The pretraining-data study (issue #16, "pretraining without the answer"): does the RL head earn its return, or
// was the policy already in the backbone? For every backbone kind, two pretraining data sets of CartPole
// transcripts with the same recipe and seed: "mixed" (the shipped backbones: random actions with probability 1,
// 0.5, 0.2, 0.05 by episode, a scripted near-expert otherwise) and "random" (uniformly random actions only:
// models/cartpole-backbone-<kind>-random.bitrl). Per backbone: the zero-shot readout (the tied output layer's
// action logits as a policy, no RL: tools/lib/agent/zero-shot.ts) and a fresh head trained by `bitrl train`'s
// defaults (PPO, --steps budget, 10 seeds, each seed's greedy eval on 20 held-out seeds); and the same for each
// quantized kind made by post-training quantization of that data's fp32 backbone (PTQ: tools/lib/train/ptq.ts), so
// QAT and PTQ of the same weights' recipe sit side by side. Baselines on the same
// eval seeds: the one-hot head (`--backbone none`) and the tabular-Q lookup table. Writes
// docs/results/pretraining-cartpole.json and renders its section of docs/results.md from it.
// Usage: node --import tsx scripts/study-pretraining.ts [--seeds 10] [--steps 100000] [--eval 20]
//   [--render] (train nothing: re-render docs/results.md's section from the committed JSON)
import { spawn } from "node:child_process";
import { replaceSection } from "../tools/lib/report/markers.ts";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { trainTabular, zeroShotEval } from "../tools/lib/agent/index.ts";
import { readBlobFile, writeBlobFile } from "../tools/lib/format/blob-file.ts";
import { quantizeBackboneBlob as ptqBackbone } from "../tools/lib/train/ptq.ts";
import { writeFileAtomic } from "../tools/lib/util/files.ts";
import { repoRoot } from "../tools/lib/util/paths.ts";
import { pretrainingSection, type PretrainingArm, type PretrainingStudy } from "./study/pretraining-section.ts";

const text = { type: "string" } as const;
const { values } = parseArgs({ options: { seeds: text, steps: text, eval: text, render: { type: "boolean" } } });
const JSON_PATH = join(repoRoot, "docs", "results", "pretraining-cartpole.json");
const RESULTS_MD = join(repoRoot, "docs", "results.md");
const KINDS = ["fp32", "int8", "ternary", "binary"] as const;
const DATA = ["mixed", "random"] as const;
/** QAT: the shipped recipe (trained through the quantizer); PTQ: the fp32 backbone quantized after training. */
const METHODS = ["qat", "ptq"] as const;
/** Tabular Q episodes per seed: about the agents' step budget at the table's early episode lengths. */
const TABULAR_EPISODES = 2000;

/** `bitrl train --json` for one backbone (or none): the CLI's own defaults, so the study runs what users run. */
function train(backbone: string, seeds: number, steps: number, evalN: number): Promise<number[]> {
  const out = join(tmpdir(), `bitrl-pretraining-${process.pid}.bitrl`);
  const args = [join(repoRoot, "bin", "bitrl.mjs"), "train", "--env", "cartpole", "--backbone", backbone];
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
      const r = JSON.parse(stdout) as { seeds: { eval_mean_return: number }[] };
      resolve(r.seeds.map((s) => s.eval_mean_return));
    });
  });
}

/** The previous JSON when it was made with the same settings: its arms are reused (a finished arm is not retrained). */
function previous(seeds: number, steps: number, evalN: number): PretrainingStudy | null {
  if (!existsSync(JSON_PATH)) return null;
  const p = JSON.parse(readFileSync(JSON_PATH, "utf8")) as PretrainingStudy;
  return p.seeds === seeds && p.steps === steps && p.eval_episodes === evalN ? p : null;
}

async function run(): Promise<PretrainingStudy> {
  const seeds = Number(values.seeds ?? 10),
    steps = Number(values.steps ?? 100000),
    evalN = Number(values.eval ?? 20);
  const prev = previous(seeds, steps, evalN);
  const arms: PretrainingArm[] = [];
  for (const method of METHODS)
    for (const data of DATA)
      for (const kind of KINDS) {
        if (method === "ptq" && kind === "fp32") continue; // PTQ starts from the fp32 backbone
        const done = prev?.arms.find((a) => (a.method ?? "qat") === method && a.data === data && a.kind === kind);
        if (done) {
          arms.push({ ...done, method });
          continue;
        }
        const suffix = data === "random" ? "-random" : "";
        const qat = `models/cartpole-backbone-${kind}${suffix}.bitrl`;
        const fp32 = `models/cartpole-backbone-fp32${suffix}.bitrl`;
        const blob =
          method === "qat" ? readBlobFile(join(repoRoot, qat)) : ptqBackbone(readBlobFile(join(repoRoot, fp32)), kind);
        const file =
          method === "qat" ? join(repoRoot, qat) : join(tmpdir(), `bitrl-ptq-${process.pid}-${data}-${kind}.bitrl`);
        if (method === "ptq") writeBlobFile(file, blob);
        console.error(`[study-pretraining] ${method} ${data} ${kind}: zero-shot, then ${seeds} heads`);
        const zero = zeroShotEval(blob, "cartpole", evalN).returns;
        const backbone = method === "qat" ? qat : `PTQ of ${fp32} to ${kind}`;
        arms.push({ method, data, kind, backbone, zero_shot: zero, rl: await train(file, seeds, steps, evalN) });
      }
  console.error("[study-pretraining] baselines: one-hot head, lookup table");
  const none = prev?.none ?? (await train("none", seeds, steps, evalN));
  const tabular =
    prev?.tabular ??
    Array.from(
      { length: seeds },
      (_, i) => trainTabular("cartpole", { episodes: TABULAR_EPISODES, seed: i + 1, evalEpisodes: evalN }).evalMean,
    );
  return {
    env: "cartpole",
    seeds,
    steps,
    eval_episodes: evalN,
    command: "node --import tsx scripts/study-pretraining.ts",
    tabular_episodes: TABULAR_EPISODES,
    arms,
    none,
    tabular,
  };
}

if (!values.render) {
  if (!existsSync(join(repoRoot, "docs", "results"))) mkdirSync(join(repoRoot, "docs", "results"), { recursive: true });
  writeFileAtomic(JSON_PATH, JSON.stringify(await run(), null, 1) + "\n");
}
const study = JSON.parse(readFileSync(JSON_PATH, "utf8")) as PretrainingStudy;
writeFileAtomic(RESULTS_MD, replaceSection(readFileSync(RESULTS_MD, "utf8"), "pretraining", pretrainingSection(study)));
console.error(`[study-pretraining] wrote ${JSON_PATH} and its section of docs/results.md`);
