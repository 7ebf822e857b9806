// The agent_* exports (docs/abi.md "Agent exports"): load an agent blob (agent.config, agent.hparams,
// head.params, and the backbone's tensors), run episodes, train the head on-device, act, expose the head.
import { log } from "./host";
import { io_base, io_size } from "./io";
import { rngSeed, rngUniform } from "./rng";
import * as env from "./envs/env";
import * as head from "./rl/head";
import * as hp from "./rl/hparams";
import { episodeBegin, episodeEnd, reinforceInit, reinforceNewFloats, stepLearn } from "./rl/reinforce";
import { featuresInit, featuresOf } from "./rl/features";
import { blobFind, blobGet, foundNumel, foundOffset, foundPacking } from "./rl/blob-index";

/** agent.config: i32[CONFIG_LEN] = [version 1, env id, backbone (0 none, 1 blob), features, hidden, actions, tokens, 0]. */
const CONFIG_LEN: i32 = 8;
const PACK_F32: i32 = 0;
const PACK_I32: i32 = 1;
const MAX_HIDDEN: i32 = 256;

const config = memory.data(CONFIG_LEN * 4, 16); // i32[8]
const hparams = memory.data(hp.HPARAMS_LEN * 4, 16); // f32[HPARAMS_LEN]
const obsBuf = memory.data(env.MAX_OBS * 4, 16); // f32[MAX_OBS]
const tokBuf = memory.data(env.MAX_TOKENS * 4, 16); // i32[MAX_TOKENS]
let feat: usize = 0; // f32[featureSize]
let featCap: i32 = 0;
let loaded = false;
let envId: i32 = -1;
let tokens: i32 = 0;
let episodeReturn: f64 = 0;
let episodeFlags: i32 = 0;

function fail(message: string): i32 {
  const utf8 = String.UTF8.encode(message); // errors only: the stub heap keeps it, once per failed load
  log(changetype<usize>(utf8), <u32>utf8.byteLength);
  loaded = false;
  return -1;
}

/** Reads the loaded blob: config, backbone (if any), hyper-parameters, head. 0 ok, -1 error (logged). */
export function agent_load(): i32 {
  loaded = false;
  if (!blobFind("agent.config") || foundPacking != PACK_I32 || foundNumel != CONFIG_LEN || !blobGet(foundOffset, config, CONFIG_LEN * 4)) {
    return fail("agent_load: no i32[8] tensor 'agent.config' in the blob");
  }
  const version = load<i32>(config, 0), id = load<i32>(config, 4), backbone = load<i32>(config, 8);
  const f = load<i32>(config, 12), h = load<i32>(config, 16), a = load<i32>(config, 20), t = load<i32>(config, 24);
  if (version != 1) return fail("agent_load: agent.config version is not 1");
  if (!env.envValid(id)) return fail("agent_load: agent.config names an unknown env id");
  if (a != env.envActions(id) || t != env.envTokenCount(id)) return fail("agent_load: agent.config actions/tokens do not match the env");
  if (h < 0 || h > MAX_HIDDEN) return fail("agent_load: agent.config hidden must be 0..256");
  if (backbone != 0 && backbone != 1) return fail("agent_load: agent.config backbone must be 0 (none) or 1 (blob)");
  const fs = featuresInit(backbone, t, env.envVocab(id));
  if (fs == -1) return fail("agent_load: the backbone could not be loaded from the blob (see the message before)");
  if (fs < 0) return fail("agent_load: the backbone's vocabulary or context is too small for the env");
  if (fs != f) return fail("agent_load: agent.config feature size differs from the backbone's");
  if (!blobFind("agent.hparams") || foundPacking != PACK_F32 || foundNumel != hp.HPARAMS_LEN || !blobGet(foundOffset, hparams, hp.HPARAMS_LEN * 4)) {
    return fail("agent_load: no f32[10] tensor 'agent.hparams' in the blob");
  }
  if (!hp.hparamsLoad(hparams)) return fail("agent_load: agent.hparams has a value out of range");
  const need = head.headNewFloats(f, h, a) + reinforceNewFloats(head.headParamCount(f, h, a), a, h) + (f > featCap ? f : 0);
  if (need > 0 && !head.headFits(need, 10)) return fail("agent_load: the head does not fit in linear memory (fewer hidden units or features)");
  head.headInit(f, h, a);
  if (!blobFind("head.params") || foundPacking != PACK_F32 || foundNumel != head.headParams || !blobGet(foundOffset, head.params, <u32>head.headParams * 4)) {
    return fail("agent_load: no f32 tensor 'head.params' of the size agent.config implies");
  }
  reinforceInit();
  if (f > featCap) {
    feat = head.allocF32(f);
    featCap = f;
  }
  envId = id;
  tokens = t;
  loaded = true;
  return 0;
}

/** Features of the current observation into feat, then the head's forward pass. */
function observe(): void {
  env.envObs(obsBuf);
  env.envTokenize(envId, obsBuf, tokBuf);
  featuresOf(tokBuf, tokens, feat);
  head.headForward(feat);
}

/** One episode with the current head (PRNG already seeded); returns steps, sets episodeReturn/Flags. */
function runEpisode(maxSteps: i32, greedy: bool, learn: bool): i32 {
  env.envReset(envId, maxSteps);
  if (learn) episodeBegin();
  episodeReturn = 0;
  let flags = 0;
  while (flags == 0) {
    observe();
    const a = greedy ? head.headArgmax() : head.headSample(rngUniform());
    flags = env.envStep(a);
    const r = env.envReward();
    episodeReturn += r;
    if (learn) stepLearn(feat, a, r);
  }
  if (learn) episodeEnd();
  episodeFlags = flags;
  return env.envSteps();
}

/** One episode (seeded; sampled or greedy). Arena: f64 return at 0, i32 terminated at 8, i32 truncated at 12. */
export function agent_episode(seed: i32, max_steps: i32, greedy: i32): i32 {
  if (!loaded) return -1;
  rngSeed(<u32>seed);
  const steps = runEpisode(max_steps, greedy != 0, false);
  const io = <usize>io_base();
  store<f64>(io, episodeReturn, 0);
  store<i32>(io, episodeFlags & env.FLAG_TERMINATED ? 1 : 0, 8);
  store<i32>(io, episodeFlags & env.FLAG_TRUNCATED ? 1 : 0, 12);
  return steps;
}

/** Trains for `episodes` episodes from seed; f32 return of episode i at arena 4 i. Returns episodes, < 0 error. */
export function agent_train(seed: i32, episodes: i32): i32 {
  if (!loaded) return -1;
  if (episodes < 0 || episodes > io_size() / 4) return -2;
  rngSeed(<u32>seed);
  const io = <usize>io_base();
  for (let i = 0; i < episodes; i++) {
    runEpisode(0, false, true);
    store<f32>(io + (<usize>i << 2), <f32>episodeReturn);
  }
  return episodes;
}

/** Greedy action for the observation f32[obs size] at obs; < 0 when not loaded or obs is outside memory. */
export function agent_act(obs: i32): i32 {
  if (!loaded) return -1;
  const n = env.envObsSize(envId);
  if (obs < 0 || <u64>obs + <u64>(n * 4) > (<u64>memory.size() << 16)) return -2;
  env.envTokenize(envId, <usize>obs, tokBuf);
  featuresOf(tokBuf, tokens, feat);
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
