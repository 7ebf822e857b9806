// The environments behind one switch: ids, sizes, and the current episode (step count, time limit, done flag).
// Used by the env_* exports (assembly/envs/exports.ts) and the agent (assembly/agent.ts). The caller seeds the
// module PRNG (assembly/rng.ts) before envReset; stochastic envs draw from it during steps.
import * as cp from "./cartpole";
import * as kd from "./keydoor";
import * as fl from "./frozenlake";

export const ENV_CARTPOLE: i32 = 0;
export const ENV_KEYDOOR: i32 = 1;
export const ENV_FROZENLAKE: i32 = 2;
export const ENV_COUNT: i32 = 3;

/** Step result bits. */
export const FLAG_TERMINATED: i32 = 1;
export const FLAG_TRUNCATED: i32 = 2;
/** Step errors (negative results). */
export const ERR_ACTION: i32 = -1; // action outside 0..actions-1
export const ERR_NO_EPISODE: i32 = -2; // not reset, or the episode already ended

/** Largest observation, token and state counts over all envs (host buffers can be sized once). */
export const MAX_OBS: i32 = 4;
export const MAX_TOKENS: i32 = 4;
export const MAX_STATE: i32 = 7;

export function envValid(id: i32): bool {
  return id >= 0 && id < ENV_COUNT;
}
export function envObsSize(id: i32): i32 {
  return id == ENV_CARTPOLE
    ? cp.CARTPOLE_OBS
    : id == ENV_KEYDOOR
      ? kd.KEYDOOR_OBS
      : id == ENV_FROZENLAKE
        ? fl.FROZENLAKE_OBS
        : -1;
}
export function envActions(id: i32): i32 {
  return id == ENV_CARTPOLE
    ? cp.CARTPOLE_ACTIONS
    : id == ENV_KEYDOOR
      ? kd.KEYDOOR_ACTIONS
      : id == ENV_FROZENLAKE
        ? fl.FROZENLAKE_ACTIONS
        : -1;
}
export function envTokenCount(id: i32): i32 {
  return id == ENV_CARTPOLE
    ? cp.CARTPOLE_TOKENS
    : id == ENV_KEYDOOR
      ? kd.KEYDOOR_TOKENS
      : id == ENV_FROZENLAKE
        ? fl.FROZENLAKE_TOKENS
        : -1;
}
export function envVocab(id: i32): i32 {
  return id == ENV_CARTPOLE
    ? cp.CARTPOLE_VOCAB
    : id == ENV_KEYDOOR
      ? kd.KEYDOOR_VOCAB
      : id == ENV_FROZENLAKE
        ? fl.FROZENLAKE_VOCAB
        : -1;
}
export function envMaxSteps(id: i32): i32 {
  return id == ENV_CARTPOLE
    ? cp.CARTPOLE_MAX_STEPS
    : id == ENV_KEYDOOR
      ? kd.KEYDOOR_MAX_STEPS
      : id == ENV_FROZENLAKE
        ? fl.FROZENLAKE_MAX_STEPS
        : -1;
}
export function envStateSize(id: i32): i32 {
  return id == ENV_CARTPOLE ? 4 : id == ENV_KEYDOOR ? kd.KEYDOOR_STATE : id == ENV_FROZENLAKE ? 1 : -1;
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
  else fl.frozenLakeReset();
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
  } else {
    terminated = fl.frozenLakeStep(action);
    reward = fl.frozenLakeReward();
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
  else return 0;
  return envObsSize(current);
}

/** Tokens i32[envTokenCount(id)] at out from an observation f32[envObsSize(id)] at obs; returns the count. */
export function envTokenize(id: i32, obs: usize, out: usize): i32 {
  if (id == ENV_CARTPOLE) cp.cartpoleTokens(obs, out);
  else if (id == ENV_KEYDOOR) kd.keyDoorTokens(obs, out);
  else if (id == ENV_FROZENLAKE) fl.frozenLakeTokens(obs, out);
  else return 0;
  return envTokenCount(id);
}

/** Internal state f64[envStateSize] at out (cartpole: x, x_dot, theta, theta_dot); returns the count. */
export function envState(out: usize): i32 {
  if (current == ENV_CARTPOLE) cp.cartpoleState(out);
  else if (current == ENV_KEYDOOR) kd.keyDoorState(out);
  else if (current == ENV_FROZENLAKE) fl.frozenLakeState(out);
  else return 0;
  return envStateSize(current);
}

/** Replaces the state from f64[n] at src (cartpole and frozenlake); 0 ok, -1 wrong count/value/env. */
export function envSetState(src: usize, n: i32): i32 {
  if (current == ENV_CARTPOLE && n == 4) {
    cp.cartpoleSetState(src);
    return 0;
  }
  if (current == ENV_FROZENLAKE && n == 1) return fl.frozenLakeSetState(src);
  return -1;
}

/** The observation as text (keydoor's sentence; other envs write nothing); returns bytes written. */
export function envText(out: usize, cap: i32): i32 {
  return current == ENV_KEYDOOR ? kd.keyDoorText(out, cap) : 0;
}
