// REINFORCE with a learned baseline (Williams 1992), computed online so an episode needs no per-step storage:
// with the head fixed during an episode and u_t = grad(log pi(a_t|s_t) + c_v V(s_t)), the batch gradient
//   sum_t (G_t - V_t) u_t + beta grad H_t  =  sum_k r_k e_k - sum_t V_t u_t + beta sum_t grad H_t,
// where e_k = gamma e_{k-1} + u_k is an eligibility trace (G_t = sum_{k>=t} gamma^(k-t) r_k, scaled rewards).
// The same direction ascends the policy objective and descends the value loss 0.5 (G - V)^2. After hpBatch
// episodes, one Adam step with the mean (step size lr * decay^t). Truncated episodes end like terminated ones (no bootstrap).
import * as head from "./head";
import * as hp from "./hparams";
import { adamAscend, adamInit, adamNewFloats } from "./adam";

let trace: usize = 0; // f32[P] eligibility trace
let acc: usize = 0; // f32[P] gradient accumulated over the batch
let grad: usize = 0; // f32[P] u_t
let scratch: usize = 0; // f32[P] entropy term
let dlog: usize = 0; // f32[A + H + 1] output gradients and hidden scratch
let capacity: i32 = 0;
let dlogCap: i32 = 0;
let lrNow: f32 = 0; // lr * decay^t
let batchCount: i32 = 0;

/** Floats reinforceInit would newly allocate for a head of p params, a actions, h hidden units. */
export function reinforceNewFloats(p: i32, a: i32, h: i32): i32 {
  return (p > capacity || a + h + 1 > dlogCap ? 4 * p + a + h + 1 : 0) + adamNewFloats(p);
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
  }
  if (d > dlogCap) {
    dlogCap = d;
    dlog = head.allocF32(d);
  }
  memory.fill(acc, 0, (<usize>p) << 2);
  adamInit();
  lrNow = hp.hpLr;
  batchCount = 0;
}

export function episodeBegin(): void {
  memory.fill(trace, 0, (<usize>head.headParams) << 2);
}

/** After headForward(feat) chose action a and the env returned reward r (unscaled): accumulate this step. */
export function stepLearn(feat: usize, a: i32, r: f64): void {
  const p = head.headParams;
  const dh = dlog + ((<usize>head.headA) << 2);
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
    const o = (<usize>i) << 2;
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
  adamAscend(acc, <f32>1 / <f32>batchCount, lrNow);
  batchCount = 0;
  lrNow = lrNow * hp.hpLrDecay;
}
