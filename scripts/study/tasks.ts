// The return scale of each task the studies report on: the best mean return (the 100% of "90% of the task's
// maximum", issue #16) and the worst, so a task whose returns are negative has a scale too.
import { ENV_SHAPES } from "../../tools/lib/agent/blob.ts";
import { frozenLakeOptimum } from "../../tools/lib/reference/frozenlake-optimum.ts";
import { evalSeed } from "../../tools/lib/agent/seeds.ts";
import { textRoomOptimalReturns } from "../../tools/lib/reference/envs.ts";
import { mean } from "../../tools/lib/util/stats.ts";

/** The studies' greedy evaluation episodes per seed (their --eval default). */
const EVAL_EPISODES = 20;

/** The best mean return per env: cartpole's limit, keydoor's scripted optimal solver (docs/agents.md), frozenlake's
 *  optimal success probability within its limit (value iteration, 0.744), textroom's computed here (the twin's
 *  solver on the evaluation seeds); acrobot's and mountaincar's bound 0 (-1 per step: no policy attains it, every
 *  episode takes steps). */
export const TASK_MAX: Record<string, number> = {
  cartpole: 500,
  keydoor: 0.821,
  frozenlake: frozenLakeOptimum(ENV_SHAPES.frozenlake.maxSteps).value,
  acrobot: 0,
  mountaincar: 0,
  textroom: mean(textRoomOptimalReturns(Array.from({ length: EVAL_EPISODES }, (_, i) => evalSeed(i)))),
};
/** The worst return per env: 0 for cartpole, keydoor, frozenlake and textroom, minus the time limit for the -1-per-step tasks. */
export const TASK_MIN: Record<string, number> = {
  cartpole: 0,
  keydoor: 0,
  frozenlake: 0,
  acrobot: -ENV_SHAPES.acrobot.maxSteps,
  mountaincar: -ENV_SHAPES.mountaincar.maxSteps,
  textroom: 0,
};
