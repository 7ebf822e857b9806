// Greedy evaluation of an agent in V8: mean and spread of the returns over seeded episodes.
import type { Blob } from "../format/types.ts";
import type { EnvName } from "../reference/envs.ts";
import { mean } from "../util/stats.ts";
import { agentInfo, ENV_SHAPES } from "./blob.ts";
import { AgentRunner } from "./runner.ts";

export interface EvalResult {
  env: EnvName;
  episodes: number;
  mean_return: number;
  std_return: number;
  returns: number[];
  /** keydoor and frozenlake: the fraction of episodes that reached the goal (their only positive returns); null for
   *  cartpole, whose return is its length */
  success_rate: number | null;
}

/** Greedy evaluation: episode i resets with seed + i. std is the population standard deviation. */
export function evaluateAgent(
  blob: Blob,
  episodes: number,
  seed: number,
  build: "release" | "debug" = "release",
): EvalResult {
  const info = agentInfo(blob);
  const runner = new AgentRunner(blob, build);
  const runs = Array.from({ length: episodes }, (_, i) => runner.episode(seed + i, true));
  const returns = runs.map((r) => r.return);
  const terminated = runs.map((r) => r.terminated);
  return evalResult(info.env, returns, terminated);
}

/** An EvalResult from the episodes' returns and terminated flags (host, training and board evals alike). */
export function evalResult(env: EnvName, returns: number[], terminated: boolean[]): EvalResult {
  return {
    env,
    episodes: returns.length,
    ...meanStd(returns),
    returns,
    success_rate: successRate(env, returns, terminated),
  };
}

/** Goal-reaching tasks (keydoor and textroom: 1 - 0.9 steps / limit on success, else 0; frozenlake: 1 at the goal, else 0): the
 *  fraction of positive returns; acrobot and mountaincar (-1 per step until the goal ends the episode): the fraction
 *  that reached the goal, from the episodes' terminated flags when given (a goal reached on the last step is both
 *  terminated and truncated, return -limit), else those that ended before the step limit (return above -limit).
 *  Cartpole has no goal: null. */
export function successRate(env: EnvName, returns: number[], terminated?: boolean[]): number | null {
  if (env === "cartpole" || !returns.length) return null;
  if (env !== "acrobot" && env !== "mountaincar") return returns.filter((r) => r > 0).length / returns.length;
  if (terminated) return terminated.filter(Boolean).length / returns.length;
  return returns.filter((r) => r > -ENV_SHAPES[env].maxSteps).length / returns.length;
}

/** Mean and population standard deviation of the returns (both 0 for no returns). */
export function meanStd(xs: number[]): { mean_return: number; std_return: number } {
  if (!xs.length) return { mean_return: 0, std_return: 0 };
  const m = mean(xs);
  return { mean_return: m, std_return: Math.sqrt(mean(xs.map((x) => (x - m) ** 2))) };
}
