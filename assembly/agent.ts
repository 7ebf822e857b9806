// The agent_* exports (docs/abi.md "Agent exports"): load an agent blob (agent.config, agent.hparams,
// head.params, and the backbone's tensors), run episodes, train the head on-device (REINFORCE or PPO, chosen by
// agent.hparams), act, expose the head.
import { log } from "./host";
import { io_base, io_size } from "./io";
import { rngSeed, rngUniform } from "./rng";
import * as env from "./envs/env";
import * as head from "./rl/head";
import * as hp from "./rl/hparams";
import { episodeBegin, episodeEnd, reinforceInit, reinforceNewFloats, stepLearn } from "./rl/reinforce";
import { ppoInit, ppoNewFloats, ppoUpdate, updates } from "./rl/ppo";
import * as ro from "./rl/rollout";
import { featuresCenter, featuresInit, featuresOf } from "./rl/features";
import { entryNumel, entryPacking, entryRead, PACK_F32, PACK_I32, tableLookup } from "./model/blobtable";

/** agent.config: i32[CONFIG_LEN] = [version 1, env id, backbone (0 none, 1 blob, 2 language model), features, hidden,
 *  actions, tokens, 0]. */
const CONFIG_LEN: i32 = 8;
const MAX_HIDDEN: i32 = 256;

const config = memory.data(CONFIG_LEN * 4, 16); // i32[8]
const hparams = memory.data(hp.HPARAMS_LEN * 4, 16); // f32[HPARAMS_LEN]
const obsBuf = env.obsScratch; // f32[MAX_OBS]
const tokBuf = memory.data(env.MAX_TOKENS * 4, 16); // i32[MAX_TOKENS]
let feat: usize = 0; // f32[featureSize]
let featCap: i32 = 0;
let center: usize = 0; // f32[featureSize] an LM agent's agent.center
let centerCap: i32 = 0;
let loaded = false;
let envId: i32 = -1;
let episodeReturn: f64 = 0;
let episodeFlags: i32 = 0;
let ppo = false; // the loaded agent trains by PPO (and sees its features through the rollout's int8 round trip)
let budget: i64 = -1; // training steps agent_train may still take (-1 = no limit; agent_set_budget)
let trainSteps: i64 = 0; // training steps taken since agent_load
let trainReady = false; // the training state is set up for the loaded agent (trainSetup)

/** Logs an error line (errors only: the stub heap keeps its bytes, once per failure). */
function logError(message: string): void {
  const utf8 = String.UTF8.encode(message);
  log(changetype<usize>(utf8), <u32>utf8.byteLength);
}

function fail(message: string): i32 {
  logError(message);
  loaded = false;
  return -1;
}

/** Reads the loaded blob: config, backbone (if any), hyper-parameters, head. 0 ok, -1 error (logged). */
export function agent_load(): i32 {
  loaded = false;
  if (
    !tableLookup("agent.config") ||
    entryPacking() != PACK_I32 ||
    entryNumel() != CONFIG_LEN ||
    !entryRead(config, CONFIG_LEN * 4)
  ) {
    return fail("agent_load: no i32[8] tensor 'agent.config' in the blob");
  }
  const version = load<i32>(config, 0),
    id = load<i32>(config, 4),
    backbone = load<i32>(config, 8);
  const f = load<i32>(config, 12),
    h = load<i32>(config, 16),
    a = load<i32>(config, 20),
    t = load<i32>(config, 24);
  if (version != 1) return fail("agent_load: agent.config version is not 1");
  if (!env.envValid(id)) return fail("agent_load: agent.config names an unknown env id");
  if (a != env.envActions(id) || t != env.envTokenCount(id))
    return fail("agent_load: agent.config actions/tokens do not match the env");
  if (h < 0 || h > MAX_HIDDEN) return fail("agent_load: agent.config hidden must be 0..256");
  if (backbone < 0 || backbone > 2) return fail("agent_load: agent.config backbone must be 0..2");
  const fs = featuresInit(backbone, id, t, env.envVocab(id));
  if (fs == -1) return fail("agent_load: the backbone did not load (see the message before)");
  if (fs == -3) return fail("agent_load: this env has no text for a language model");
  if (fs < 0) return fail("agent_load: the backbone's vocabulary or context is too small for the env");
  if (fs != f) return fail("agent_load: agent.config feature size differs from the backbone's");
  if (
    !tableLookup("agent.hparams") ||
    entryPacking() != PACK_F32 ||
    (entryNumel() != hp.HPARAMS_LEN && entryNumel() != hp.HPARAMS_V1_LEN) ||
    !entryRead(hparams, <u32>entryNumel() * 4)
  ) {
    return fail("agent_load: no f32[19] (or older f32[10]) tensor 'agent.hparams'");
  }
  if (!hp.hparamsLoad(hparams, entryNumel())) return fail("agent_load: agent.hparams has a value out of range");
  ppo = hp.hpAlgo == hp.ALGO_PPO;
  // Loading allocates what playing needs (head, features, a PPO head's int8 round-trip buffer); the training state
  // (optimiser, rollout) waits for the first agent_train, so a board with room to play but not to learn still plays.
  const lm = backbone == 2 && tableLookup("agent.center"); // an LM agent's optional f32[F] centre
  if (lm && (entryPacking() != PACK_F32 || entryNumel() != f)) return fail("agent_load: bad agent.center");
  const need =
    head.headNewFloats(f, h, a) +
    (f > featCap ? f : 0) +
    (lm && f > centerCap ? f : 0) +
    (ppo ? ro.roundTripNewFloats(f) : 0);
  if (need > 0 && !head.headFits(need, 12))
    return fail("agent_load: the head does not fit in linear memory (fewer hidden units, features)");
  head.headInit(f, h, a);
  if (
    !tableLookup("head.params") ||
    entryPacking() != PACK_F32 ||
    entryNumel() != head.headParams ||
    !entryRead(head.params, <u32>head.headParams * 4)
  ) {
    return fail("agent_load: no f32 tensor 'head.params' of the size agent.config implies");
  }
  if (f > featCap) {
    feat = head.allocF32(f);
    featCap = f;
  }
  if (lm) {
    if (f > centerCap) {
      center = head.allocF32(f);
      centerCap = f;
    }
    if (!tableLookup("agent.center") || !entryRead(center, <u32>f * 4)) return fail("agent_load: bad agent.center");
    featuresCenter(center);
  }
  if (ppo) ro.roundTripInit(f);
  trainReady = false;
  budget = -1;
  trainSteps = 0;
  envId = id;
  loaded = true;
  return 0;
}

/**
 * Allocates (grow-only) and clears the loaded agent's training state, once per load: "" or why it cannot train,
 * which is also logged. Called by the first agent_train (and agent_rollout_steps), before any training step.
 */
function trainSetup(): string {
  if (trainReady) return "";
  const f = head.headF;
  const p = head.headParams;
  const opt = ppo ? ppoNewFloats(p, head.headA, head.headH, f) : reinforceNewFloats(p, head.headA, head.headH);
  let err = "";
  if (opt > 0 && !head.headFits(opt, 8)) err = "agent_train: no room for the optimiser state";
  else if (ppo) err = setupPpo(f, opt);
  else reinforceInit();
  if (err.length > 0) logError(err);
  else trainReady = true;
  return err;
}

/** PPO's state and rollout for F features after `opt` optimiser floats; "" or why it cannot train (own function: see playEpisode). */
function setupPpo(f: i32, opt: i32): string {
  if (
    hp.hpRollout > 0 &&
    !ro.rolloutAllocated(hp.hpRollout, f) &&
    ro.rolloutBytes(hp.hpRollout, f) + <u64>opt * 4 + 256 > head.freeBytes()
  ) {
    return "agent_train: the PPO rollout (agent.hparams) does not fit in free linear memory: fewer steps, or 0 for the most that fit";
  }
  const t = hp.hpRollout > 0 ? hp.hpRollout : autoRollout(f, opt);
  if (t < hp.hpMinibatches || t < 2)
    return "agent_train: too little free linear memory for a PPO rollout (2+ steps, one per minibatch)";
  ppoInit();
  ro.rolloutInit(t, f);
  return "";
}

/** The most rollout steps that fit in free memory for F features, after `opt` optimiser floats (0..MAX_ROLLOUT). */
function autoRollout(f: i32, opt: i32): i32 {
  const kept = ro.rolloutAllocatedSteps(f);
  if (kept > 0) return kept;
  const free = head.freeBytes();
  const fixed = ro.rolloutBytes(0, f) + <u64>opt * 4 + 256;
  if (free <= fixed) return 0;
  const t = (free - fixed) / <u64>ro.rolloutStepBytes(f);
  return t > <u64>hp.MAX_ROLLOUT ? hp.MAX_ROLLOUT : <i32>t;
}

/**
 * PPO agents see their features through the rollout's int8 round trip. Called through this table slot (set by
 * setupPpo) rather than directly, so the optimiser cannot inline it into featurize: wasm3 then compiles it only
 * for PPO agents, and the heap that REINFORCE agents play and train in on a 256 KiB board stays as it was.
 */
let roundTrip: (feat: usize, f: i32) => void = ro.featureRoundTrip;

/** Features of the token buffer's first n tokens into feat (PPO agents: through the int8 round trip the rollout
 *  stores). n is envTokenize's count: textroom's sentences vary in length. */
function featurize(n: i32): void {
  featuresOf(tokBuf, n, feat);
  if (ppo) roundTrip(feat, head.headF);
}

/** Features of the current observation into feat, then the head's forward pass. */
function observe(): void {
  env.envObs(obsBuf);
  featurize(env.envTokenize(envId, obsBuf, tokBuf));
  head.headForward(feat);
}

/**
 * One episode without learning (PRNG already seeded); returns steps, sets episodeReturn/Flags. Kept apart from
 * trainEpisode so that greedy play compiles none of the learning code: wasm3 compiles each function on its first
 * call, and its fixed heap on a 256 KiB board has little room left beside the backbone (docs/agents.md).
 */
function playEpisode(maxSteps: i32, greedy: bool): i32 {
  env.envReset(envId, maxSteps);
  episodeReturn = 0;
  let flags = 0;
  while (flags == 0) {
    observe();
    flags = env.envStep(greedy ? head.headArgmax() : head.headSample(rngUniform()));
    episodeReturn += env.envReward();
  }
  episodeFlags = flags;
  return env.envSteps();
}

/** One REINFORCE training episode (PRNG already seeded); returns steps, sets episodeReturn/Flags. Apart from
 *  the PPO one so that wasm3 compiles only the algorithm in use (see playEpisode). */
function trainEpisodeReinforce(maxSteps: i32): i32 {
  env.envReset(envId, maxSteps);
  episodeBegin();
  episodeReturn = 0;
  let flags = 0;
  while (flags == 0) {
    observe();
    const a = head.headSample(rngUniform());
    flags = env.envStep(a);
    const r = env.envReward();
    episodeReturn += r;
    trainSteps++;
    stepLearnLater(feat, a, r);
  }
  episodeEnd();
  episodeFlags = flags;
  return env.envSteps();
}

// Both through table slots, so that binaryen inlines neither: stepLearn's locals would sit in the episode loop's
// frame, under the backbone's call chain (it then wrote 2,080 B of wasm3's 4 KiB value stack, past the half
// test/board/wasm3-memory.test.ts keeps free), and the REINFORCE loop's in agent_train's, under PPO's chain.
let stepLearnLater: (feat: usize, a: i32, r: f64) => void = stepLearn;
let trainEpisodeReinforceLater: (maxSteps: i32) => i32 = trainEpisodeReinforce;

/** One PPO training episode (PRNG already seeded): steps go to the rollout, a full rollout is an update. */
function trainEpisodePpo(maxSteps: i32): i32 {
  env.envReset(envId, maxSteps);
  episodeReturn = 0;
  let flags = 0;
  while (flags == 0) {
    observe();
    if (ro.rolloutLen == ro.rolloutCap) {
      // a full rollout: update, bootstrapping from this state's value under the policy that collected it
      ppoUpdate(head.headValue, trainSteps);
      head.headForward(feat);
    }
    const a = head.headSample(rngUniform());
    const value = head.headValue;
    const logp = head.logProb(a);
    flags = env.envStep(a);
    const r = env.envReward();
    episodeReturn += r;
    trainSteps++;
    ro.rolloutPush(a, logp, value, <f32>(r * <f64>hp.hpRewardScale));
  }
  // cut short (time limit or budget): bootstrap from the value of the state the episode stopped in
  let boot: f32 = 0;
  if (!(flags & env.FLAG_TERMINATED)) {
    observe();
    boot = head.headValue;
  }
  ro.rolloutEnd(boot);
  episodeFlags = flags;
  return env.envSteps();
}

/** One episode (seeded; sampled or greedy). Arena: f64 return at 0, i32 terminated at 8, i32 truncated at 12. */
export function agent_episode(seed: i32, max_steps: i32, greedy: i32): i32 {
  if (!loaded) return -1;
  rngSeed(<u32>seed);
  const steps = playEpisode(max_steps, greedy != 0);
  const io = <usize>io_base();
  store<f64>(io, episodeReturn, 0);
  store<i32>(io, episodeFlags & env.FLAG_TERMINATED ? 1 : 0, 8);
  store<i32>(io, episodeFlags & env.FLAG_TRUNCATED ? 1 : 0, 12);
  return steps;
}

/**
 * Trains for up to `episodes` episodes from seed; f32 return of episode i at arena 4 i, its i32 steps at
 * 4 (episodes + i) (episodes <= arena / 8). Stops early when the
 * step budget (agent_set_budget) runs out: the last episode is then cut there like a time limit. Returns the
 * episodes run; -1 not loaded, -2 bad count, -3 the training state does not fit (logged; nothing trained).
 */
export function agent_train(seed: i32, episodes: i32): i32 {
  if (!loaded) return -1;
  if (episodes < 0 || episodes > io_size() / 8) return -2;
  if (trainSetup().length > 0) return -3;
  rngSeed(<u32>seed);
  const io = <usize>io_base();
  for (let i = 0; i < episodes; i++) {
    if (budget == 0) return i;
    const limit = budget > 0 && budget < <i64>env.envMaxSteps(envId) ? <i32>budget : 0;
    const steps = ppo ? trainEpisodePpo(limit) : trainEpisodeReinforceLater(limit);
    if (budget > 0) budget -= <i64>steps;
    store<f32>(io + ((<usize>i) << 2), <f32>episodeReturn);
    store<i32>(io + ((<usize>(episodes + i)) << 2), steps);
  }
  return episodes;
}

/** Limits the training steps later agent_train calls may take, in total (< 0: no limit). Returns 0, -1 before a load. */
export function agent_set_budget(steps: i32): i32 {
  if (!loaded) return -1;
  budget = steps < 0 ? -1 : <i64>steps;
  return 0;
}

/** Training steps taken since agent_load (saturating at 2^31 - 1). */
export function agent_trained_steps(): i32 {
  return trainSteps > 0x7fffffff ? 0x7fffffff : <i32>trainSteps;
}

/** Sets the training-step count (the PPO step-size schedule's clock), e.g. when resuming from a checkpoint. */
export function agent_set_trained_steps(steps: i32): i32 {
  if (!loaded || steps < 0) return -1;
  trainSteps = <i64>steps;
  return 0;
}

/** PPO: steps per rollout of the loaded agent (0 for REINFORCE, -1 before a load); sets up the training state
 *  as agent_train would: -3 when it does not fit (logged). */
export function agent_rollout_steps(): i32 {
  if (!loaded) return -1;
  if (trainSetup().length > 0) return -3;
  return ppo ? ro.rolloutCap : 0;
}

/** PPO: updates applied since agent_load. */
export function agent_updates(): i32 {
  return ppo ? updates : 0;
}

/** Greedy action for the observation f32[obs size] at obs; < 0 when not loaded or obs is outside memory. */
export function agent_act(obs: i32): i32 {
  if (!loaded) return -1;
  const n = env.envObsSize(envId);
  if (obs < 0 || <u64>obs + <u64>(n * 4) > (<u64>memory.size()) << 16) return -2;
  featurize(env.envTokenize(envId, <usize>obs, tokBuf));
  head.headForward(feat);
  return head.headArgmax();
}

/** Address of the head's f32 parameter block (layout in assembly/rl/head.ts); 0 before a load. */
export function agent_head_ptr(): i32 {
  return loaded ? <i32>head.params : 0;
}

/** Bytes of the head's parameter block. */
export function agent_head_bytes(): i32 {
  return loaded ? head.headParams * 4 : 0;
}

/** The features the head reads for an observation f32[obs size] at obs, written to out f32[features] (what
 *  agent_act decides on; tests compare them with the reference). Returns the feature count; -1 not loaded, -2 a
 *  range outside memory. */
export function agent_features(obs: i32, out: i32): i32 {
  if (!loaded) return -1;
  const n = env.envObsSize(envId);
  const f = load<i32>(config, 12);
  const end = (<u64>memory.size()) << 16;
  if (obs < 0 || <u64>obs + <u64>(n * 4) > end || out < 0 || <u64>out + <u64>(f * 4) > end) return -2;
  featurize(env.envTokenize(envId, <usize>obs, tokBuf));
  memory.copy(<usize>out, feat, <usize>(f * 4));
  return f;
}
