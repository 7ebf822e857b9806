// Greedy evaluation of an agent in V8: mean and spread of the returns over seeded episodes.
import type { Blob } from "../format/types.ts";
import type { EnvName } from "../reference/envs.ts";
import { mean } from "../util/stats.ts";
import { agentInfo } from "./blob.ts";
import { AgentRunner } from "./runner.ts";

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

/** Mean and population standard deviation of the returns (both 0 for no returns). */
export function meanStd(xs: number[]): { mean_return: number; std_return: number } {
  if (!xs.length) return { mean_return: 0, std_return: 0 };
  const m = mean(xs);
  return { mean_return: m, std_return: Math.sqrt(mean(xs.map((x) => (x - m) ** 2))) };
}
