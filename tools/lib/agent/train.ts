// Training heads in V8: one run with checkpoint selection by greedy checks, and one run per seed keeping the best.
import { BitrlError } from "../util/errors.ts";
import { tensorValues } from "../format/blob-tensors.ts";
import type { Blob } from "../format/types.ts";
import type { EnvName } from "../reference/envs.ts";
import { mean } from "../util/stats.ts";
import { agentInfo, buildAgentBlob, ENV_SHAPES, withHead } from "./blob.ts";
import { TrainPlan, type SelectOptions } from "./train-plan.ts";
import { EVAL_SEED, evalSeed } from "./seeds.ts";
import { evalResult, type EvalResult } from "./eval.ts";
import type { TrainConfig } from "./hparams.ts";
import { AgentRunner } from "./runner.ts";

export interface TrainResult {
  /** the trained agent (the kept head when checks ran) */
  blob: Blob;
  /** return of each training episode (sampled actions) */
  curve: number[];
  /** environment steps of each training episode */
  curveSteps: number[];
  /** environment steps used: training plus checks */
  steps: number;
  /** of which greedy checks */
  checkSteps: number;
  /** the kept head's check: its mean and the training step and episode it was taken at (null without checks) */
  kept: TrainPlan["best"];
  /** PPO's rollout length (0 for REINFORCE) */
  rollout: number;
  /** greedy evaluation after training */
  eval: EvalResult;
}

export interface TrainOptions {
  /** greedy episodes after training (seeds evalSeed(i) = 1,000,000 + i), default 20; not counted in the budget */
  evalEpisodes?: number;
  /** episodes per agent_train call, default 50 */
  chunk?: number;
  /** environment step budget (training and checks); the episode count is then only an upper bound */
  steps?: number;
  /** checkpoint selection (train-plan.ts): greedy checks keep the best head */
  select?: SelectOptions;
  /**
   * a new best check is a checkpoint: training continues from the saved agent (agent_load again: the optimiser
   * and rollout restart, the step clock goes on), exactly what a board does when it stores the head in its
   * inactive slot. Default: on for PPO, off for REINFORCE (whose training goes on unchanged)
   */
  checkpoint?: boolean;
  onProgress?: (done: number, last: number) => void;
}

/** Episodes per agent_train call that fit the arena's returns and steps. */
function chunkOf(opts: TrainOptions, ioBytes: number): number {
  return Math.max(1, Math.min(opts.chunk ?? 50, Math.floor(ioBytes / 8)));
}

/**
 * Trains the head inside the module by the TrainPlan (train-plan.ts): agent_train in chunks under the step
 * budget, greedy checks keeping the best head, then a greedy evaluation of the kept head over evalEpisodes
 * (seeds evalSeed(i), disjoint from training and checks: seeds.ts).
 */
export function trainAgent(start: Blob, seed: number, episodes: number, opts: TrainOptions = {}): TrainResult {
  let runner = new AgentRunner(start);
  runner.rolloutSteps(); // a training state that does not fit is refused here, before anything trains
  const info = agentInfo(start);
  const plan = new TrainPlan({
    seed,
    episodes,
    steps: opts.steps ?? Infinity,
    chunk: chunkOf(opts, runner.mod.ioSize),
    envMaxSteps: ENV_SHAPES[info.env].maxSteps,
    select: opts.select,
  });
  const checkpoint = opts.checkpoint ?? info.train.algo === "ppo";
  let kept: Float32Array | null = null;
  for (let call = plan.next(); call; call = plan.next()) {
    if (call.op === "train") {
      if (call.budget !== null) runner.setBudget(call.budget);
      const r = runner.trainEpisodes(call.seed, call.episodes);
      plan.trained(r.returns, r.steps);
      opts.onProgress?.(
        Number.isFinite(plan.o.steps) ? plan.used : plan.curve.length,
        r.returns[r.returns.length - 1] ?? 0,
      );
    } else {
      const eps = call.seeds.map((s, i) => runner.episode(s, true, call.maxSteps[i]));
      if (
        plan.checked(
          eps.map((e) => e.return),
          eps.map((e) => e.steps),
        )
      ) {
        kept = runner.head();
        if (checkpoint) {
          runner = new AgentRunner(withHead(start, kept));
          runner.setTrainedSteps(plan.trainedSteps);
        }
      }
    }
  }
  if (kept) runner.setHead(kept);
  const blob = withHead(start, runner.head());
  const evalN = opts.evalEpisodes ?? 20;
  const runs = Array.from({ length: evalN }, (_, i) => runner.episode(evalSeed(i), true));
  const returns = runs.map((r) => r.return);
  return {
    blob,
    curve: plan.curve,
    curveSteps: plan.curveSteps,
    steps: plan.used,
    checkSteps: plan.checkSteps,
    kept: plan.best,
    rollout: runner.rolloutSteps(),
    eval: evalResult(
      info.env,
      returns,
      runs.map((r) => r.terminated),
    ),
  };
}

export interface SeedRun {
  seed: number;
  /** return of each training episode */
  curve: number[];
  /** environment steps of each training episode */
  curveSteps: number[];
  /** environment steps used (training and checks) */
  steps: number;
  /** greedy evaluation of the trained head */
  eval: EvalResult;
  /** the kept head's head.params (layout of assembly/rl/head.ts) */
  head: Float32Array;
}

export interface MultiSeedResult {
  runs: SeedRun[];
  /** index into runs of the agent kept: the best greedy mean, the first on ties */
  best: number;
  blob: Blob;
}

/** Trains one head per seed 1..seeds (head init and episodes from that seed); keeps the best by greedy eval. */
export function trainSeeds(
  env: EnvName,
  backbone: Blob | null,
  opts: {
    seeds: number;
    episodes: number;
    steps?: number;
    hidden: number;
    train: TrainConfig;
    evalEpisodes: number;
    select?: SelectOptions;
    onProgress?: (done: number, note: string) => void;
    meta?: Record<string, unknown>;
  },
): MultiSeedResult {
  const runs: SeedRun[] = [];
  let best = 0;
  let bestBlob: Blob | null = null;
  const per = opts.steps ?? opts.episodes;
  for (let s = 1; s <= opts.seeds; s++) {
    const start = buildAgentBlob({
      env,
      backbone,
      hidden: opts.hidden,
      train: opts.train,
      initSeed: s,
      meta: opts.meta,
    });
    const r = trainAgent(start, s, opts.episodes, {
      evalEpisodes: opts.evalEpisodes,
      steps: opts.steps,
      select: opts.select,
      onProgress: (done, last) => opts.onProgress?.((s - 1) * per + done, `seed ${s} return ${last.toFixed(1)}`),
    });
    const head = tensorValues(r.blob.tensors.find((t) => t.name === "head.params")!);
    runs.push({ seed: s, curve: r.curve, curveSteps: r.curveSteps, steps: r.steps, eval: r.eval, head });
    if (!bestBlob || r.eval.mean_return > runs[best].eval.mean_return) {
      best = runs.length - 1;
      bestBlob = r.blob;
    }
  }
  if (!bestBlob) throw new BitrlError("--seeds must be >= 1");
  const b = runs[best];
  const meta = {
    ...bestBlob.meta,
    training: {
      seed: b.seed,
      episodes: b.curve.length,
      steps: b.steps,
      seeds: opts.seeds,
      runtime: "wasm (V8)",
      select: opts.select ?? null,
      eval_mean_return: b.eval.mean_return,
      eval_episodes: b.eval.episodes,
      eval_seeds: `${EVAL_SEED} + i`,
    },
  };
  return { runs, best, blob: { ...bestBlob, meta } };
}
