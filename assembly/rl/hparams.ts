// The training hyper-parameters, in one place: the agent blob's `agent.hparams` tensor (f32[HPARAMS_LEN], this
// order; an older f32[HPARAMS_V1_LEN] tensor means REINFORCE with the first ten) sets them; tools/lib/agent.ts
// (TrainConfig) writes it with a one-line doc per field.

export const HPARAMS_LEN: i32 = 19;
export const HPARAMS_V1_LEN: i32 = 10;
export const ALGO_REINFORCE: i32 = 0;
export const ALGO_PPO: i32 = 1;
/** The largest rollout (steps) PPO keeps, whatever memory is free. */
export const MAX_ROLLOUT: i32 = 1024;

/** Discount for the returns. */
export let hpGamma: f32 = 0.99;
/** Adam step size (PPO: at the start of the schedule). */
export let hpLr: f32 = 0.01;
/** Entropy bonus coefficient (0 = none). */
export let hpEntropy: f32 = 0.0;
/** Weight of the value (baseline) loss against the policy loss. */
export let hpValueCoef: f32 = 0.5;
/** Rewards are multiplied by this before returns are formed (keeps the value's targets near 1). */
export let hpRewardScale: f32 = 0.01;
/** Adam's first- and second-moment decay and epsilon. */
export let hpBeta1: f32 = 0.9;
export let hpBeta2: f32 = 0.999;
export let hpEps: f32 = 1e-8;
/** REINFORCE: episodes whose gradients are averaged into one update. */
export let hpBatch: i32 = 1;
/** REINFORCE: the step size is multiplied by this after every update (1 = constant): lr_t = lr * decay^t. */
export let hpLrDecay: f32 = 1.0;
/** 0 REINFORCE with a baseline, 1 PPO-clip with GAE. */
export let hpAlgo: i32 = ALGO_REINFORCE;
/** PPO: steps per rollout (0 = the most that fits in free linear memory, up to MAX_ROLLOUT). */
export let hpRollout: i32 = 0;
/** PPO: passes over each rollout. */
export let hpEpochs: i32 = 4;
/** PPO: minibatches per pass (the rollout is shuffled and split into this many nearly equal parts). */
export let hpMinibatches: i32 = 4;
/** PPO: GAE lambda. */
export let hpLambda: f32 = 0.95;
/** PPO: the ratio pi/pi_old is clipped to [1 - clip, 1 + clip]. */
export let hpClip: f32 = 0.2;
/** PPO: the minibatch gradient is scaled down to this global norm when larger (0 = no clipping). */
export let hpMaxGradNorm: f32 = 0.5;
/** PPO: the step size falls linearly from lr to lr * lrEnd over hpHorizon training steps, then stays. */
export let hpLrEnd: f32 = 0.0;
/** PPO: training steps the schedule spans (0 = constant lr). */
export let hpHorizon: f32 = 0;

function whole(x: f32, lo: f32, hi: f32): bool {
  return x >= lo && x <= hi && x == Mathf.floor(x);
}

/** Loads f32[n] at src (n HPARAMS_LEN or HPARAMS_V1_LEN); false when a value is out of its range (then nothing changes). */
export function hparamsLoad(src: usize, n: i32): bool {
  const gamma = load<f32>(src, 0),
    lr = load<f32>(src, 4),
    ent = load<f32>(src, 8),
    vc = load<f32>(src, 12);
  const rs = load<f32>(src, 16),
    b1 = load<f32>(src, 20),
    b2 = load<f32>(src, 24),
    eps = load<f32>(src, 28);
  const batch = load<f32>(src, 32),
    decay = load<f32>(src, 36);
  // every test is written so that NaN fails it
  if (!(gamma >= 0 && gamma <= 1 && lr > 0 && lr < 10 && ent >= 0 && ent < 10 && vc >= 0 && vc < 100)) return false;
  if (!(rs > 0 && rs < 1e6 && b1 >= 0 && b1 < 1 && b2 >= 0 && b2 < 1 && eps > 0 && eps < 1)) return false;
  if (!(whole(batch, 1, 1024) && decay > 0 && decay <= 1)) return false;
  if (n != HPARAMS_LEN && n != HPARAMS_V1_LEN) return false;
  if (n == HPARAMS_LEN) {
    if (!loadPpoFields(src)) return false;
  } else hpAlgo = ALGO_REINFORCE;
  hpGamma = gamma;
  hpLr = lr;
  hpEntropy = ent;
  hpValueCoef = vc;
  hpRewardScale = rs;
  hpBeta1 = b1;
  hpBeta2 = b2;
  hpEps = eps;
  hpBatch = <i32>batch;
  hpLrDecay = decay;
  return true;
}

/** The algorithm and PPO fields at src + 40, called through a table slot so that it stays a function of its
 *  own: loading an older agent never compiles it in wasm3 (agent.ts featurize says why that matters). */
let loadPpoFields: (src: usize) => bool = ppoFieldsLoad;
function ppoFieldsLoad(src: usize): bool {
  const algo = load<f32>(src, 40),
    rollout = load<f32>(src, 44),
    epochs = load<f32>(src, 48),
    mbs = load<f32>(src, 52);
  const lambda = load<f32>(src, 56),
    clip = load<f32>(src, 60),
    maxNorm = load<f32>(src, 64),
    lrEnd = load<f32>(src, 68);
  const horizon = load<f32>(src, 72);
  if (!(whole(algo, 0, 1) && whole(rollout, 0, <f32>MAX_ROLLOUT) && whole(epochs, 1, 100) && whole(mbs, 1, 1024)))
    return false;
  if (!(lambda >= 0 && lambda <= 1 && clip > 0 && clip < 10 && maxNorm >= 0 && maxNorm < 1e6)) return false;
  if (!(lrEnd >= 0 && lrEnd <= 1 && whole(horizon, 0, 1e9))) return false;
  if (algo == 1 && rollout != 0 && mbs > rollout) return false;
  hpAlgo = <i32>algo;
  hpRollout = <i32>rollout;
  hpEpochs = <i32>epochs;
  hpMinibatches = <i32>mbs;
  hpLambda = lambda;
  hpClip = clip;
  hpMaxGradNorm = maxNorm;
  hpLrEnd = lrEnd;
  hpHorizon = horizon;
  return true;
}
