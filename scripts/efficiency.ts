// The sample-efficiency study (issue #14 item 3; docs/results.md "Sample efficiency"): PPO and REINFORCE on every
// frozen backbone kind (and the one-hot "none" baseline) for cartpole, keydoor and frozenlake, 10 seeds each, with
// `bitrl train`'s default hyper-parameters per algorithm and one step budget per env for both algorithms. Records
// each run's training curve against environment steps, aggregates it on a common step grid (mean and bootstrap 95%
// interval across seeds), the steps each seed took to reach the env's target, and the held-out greedy eval.
// Writes docs/results/efficiency.json, docs/results/efficiency-<env>.svg and the section of docs/results.md
// between its markers. Per-run results are cached (a finished run is not recomputed); the same command gives the
// same bytes. Progress goes to stderr.
// Usage: node --import tsx scripts/efficiency.ts [--env cartpole,keydoor,frozenlake] [--algos ppo,reinforce]
//   [--kinds fp32,int8,ternary,binary,none] [--seeds 10] [--cache DIR] (default $TMPDIR/bitrl-efficiency)
//   [--render] (train nothing: re-render the section and figures from the committed JSON)
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import {
  buildAgentBlob,
  DEFAULT_RUN,
  defaultTrain,
  EVAL_SEED,
  SELECT_SEED,
  trainAgent,
  type Algo,
  type TrainConfig,
} from "../tools/lib/agent/index.ts";
import {
  bandAcrossSeeds,
  bootstrapMeanCi,
  medianSteps,
  stepGrid,
  stepsToThreshold,
  trailingMeanOnGrid,
} from "../tools/lib/agent/learning-curves.ts";
import { TASK_TARGETS, targetScores } from "../tools/lib/agent/targets.ts";
import { readBlobFile } from "../tools/lib/format/blob-file.ts";
import type { EnvName } from "../tools/lib/reference/envs.ts";
import {
  EFFICIENCY_ENVS,
  efficiencySection,
  efficiencySvg,
  withEfficiencySection,
  type EfficiencyArm,
  type EfficiencyStudy,
} from "../tools/lib/report/efficiency.ts";
import { crc32 } from "../tools/lib/util/crc32.ts";
import { jsonWithInlineArrays, writeFileAtomic } from "../tools/lib/util/files.ts";
import { projectPath } from "../tools/lib/util/paths.ts";

const text = { type: "string" } as const;
const { values } = parseArgs({
  options: { env: text, algos: text, kinds: text, seeds: text, cache: text, render: { type: "boolean" } },
});
const ALGOS: Algo[] = ["ppo", "reinforce"];
const KINDS = ["fp32", "int8", "ternary", "binary", "none"];
const SEEDS = Number(values.seeds ?? 10);
const EVAL_EPISODES = 20;
/** Points of the common step grid per env (every budget / 50 steps). */
const GRID_POINTS = 50;
const CACHE = values.cache ?? join(tmpdir(), "bitrl-efficiency");
const JSON_PATH = projectPath("docs", "results", "efficiency.json");
const pick = <T extends string>(flag: string | undefined, all: readonly T[]): T[] => {
  const xs = (flag ?? all.join(",")).split(",") as T[];
  for (const x of xs) if (!all.includes(x)) throw new Error(`unknown '${x}': one of ${all.join(", ")}`);
  return xs;
};

/**
 * One arm's procedure: `bitrl train`'s defaults for the algorithm and feature source (defaultTrain, DEFAULT_RUN
 * head width), PPO's default step budget for the env given to BOTH algorithms (so curves share an x axis and a
 * budget; REINFORCE's own default is an episode count), and PPO's default greedy checks (DEFAULT_RUN select, every
 * N training steps) for both, so the kept heads are chosen alike.
 */
function procedure(env: EnvName, algo: Algo, kind: string) {
  const run = DEFAULT_RUN[env];
  const backbone = kind !== "none";
  const d = defaultTrain(env, backbone ? "blob" : "none", algo);
  const train: TrainConfig = { ...d, horizon: algo === "ppo" ? run.steps : 0 };
  return {
    budget_steps: run.steps,
    hidden: backbone ? run.backboneHidden : run.hidden,
    train,
    select: run.select,
    eval_episodes: EVAL_EPISODES,
  };
}

/** One finished run, cached as CACHE/<env>-<algo>-<kind>-s<seed>.json. */
interface CachedRun {
  settings: string;
  seed: number;
  /** per training episode: return (sampled actions) and environment steps */
  returns: number[];
  steps: number[];
  /** environment steps used (training and checks) and of which greedy checks */
  used_steps: number;
  check_steps: number;
  eval_mean_return: number;
  eval_success_rate: number | null;
  wall_s: number;
}

const cachePath = (env: string, algo: string, kind: string, seed: number) =>
  join(CACHE, `${env}-${algo}-${kind}-s${seed}.json`);
/** A cached run is reused only for the same procedure on the same backbone bytes (a rebuilt backbone, e.g. by
 *  exact QAT, retrains its arms): the file's CRC-32 joins the procedure. */
const crcs = new Map<string, number | null>(); // read once per backbone, not per run
const backboneCrc = (env: EnvName, kind: string) => {
  const key = `${env}-backbone-${kind}`;
  if (!crcs.has(key))
    crcs.set(key, kind === "none" ? null : crc32(readFileSync(projectPath("models", `${key}.bitrl`))));
  return crcs.get(key)!;
};
const settingsOf = (env: EnvName, algo: Algo, kind: string) =>
  JSON.stringify({ ...procedure(env, algo, kind), backbone_crc32: backboneCrc(env, kind) });

function cached(env: EnvName, algo: Algo, kind: string, seed: number): CachedRun | null {
  const p = cachePath(env, algo, kind, seed);
  if (!existsSync(p)) return null;
  const r = JSON.parse(readFileSync(p, "utf8")) as CachedRun;
  return r.settings === settingsOf(env, algo, kind) ? r : null;
}

function trainRun(env: EnvName, algo: Algo, kind: string, seed: number): CachedRun {
  const p = procedure(env, algo, kind);
  const backbone = kind === "none" ? null : readBlobFile(projectPath("models", `${env}-backbone-${kind}.bitrl`));
  const t0 = performance.now();
  // seeded exactly as trainSeeds seeds it: head init and training episodes from the seed
  const start = buildAgentBlob({ env, backbone, hidden: p.hidden, train: p.train, initSeed: seed });
  const r = trainAgent(start, seed, Infinity, {
    steps: p.budget_steps,
    select: p.select,
    evalEpisodes: p.eval_episodes,
  });
  return {
    settings: settingsOf(env, algo, kind),
    seed,
    returns: r.curve,
    steps: r.curveSteps,
    used_steps: r.steps,
    check_steps: r.checkSteps,
    eval_mean_return: r.eval.mean_return,
    eval_success_rate: r.eval.success_rate,
    wall_s: (performance.now() - t0) / 1000,
  };
}

/** Rounded for the committed JSON (curves to 1e-4: far below the seed-to-seed spread). */
const r4 = (x: number | null) => (x === null ? null : Math.round(x * 1e4) / 1e4);

function aggregateArm(env: EnvName, algo: Algo, kind: string, runs: CachedRun[], grid: number[]): EfficiencyArm {
  const t = TASK_TARGETS[env]; // issue #14's targets: cartpole by return, keydoor and frozenlake by success
  const seeds = runs.map((r) => {
    const run = { scores: targetScores(env, r.returns), steps: r.steps };
    return {
      seed: r.seed,
      curve: trailingMeanOnGrid(run, grid, t.window).map(r4),
      steps_to_threshold: stepsToThreshold(run, t.window, t.threshold),
      eval_score: r4(t.metric === "return" ? r.eval_mean_return : (r.eval_success_rate ?? 0)) as number,
      eval_mean_return: r4(r.eval_mean_return) as number,
      episodes: r.returns.length,
      train_steps: r.steps.reduce((a, b) => a + b, 0),
      check_steps: r.check_steps,
    };
  });
  const band = bandAcrossSeeds(seeds.map((s) => s.curve));
  const evals = seeds.map((s) => s.eval_score);
  const [lo, hi] = bootstrapMeanCi(evals);
  const p = procedure(env, algo, kind);
  return {
    env,
    algo,
    kind,
    hidden: p.hidden,
    train: { ...p.train },
    curve: { mean: band.mean.map(r4), lo: band.lo.map(r4), hi: band.hi.map(r4) },
    eval: { mean: r4(evals.reduce((a, b) => a + b, 0) / evals.length)!, lo: r4(lo)!, hi: r4(hi)! },
    steps_to_threshold: {
      median: medianSteps(seeds.map((s) => s.steps_to_threshold)),
      reached: seeds.filter((s) => s.steps_to_threshold !== null).length,
      seeds: seeds.length,
    },
    seeds,
  };
}

function buildStudy(): { study: EfficiencyStudy; missing: string[]; wall_s: number } {
  const arms: EfficiencyArm[] = [];
  const missing: string[] = [];
  let wall = 0;
  for (const env of EFFICIENCY_ENVS)
    for (const algo of ALGOS)
      for (const kind of KINDS) {
        const runs = Array.from({ length: SEEDS }, (_, i) => cached(env, algo, kind, i + 1));
        if (runs.some((r) => r === null)) {
          missing.push(`${env} ${algo} ${kind}`);
          continue;
        }
        const ok = runs as CachedRun[];
        wall += ok.reduce((a, r) => a + r.wall_s, 0);
        arms.push(aggregateArm(env, algo, kind, ok, stepGrid(DEFAULT_RUN[env].steps, GRID_POINTS)));
      }
  const study: EfficiencyStudy = {
    study: "sample efficiency (issue #14 item 3)",
    command: `node --import tsx scripts/efficiency.ts --seeds ${SEEDS}`,
    runtime: "Host run: build/agent.wasm in Node (V8)",
    seeds: SEEDS,
    definitions: {
      x: "training environment steps (the steps of the episodes the learner trained on; greedy checks spend further steps from the same budget, listed per seed as check_steps)",
      curve: `per seed, at each grid step, the mean score of the last 'window' training episodes (sampled actions) that ended by then (fewer at the start); a run whose training ended before a grid step (the checks took the rest of the budget) keeps its last value; values rounded to 1e-4`,
      band: `mean across seeds and a percentile-bootstrap 95% interval (2000 resamples of the seeds, fixed PRNG seed 12345)`,
      steps_to_threshold:
        "per seed, the first training step (end of an episode) at which the mean score of the last 'window' training episodes reaches the threshold (a full window needed); median over seeds with a seed that never did counted as infinitely late (null when that is the median)",
      eval: `per seed, the kept head (best greedy check; checks on reset seeds ${SELECT_SEED} + i) greedily on ${EVAL_EPISODES} held-out episodes (reset seeds ${EVAL_SEED} + i): mean return for cartpole, success rate for keydoor and frozenlake; mean and percentile-bootstrap 95% interval across seeds`,
      budget:
        "each env's `bitrl train` PPO step budget (DEFAULT_RUN steps), for both algorithms; training and checks together. REINFORCE's own `bitrl train` default is an episode count instead (with a backbone cartpole 1200, keydoor 2000, frozenlake 6000 episodes; its step size decays per update), so here it trains at PPO's sample budget, not its own",
      hyper_parameters:
        "`bitrl train`'s defaults per algorithm and feature source (defaultTrain; PPO's horizon = the budget); both algorithms use PPO's default checks (DEFAULT_RUN select)",
    },
    envs: EFFICIENCY_ENVS.map((env) => ({
      env,
      ...TASK_TARGETS[env],
      budget_steps: DEFAULT_RUN[env].steps,
      select: DEFAULT_RUN[env].select,
      grid: stepGrid(DEFAULT_RUN[env].steps, GRID_POINTS),
    })),
    arms,
  };
  return { study, missing, wall_s: wall };
}

/** The figures and the docs/results.md section, from the study's JSON. */
function writeEfficiencyOutputs(study: EfficiencyStudy): void {
  for (const env of EFFICIENCY_ENVS)
    writeFileAtomic(projectPath("docs", "results", `efficiency-${env}.svg`), efficiencySvg(study, env));
  const md = projectPath("docs", "results.md");
  writeFileAtomic(md, withEfficiencySection(readFileSync(md, "utf8"), efficiencySection(study)));
}

function main(): void {
  if (values.render) {
    const study = JSON.parse(readFileSync(JSON_PATH, "utf8")) as EfficiencyStudy;
    writeEfficiencyOutputs(study);
    console.error(`efficiency: re-rendered from ${JSON_PATH}`);
    return;
  }
  mkdirSync(CACHE, { recursive: true });
  const envs = pick(values.env, EFFICIENCY_ENVS);
  const algos = pick(values.algos, ALGOS);
  const kinds = pick(values.kinds, KINDS);
  const todo = envs.flatMap((env) =>
    kinds.flatMap((kind) =>
      algos.flatMap((algo) => Array.from({ length: SEEDS }, (_, i) => ({ env, algo, kind, seed: i + 1 }))),
    ),
  );
  let done = 0,
    spent = 0;
  for (const { env, algo, kind, seed } of todo) {
    done++;
    if (cached(env, algo, kind, seed)) continue;
    const r = trainRun(env, algo, kind, seed);
    writeFileAtomic(cachePath(env, algo, kind, seed), JSON.stringify(r) + "\n");
    spent += r.wall_s;
    const score =
      r.eval_success_rate === null ? `return ${r.eval_mean_return.toFixed(2)}` : `success ${r.eval_success_rate}`;
    console.error(
      `efficiency [${done}/${todo.length}] ${env} ${algo} ${kind} seed ${seed}: greedy ${score} (${r.wall_s.toFixed(1)} s, ${(spent / 60).toFixed(1)} min so far)`,
    );
  }
  const { study, missing, wall_s } = buildStudy();
  if (missing.length) console.error(`efficiency: not all seeds cached, left out: ${missing.join("; ")}`);
  writeFileAtomic(JSON_PATH, jsonWithInlineArrays(study));
  writeEfficiencyOutputs(study);
  console.error(`efficiency: ${study.arms.length} arms written; their runs took ${(wall_s / 60).toFixed(1)} min`);
}

main();
