// PPO-clip (Schulman et al. 2017) with GAE (Schulman et al. 2016) on the head, over a rollout of cached
// features (rollout.ts): after every T steps, advantages by GAE(lambda) bootstrapped from the value of the
// state after the rollout, normalised over the rollout; then hpEpochs passes, each over the shuffled rollout in
// hpMinibatches minibatches; per minibatch one Adam ascent step on
//   mean_i [ min(r_i A_i, clip(r_i, 1 - eps, 1 + eps) A_i) + beta H(pi(.|s_i)) - c_v/2 (V(s_i) - R_i)^2 ]
// with r_i = pi(a_i|s_i) / pi_old(a_i|s_i), its gradient scaled to a global norm <= hpMaxGradNorm, and the step
// size falling linearly from lr to lr * lrEnd over hpHorizon training steps.
import * as head from "./head";
import * as hp from "./hparams";
import * as ro from "./rollout";
import { adamAscend, adamInit, adamNewFloats, gradNorm } from "./adam";
import { rngBelow } from "../rng";

// Training state in static memory, not in module globals: wasm3 keeps a 32-byte record per global in its heap for
// the module's life on every board, whether the agent trains or not (docs/firmware.md).
// @ts-ignore: decorator
@unmanaged

class Ppo {
  acc: usize; // f32[P] minibatch gradient (ascent direction)
  grad: usize; // f32[P] one sample's
  dlog: usize; // f32[A] output gradient, then f32[H] hidden scratch
  dent: usize; // f32[A] entropy part of the output gradient
  capacity: i32;
  dlogCap: i32;
  feat: usize; // f32[F] a stored step's features
  featCap: i32;
}
const PP = changetype<Ppo>(memory.data(offsetof<Ppo>(), 8));
/** Updates applied since agent_load. */
export let updates: i32 = 0;

/** Floats ppoInit would newly allocate (besides the rollout buffer) for p params, a actions, h hidden, f features. */
export function ppoNewFloats(p: i32, a: i32, h: i32, f: i32): i32 {
  return (
    (p > PP.capacity ? 2 * p : 0) +
    (2 * a + h > PP.dlogCap ? 2 * a + h : 0) +
    (f > PP.featCap ? f : 0) +
    adamNewFloats(p)
  );
}

/** Allocates (grow-only) and clears the optimiser state for the head's current size; empties the rollout. */
export function ppoInit(): void {
  const p = head.headParams;
  if (p > PP.capacity) {
    PP.capacity = p;
    PP.acc = head.allocF32(2 * p); // acc then grad, one block
    PP.grad = PP.acc + ((<usize>p) << 2);
  }
  const d = 2 * head.headA + head.headH;
  if (d > PP.dlogCap) {
    PP.dlogCap = d;
    PP.dlog = head.allocF32(d);
  }
  PP.dent = PP.dlog + ((<usize>(head.headA + head.headH)) << 2);
  if (head.headF > PP.featCap) {
    PP.featCap = head.headF;
    PP.feat = head.allocF32(PP.featCap);
  }
  memory.fill(PP.acc, 0, (<usize>p) << 2);
  adamInit();
  ro.rolloutClear();
  updates = 0;
}

/** The step size after `trainedSteps` training steps: linear from lr to lr * lrEnd over hpHorizon steps. */
function stepSize(trainedSteps: i64): f32 {
  if (hp.hpHorizon <= 0) return hp.hpLr;
  const frac = min(<f32>1, <f32>(<f64>trainedSteps / <f64>hp.hpHorizon));
  return hp.hpLr * (<f32>1 - (<f32>1 - hp.hpLrEnd) * frac);
}

@inline function f32At(base: usize, i: i32): f32 {
  return load<f32>(base + ((<usize>i) << 2));
}
@inline function setF32(base: usize, i: i32, v: f32): void {
  store<f32>(base + ((<usize>i) << 2), v);
}

/** GAE over the rollout; vLast = V(state after the last step). Leaves advantages in rewards, targets in returns. */
function advantages(vLast: f32): void {
  const n = ro.rolloutLen;
  const gamma = hp.hpGamma,
    gl = hp.hpGamma * hp.hpLambda;
  let next: f32 = vLast;
  let gae: f32 = 0;
  for (let t = n - 1; t >= 0; t--) {
    const v = f32At(ro.values, t);
    if (load<u8>(ro.ends + <usize>t)) {
      next = f32At(ro.boots, t);
      gae = 0;
    }
    const delta = f32At(ro.rewards, t) + gamma * next - v;
    gae = delta + gl * gae;
    setF32(ro.rewards, t, gae);
    setF32(ro.returns, t, gae + v);
    next = v;
  }
  // normalise the advantages over the rollout (mean 0, std 1)
  let mean: f32 = 0;
  for (let t = 0; t < n; t++) mean += f32At(ro.rewards, t);
  mean /= <f32>n;
  let var_: f32 = 0;
  for (let t = 0; t < n; t++) {
    const d = f32At(ro.rewards, t) - mean;
    var_ += d * d;
  }
  const inv: f32 = <f32>1 / (Mathf.sqrt(var_ / <f32>n) + <f32>1e-8);
  for (let t = 0; t < n; t++) setF32(ro.rewards, t, (f32At(ro.rewards, t) - mean) * inv);
}

/** Adds one stored step's gradient (ascent direction of the objective above) into acc. */
function sampleGradient(t: i32): void {
  const a = head.headA;
  ro.rolloutFeatures(t, head.headF, PP.feat);
  head.headForward(PP.feat);
  const act = <i32>load<u8>(ro.actions + <usize>t);
  const adv = f32At(ro.rewards, t);
  const ratio = Mathf.exp(head.logProb(act) - f32At(ro.logps, t));
  // the clipped term's gradient is 0 where the clip binds on the side the advantage pushes towards
  const clipped = (adv > 0 && ratio > <f32>1 + hp.hpClip) || (adv < 0 && ratio < <f32>1 - hp.hpClip);
  const coef: f32 = clipped ? 0 : adv * ratio;
  head.gradLogPi(act, PP.dlog);
  if (hp.hpEntropy > 0) head.gradEntropy(hp.hpEntropy, PP.dent);
  const dlog = PP.dlog,
    dent = PP.dent; // read once, not once per action
  for (let b = 0; b < a; b++) setF32(dlog, b, coef * f32At(dlog, b) + (hp.hpEntropy > 0 ? f32At(dent, b) : <f32>0));
  const dval = hp.hpValueCoef * (f32At(ro.returns, t) - head.headValue);
  head.headBackward(PP.feat, PP.dlog, dval, PP.grad, PP.dlog + ((<usize>a) << 2));
  const acc = PP.acc,
    grad = PP.grad; // read once, not once per parameter
  for (let i = 0; i < head.headParams; i++) setF32(acc, i, f32At(acc, i) + f32At(grad, i));
}

/**
 * One PPO update on the rollout; vLast = V(state after it) under the policy that collected it, trainedSteps the
 * training steps taken so far (the step-size schedule's clock).
 */
export function ppoUpdate(vLast: f32, trainedSteps: i64): void {
  const n = ro.rolloutLen;
  if (n == 0) return;
  advantages(vLast);
  const lr = stepSize(trainedSteps);
  const mbs = min(hp.hpMinibatches, n);
  for (let t = 0; t < n; t++) store<u16>(ro.order + ((<usize>t) << 1), <u16>t);
  for (let e = 0; e < hp.hpEpochs; e++) {
    // Fisher-Yates from the module's PRNG
    for (let i = n - 1; i > 0; i--) {
      const j = <i32>rngBelow(<u32>(i + 1));
      const oi = ro.order + ((<usize>i) << 1),
        oj = ro.order + ((<usize>j) << 1);
      const x = load<u16>(oi);
      store<u16>(oi, load<u16>(oj));
      store<u16>(oj, x);
    }
    for (let m = 0; m < mbs; m++) {
      const lo = (m * n) / mbs,
        hi = ((m + 1) * n) / mbs;
      for (let k = lo; k < hi; k++) sampleGradient(<i32>load<u16>(ro.order + ((<usize>k) << 1)));
      let scale: f32 = <f32>1 / <f32>(hi - lo);
      if (hp.hpMaxGradNorm > 0) {
        const norm = gradNorm(PP.acc) * scale;
        if (norm > hp.hpMaxGradNorm) scale *= hp.hpMaxGradNorm / norm;
      }
      adamAscend(PP.acc, scale, lr);
    }
  }
  ro.rolloutClear();
  updates++;
}
