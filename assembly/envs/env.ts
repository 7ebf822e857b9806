// The environments behind one switch: ids, sizes, and the current episode (step count, time limit, done flag).
// Used by the env_* exports (assembly/envs/exports.ts) and the agent (assembly/agent.ts). The caller seeds the
// module PRNG (assembly/rng.ts) before envReset; stochastic envs draw from it during steps.
import * as cp from "./cartpole";
import * as kd from "./keydoor";
import * as fl from "./frozenlake";
import * as ab from "./acrobot";
import * as mc from "./mountaincar";
import { binTokens } from "./bins";
import * as cl from "./classic";
import * as tr from "./textroom";
import { OP_OBS, OP_RESET, OP_SET_STATE, OP_STATE, OP_STEP, OP_TOKENS } from "./ops";

export const ENV_CARTPOLE: i32 = 0;
export const ENV_KEYDOOR: i32 = 1;
export const ENV_FROZENLAKE: i32 = 2;
export const ENV_ACROBOT: i32 = 3;
export const ENV_MOUNTAINCAR: i32 = 4;
export const ENV_TEXTROOM: i32 = 5;
export const ENV_COUNT: i32 = 6;

/** Step result bits. */
export const FLAG_TERMINATED: i32 = 1;
export const FLAG_TRUNCATED: i32 = 2;
/** Step errors (negative results). */
export const ERR_ACTION: i32 = -1; // action outside 0..actions-1
export const ERR_NO_EPISODE: i32 = -2; // not reset, or the episode already ended

/** Largest observation, token and state counts over all envs (host buffers can be sized once). */
export const MAX_OBS: i32 = 15; // textroom's sentence
export const MAX_TOKENS: i32 = 15;
export const MAX_STATE: i32 = 9;
/** f32[MAX_OBS] scratch for an observation on its way to tokens (the agent's step, the env_tokens export): one
 *  buffer for both, as neither keeps it past the call (static data is short on the boards). */
export const obsScratch = memory.data(MAX_OBS * 4, 16);

/** What env_size reports, the column of SIZES. */
export const SIZE_OBS: i32 = 0;
export const SIZE_ACTIONS: i32 = 1;
export const SIZE_TOKENS: i32 = 2;
export const SIZE_VOCAB: i32 = 3;
export const SIZE_MAX_STEPS: i32 = 4;
export const SIZE_STATE: i32 = 5;
export const SIZE_KINDS: i32 = 6;
// One row per env id (cartpole, keydoor, frozenlake, acrobot, mountaincar, textroom): obs, actions, tokens, vocab,
// limit, state. Tokens is the most an observation gives (textroom's sentences vary: envTokenize returns the count).
const SIZES: StaticArray<i32> = [
  cp.CARTPOLE_OBS,
  cp.CARTPOLE_ACTIONS,
  cp.CARTPOLE_TOKENS,
  cp.CARTPOLE_VOCAB,
  cp.CARTPOLE_MAX_STEPS,
  4,
  kd.KEYDOOR_OBS,
  kd.KEYDOOR_ACTIONS,
  kd.KEYDOOR_TOKENS,
  kd.KEYDOOR_VOCAB,
  kd.KEYDOOR_MAX_STEPS,
  kd.KEYDOOR_STATE,
  fl.FROZENLAKE_OBS,
  fl.FROZENLAKE_ACTIONS,
  fl.FROZENLAKE_TOKENS,
  fl.FROZENLAKE_VOCAB,
  fl.FROZENLAKE_MAX_STEPS,
  1,
  ab.ACROBOT_OBS,
  ab.ACROBOT_ACTIONS,
  ab.ACROBOT_TOKENS,
  ab.ACROBOT_TOKENS * cl.CLASSIC_BINS,
  ab.ACROBOT_MAX_STEPS,
  4,
  mc.MOUNTAINCAR_OBS,
  mc.MOUNTAINCAR_ACTIONS,
  mc.MOUNTAINCAR_TOKENS,
  mc.MOUNTAINCAR_TOKENS * cl.CLASSIC_BINS,
  mc.MOUNTAINCAR_MAX_STEPS,
  2,
  tr.TEXTROOM_OBS,
  tr.TEXTROOM_ACTIONS,
  tr.TEXTROOM_TOKENS,
  tr.TEXTROOM_VOCAB,
  tr.TEXTROOM_MAX_STEPS,
  tr.TEXTROOM_STATE,
];
// Every env but cartpole through its one entry (kd.keyDoor, fl.frozenLake, tr.textRoom, cl.classic; op codes in
// assembly/envs/ops.ts): called, not inlined, so wasm3 compiles an env's code only when it runs.

export function envValid(id: i32): bool {
  return id >= 0 && id < ENV_COUNT;
}
/** Size `what` (SIZE_*) of env id, or -1 for an unknown id or kind. */
export function envSize(id: i32, what: i32): i32 {
  return envValid(id) && what >= 0 && what < SIZE_KINDS ? unchecked(SIZES[id * SIZE_KINDS + what]) : -1;
}
export function envObsSize(id: i32): i32 {
  return envSize(id, SIZE_OBS);
}
export function envActions(id: i32): i32 {
  return envSize(id, SIZE_ACTIONS);
}
export function envTokenCount(id: i32): i32 {
  return envSize(id, SIZE_TOKENS);
}
export function envVocab(id: i32): i32 {
  return envSize(id, SIZE_VOCAB);
}
export function envMaxSteps(id: i32): i32 {
  return envSize(id, SIZE_MAX_STEPS);
}
export function envStateSize(id: i32): i32 {
  return envSize(id, SIZE_STATE);
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
  else if (id == ENV_KEYDOOR) kd.keyDoor(OP_RESET, 0, 0, 0);
  else if (id == ENV_FROZENLAKE) fl.frozenLake(OP_RESET, 0, 0, 0);
  else if (id == ENV_TEXTROOM) tr.textRoom(OP_RESET, 0, 0, 0);
  else cl.classic(OP_RESET, id == ENV_ACROBOT, 0, 0, 0);
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
    terminated = kd.keyDoor(OP_STEP, action, 0, 0);
    reward = kd.keyDoorReward();
  } else if (current == ENV_FROZENLAKE) {
    terminated = fl.frozenLake(OP_STEP, action, 0, 0);
    reward = fl.frozenLakeReward();
  } else if (current == ENV_TEXTROOM) {
    terminated = tr.textRoom(OP_STEP, action, 0, 0);
    reward = tr.textRoomReward();
  } else {
    terminated = cl.classic(OP_STEP, current == ENV_ACROBOT, action, 0, 0);
    reward = cl.classicReward;
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
  else if (current == ENV_KEYDOOR) kd.keyDoor(OP_OBS, 0, out, 0);
  else if (current == ENV_FROZENLAKE) fl.frozenLake(OP_OBS, 0, out, 0);
  else if (current == ENV_TEXTROOM) tr.textRoom(OP_OBS, 0, out, 0);
  else if (current >= ENV_ACROBOT) cl.classic(OP_OBS, current == ENV_ACROBOT, 0, out, 0);
  else return 0;
  return envObsSize(current);
}

/** Tokens i32[envTokenCount(id)] at out from an observation f32[envObsSize(id)] at obs; returns the count (textroom:
 *  the sentence's words, 1..15; the others always envTokenCount). */
export function envTokenize(id: i32, obs: usize, out: usize): i32 {
  if (id == ENV_CARTPOLE)
    binTokens(obs, out, cp.CARTPOLE_TOKENS, cp.CARTPOLE_BIN_LO, cp.CARTPOLE_BIN_WIDTH, 0, cp.CARTPOLE_BINS);
  else if (id == ENV_KEYDOOR) kd.keyDoor(OP_TOKENS, 0, obs, out);
  else if (id == ENV_FROZENLAKE) fl.frozenLake(OP_TOKENS, 0, obs, out);
  else if (id == ENV_TEXTROOM) return tr.textRoom(OP_TOKENS, 0, obs, out);
  else if (envValid(id)) cl.classic(OP_TOKENS, id == ENV_ACROBOT, 0, obs, out);
  else return 0;
  return envTokenCount(id);
}

/** Internal state f64[envStateSize] at out (cartpole: x, x_dot, theta, theta_dot); returns the count. */
export function envState(out: usize): i32 {
  if (current == ENV_CARTPOLE) cp.cartpoleState(out);
  else if (current == ENV_KEYDOOR) kd.keyDoor(OP_STATE, 0, out, 0);
  else if (current == ENV_FROZENLAKE) fl.frozenLake(OP_STATE, 0, out, 0);
  else if (current == ENV_TEXTROOM) tr.textRoom(OP_STATE, 0, out, 0);
  else if (current >= ENV_ACROBOT) cl.classic(OP_STATE, current == ENV_ACROBOT, 0, out, 0);
  else return 0;
  return envStateSize(current);
}

/** Replaces the state from f64[n] at src (all but keydoor and textroom, n = envStateSize); 0 ok, -1 wrong
 *  count/value/env. */
export function envSetState(src: usize, n: i32): i32 {
  if (current < 0 || current == ENV_KEYDOOR || current == ENV_TEXTROOM || n != envStateSize(current)) return -1;
  if (current == ENV_CARTPOLE) cp.cartpoleSetState(src);
  else if (current == ENV_FROZENLAKE) return fl.frozenLake(OP_SET_STATE, 0, src, 0);
  else cl.classic(OP_SET_STATE, current == ENV_ACROBOT, 0, src, 0);
  return 0;
}

/** The text of an observation given as tokens i32[envTokenCount(id)] (keydoor's sentence; other envs have no text:
 *  0). Tokens are the env's own (keydoor's OP_TOKENS), so the text is the one envText gave for that observation. */
export function envTextOfTokens(id: i32, tokens: usize, out: usize, cap: i32): i32 {
  if (id != ENV_KEYDOOR) return 0;
  return kd.keyDoorTextOf(
    load<i32>(tokens),
    load<i32>(tokens, 4),
    load<i32>(tokens, 8),
    load<i32>(tokens, 12),
    out,
    cap,
  );
}

/** The observation as text (keydoor's sentence; other envs write nothing); returns bytes written. */
export function envText(out: usize, cap: i32): i32 {
  return current == ENV_KEYDOOR ? kd.keyDoorText(out, cap) : 0;
}
