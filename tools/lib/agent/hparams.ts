// The agent's training settings: REINFORCE hyper-parameters (the agent.hparams tensor), their per-env defaults and
// ranges, and the default training length and head width per env.
import { BitrlError } from "../util/errors.ts";
import type { EnvName } from "../reference/envs.ts";

/** REINFORCE-with-baseline hyper-parameters: the `agent.hparams` tensor, f32[10] in this order (assembly/rl/hparams.ts). */
export interface TrainConfig {
  /** discount for the returns */
  gamma: number;
  /** Adam step size */
  lr: number;
  /** entropy bonus coefficient (0 = none) */
  entropy: number;
  /** weight of the baseline's squared-error loss */
  valueCoef: number;
  /** rewards are multiplied by this before returns are formed */
  rewardScale: number;
  /** Adam first-moment decay */
  beta1: number;
  /** Adam second-moment decay */
  beta2: number;
  /** Adam epsilon */
  eps: number;
  /** episodes averaged into one update */
  batch: number;
  /** lr is multiplied by this after every update (1 = constant) */
  lrDecay: number;
}

/** Per-env defaults for the backbone "none" baseline (sparse one-hot features; docs/agents.md). */
export const DEFAULT_TRAIN: Record<EnvName, TrainConfig> = {
  cartpole: { gamma: 0.99, lr: 0.01, entropy: 0, valueCoef: 0.5, rewardScale: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, batch: 1, lrDecay: 1 },
  keydoor: { gamma: 0.95, lr: 0.01, entropy: 0.01, valueCoef: 0.5, rewardScale: 1, beta1: 0.9, beta2: 0.999, eps: 1e-8, batch: 1, lrDecay: 1 },
  frozenlake: { gamma: 0.99, lr: 0.03, entropy: 0.01, valueCoef: 0.5, rewardScale: 1, beta1: 0.9, beta2: 0.999, eps: 1e-8, batch: 4, lrDecay: 1 },
};

/**
 * Per-env defaults on a backbone's dense features: every feature moves every logit, so a smaller step, two
 * episodes per update and a decaying step size (tuned on cartpole with the shipped ternary backbone; the other
 * envs reuse those settings untuned).
 */
export const DEFAULT_TRAIN_BACKBONE: Record<EnvName, TrainConfig> = {
  cartpole: { ...DEFAULT_TRAIN.cartpole, lr: 0.002, batch: 2, lrDecay: 0.995 },
  keydoor: { ...DEFAULT_TRAIN.keydoor, lr: 0.002, batch: 2, lrDecay: 0.995 },
  frozenlake: { ...DEFAULT_TRAIN.frozenlake, lr: 0.002, lrDecay: 0.999 },
};

/** The defaults for an env and a feature source. */
export function defaultTrain(env: EnvName, backbone: "none" | "blob"): TrainConfig {
  return { ...(backbone === "none" ? DEFAULT_TRAIN : DEFAULT_TRAIN_BACKBONE)[env] };
}

/** Order of the TrainConfig fields in the agent.hparams tensor (assembly/rl/hparams.ts). */
export const HPARAM_ORDER: (keyof TrainConfig)[] = ["gamma", "lr", "entropy", "valueCoef", "rewardScale", "beta1", "beta2", "eps", "batch", "lrDecay"];

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
}

/** Default training length and head width per env (what `bitrl train` uses without flags), per feature source. */
export const DEFAULT_RUN: Record<EnvName, { episodes: number; hidden: number; backboneEpisodes: number; backboneHidden: number }> = {
  cartpole: { episodes: 500, hidden: 0, backboneEpisodes: 1200, backboneHidden: 0 },
  keydoor: { episodes: 1000, hidden: 32, backboneEpisodes: 2000, backboneHidden: 0 },
  frozenlake: { episodes: 6000, hidden: 0, backboneEpisodes: 6000, backboneHidden: 0 },
};
