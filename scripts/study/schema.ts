// The study's settings shared by the trainer and the renderer, and the shape of docs/results/<env>.json.
import type { TrainConfig } from "../../tools/lib/agent/index.ts";
import type { Distortion } from "./distortion.ts";
import type { Summary } from "./stats.ts";

/** The quantized backbone kinds (retention is measured against fp32). */
export const QUANTIZED = ["int8", "ternary", "binary"] as const;
/** Greedy episodes per seed of the fp32 agent whose visited states the distortion is measured on. */
export const DISTORT_EPISODES = 3;
/** Episodes of the uniformly random policy whose visited states are the second, fixed state set. */
export const RANDOM_PLAY_EPISODES = 20;
/** "Solved" per env for episodes-to-threshold: cartpole's 475 (Gymnasium's), keydoor's 0.7 (about 85% of the
 *  scripted optimum 0.821); the trailing mean of THRESHOLD_WINDOW sampled training episodes. */
export const THRESHOLD: Record<string, number> = { cartpole: 475, keydoor: 0.7 };
export const THRESHOLD_WINDOW = 20;

export interface ArmResult extends Summary {
  /** none, fp32, int8, ternary, binary (QAT backbones), K-ptq (head retrained), K-ptq-fp32-head (no training) */
  arm: string;
  train_episodes: number;
  per_seed: number[];
  episodes_to_threshold: (number | null)[];
  /** cartpole only (returns are episode lengths): training environment steps until then; [] elsewhere */
  steps_to_threshold: (number | null)[];
  blob_bytes: number;
  runtime_bytes: number;
  model: string;
  curve: number[];
  curve_window: number;
}

/** distortion.ts's Distortion over the seeds, with each seed's entropies. */
export interface DistortionStats extends Distortion {
  entropy_other_per_seed: number[];
  entropy_ref_per_seed: number[];
}

export interface DistortionRow {
  label: string;
  what: string;
  pairs: number;
  fp32_states: DistortionStats;
  random_states: DistortionStats;
}

export interface StudyJson {
  env: string;
  how: string;
  command: string;
  seeds: number;
  eval_episodes: number;
  procedure_backbones: Procedure;
  procedure_none: Procedure;
  threshold: { value: number; window: number };
  arms: ArmResult[];
  retention: Record<string, { ratio: number; ci95_bootstrap: [number, number] }>;
  baselines: {
    zero_shot: ({ backbone: string; pretraining_data: string; model: string; returns: number[] } & Summary)[];
    tabular: {
      episodes: number;
      settings: string;
      per_seed: number[];
      states_per_seed: number[];
      episodes_to_threshold: (number | null)[];
    } & Summary;
  };
  distortion: { fp32_states: string; random_states: string; rows: DistortionRow[] };
  memory_bitrl_inspect: Record<
    string,
    { bytes: number; fp32_bytes: number; ratio_vs_fp32: number; bits_per_weight: number }
  >;
  pretraining: Record<string, { steps: number; seed: number; valid_loss: number; uniform_loss: number }>;
}

export interface Procedure {
  episodes: number;
  hidden: number;
  train: TrainConfig;
  select: { every: number; episodes: number };
  eval_episodes: number;
  eval_seeds: string;
  select_seeds: string;
}
