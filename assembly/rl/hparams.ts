// The training hyper-parameters, in one place: the agent blob's `agent.hparams` tensor (f32[HPARAMS_LEN], this
// order) sets them; tools/lib/agent.ts (TrainConfig) writes it with a one-line doc per field.

export const HPARAMS_LEN: i32 = 10;

/** Discount for the REINFORCE returns. */
export let hpGamma: f32 = 0.99;
/** Adam step size. */
export let hpLr: f32 = 0.01;
/** Entropy bonus coefficient (0 = none). */
export let hpEntropy: f32 = 0.0;
/** Weight of the value (baseline) loss against the policy loss. */
export let hpValueCoef: f32 = 0.5;
/** Rewards are multiplied by this before returns are formed (keeps the baseline's targets near 1). */
export let hpRewardScale: f32 = 0.01;
/** Adam's first- and second-moment decay and epsilon. */
export let hpBeta1: f32 = 0.9;
export let hpBeta2: f32 = 0.999;
export let hpEps: f32 = 1e-8;
/** Episodes whose gradients are averaged into one update. */
export let hpBatch: i32 = 1;
/** The step size is multiplied by this after every update (1 = constant): lr_t = lr * decay^t. */
export let hpLrDecay: f32 = 1.0;

/** Loads f32[HPARAMS_LEN] at src; false when a value is out of its range (then nothing changes). */
export function hparamsLoad(src: usize): bool {
  const gamma = load<f32>(src, 0), lr = load<f32>(src, 4), ent = load<f32>(src, 8), vc = load<f32>(src, 12);
  const rs = load<f32>(src, 16), b1 = load<f32>(src, 20), b2 = load<f32>(src, 24), eps = load<f32>(src, 28);
  const batch = load<f32>(src, 32), decay = load<f32>(src, 36);
  // every test is written so that NaN fails it
  if (!(gamma >= 0 && gamma <= 1 && lr > 0 && lr < 10 && ent >= 0 && ent < 10 && vc >= 0 && vc < 100)) return false;
  if (!(rs > 0 && rs < 1e6 && b1 >= 0 && b1 < 1 && b2 >= 0 && b2 < 1 && eps > 0 && eps < 1)) return false;
  if (!(batch >= 1 && batch <= 1024 && batch == Mathf.floor(batch) && decay > 0 && decay <= 1)) return false;
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
