// Training hyper-parameters: one typed object (TrainConfig) per run, its defaults per env and algorithm, its
// ranges, and the default run lengths; written to the agent blob as agent.hparams (assembly/rl/hparams.ts).
import { BitrlError } from "../util/errors.ts";
import type { EnvName } from "../reference/envs.ts";
import type { SelectOptions } from "./train-plan.ts";

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

export const REINFORCE_BASE = {
  algo: "reinforce" as Algo,
  beta1: 0.9,
  beta2: 0.999,
  eps: 1e-8,
  rollout: 0,
  epochs: 4,
  minibatches: 4,
  gaeLambda: 0.95,
  clip: 0.2,
  maxGradNorm: 0.5,
  lrEnd: 0,
  horizon: 0,
};

/** REINFORCE defaults for the backbone "none" baseline (sparse one-hot features; docs/agents.md): cartpole's, and
 *  what each other env changes (spread over cartpole's, so every config lists its fields in the same order). */
const CARTPOLE_REINFORCE: TrainConfig = {
  ...REINFORCE_BASE,
  gamma: 0.99,
  lr: 0.01,
  entropy: 0,
  valueCoef: 0.5,
  rewardScale: 0.01,
  batch: 1,
  lrDecay: 1,
};
export const DEFAULT_TRAIN: Record<EnvName, TrainConfig> = {
  cartpole: CARTPOLE_REINFORCE,
  keydoor: { ...CARTPOLE_REINFORCE, gamma: 0.95, entropy: 0.01, rewardScale: 1 },
  frozenlake: { ...CARTPOLE_REINFORCE, lr: 0.03, entropy: 0.01, rewardScale: 1, batch: 4 },
  // untuned: cartpole's settings with an entropy bonus (reward -1 per step)
  acrobot: { ...CARTPOLE_REINFORCE, entropy: 0.01 },
  mountaincar: { ...CARTPOLE_REINFORCE, entropy: 0.01 },
  // untuned: keydoor's
  textroom: { ...CARTPOLE_REINFORCE, gamma: 0.95, entropy: 0.01, rewardScale: 1 },
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
  acrobot: { ...DEFAULT_TRAIN.acrobot, lr: 0.002, batch: 2, lrDecay: 0.995 },
  mountaincar: { ...DEFAULT_TRAIN.mountaincar, lr: 0.002, batch: 2, lrDecay: 0.995 },
  textroom: { ...DEFAULT_TRAIN.textroom, lr: 0.002, batch: 2, lrDecay: 0.995 },
};

/** PPO defaults per env (docs/agents.md "PPO": how they were chosen); horizon is set from the step budget. The
 *  rollout lengths are fixed (not "the most that fit"), so a run gives the same curve whatever the module's static
 *  data; each fits the qemu-m4 budget with the backbone loaded (a rollout that does not fit is refused at load). */
const CARTPOLE_PPO: TrainConfig = {
  ...REINFORCE_BASE,
  algo: "ppo",
  gamma: 0.995,
  lr: 0.003,
  entropy: 0.02,
  valueCoef: 0.5,
  rewardScale: 0.01,
  batch: 1,
  lrDecay: 1,
  epochs: 8,
  minibatches: 4,
  lrEnd: 0,
  rollout: 200,
};
export const DEFAULT_PPO: Record<EnvName, TrainConfig> = {
  cartpole: CARTPOLE_PPO,
  keydoor: { ...CARTPOLE_PPO, gamma: 0.95, entropy: 0.01, rewardScale: 1, epochs: 4, rollout: 160 },
  frozenlake: { ...CARTPOLE_PPO, gamma: 0.99, lr: 0.01, entropy: 0.04, rewardScale: 1, epochs: 16, rollout: 700 },
  // untuned: cartpole's PPO settings with gamma 0.99 and entropy 0.01; acrobot's rollout is 80 because its six
  // tokens make 240 features per step and 200 steps did not fit beside a backbone (the most that fit: 91, measured)
  acrobot: { ...CARTPOLE_PPO, gamma: 0.99, entropy: 0.01, rollout: 80 },
  mountaincar: { ...CARTPOLE_PPO, gamma: 0.99, entropy: 0.01 },
  // untuned: keydoor's
  textroom: { ...CARTPOLE_PPO, gamma: 0.95, entropy: 0.01, rewardScale: 1, epochs: 4, rollout: 160 },
};

/** The defaults for an algorithm, an env and a feature source. */
export function defaultTrain(env: EnvName, backbone: "none" | "blob", algo: Algo = "reinforce"): TrainConfig {
  // the fixed rollouts are sized for a backbone agent; the one-hot baseline's wider head leaves less room, so it
  // keeps "the most that fit" (rollout 0)
  if (algo === "ppo") return backbone === "none" ? { ...DEFAULT_PPO[env], rollout: 0 } : { ...DEFAULT_PPO[env] };
  return { ...(backbone === "none" ? DEFAULT_TRAIN : DEFAULT_TRAIN_BACKBONE)[env] };
}

/** agent.hparams order (assembly/rl/hparams.ts); an f32[10] tensor of the first ten is an older REINFORCE agent. */
export const HPARAM_ORDER: (keyof TrainConfig)[] = [
  "gamma",
  "lr",
  "entropy",
  "valueCoef",
  "rewardScale",
  "beta1",
  "beta2",
  "eps",
  "batch",
  "lrDecay",
  "algo",
  "rollout",
  "epochs",
  "minibatches",
  "gaeLambda",
  "clip",
  "maxGradNorm",
  "lrEnd",
  "horizon",
];
export const HPARAMS_V1_LEN = 10;

/** The f32 values of agent.hparams for a config. */
export function hparamValues(c: TrainConfig): Float32Array {
  return Float32Array.from(HPARAM_ORDER.map((k) => (k === "algo" ? ALGOS.indexOf(c.algo) : (c[k] as number))));
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
  if (!ALGOS.includes(c.algo))
    throw new BitrlError(`training setting algo = ${c.algo} is not one of ${ALGOS.join(", ")}`);
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
  if (c.algo === "ppo" && c.rollout !== 0 && c.minibatches > c.rollout)
    throw new BitrlError(`training setting minibatches = ${c.minibatches} is more than rollout = ${c.rollout}`);
}

/** REINFORCE's default checkpoint selection (`bitrl train --algo reinforce`, the retention study): a greedy check of
 *  10 episodes every 100 training episodes. */
export const REINFORCE_SELECT: SelectOptions = { every: 100, episodes: 10 };

/**
 * Default training length and head width per env (what `bitrl train` uses without flags), per feature source;
 * PPO runs by a step budget with greedy checks every `selectEvery` training steps (`selectEpisodes` episodes each,
 * skipped while the sampled returns are below `gate` x the best check).
 */
export const DEFAULT_RUN: Record<
  EnvName,
  {
    episodes: number;
    hidden: number;
    backboneEpisodes: number;
    backboneHidden: number;
    steps: number;
    select: SelectOptions;
  }
> = {
  cartpole: {
    episodes: 500,
    hidden: 0,
    backboneEpisodes: 1200,
    backboneHidden: 0,
    steps: 100_000,
    select: { every: 10_000, episodes: 5, gate: 0.8 },
  },
  keydoor: {
    episodes: 1000,
    hidden: 32,
    backboneEpisodes: 2000,
    backboneHidden: 0,
    steps: 30_000,
    select: { every: 5_000, episodes: 20, gate: 0.8 },
  },
  frozenlake: {
    episodes: 6000,
    hidden: 0,
    backboneEpisodes: 6000,
    backboneHidden: 0,
    steps: 300_000,
    select: { every: 30_000, episodes: 50, gate: 0.8 },
  },
  // returns are negative (-1 per step), so no gate (gate x best would be above the best)
  acrobot: {
    episodes: 500,
    hidden: 0,
    backboneEpisodes: 1200,
    backboneHidden: 0,
    steps: 100_000,
    select: { every: 10_000, episodes: 5, gate: 0 },
  },
  mountaincar: {
    episodes: 2000,
    hidden: 0,
    backboneEpisodes: 2000,
    backboneHidden: 0,
    steps: 100_000,
    select: { every: 10_000, episodes: 5, gate: 0 },
  },
  // untuned: keydoor's shape with a longer budget (five places, a 30-step limit)
  textroom: {
    episodes: 3000,
    hidden: 32,
    backboneEpisodes: 3000,
    backboneHidden: 0,
    steps: 60_000,
    select: { every: 10_000, episodes: 20, gate: 0.8 },
  },
};
