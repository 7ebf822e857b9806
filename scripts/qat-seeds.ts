// Does exact QAT lower retention, or did one pretraining seed? (issue #10: "the retention study's keydoor interval
// does not get worse"). The retention study measures one backbone per kind (pretraining seed 1); its keydoor
// ternary arm fell when the backbones were rebuilt with exact QAT, and a backbone's pretraining seed moves that arm
// about as much as the QAT mode does. This runs the study's procedure over pretraining seeds 1..N with today's
// trainer for three backbones per seed (fp32, ternary approx QAT, ternary exact QAT: same seed, same transcripts
// and init), each trained by the study's REINFORCE heads on RL seeds 1..M, and compares retention with both seed
// levels in its interval. Writes docs/results/qat-seeds-<env>.json and its section of docs/results.md.
// Per-backbone runs are cached, so workers may split the pretraining seeds; the same command gives the same bytes.
// Usage: node --import tsx scripts/qat-seeds.ts [--env keydoor] [--seeds 10] [--rl-seeds 10]
//   [--seed-list 1-5] (this worker's pretraining seeds; then run without it to aggregate) [--cache DIR]
//   [--render] (train nothing: re-render the section from the committed JSON)
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import {
  buildAgentBlob,
  DEFAULT_RUN,
  defaultTrain,
  REINFORCE_SELECT,
  SELECT_SEED,
  trainAgent,
  type TrainConfig,
} from "../tools/lib/agent/index.ts";
import { encodeBlob } from "../tools/lib/format/blob.ts";
import { readBlobFile } from "../tools/lib/format/blob-file.ts";
import type { EnvName } from "../tools/lib/reference/envs.ts";
import { loadAgent } from "../tools/lib/runtime/wasm.ts";
import {
  backboneBlob,
  pretrainBackbone,
  PRETRAIN_DEFAULTS,
  shippedSteps,
  type PretrainOptions,
} from "../tools/lib/train/pretrain.ts";
import { jsonWithInlineArrays, writeFileAtomic } from "../tools/lib/util/files.ts";
import { projectPath } from "../tools/lib/util/paths.ts";
import {
  QAT_SEED_ARMS,
  qatSeedsSection,
  withQatSeedsSection,
  type QatSeedArm,
  type QatSeedsStudy,
} from "./study/qat-seeds-section.ts";

const text = { type: "string" } as const;
const { values } = parseArgs({
  options: {
    env: text,
    seeds: text,
    "rl-seeds": text,
    "seed-list": text,
    cache: text,
    render: { type: "boolean" },
  },
});
const env = (values.env ?? "keydoor") as EnvName;
const SEEDS = Number(values.seeds ?? 10);
const RL_SEEDS = Number(values["rl-seeds"] ?? 10);
const EVAL = 20;
const CACHE = values.cache ?? join(tmpdir(), "bitrl-qat-seeds");
const JSON_PATH = projectPath("docs", "results", `qat-seeds-${env}.json`);

function pretrainOptions(arm: QatSeedArm, seed: number): PretrainOptions {
  const base = { ...PRETRAIN_DEFAULTS, seed, steps: shippedSteps(env) };
  if (arm === "fp32") return { ...base, kind: "fp32" };
  return { ...base, kind: "ternary", qat: arm === "ternary-approx" ? "approx" : "exact" };
}

interface BackboneRun {
  arm: QatSeedArm;
  pretrain_seed: number;
  settings: string;
  backbone_sha256: string;
  valid_loss: number;
  /** greedy eval mean per RL seed 1..RL_SEEDS */
  rl_means: number[];
  wall_s: number;
}

const cachePath = (arm: QatSeedArm, p: number) => join(CACHE, `${env}-${arm}-p${p}.json`);
const settingsOf = (arm: QatSeedArm, p: number) =>
  JSON.stringify({ pretrain: pretrainOptions(arm, p), rl_seeds: RL_SEEDS, eval: EVAL, select: REINFORCE_SELECT });

function cached(arm: QatSeedArm, p: number): BackboneRun | null {
  if (!existsSync(cachePath(arm, p))) return null;
  const r = JSON.parse(readFileSync(cachePath(arm, p), "utf8")) as BackboneRun;
  return r.settings === settingsOf(arm, p) ? r : null;
}

/** Pretrains one backbone, then trains the study's REINFORCE heads on it (scripts/study.ts procedure). */
function runBackbone(arm: QatSeedArm, p: number): BackboneRun {
  const t0 = performance.now();
  const o = pretrainOptions(arm, p);
  const res = pretrainBackbone(loadAgent("release"), env, o);
  const backbone = backboneBlob(res, o);
  const run = DEFAULT_RUN[env];
  const train = defaultTrain(env, "blob") as TrainConfig;
  const rlMeans: number[] = [];
  for (let s = 1; s <= RL_SEEDS; s++) {
    const start = buildAgentBlob({ env, backbone, hidden: run.backboneHidden, train, initSeed: s });
    rlMeans.push(
      trainAgent(start, s, run.backboneEpisodes, { evalEpisodes: EVAL, select: REINFORCE_SELECT }).eval.mean_return,
    );
  }
  return {
    arm,
    pretrain_seed: p,
    settings: settingsOf(arm, p),
    backbone_sha256: sha256(encodeBlob(backbone)),
    valid_loss: res.validLossExported,
    rl_means: rlMeans,
    wall_s: (performance.now() - t0) / 1000,
  };
}

function seedList(): number[] {
  if (!values["seed-list"]) return Array.from({ length: SEEDS }, (_, i) => i + 1);
  const [a, b] = values["seed-list"].split("-").map(Number);
  return Array.from({ length: (b ?? a) - a + 1 }, (_, i) => a + i);
}

/** A blob's identity (not its CRC-32: a blob ends with the CRC of what precedes it, so that is constant). */
const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex").slice(0, 16);

/** The shipped backbones should be pretraining seed 1 of the fp32 and exact arms: their hashes, to say so. */
function shippedHash(kind: string): string {
  return sha256(encodeBlob(readBlobFile(projectPath("models", `${env}-backbone-${kind}.bitrl`))));
}

function main(): void {
  if (values.render) {
    const study = JSON.parse(readFileSync(JSON_PATH, "utf8")) as QatSeedsStudy;
    const md = projectPath("docs", "results.md");
    writeFileAtomic(md, withQatSeedsSection(readFileSync(md, "utf8"), qatSeedsSection(study)));
    console.error(`qat-seeds: re-rendered from ${JSON_PATH}`);
    return;
  }
  mkdirSync(CACHE, { recursive: true });
  for (const p of seedList()) {
    for (const arm of QAT_SEED_ARMS) {
      if (cached(arm, p)) continue;
      const r = runBackbone(arm, p);
      writeFileAtomic(cachePath(arm, p), JSON.stringify(r) + "\n");
      const m = r.rl_means.reduce((a, b) => a + b, 0) / r.rl_means.length;
      console.error(
        `qat-seeds ${env} ${arm} pretraining seed ${p}: RL mean ${m.toFixed(3)} (${r.wall_s.toFixed(0)} s)`,
      );
    }
  }
  if (values["seed-list"]) return; // a worker: the run without --seed-list aggregates
  const runs = QAT_SEED_ARMS.flatMap((arm) =>
    Array.from({ length: SEEDS }, (_, i) => cached(arm, i + 1) ?? { arm, missing: i + 1 }),
  );
  const missing = runs.filter((r) => "missing" in r);
  if (missing.length) throw new Error(`qat-seeds: ${missing.length} backbone runs not cached yet`);
  const done = runs as BackboneRun[];
  const study: QatSeedsStudy = {
    env,
    how: "host run: build/agent.wasm in Node/V8. Per pretraining seed p: bitrl pretrain defaults for the env with --seed p (fp32; ternary --qat approx; ternary --qat exact), then the retention study's REINFORCE heads (bitrl train --algo reinforce defaults) on RL seeds 1..M, each scored by its greedy mean over 20 held-out episodes",
    command: `node --import tsx scripts/qat-seeds.ts --env ${env} --seeds ${SEEDS} --rl-seeds ${RL_SEEDS}`,
    pretrain_steps: pretrainOptions("fp32", 1).steps,
    rl_seeds: RL_SEEDS,
    eval_episodes: EVAL,
    select_seeds: `${SELECT_SEED} + i`,
    shipped_sha256: { fp32: shippedHash("fp32"), ternary: shippedHash("ternary") },
    runs: done.map((r) => ({
      arm: r.arm,
      pretrain_seed: r.pretrain_seed,
      backbone_sha256: r.backbone_sha256,
      valid_loss: Math.round(r.valid_loss * 1e4) / 1e4,
      rl_means: r.rl_means,
    })),
    wall_s: Math.round(done.reduce((a, r) => a + r.wall_s, 0)),
  };
  writeFileAtomic(JSON_PATH, jsonWithInlineArrays(study));
  const md = projectPath("docs", "results.md");
  writeFileAtomic(md, withQatSeedsSection(readFileSync(md, "utf8"), qatSeedsSection(study)));
  console.error(
    `qat-seeds: ${done.length} backbones written to ${JSON_PATH} (${(study.wall_s / 60).toFixed(1)} min of runs)`,
  );
}

main();
