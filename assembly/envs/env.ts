// The environments behind one switch: ids, sizes, and the current episode (step count, time limit, done flag).
// Used by the env_* exports (assembly/envs/exports.ts) and the agent (assembly/agent.ts). The caller seeds the
// module PRNG (assembly/rng.ts) before envReset; stochastic envs draw from it during steps.
import * as cp from "./cartpole";
import * as kd from "./keydoor";
import * as fl from "./frozenlake";
import * as ab from "./acrobot";
import * as mc from "./mountaincar";
import { binTokens } from "./bins";

export const ENV_CARTPOLE: i32 = 0;
export const ENV_KEYDOOR: i32 = 1;
export const ENV_FROZENLAKE: i32 = 2;
export const ENV_ACROBOT: i32 = 3;
export const ENV_MOUNTAINCAR: i32 = 4;
export const ENV_COUNT: i32 = 5;

/** Step result bits. */
export const FLAG_TERMINATED: i32 = 1;
export const FLAG_TRUNCATED: i32 = 2;
/** Step errors (negative results). */
export const ERR_ACTION: i32 = -1; // action outside 0..actions-1
export const ERR_NO_EPISODE: i32 = -2; // not reset, or the episode already ended

/** Largest observation, token and state counts over all envs (host buffers can be sized once). */
export const MAX_OBS: i32 = 6;
export const MAX_TOKENS: i32 = 6;
export const MAX_STATE: i32 = 7;

/** Bins per continuous value (acrobot, mountaincar; cartpole has its own constant of the same value). */
const BINS: i32 = 16;

// Per env id (cartpole, keydoor, frozenlake, acrobot, mountaincar): one table per size, read by envSize.
const OBS: StaticArray<i32> = [cp.CARTPOLE_OBS, kd.KEYDOOR_OBS, fl.FROZENLAKE_OBS, ab.ACROBOT_OBS, mc.MOUNTAINCAR_OBS];
const ACTIONS: StaticArray<i32> = [cp.CARTPOLE_ACTIONS, kd.KEYDOOR_ACTIONS, fl.FROZENLAKE_ACTIONS, ab.ACROBOT_ACTIONS, mc.MOUNTAINCAR_ACTIONS];
const TOKENS: StaticArray<i32> = [cp.CARTPOLE_TOKENS, kd.KEYDOOR_TOKENS, fl.FROZENLAKE_TOKENS, ab.ACROBOT_TOKENS, mc.MOUNTAINCAR_TOKENS];
const VOCAB: StaticArray<i32> = [cp.CARTPOLE_VOCAB, kd.KEYDOOR_VOCAB, fl.FROZENLAKE_VOCAB, ab.ACROBOT_TOKENS * BINS, mc.MOUNTAINCAR_TOKENS * BINS];
const MAX_STEPS: StaticArray<i32> = [cp.CARTPOLE_MAX_STEPS, kd.KEYDOOR_MAX_STEPS, fl.FROZENLAKE_MAX_STEPS, ab.ACROBOT_MAX_STEPS, mc.MOUNTAINCAR_MAX_STEPS];
const STATE: StaticArray<i32> = [4, kd.KEYDOOR_STATE, 1, 4, 2];
/** Binned ranges: acrobot's observation bounds (cos/sin in [-1, 1], velocities 4 pi and 9 pi), mountaincar's. */
const ACROBOT_BIN_LO: StaticArray<f64> = [-1.0, -1.0, -1.0, -1.0, -4.0 * Math.PI, -9.0 * Math.PI];
const ACROBOT_BIN_WIDTH: StaticArray<f64> = [2.0, 2.0, 2.0, 2.0, 8.0 * Math.PI, 18.0 * Math.PI];
const MOUNTAINCAR_BIN_LO: StaticArray<f64> = [-1.2, -0.07];
const MOUNTAINCAR_BIN_WIDTH: StaticArray<f64> = [1.8, 0.14];

export function envValid(id: i32): bool {
  return id >= 0 && id < ENV_COUNT;
}
/** table[id], or -1 for an unknown id. */
function envSize(table: StaticArray<i32>, id: i32): i32 {
  return envValid(id) ? unchecked(table[id]) : -1;
}
export function envObsSize(id: i32): i32 {
  return envSize(OBS, id);
}
export function envActions(id: i32): i32 {
  return envSize(ACTIONS, id);
}
export function envTokenCount(id: i32): i32 {
  return envSize(TOKENS, id);
}
export function envVocab(id: i32): i32 {
  return envSize(VOCAB, id);
}
export function envMaxSteps(id: i32): i32 {
  return envSize(MAX_STEPS, id);
}
export function envStateSize(id: i32): i32 {
  return envSize(STATE, id);
}

let current: i32 = -1; // env of the running episode, -1 none
let steps: i32 = 0;
let limit: i32 = 0; // truncation step count
let running: bool = false;
let reward: f64 = 0;

/** Starts an episode of env id (valid) with its own time limit, or a shorter one when 0 < maxSteps < limit. */
export function envReset(id: i32, maxSteps: i32): void {
  current = id;
  steps = 0;
  const own = envMaxSteps(id);
  limit = maxSteps > 0 && maxSteps < own ? maxSteps : own;
  running = true;
  reward = 0;
  if (id == ENV_CARTPOLE) cp.cartpoleReset();
  else if (id == ENV_KEYDOOR) kd.keyDoorReset();
  else if (id == ENV_FROZENLAKE) fl.frozenLakeReset();
  else if (id == ENV_ACROBOT) ab.acrobotReset();
  else mc.mountainCarReset();
}

/** One step: FLAG_* bits, or ERR_* (< 0). The reward is envReward(). */
export function envStep(action: i32): i32 {
  if (!running) return ERR_NO_EPISODE;
  if (action < 0 || action >= envActions(current)) return ERR_ACTION;
  let terminated: i32;
  if (current == ENV_CARTPOLE) {
    terminated = cp.cartpoleStep(action);
    reward = 1.0;
  } else if (current == ENV_KEYDOOR) {
    terminated = kd.keyDoorStep(action);
    reward = kd.keyDoorReward();
  } else if (current == ENV_FROZENLAKE) {
    terminated = fl.frozenLakeStep(action);
    reward = fl.frozenLakeReward();
  } else if (current == ENV_ACROBOT) {
    terminated = ab.acrobotStep(action);
    reward = terminated ? 0.0 : -1.0;
  } else {
    terminated = mc.mountainCarStep(action);
    reward = -1.0;
  }
  steps++;
  let flags = terminated ? FLAG_TERMINATED : 0;
  if (steps >= limit) flags |= FLAG_TRUNCATED; // Gymnasium's TimeLimit: truncated even when also terminated
  if (flags != 0) running = false;
  return flags;
}

export function envReward(): f64 {
  return reward;
}
export function envCurrent(): i32 {
  return current;
}
export function envSteps(): i32 {
  return steps;
}

/** Observation f32[envObsSize] of the current env at out; returns the count (0 when none was reset). */
export function envObs(out: usize): i32 {
  if (current == ENV_CARTPOLE) cp.cartpoleObs(out);
  else if (current == ENV_KEYDOOR) kd.keyDoorObs(out);
  else if (current == ENV_FROZENLAKE) fl.frozenLakeObs(out);
  else if (current == ENV_ACROBOT) ab.acrobotObs(out);
  else if (current == ENV_MOUNTAINCAR) mc.mountainCarObs(out);
  else return 0;
  return envObsSize(current);
}

/** Tokens i32[envTokenCount(id)] at out from an observation f32[envObsSize(id)] at obs; returns the count. */
export function envTokenize(id: i32, obs: usize, out: usize): i32 {
  if (id == ENV_CARTPOLE) binTokens(obs, out, cp.CARTPOLE_TOKENS, cp.CARTPOLE_BIN_LO, cp.CARTPOLE_BIN_WIDTH, cp.CARTPOLE_BINS);
  else if (id == ENV_KEYDOOR) kd.keyDoorTokens(obs, out);
  else if (id == ENV_FROZENLAKE) fl.frozenLakeTokens(obs, out);
  else if (id == ENV_ACROBOT) binTokens(obs, out, ab.ACROBOT_TOKENS, ACROBOT_BIN_LO, ACROBOT_BIN_WIDTH, BINS);
  else if (id == ENV_MOUNTAINCAR) binTokens(obs, out, mc.MOUNTAINCAR_TOKENS, MOUNTAINCAR_BIN_LO, MOUNTAINCAR_BIN_WIDTH, BINS);
  else return 0;
  return envTokenCount(id);
}

/** Internal state f64[envStateSize] at out (cartpole: x, x_dot, theta, theta_dot); returns the count. */
export function envState(out: usize): i32 {
  if (current == ENV_CARTPOLE) cp.cartpoleState(out);
  else if (current == ENV_KEYDOOR) kd.keyDoorState(out);
  else if (current == ENV_FROZENLAKE) fl.frozenLakeState(out);
  else if (current == ENV_ACROBOT) ab.acrobotState(out);
  else if (current == ENV_MOUNTAINCAR) mc.mountainCarState(out);
  else return 0;
  return envStateSize(current);
}

/** Replaces the state from f64[n] at src (all but keydoor, n = envStateSize); 0 ok, -1 wrong count/value/env. */
export function envSetState(src: usize, n: i32): i32 {
  if (current < 0 || current == ENV_KEYDOOR || n != envStateSize(current)) return -1;
  if (current == ENV_CARTPOLE) cp.cartpoleSetState(src);
  else if (current == ENV_FROZENLAKE) return fl.frozenLakeSetState(src);
  else if (current == ENV_ACROBOT) ab.acrobotSetState(src);
  else mc.mountainCarSetState(src);
  return 0;
}

/** The observation as text (keydoor's sentence; other envs write nothing); returns bytes written. */
export function envText(out: usize, cap: i32): i32 {
  return current == ENV_KEYDOOR ? kd.keyDoorText(out, cap) : 0;
}
