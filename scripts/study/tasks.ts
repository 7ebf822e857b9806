// The return scale of each task the studies report on: the best mean return (the 100% of "90% of the task's
// maximum", issue #16) and the worst, so a task whose returns are negative has a scale too.
import { ENV_SHAPES } from "../../tools/lib/agent/blob.ts";
import { frozenLakeOptimum } from "../../tools/lib/reference/frozenlake-optimum.ts";

/** The best mean return per env: cartpole's limit, keydoor's scripted optimal solver (docs/agents.md), frozenlake's
 *  optimal success probability within its limit (value iteration, 0.744); acrobot's and mountaincar's bound 0 (-1 per
 *  step: no policy attains it, every episode takes steps). */
export const TASK_MAX: Record<string, number> = {
  cartpole: 500,
  keydoor: 0.821,
  frozenlake: frozenLakeOptimum().value,
  acrobot: 0,
  mountaincar: 0,
};
/** The worst return per env: 0 for cartpole, keydoor and frozenlake, minus the time limit for the -1-per-step tasks. */
export const TASK_MIN: Record<string, number> = {
  cartpole: 0,
  keydoor: 0,
  frozenlake: 0,
  acrobot: -ENV_SHAPES.acrobot.maxSteps,
  mountaincar: -ENV_SHAPES.mountaincar.maxSteps,
};
