// REINFORCE with a learned baseline (Williams 1992), computed online so an episode needs no per-step storage:
// with the head fixed during an episode and u_t = grad(log pi(a_t|s_t) + c_v V(s_t)), the batch gradient
//   sum_t (G_t - V_t) u_t + beta grad H_t  =  sum_k r_k e_k - sum_t V_t u_t + beta sum_t grad H_t,
// where e_k = gamma e_{k-1} + u_k is an eligibility trace (G_t = sum_{k>=t} gamma^(k-t) r_k, scaled rewards).
// The same direction ascends the policy objective and descends the value loss 0.5 (G - V)^2. After hpBatch
// episodes, one Adam step with the mean (step size lr * decay^t). Truncated episodes end like terminated ones (no bootstrap).
import * as head from "./head";
import * as hp from "./hparams";

let trace: usize = 0; // f32[P] eligibility trace
let acc: usize = 0; // f32[P] gradient accumulated over the batch
let grad: usize = 0; // f32[P] u_t
let scratch: usize = 0; // f32[P] entropy term
let adamM: usize = 0; // f32[P]
let adamV: usize = 0; // f32[P]
let dlog: usize = 0; // f32[A + H + 1] output gradients and hidden scratch
let capacity: i32 = 0;
let dlogCap: i32 = 0;
let adamT: i32 = 0; // Adam steps taken
let beta1t: f32 = 1; // beta1^t
let beta2t: f32 = 1; // beta2^t
let lrNow: f32 = 0; // lr * decay^t
let batchCount: i32 = 0;

/** Floats reinforceInit would newly allocate for a head of p params, a actions, h hidden units. */
export function reinforceNewFloats(p: i32, a: i32, h: i32): i32 {
  return p > capacity || a + h + 1 > dlogCap ? 6 * p + a + h + 1 : 0;
}

/** Allocates (grow-only) and clears the optimiser state for the head's current size. */
export function reinforceInit(): void {
  const p = head.headParams;
  const d = head.headA + head.headH + 1;
  if (p > capacity) {
    capacity = p;
    trace = head.allocF32(p);
    acc = head.allocF32(p);
    grad = head.allocF32(p);
    scratch = head.allocF32(p);
    adamM = head.allocF32(p);
    adamV = head.allocF32(p);
  }
  if (d > dlogCap) {
    dlogCap = d;
    dlog = head.allocF32(d);
  }
  memory.fill(acc, 0, <usize>p << 2);
  memory.fill(adamM, 0, <usize>p << 2);
  memory.fill(adamV, 0, <usize>p << 2);
  adamT = 0;
  beta1t = 1;
  beta2t = 1;
  lrNow = hp.hpLr;
  batchCount = 0;
}

export function episodeBegin(): void {
  memory.fill(trace, 0, <usize>head.headParams << 2);
}

/** After headForward(feat) chose action a and the env returned reward r (unscaled): accumulate this step. */
export function stepLearn(feat: usize, a: i32, r: f64): void {
  const p = head.headParams;
  const dh = dlog + (<usize>head.headA << 2);
  head.gradLogPi(a, dlog);
  head.headBackward(feat, dlog, hp.hpValueCoef, grad, dh);
  const ent = hp.hpEntropy > 0;
  if (ent) {
    head.gradEntropy(hp.hpEntropy, dlog);
    head.headBackward(feat, dlog, 0, scratch, dh);
  }
  const gamma = hp.hpGamma;
  const rs = <f32>(r * <f64>hp.hpRewardScale);
  const v = head.headValue;
  for (let i = 0; i < p; i++) {
    const o = <usize>i << 2;
    const u = load<f32>(grad + o);
    const e = gamma * load<f32>(trace + o) + u;
    store<f32>(trace + o, e);
    let g = load<f32>(acc + o) + rs * e - v * u;
    if (ent) g += load<f32>(scratch + o);
    store<f32>(acc + o, g);
  }
}

/** Ends an episode; after hpBatch episodes applies one Adam ascent step with the batch mean. */
export function episodeEnd(): void {
  batchCount++;
  if (batchCount < hp.hpBatch) return;
  const p = head.headParams;
  const inv: f32 = <f32>1 / <f32>batchCount;
  adamT++;
  beta1t *= hp.hpBeta1;
  beta2t *= hp.hpBeta2;
  const c1: f32 = <f32>1 - beta1t;
  const c2: f32 = <f32>1 - beta2t;
  const b1 = hp.hpBeta1, b2 = hp.hpBeta2, lr = lrNow, eps = hp.hpEps;
  const w = head.params;
  for (let i = 0; i < p; i++) {
    const o = <usize>i << 2;
    const g = load<f32>(acc + o) * inv;
    const m = b1 * load<f32>(adamM + o) + (<f32>1 - b1) * g;
    const s = b2 * load<f32>(adamV + o) + (<f32>1 - b2) * g * g;
    store<f32>(adamM + o, m);
    store<f32>(adamV + o, s);
    store<f32>(w + o, load<f32>(w + o) + (lr * (m / c1)) / (Mathf.sqrt(s / c2) + eps));
    store<f32>(acc + o, 0);
  }
  batchCount = 0;
  lrNow = lr * hp.hpLrDecay;
}
