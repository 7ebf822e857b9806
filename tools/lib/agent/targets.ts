// The score each task is judged by and the level a learning run must reach ("steps to threshold"), one table for
// every study that counts steps to a threshold (scripts/efficiency.ts, scripts/study-pretraining.ts). Pure.
import type { EnvName } from "../reference/envs.ts";
import { successRate } from "./eval.ts";
import { stepsToThreshold } from "./learning-curves.ts";

export interface TaskTarget {
  /** what a training episode scores: its return, or 1/0 for reaching the goal (eval.ts successRate) */
  metric: "return" | "success";
  /** the trailing mean of `window` training episodes' scores a run must reach */
  threshold: number;
  /** training episodes in the trailing mean */
  window: number;
}

/**
 * cartpole, acrobot and mountaincar by return at Gymnasium's own reward_threshold for CartPole-v1 (475),
 * Acrobot-v1 (-100) and MountainCar-v0 (-110), over 20 training episodes; keydoor and frozenlake by success
 * (issue #14's targets), textroom by keydoor's. The goal tasks' episodes are short and their scores 0/1, so a 20-episode mean would
 * cross 0.7 by luck long before the policy does (a policy succeeding half the time gets 14 of 20 with p ~0.06):
 * their windows are longer.
 */
export const TASK_TARGETS: Record<EnvName, TaskTarget> = {
  cartpole: { metric: "return", threshold: 475, window: 20 },
  keydoor: { metric: "success", threshold: 0.95, window: 100 },
  frozenlake: { metric: "success", threshold: 0.7, window: 200 },
  acrobot: { metric: "return", threshold: -100, window: 20 },
  mountaincar: { metric: "return", threshold: -110, window: 20 },
  textroom: { metric: "success", threshold: 0.95, window: 100 },
};

/** Per training episode, the score TASK_TARGETS[env] judges: the return, or 1/0 for success. */
export function targetScores(env: EnvName, returns: number[]): number[] {
  return TASK_TARGETS[env].metric === "return" ? returns : returns.map((x) => successRate(env, [x]) ?? 0);
}

/** The environment steps one training run took to reach its env's target (learning-curves.ts stepsToThreshold on
 *  the run's per-episode returns and steps); null if it never did. */
export function runStepsToTarget(env: EnvName, returns: number[], steps: number[]): number | null {
  const t = TASK_TARGETS[env];
  return stepsToThreshold({ scores: targetScores(env, returns), steps }, t.window, t.threshold);
}
