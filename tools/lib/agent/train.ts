// Training heads in V8: one run with checkpoint selection by greedy checks, and one run per seed keeping the best.
import { BitrlError } from "../util/errors.ts";
import type { Blob } from "../format/types.ts";
import type { EnvName } from "../reference/envs.ts";
import { mean } from "../util/stats.ts";
import { agentInfo, buildAgentBlob, withHead } from "./blob.ts";
import { meanStd, type EvalResult } from "./eval.ts";
import type { TrainConfig } from "./hparams.ts";
import { AgentRunner } from "./runner.ts";

export interface TrainResult {
  /** the trained agent */
  blob: Blob;
  /** return of each training episode (sampled actions) */
  curve: number[];
  /** greedy evaluation after training */
  eval: EvalResult;
}

/** Seeds of the greedy checks that pick a checkpoint during training (disjoint from eval's 1_000_000 + i and users' small seeds). */
export const SELECT_SEED = 2_000_000;

export interface TrainOptions {
  /** greedy episodes after training (seeds 1_000_000 + i), default 20 */
  evalEpisodes?: number;
  /** episodes per agent_train call, default 50 */
  chunk?: number;
  /**
   * checkpoint selection: every `every` episodes (a multiple of chunk), `episodes` greedy episodes on seeds
   * SELECT_SEED + i; the head with the best mean is kept (the latest on ties), the training itself goes on unchanged
   */
  select?: { every: number; episodes: number };
  onProgress?: (done: number, last: number) => void;
}

/**
 * Trains the head inside the module: `episodes` episodes from `seed` (agent_train in chunks so progress can be
 * reported), optionally keeping the best checkpoint by greedy checks, then a greedy evaluation of the kept head
 * over evalEpisodes (seeds 1_000_000 + i, disjoint from training).
 */
export function trainAgent(start: Blob, seed: number, episodes: number, opts: TrainOptions = {}): TrainResult {
  const runner = new AgentRunner(start);
  const chunk = Math.max(1, Math.min(opts.chunk ?? 50, runner.mod.ioSize / 4));
  const curve: number[] = [];
  let best: { mean: number; head: Float32Array } | null = null;
  const greedyMean = (base: number, n: number) => mean(Array.from({ length: n }, (_, i) => runner.episode(base + i, true).return));
  for (let done = 0; done < episodes; ) {
    const n = Math.min(chunk, episodes - done);
    curve.push(...runner.train(chunkSeed(seed, done), n));
    done += n;
    if (opts.select && (done % opts.select.every === 0 || done === episodes)) {
      const mean = greedyMean(SELECT_SEED, opts.select.episodes);
      if (!best || mean >= best.mean) best = { mean, head: runner.head() };
    }
    opts.onProgress?.(done, curve[curve.length - 1]);
  }
  if (best) runner.setHead(best.head);
  const blob = withHead(start, runner.head());
  const evalN = opts.evalEpisodes ?? 20;
  const returns: number[] = [];
  for (let i = 0; i < evalN; i++) returns.push(runner.episode(1_000_000 + i, true).return);
  return { blob, curve, eval: { env: agentInfo(start).env, episodes: evalN, ...meanStd(returns), returns } };
}

/** The seed of the training chunk that starts at episode `done` (trainAgent and trainOnBoard agree). */
export function chunkSeed(seed: number, done: number): number {
  return (seed * 1000003 + done) | 0;
}

export interface SeedRun {
  seed: number;
  /** return of each training episode */
  curve: number[];
  /** greedy evaluation of the trained head */
  eval: EvalResult;
}

export interface MultiSeedResult {
  runs: SeedRun[];
  /** index into runs of the agent kept: the best greedy mean, the first on ties */
  best: number;
  blob: Blob;
}

/** Trains one head per seed 1..seeds (head init and episodes from that seed); keeps the best by greedy eval. */
export function trainSeeds(env: EnvName, backbone: Blob | null, opts: {
  seeds: number; episodes: number; hidden: number; train: TrainConfig; evalEpisodes: number; select?: TrainOptions["select"];
  onProgress?: (done: number, note: string) => void; meta?: Record<string, unknown>;
}): MultiSeedResult {
  const runs: SeedRun[] = [];
  let best = 0;
  let bestBlob: Blob | null = null;
  for (let s = 1; s <= opts.seeds; s++) {
    const start = buildAgentBlob({ env, backbone, hidden: opts.hidden, train: opts.train, initSeed: s, meta: opts.meta });
    const r = trainAgent(start, s, opts.episodes, {
      evalEpisodes: opts.evalEpisodes,
      select: opts.select,
      onProgress: (done, last) => opts.onProgress?.((s - 1) * opts.episodes + done, `seed ${s} return ${last.toFixed(1)}`),
    });
    runs.push({ seed: s, curve: r.curve, eval: r.eval });
    if (!bestBlob || r.eval.mean_return > runs[best].eval.mean_return) {
      best = runs.length - 1;
      bestBlob = r.blob;
    }
  }
  if (!bestBlob) throw new BitrlError("--seeds must be >= 1");
  const b = runs[best];
  const meta = { ...bestBlob.meta, training: { seed: b.seed, episodes: opts.episodes, seeds: opts.seeds, runtime: "wasm (V8)", select: opts.select ?? null, eval_mean_return: b.eval.mean_return, eval_episodes: b.eval.episodes, eval_seeds: "1000000 + i" } };
  return { runs, best, blob: { ...bestBlob, meta } };
}
