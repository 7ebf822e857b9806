// Host API for agents: build an agent blob (backbone tensors + agent.config + agent.hparams + head.params), and run
// episodes / on-module training / evaluation through the same wasm exports the board calls (docs/abi.md).
import { existsSync, readFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { BitrlError } from "./errors.ts";
import { crc32 } from "./crc32.ts";
import { writeFileAtomic } from "./files.ts";
import { encodeBlob } from "./blob.ts";
import { f32Tensor, i32Tensor, tensorValues } from "./tensors.ts";
import { loadAgent, type AgentHostOptions, type AgentModule } from "./wasm.ts";
import { configFromI32, featureSize as backboneFeatureSize } from "./reference/backbone.ts";
import { ENV_IDS, ENV_NAMES, KEYDOOR_ACTIONS, Pcg32, type EnvName } from "./reference/envs.ts";
import type { Blob } from "./types.ts";
import { peakRamBytes } from "./report/summary.ts";
import { chunkSeed, SELECT_SEED, TrainPlan, type SelectOptions } from "./train-plan.ts";

/** The training algorithms the module has (assembly/rl/): the `algo` field's values, in their f32 code order. */
export const ALGOS = ["reinforce", "ppo"] as const;
export type Algo = (typeof ALGOS)[number];

/**
 * Training hyper-parameters, one typed object saved in the agent blob (the `agent.hparams` tensor, f32[19] in
 * HPARAM_ORDER; assembly/rl/hparams.ts checks the ranges) and in its metadata.
 */
export interface TrainConfig {
  /** "ppo" (PPO-clip with GAE on a rollout of cached features) or "reinforce" (REINFORCE with a learned baseline) */
  algo: Algo;
  /** discount for the returns */
  gamma: number;
  /** Adam step size (PPO: at the start of the linear schedule) */
  lr: number;
  /** entropy bonus coefficient (0 = none) */
  entropy: number;
  /** weight of the value function's squared-error loss */
  valueCoef: number;
  /** rewards are multiplied by this before returns are formed */
  rewardScale: number;
  /** Adam first-moment decay */
  beta1: number;
  /** Adam second-moment decay */
  beta2: number;
  /** Adam epsilon */
  eps: number;
  /** REINFORCE: episodes averaged into one update */
  batch: number;
  /** REINFORCE: lr is multiplied by this after every update (1 = constant) */
  lrDecay: number;
  /** PPO: steps per rollout; 0 = the most that fit in the module's free linear memory (at most 1024) */
  rollout: number;
  /** PPO: passes over each rollout */
  epochs: number;
  /** PPO: minibatches per pass (shuffled, nearly equal parts) */
  minibatches: number;
  /** PPO: GAE lambda */
  gaeLambda: number;
  /** PPO: probability-ratio clip epsilon */
  clip: number;
  /** PPO: global gradient-norm clip per minibatch (0 = none) */
  maxGradNorm: number;
  /** PPO: the step size falls linearly to lr * lrEnd over `horizon` training steps */
  lrEnd: number;
  /** PPO: training steps the schedule spans (0 = constant step size; `bitrl train --steps` sets it to the budget) */
  horizon: number;
}

const REINFORCE_BASE = { algo: "reinforce" as Algo, beta1: 0.9, beta2: 0.999, eps: 1e-8, rollout: 0, epochs: 4, minibatches: 4, gaeLambda: 0.95, clip: 0.2, maxGradNorm: 0.5, lrEnd: 0, horizon: 0 };

/** REINFORCE defaults for the backbone "none" baseline (sparse one-hot features; docs/agents.md). */
export const DEFAULT_TRAIN: Record<EnvName, TrainConfig> = {
  cartpole: { ...REINFORCE_BASE, gamma: 0.99, lr: 0.01, entropy: 0, valueCoef: 0.5, rewardScale: 0.01, batch: 1, lrDecay: 1 },
  keydoor: { ...REINFORCE_BASE, gamma: 0.95, lr: 0.01, entropy: 0.01, valueCoef: 0.5, rewardScale: 1, batch: 1, lrDecay: 1 },
  frozenlake: { ...REINFORCE_BASE, gamma: 0.99, lr: 0.03, entropy: 0.01, valueCoef: 0.5, rewardScale: 1, batch: 4, lrDecay: 1 },
};

/**
 * REINFORCE defaults on a backbone's dense features: every feature moves every logit, so a smaller step, two
 * episodes per update and a decaying step size (tuned on cartpole with the ternary backbone; the other envs
 * reuse those settings untuned).
 */
export const DEFAULT_TRAIN_BACKBONE: Record<EnvName, TrainConfig> = {
  cartpole: { ...DEFAULT_TRAIN.cartpole, lr: 0.002, batch: 2, lrDecay: 0.995 },
  keydoor: { ...DEFAULT_TRAIN.keydoor, lr: 0.002, batch: 2, lrDecay: 0.995 },
  frozenlake: { ...DEFAULT_TRAIN.frozenlake, lr: 0.002, lrDecay: 0.999 },
};

/** PPO defaults per env (docs/agents.md "PPO": how they were chosen); horizon is set from the step budget. */
export const DEFAULT_PPO: Record<EnvName, TrainConfig> = {
  cartpole: { ...REINFORCE_BASE, algo: "ppo", gamma: 0.995, lr: 0.003, entropy: 0.01, valueCoef: 0.5, rewardScale: 0.01, batch: 1, lrDecay: 1, epochs: 4, minibatches: 4, lrEnd: 0 },
  keydoor: { ...REINFORCE_BASE, algo: "ppo", gamma: 0.95, lr: 0.003, entropy: 0.01, valueCoef: 0.5, rewardScale: 1, batch: 1, lrDecay: 1, epochs: 4, minibatches: 4, lrEnd: 0 },
  frozenlake: { ...REINFORCE_BASE, algo: "ppo", gamma: 0.99, lr: 0.01, entropy: 0.01, valueCoef: 0.5, rewardScale: 1, batch: 1, lrDecay: 1, epochs: 4, minibatches: 4, lrEnd: 0 },
};

/** The defaults for an algorithm, an env and a feature source. */
export function defaultTrain(env: EnvName, backbone: "none" | "blob", algo: Algo = "reinforce"): TrainConfig {
  if (algo === "ppo") return { ...DEFAULT_PPO[env] };
  return { ...(backbone === "none" ? DEFAULT_TRAIN : DEFAULT_TRAIN_BACKBONE)[env] };
}

/** agent.hparams order (assembly/rl/hparams.ts); an f32[10] tensor of the first ten is an older REINFORCE agent. */
const HPARAM_ORDER: (keyof TrainConfig)[] = ["gamma", "lr", "entropy", "valueCoef", "rewardScale", "beta1", "beta2", "eps", "batch", "lrDecay", "algo", "rollout", "epochs", "minibatches", "gaeLambda", "clip", "maxGradNorm", "lrEnd", "horizon"];
const HPARAMS_V1_LEN = 10;

/** The f32 values of agent.hparams for a config. */
export function hparamValues(c: TrainConfig): Float32Array {
  return Float32Array.from(HPARAM_ORDER.map((k) => (k === "algo" ? ALGOS.indexOf(c.algo) : (c[k] as number))));
}

/** Observation tokens and vocabulary per env (assembly/envs/*; docs/agents.md). */
export const ENV_SHAPES: Record<EnvName, { tokens: number; vocab: number; actions: number; obs: number; maxSteps: number }> = {
  cartpole: { tokens: 4, vocab: 64, actions: 2, obs: 4, maxSteps: 500 },
  keydoor: { tokens: 4, vocab: 10, actions: 4, obs: 4, maxSteps: 20 },
  frozenlake: { tokens: 1, vocab: 16, actions: 4, obs: 1, maxSteps: 100 },
};

export function envIdOf(name: string): EnvName {
  if (!(ENV_NAMES as string[]).includes(name)) throw new BitrlError(`unknown env '${name}' (known: ${ENV_NAMES.join(", ")})`);
  return name as EnvName;
}

/** Head parameter count for (features, hidden, actions), as assembly/rl/head.ts lays it out. */
export function headParamCount(f: number, h: number, a: number): number {
  const k = h > 0 ? h : f;
  return (h > 0 ? h * f + h : 0) + a * k + a + k + 1;
}

/** The agent module for host runs (tools/lib/wasm.ts finds build/ from sources and from the bundled CLI alike). */
export function loadAgentModule(build: "release" | "debug" = "release", options: AgentHostOptions = {}): AgentModule {
  return loadAgent(build, options);
}

export interface AgentSpec {
  env: EnvName;
  /** the backbone's blob (its tensors are copied in), or null for the one-hot "none" baseline */
  backbone: Blob | null;
  /** hidden ReLU units of the head (0 = linear head) */
  hidden: number;
  train: TrainConfig;
  /** seeds the hidden layer's initial weights (uniform +-1/sqrt(F), from PCG32); output layers start at 0 */
  initSeed: number;
  /** extra metadata for the blob */
  meta?: Record<string, unknown>;
}

/** The agent's config and sizes as read from a blob. */
export interface AgentInfo {
  env: EnvName;
  backbone: "none" | "blob";
  features: number;
  hidden: number;
  actions: number;
  tokens: number;
  train: TrainConfig;
}

function featuresOf(env: EnvName, backbone: Blob | null): number {
  if (!backbone) return ENV_SHAPES[env].tokens * ENV_SHAPES[env].vocab;
  const t = backbone.tensors.find((x) => x.name === "model.config");
  if (!t || t.packing !== "i32") throw new BitrlError("backbone blob has no i32 'model.config' tensor");
  const cfg = configFromI32(new Int32Array(tensorValues(t)));
  if (cfg.vocab < ENV_SHAPES[env].vocab) throw new BitrlError(`backbone vocabulary ${cfg.vocab} is smaller than ${env}'s ${ENV_SHAPES[env].vocab}`);
  return backboneFeatureSize(cfg);
}

/** The backbone's kind from its model.config ("fp32", "int8", "ternary", "binary"), or "none" without one. */
export function backboneKindOf(backbone: Blob | null): string {
  if (!backbone) return "none";
  const t = backbone.tensors.find((x) => x.name === "model.config");
  if (!t || t.packing !== "i32") throw new BitrlError("backbone blob has no i32 'model.config' tensor");
  return configFromI32(new Int32Array(tensorValues(t))).kind;
}

/** Checks a TrainConfig against the module's ranges (assembly/rl/hparams.ts). */
export function checkTrainConfig(c: TrainConfig): void {
  const bad = (k: string) => {
    throw new BitrlError(`training setting ${k} = ${(c as unknown as Record<string, number>)[k]} is out of range`);
  };
  if (!(c.gamma >= 0 && c.gamma <= 1)) bad("gamma");
  if (!(c.lr > 0 && c.lr < 10)) bad("lr");
  if (!(c.entropy >= 0 && c.entropy < 10)) bad("entropy");
  if (!(c.valueCoef >= 0 && c.valueCoef < 100)) bad("valueCoef");
  if (!(c.rewardScale > 0 && c.rewardScale < 1e6)) bad("rewardScale");
  if (!(c.beta1 >= 0 && c.beta1 < 1)) bad("beta1");
  if (!(c.beta2 >= 0 && c.beta2 < 1)) bad("beta2");
  if (!(c.eps > 0 && c.eps < 1)) bad("eps");
  if (!(Number.isInteger(c.batch) && c.batch >= 1 && c.batch <= 1024)) bad("batch");
  if (!(c.lrDecay > 0 && c.lrDecay <= 1)) bad("lrDecay");
  if (!ALGOS.includes(c.algo)) throw new BitrlError(`training setting algo = ${c.algo} is not one of ${ALGOS.join(", ")}`);
  const whole = (k: keyof TrainConfig, lo: number, hi: number) => {
    const x = c[k] as number;
    if (!(Number.isInteger(x) && x >= lo && x <= hi)) bad(k);
  };
  whole("rollout", 0, 1024);
  whole("epochs", 1, 100);
  whole("minibatches", 1, 1024);
  whole("horizon", 0, 1e9);
  if (!(c.gaeLambda >= 0 && c.gaeLambda <= 1)) bad("gaeLambda");
  if (!(c.clip > 0 && c.clip < 10)) bad("clip");
  if (!(c.maxGradNorm >= 0 && c.maxGradNorm < 1e6)) bad("maxGradNorm");
  if (!(c.lrEnd >= 0 && c.lrEnd <= 1)) bad("lrEnd");
  if (c.algo === "ppo" && c.rollout !== 0 && c.minibatches > c.rollout) throw new BitrlError(`training setting minibatches = ${c.minibatches} is more than rollout = ${c.rollout}`);
}

/** A complete agent blob: the backbone's tensors, agent.config, agent.hparams and an initial head.params. */
export function buildAgentBlob(spec: AgentSpec): Blob {
  checkTrainConfig(spec.train);
  if (!Number.isInteger(spec.hidden) || spec.hidden < 0 || spec.hidden > 256) throw new BitrlError(`hidden must be 0..256, got ${spec.hidden}`);
  const shape = ENV_SHAPES[spec.env];
  const f = featuresOf(spec.env, spec.backbone);
  const h = spec.hidden;
  const head = new Float32Array(headParamCount(f, h, shape.actions)); // layout: assembly/rl/head.ts
  if (h > 0) {
    const rng = new Pcg32(spec.initSeed);
    const bound = 1 / Math.sqrt(f);
    for (let i = 0; i < h * f; i++) head[i] = Math.fround(-bound + 2 * bound * rng.uniform());
  }
  const config = [1, ENV_IDS[spec.env], spec.backbone ? 1 : 0, f, h, shape.actions, shape.tokens, 0];
  const own = new Set(["agent.config", "agent.hparams", "head.params"]);
  const backboneTensors = (spec.backbone?.tensors ?? []).filter((t) => !own.has(t.name));
  return {
    version: 1,
    meta: { ...(spec.backbone?.meta ?? {}), ...spec.meta, agent: { env: spec.env, backbone: spec.backbone ? "blob" : "none", hidden: h, train: spec.train } },
    tensors: [
      ...backboneTensors,
      i32Tensor("agent.config", [8], config),
      f32Tensor("agent.hparams", [HPARAM_ORDER.length], hparamValues(spec.train)),
      f32Tensor("head.params", [head.length], head),
    ],
  };
}

/** Reads agent.config and agent.hparams from an agent blob (checks what the module checks). */
export function agentInfo(blob: Blob): AgentInfo {
  const cfgT = blob.tensors.find((t) => t.name === "agent.config");
  if (!cfgT || cfgT.packing !== "i32" || cfgT.shape.join() !== "8") throw new BitrlError("not an agent blob: no i32[8] 'agent.config' tensor (train one: bitrl train)");
  const c = Array.from(tensorValues(cfgT));
  const env = ENV_NAMES[c[1]];
  if (c[0] !== 1 || env === undefined) throw new BitrlError(`agent.config: version ${c[0]} / env id ${c[1]} not known`);
  const hpT = blob.tensors.find((t) => t.name === "agent.hparams");
  const n = hpT?.shape.length === 1 ? hpT.shape[0] : -1;
  if (!hpT || hpT.packing !== "f32" || (n !== HPARAM_ORDER.length && n !== HPARAMS_V1_LEN)) throw new BitrlError(`agent blob has no f32[${HPARAM_ORDER.length}] 'agent.hparams' tensor`);
  const v = tensorValues(hpT);
  const train = { ...REINFORCE_BASE } as TrainConfig;
  HPARAM_ORDER.slice(0, n).forEach((k, i) => {
    (train as unknown as Record<string, unknown>)[k] = k === "algo" ? (ALGOS[v[i]] ?? `code ${v[i]}`) : v[i];
  });
  return { env, backbone: c[2] ? "blob" : "none", features: c[3], hidden: c[4], actions: c[5], tokens: c[6], train };
}

/** The same blob with head.params replaced (a trained head). */
export function withHead(blob: Blob, head: Float32Array): Blob {
  const old = blob.tensors.find((t) => t.name === "head.params");
  if (!old || old.shape[0] !== head.length) throw new BitrlError(`head of ${head.length} floats does not fit this agent's head.params`);
  return { ...blob, tensors: blob.tensors.map((t) => (t.name === "head.params" ? f32Tensor("head.params", [head.length], head) : t)) };
}

export interface EpisodeResult {
  steps: number;
  return: number;
  terminated: boolean;
  truncated: boolean;
}

/** One agent module instance with a blob loaded (agent_load done). */
export class AgentRunner {
  readonly mod: AgentModule;
  constructor(blob: Blob | Uint8Array, build: "release" | "debug" = "release") {
    const bytes = blob instanceof Uint8Array ? blob : encodeBlob(blob);
    this.mod = loadAgentModule(build, { blob: bytes });
    if (this.mod.fn.agent_load() !== 0) throw new BitrlError(`agent_load failed: ${this.mod.logs.at(-1) ?? "no message"}`);
  }
  private dv(): DataView {
    return new DataView(this.mod.memory.buffer);
  }
  /** agent_episode: one seeded episode (greedy or sampled), at most maxSteps (0 = the env's limit). */
  episode(seed: number, greedy: boolean, maxSteps = 0): EpisodeResult {
    const steps = this.mod.fn.agent_episode(seed | 0, maxSteps, greedy ? 1 : 0);
    if (steps < 0) throw new BitrlError(`agent_episode failed (${steps})`);
    const dv = this.dv(), io = this.mod.ioBase;
    return { steps, return: dv.getFloat64(io, true), terminated: dv.getInt32(io + 8, true) === 1, truncated: dv.getInt32(io + 12, true) === 1 };
  }
  /** agent_train: up to `episodes` training episodes from seed (fewer when the step budget runs out); return and steps of each. */
  trainEpisodes(seed: number, episodes: number): { returns: number[]; steps: number[] } {
    const n = this.mod.fn.agent_train(seed | 0, episodes);
    if (n < 0 || n > episodes) throw new BitrlError(`agent_train(${seed}, ${episodes}) failed (${n})`);
    const io = this.mod.ioBase;
    return { returns: Array.from(new Float32Array(this.mod.memory.buffer, io, n)), steps: Array.from(new Int32Array(this.mod.memory.buffer, io + 4 * episodes, n)) };
  }
  /** agent_train: `episodes` training episodes from seed; the return of each. */
  train(seed: number, episodes: number): number[] {
    const r = this.trainEpisodes(seed, episodes);
    if (r.returns.length !== episodes) throw new BitrlError(`agent_train(${seed}, ${episodes}) ran ${r.returns.length} episodes`);
    return r.returns;
  }
  /** agent_set_budget: training steps later train calls may take in total (< 0: no limit). */
  setBudget(steps: number): void {
    if (this.mod.fn.agent_set_budget(Math.min(steps, 0x7fffffff) | 0) !== 0) throw new BitrlError("agent_set_budget failed");
  }
  /** Training steps taken since agent_load. */
  trainedSteps(): number {
    return this.mod.fn.agent_trained_steps();
  }
  /** agent_set_trained_steps: the step clock (PPO's step-size schedule) after a restart from a checkpoint. */
  setTrainedSteps(steps: number): void {
    if (this.mod.fn.agent_set_trained_steps(steps | 0) !== 0) throw new BitrlError("agent_set_trained_steps failed");
  }
  /** PPO's rollout steps (0 for REINFORCE). */
  rolloutSteps(): number {
    return this.mod.fn.agent_rollout_steps();
  }
  /** agent_act on one observation. */
  act(obs: ArrayLike<number>): number {
    new Float32Array(this.mod.memory.buffer, this.mod.ioBase, obs.length).set(obs);
    return this.mod.fn.agent_act(this.mod.ioBase);
  }
  /** Replaces the head's parameters in the module (a checkpoint's bytes); Adam's moments stay. */
  setHead(head: Float32Array): void {
    const ptr = this.mod.fn.agent_head_ptr(), bytes = this.mod.fn.agent_head_bytes();
    if (head.byteLength !== bytes) throw new BitrlError(`head of ${head.byteLength} bytes, the module's is ${bytes}`);
    new Float32Array(this.mod.memory.buffer, ptr, head.length).set(head);
  }
  /** A copy of the head's parameters (agent_head_ptr / agent_head_bytes). */
  head(): Float32Array {
    const ptr = this.mod.fn.agent_head_ptr(), bytes = this.mod.fn.agent_head_bytes();
    return new Float32Array(this.mod.memory.buffer.slice(ptr, ptr + bytes));
  }
}

export interface EvalResult {
  env: EnvName;
  episodes: number;
  mean_return: number;
  std_return: number;
  returns: number[];
}

/** Greedy evaluation: episode i resets with seed + i. std is the population standard deviation. */
export function evaluateAgent(blob: Blob, episodes: number, seed: number, build: "release" | "debug" = "release"): EvalResult {
  const info = agentInfo(blob);
  const runner = new AgentRunner(blob, build);
  const returns: number[] = [];
  for (let i = 0; i < episodes; i++) returns.push(runner.episode(seed + i, true).return);
  return { env: info.env, episodes, ...meanStd(returns), returns };
}

export function meanStd(xs: number[]): { mean_return: number; std_return: number } {
  const mean = xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0;
  const std = xs.length ? Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length) : 0;
  return { mean_return: mean, std_return: std };
}

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

export { chunkSeed, SELECT_SEED };

export interface TrainOptions {
  /** greedy episodes after training (seeds 1_000_000 + i), default 20; not counted in the budget */
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
 * (seeds 1_000_000 + i, disjoint from training and checks).
 */
export function trainAgent(start: Blob, seed: number, episodes: number, opts: TrainOptions = {}): TrainResult {
  let runner = new AgentRunner(start);
  const info = agentInfo(start);
  const plan = new TrainPlan({ seed, episodes, steps: opts.steps ?? Infinity, chunk: chunkOf(opts, runner.mod.ioSize), envMaxSteps: ENV_SHAPES[info.env].maxSteps, select: opts.select });
  const checkpoint = opts.checkpoint ?? info.train.algo === "ppo";
  let kept: Float32Array | null = null;
  for (let call = plan.next(); call; call = plan.next()) {
    if (call.op === "train") {
      if (call.budget !== null) runner.setBudget(call.budget);
      const r = runner.trainEpisodes(call.seed, call.episodes);
      plan.trained(r.returns, r.steps);
      opts.onProgress?.(Number.isFinite(plan.o.steps) ? plan.used : plan.curve.length, r.returns[r.returns.length - 1] ?? 0);
    } else {
      const eps = call.seeds.map((s, i) => runner.episode(s, true, call.maxSteps[i]));
      if (plan.checked(eps.map((e) => e.return), eps.map((e) => e.steps))) {
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
  const returns: number[] = [];
  for (let i = 0; i < evalN; i++) returns.push(runner.episode(1_000_000 + i, true).return);
  return {
    blob, curve: plan.curve, curveSteps: plan.curveSteps, steps: plan.used, checkSteps: plan.checkSteps, kept: plan.best, rollout: runner.rolloutSteps(),
    eval: { env: info.env, episodes: evalN, ...meanStd(returns), returns },
  };
}

export interface ReplayResult {
  env: EnvName;
  seed: number;
  /** internal state before the first action (cartpole: x, x_dot, theta, theta_dot, f64) */
  initial_state: number[];
  /** internal state after each step */
  states: number[][];
  rewards: number[];
  /** tokens of the observation after each step */
  tokens: number[][];
  terminated: boolean;
  truncated: boolean;
}

/**
 * Steps env through `actions` in the wasm module (env_* exports): reset with seed, optionally replace the state
 * (cartpole: 4 values; frozenlake: 1), then one env_step per action. An action after the episode ended is an error.
 */
export function replayEnv(env: EnvName, actions: number[], opts: { seed?: number; state?: number[] } = {}, mod: AgentModule = loadAgentModule()): ReplayResult {
  const id = ENV_IDS[env];
  const seed = opts.seed ?? 0;
  const f = mod.fn;
  const io = mod.ioBase;
  const dv = () => new DataView(mod.memory.buffer);
  const readState = (): number[] => {
    const n = f.env_state(io + 16);
    return Array.from({ length: n }, (_, i) => dv().getFloat64(io + 16 + 8 * i, true));
  };
  const readTokens = (): number[] => {
    const n = f.env_tokens(io + 96);
    return Array.from({ length: n }, (_, i) => dv().getInt32(io + 96 + 4 * i, true));
  };
  if (f.env_reset(id, seed) !== 0) throw new BitrlError(`env_reset(${id}) failed`);
  if (opts.state) {
    const want = f.env_state_size(id);
    if (opts.state.length !== want || (env !== "cartpole" && env !== "frozenlake")) {
      throw new BitrlError(env === "keydoor" ? "keydoor takes no --state (its layout comes from --seed)" : `${env} state has ${want} values, got ${opts.state.length}`);
    }
    opts.state.forEach((v, i) => dv().setFloat64(io + 16 + 8 * i, v, true));
    if (f.env_set_state(io + 16, opts.state.length) !== 0) throw new BitrlError(`state ${opts.state.join(",")} is not valid for ${env}`);
  }
  const result: ReplayResult = { env, seed, initial_state: readState(), states: [], rewards: [], tokens: [], terminated: false, truncated: false };
  const nActions = f.env_num_actions(id);
  actions.forEach((a, step) => {
    if (result.terminated || result.truncated) throw new BitrlError(`action ${step + 1} comes after the episode ended at step ${step}`);
    if (!Number.isInteger(a) || a < 0 || a >= nActions) throw new BitrlError(`action ${step + 1} is '${a}', ${env} takes 0..${nActions - 1}`);
    const flags = f.env_step(a);
    if (flags < 0) throw new BitrlError(`env_step(${a}) failed (${flags})`);
    result.rewards.push(dv().getFloat64(io, true));
    result.states.push(readState());
    result.tokens.push(readTokens());
    result.terminated = (flags & 1) !== 0;
    result.truncated = (flags & 2) !== 0;
  });
  return result;
}

/** Parses "1,0,1" (or "take,next" for keydoor's action words) into action numbers. */
export function parseActions(env: EnvName, text: string): number[] {
  if (text.trim() === "") return [];
  return text.split(",").map((s, i) => {
    const w = s.trim();
    if (env === "keydoor" && /^[a-z]+$/.test(w)) {
      const k = KEYDOOR_ACTIONS.indexOf(w);
      if (k < 0) throw new BitrlError(`action ${i + 1} '${w}' is not a keydoor word (${KEYDOOR_ACTIONS.join(", ")})`);
      return k;
    }
    const n = Number(w);
    if (w === "" || !Number.isInteger(n)) throw new BitrlError(`action ${i + 1} '${w}' is not an integer`);
    return n;
  });
}

/** Parses "x,x_dot,theta,theta_dot" into finite numbers. */
export function parseNumbers(what: string, text: string): number[] {
  return text.split(",").map((s, i) => {
    const n = Number(s.trim());
    if (s.trim() === "" || !Number.isFinite(n)) throw new BitrlError(`${what} value ${i + 1} '${s}' is not a finite number`);
    return n;
  });
}

/**
 * Default training length and head width per env (what `bitrl train` uses without flags), per feature source;
 * PPO runs by a step budget with greedy checks every `selectEvery` training steps (`selectEpisodes` episodes each,
 * skipped while the sampled returns are below `gate` x the best check).
 */
export const DEFAULT_RUN: Record<EnvName, { episodes: number; hidden: number; backboneEpisodes: number; backboneHidden: number; steps: number; select: SelectOptions }> = {
  cartpole: { episodes: 500, hidden: 0, backboneEpisodes: 1200, backboneHidden: 0, steps: 100_000, select: { every: 10_000, episodes: 5, gate: 0.8 } },
  keydoor: { episodes: 1000, hidden: 32, backboneEpisodes: 2000, backboneHidden: 0, steps: 30_000, select: { every: 5_000, episodes: 20, gate: 0.8 } },
  frozenlake: { episodes: 6000, hidden: 0, backboneEpisodes: 6000, backboneHidden: 0, steps: 100_000, select: { every: 10_000, episodes: 50, gate: 0.8 } },
};

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
}

export interface MultiSeedResult {
  runs: SeedRun[];
  /** index into runs of the agent kept: the best greedy mean, the first on ties */
  best: number;
  blob: Blob;
}

/** Trains one head per seed 1..seeds (head init and episodes from that seed); keeps the best by greedy eval. */
export function trainSeeds(env: EnvName, backbone: Blob | null, opts: {
  seeds: number; episodes: number; steps?: number; hidden: number; train: TrainConfig; evalEpisodes: number; select?: SelectOptions;
  onProgress?: (done: number, note: string) => void; meta?: Record<string, unknown>;
}): MultiSeedResult {
  const runs: SeedRun[] = [];
  let best = 0;
  let bestBlob: Blob | null = null;
  const per = opts.steps ?? opts.episodes;
  for (let s = 1; s <= opts.seeds; s++) {
    const start = buildAgentBlob({ env, backbone, hidden: opts.hidden, train: opts.train, initSeed: s, meta: opts.meta });
    const r = trainAgent(start, s, opts.episodes, {
      evalEpisodes: opts.evalEpisodes,
      steps: opts.steps,
      select: opts.select,
      onProgress: (done, last) => opts.onProgress?.((s - 1) * per + done, `seed ${s} return ${last.toFixed(1)}`),
    });
    runs.push({ seed: s, curve: r.curve, curveSteps: r.curveSteps, steps: r.steps, eval: r.eval });
    if (!bestBlob || r.eval.mean_return > runs[best].eval.mean_return) {
      best = runs.length - 1;
      bestBlob = r.blob;
    }
  }
  if (!bestBlob) throw new BitrlError("--seeds must be >= 1");
  const b = runs[best];
  const meta = { ...bestBlob.meta, training: { seed: b.seed, episodes: b.curve.length, steps: b.steps, seeds: opts.seeds, runtime: "wasm (V8)", select: opts.select ?? null, eval_mean_return: b.eval.mean_return, eval_episodes: b.eval.episodes, eval_seeds: "1000000 + i" } };
  return { runs, best, blob: { ...bestBlob, meta } };
}

export interface BoardEvalResult extends EvalResult {
  /** how the board was reached (e.g. "QEMU qemu-m4") */
  via: string;
  board: string;
  /** board clock ticks per episode (instructions on QEMU boards, cycles on real ones) and their unit */
  ticks: number[];
  steps: number[];
  tick_unit: string;
  /** the firmware's RAM accounting after the episodes (bytes): its budget, what the image links, the peak in use */
  ram: { budget: number; linked: number; peak: number; fits: boolean };
}

/**
 * Greedy evaluation on a board through the firmware's `episode` command (agent_episode there): uploads the
 * agent blob, then episode i with reset seed `seed + i`. The board module is the same wasm, so returns match V8's.
 */
export async function evaluateOnBoard(boardId: string, blob: Blob, episodes: number, seed: number, opts: { port?: string } = {}): Promise<BoardEvalResult> {
  const info = agentInfo(blob);
  const { withBoard } = await import("./board-session.ts"); // loaded only when a board is asked for
  return withBoard(boardId, { port: opts.port }, async (s) => {
    await s.client.loadModel(encodeBlob(blob));
    const returns: number[] = [], ticks: number[] = [], steps: number[] = [];
    for (let i = 0; i < episodes; i++) {
      const r = await s.client.episode((seed + i) | 0, 0, true);
      returns.push(r.return);
      ticks.push(r.ticks);
      steps.push(r.steps);
    }
    const unit = s.info.clock_unit;
    const r = (await s.client.info()).ram;
    const peak = peakRamBytes(r);
    const ram = { budget: r.budget, linked: r.linked, peak, fits: r.budget > 0 ? Math.max(peak, r.linked) <= r.budget : true };
    return { env: info.env, episodes, ...meanStd(returns), returns, via: s.via, board: boardId, ticks, steps, tick_unit: unit, ram };
  });
}

export interface BoardTrainResult {
  blob: Blob;
  curve: number[];
  curveSteps: number[];
  /** environment steps used (training and checks) */
  steps: number;
  /** board clock ticks per agent_train call, and their unit */
  ticks: number[];
  tick_unit: string;
  via: string;
  /** the kept head's check (null without checks) */
  kept: TrainPlan["best"];
  /** checkpoints written to the board's inactive slot */
  checkpoints: number;
  /** set when this run went on from a checkpoint a killed run left on the board */
  resumedAt: { steps: number; episodes: number } | null;
}

export interface BoardTrainOptions extends Pick<TrainOptions, "chunk" | "steps" | "select" | "onProgress"> {
  port?: string;
  backend?: "wasm3" | "aot";
  /** file backing an emulated or host board's model flash (default .bitrl/<board>/flash.bin) */
  flashPath?: string;
  /**
   * file recording the run's progress at each checkpoint (default .bitrl/<board>/train-resume.json for emulated
   * and host boards); a run with the same start, seed and budget finds it, checks that the board's active model is
   * that checkpoint, and goes on from there. Removed when the run ends. null: neither written nor read
   */
  resumeFile?: string | null;
}

/**
 * RAM budgets up to this leave wasm3 too little fixed heap for PPO (emulated on qemu-m4, 256 KiB: greedy play of a
 * PPO ternary agent peaks at ~236 KB of the 240 KiB heap even with a 4 KiB value stack, PPO training adds ~8.5 KB of
 * compiled code; REINFORCE adds ~3.2 KB and fits).
 */
const PPO_WASM3_MIN_BUDGET = 262_144;

interface ResumeState {
  key: string;
  crc32: number;
  plan: ReturnType<TrainPlan["snapshot"]>;
  head: number[];
}

/**
 * Trains on a board by the same TrainPlan as trainAgent (the firmware's `train` command runs agent_train there;
 * checks run `episode`), so the curve and the head match V8 bit for bit. A new best check is a checkpoint: the
 * agent with that head goes to the board's inactive model slot (load-model: verified, then committed, so it
 * survives a power cut) and the board goes on training from it, as trainAgent does in V8.
 */
export async function trainOnBoard(boardId: string, start: Blob, seed: number, episodes: number, opts: BoardTrainOptions = {}): Promise<BoardTrainResult> {
  const { withBoard } = await import("./board-session.ts"); // loaded only when a board is asked for
  const info = agentInfo(start);
  return withBoard(boardId, { port: opts.port, backend: opts.backend, flashPath: opts.flashPath }, async (s) => {
    const heap = s.info.ram?.wasm3_heap;
    if (info.train.algo === "ppo" && s.info.backend === "wasm3" && typeof heap === "number" && heap > 0 && s.info.ram.budget > 0 && s.info.ram.budget <= PPO_WASM3_MIN_BUDGET) {
      throw new BitrlError(`${boardId} runs wasm3 in a fixed heap of a ${s.info.ram.budget}-byte RAM budget, too small for PPO's compiled update next to the backbone (docs/agents.md); train with --backend aot, or --algo reinforce`);
    }
    const chunk = Math.max(1, Math.min(opts.chunk ?? 50, Math.floor((s.info.max_payload - 16) / 8)));
    const plan = new TrainPlan({ seed, episodes, steps: opts.steps ?? Infinity, chunk, envMaxSteps: ENV_SHAPES[info.env].maxSteps, select: opts.select });
    const resumePath = opts.resumeFile === undefined ? (s.flashPath ? join(dirname(s.flashPath), "train-resume.json") : null) : opts.resumeFile;
    const startBytes = encodeBlob(start);
    const key = `${crc32(startBytes)}:${seed}:${episodes}:${opts.steps ?? "-"}:${chunk}:${JSON.stringify(opts.select ?? null)}`;
    const ioBase = await s.client.ioBase();
    const i32 = async (name: string, args: number[]) => {
      const v = (await s.client.kernel(name, args)).value.value as number;
      if (v < 0) throw new BitrlError(`${name}(${args.join(", ")}) failed on the board (${v})`);
      return v;
    };
    const readHead = async () => {
      const raw = await s.client.memRead(await i32("agent_head_ptr", []), await i32("agent_head_bytes", []));
      return new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.length));
    };
    // after load-model the firmware runs agent_load on the next agent command: one greedy act makes it happen now
    const reloadAt = async (trainedSteps: number) => {
      await s.client.infer(new Float32Array(ENV_SHAPES[info.env].obs));
      await i32("agent_set_trained_steps", [trainedSteps]);
    };
    let kept: Float32Array | null = null;
    let resumedAt: BoardTrainResult["resumedAt"] = null;
    const saved = resumePath && existsSync(resumePath) ? (JSON.parse(readFileSync(resumePath, "utf8")) as ResumeState) : null;
    const active = s.info.model;
    if (saved && saved.key === key && active && Number.parseInt(active.crc32, 16) === saved.crc32) {
      plan.restore(saved.plan);
      kept = Float32Array.from(saved.head);
      await reloadAt(plan.trainedSteps);
      resumedAt = { steps: plan.used, episodes: plan.curve.length };
    } else {
      await s.client.loadModel(startBytes);
      await reloadAt(0);
    }
    const ticks: number[] = [];
    let checkpoints = 0;
    for (let call = plan.next(); call; call = plan.next()) {
      if (call.op === "train") {
        if (call.budget !== null) await i32("agent_set_budget", [Math.min(call.budget, 0x7fffffff)]);
        const r = await s.client.train(call.seed, call.episodes);
        if (r.episodes < 0 || r.episodes > call.episodes) throw new BitrlError(`board train(${call.episodes}) failed (${r.episodes})`);
        const raw = await s.client.memRead(ioBase, 8 * call.episodes);
        const dv = new DataView(raw.buffer, raw.byteOffset, raw.length);
        const returns = Array.from({ length: r.episodes }, (_, i) => dv.getFloat32(4 * i, true));
        const steps = Array.from({ length: r.episodes }, (_, i) => dv.getInt32(4 * (call.episodes + i), true));
        plan.trained(returns, steps);
        ticks.push(r.ticks);
        opts.onProgress?.(Number.isFinite(plan.o.steps) ? plan.used : plan.curve.length, returns[returns.length - 1] ?? 0);
      } else {
        const eps = [];
        for (let i = 0; i < call.seeds.length; i++) eps.push(await s.client.episode(call.seeds[i], call.maxSteps[i], true));
        if (plan.checked(eps.map((e) => e.return), eps.map((e) => e.steps))) {
          kept = await readHead();
          const bytes = encodeBlob(withHead(start, kept));
          await s.client.loadModel(bytes);
          await reloadAt(plan.trainedSteps);
          checkpoints++;
          if (resumePath) writeFileAtomic(resumePath, new TextEncoder().encode(JSON.stringify({ key, crc32: crc32(bytes), plan: plan.snapshot(), head: Array.from(kept) } satisfies ResumeState)));
        }
      }
    }
    const head = kept ?? (await readHead());
    if (resumePath && existsSync(resumePath)) rmSync(resumePath);
    return { blob: withHead(start, head), curve: plan.curve, curveSteps: plan.curveSteps, steps: plan.used, ticks, tick_unit: s.info.clock_unit, via: s.via, kept: plan.best, checkpoints, resumedAt };
  });
}
