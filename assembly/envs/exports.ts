// The env_* exports: hosts run the environments alone (transcripts for backbone pretraining, replays, tests).
// Pointers come from the host, so each is checked against linear memory before use (docs/abi.md "Environments").
import { rngSeed } from "../rng";
import { io_base } from "../io";
import * as env from "./env";
import { inMemory } from "../memory";

/** True when [ptr, ptr + bytes) lies inside linear memory. */
/** Size `what` of env id: 0 observation values, 1 actions, 2 tokens, 3 vocabulary, 4 step limit, 5 state values;
 *  -1 for an unknown id or kind (one export for the six: each export costs wasm3 heap on the boards). */
export function env_size(id: i32, what: i32): i32 {
  return env.envSize(id, what);
}

/** Seeds the module PRNG with seed and starts an episode of env id; 0 ok, -1 unknown env. */
export function env_reset(id: i32, seed: i32): i32 {
  if (!env.envValid(id)) return -1;
  rngSeed(<u32>seed);
  env.envReset(id, 0);
  return 0;
}

/** One step: bit 0 terminated, bit 1 truncated; -1 bad action, -2 no running episode. Reward f64 at arena 0. */
export function env_step(action: i32): i32 {
  const flags = env.envStep(action);
  if (flags >= 0) store<f64>(<usize>io_base(), env.envReward());
  return flags;
}

/** Observation f32[obs_size] at out; returns the count, -1 bad pointer. */
export function env_obs(out: i32): i32 {
  if (!inMemory(out, env.MAX_OBS * 4)) return -1;
  return env.envObs(<usize>out);
}

/** Tokens of the current observation, i32[num_tokens] at out; returns the count, -1 bad pointer. */
export function env_tokens(out: i32): i32 {
  if (!inMemory(out, env.MAX_TOKENS * 4)) return -1;
  const obs = env.obsScratch; // f32[MAX_OBS]
  if (env.envObs(obs) == 0) return 0;
  return env.envTokenize(env.envCurrent(), obs, <usize>out);
}

/** Tokens of any observation f32[obs_size] at obs for env id, written at out; count, -1 bad id or pointer. */
export function env_tokenize(id: i32, obs: i32, out: i32): i32 {
  if (!env.envValid(id) || !inMemory(obs, env.envObsSize(id) * 4) || !inMemory(out, env.envTokenCount(id) * 4))
    return -1;
  return env.envTokenize(id, <usize>obs, <usize>out);
}

/**
 * The internal state, f64[state_size]: n = 0 writes it at p and returns the count; n > 0 replaces it from f64[n] at
 * p (n = state size; not keydoor) and returns 0, or -1 refused. -1 for a bad pointer. (One export for both.)
 */
export function env_state(p: i32, n: i32): i32 {
  if (n == 0) return inMemory(p, env.MAX_STATE * 8) ? env.envState(<usize>p) : -1;
  if (n < 0 || n > env.MAX_STATE || !inMemory(p, n * 8)) return -1;
  return env.envSetState(<usize>p, n);
}

/** The observation as ASCII text at out (at most cap bytes; keydoor only); returns bytes, -1 bad pointer. */
export function env_text(out: i32, cap: i32): i32 {
  if (!inMemory(out, cap)) return -1;
  return env.envText(<usize>out, cap);
}

/** The text of an observation given as its tokens i32[env_tokens count] at tokens (keydoor only; what a language
 *  model backbone reads); returns bytes, -1 bad pointer or env. */
export function env_text_of(id: i32, tokens: i32, out: i32, cap: i32): i32 {
  if (!env.envValid(id) || !inMemory(tokens, env.envTokenCount(id) * 4) || !inMemory(out, cap)) return -1;
  return env.envTextOfTokens(id, <usize>tokens, <usize>out, cap);
}
