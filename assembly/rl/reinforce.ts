// REINFORCE with a learned baseline (Williams 1992), computed online so an episode needs no per-step storage:
// with the head fixed during an episode and u_t = grad(log pi(a_t|s_t) + c_v V(s_t)), the batch gradient
//   sum_t (G_t - V_t) u_t + beta grad H_t  =  sum_k r_k e_k - sum_t V_t u_t + beta sum_t grad H_t,
// where e_k = gamma e_{k-1} + u_k is an eligibility trace (G_t = sum_{k>=t} gamma^(k-t) r_k, scaled rewards).
// The same direction ascends the policy objective and descends the value loss 0.5 (G - V)^2. After hpBatch
// episodes, one Adam step with the mean (step size lr * decay^t). Truncated episodes end like terminated ones (no bootstrap).
import * as head from "./head";
import * as hp from "./hparams";
import { adamAscend, adamInit, adamNewFloats } from "./adam";

// Training state in static memory, not in module globals: wasm3 keeps a 32-byte record per global in its heap for
// the module's life on every board, whether the agent trains or not (docs/firmware.md).
// @ts-ignore: decorator
@unmanaged

class Reinforce {
  trace: usize; // f32[P] eligibility trace
  acc: usize; // f32[P] gradient accumulated over the batch
  grad: usize; // f32[P] u_t
  scratch: usize; // f32[P] entropy term
  dlog: usize; // f32[A + H + 1] output gradients and hidden scratch
  capacity: i32;
  dlogCap: i32;
  lrNow: f32; // lr * decay^t
  batchCount: i32;
}
const RF = changetype<Reinforce>(memory.data(offsetof<Reinforce>(), 8));

/** Floats reinforceInit would newly allocate for a head of p params, a actions, h hidden units. */
export function reinforceNewFloats(p: i32, a: i32, h: i32): i32 {
  return (p > RF.capacity || a + h + 1 > RF.dlogCap ? 4 * p + a + h + 1 : 0) + adamNewFloats(p);
}

/** Allocates (grow-only) and clears the optimiser state for the head's current size. */
export function reinforceInit(): void {
  const p = head.headParams;
  const d = head.headA + head.headH + 1;
  if (p > RF.capacity) {
    RF.capacity = p;
    RF.trace = head.allocF32(p);
    RF.acc = head.allocF32(p);
    RF.grad = head.allocF32(p);
    RF.scratch = head.allocF32(p);
  }
  if (d > RF.dlogCap) {
    RF.dlogCap = d;
    RF.dlog = head.allocF32(d);
  }
  memory.fill(RF.acc, 0, (<usize>p) << 2);
  adamInit();
  RF.lrNow = hp.hpLr;
  RF.batchCount = 0;
}

export function episodeBegin(): void {
  memory.fill(RF.trace, 0, (<usize>head.headParams) << 2);
}

/** After headForward(feat) chose action a and the env returned reward r (unscaled): accumulate this step. */
export function stepLearn(feat: usize, a: i32, r: f64): void {
  const p = head.headParams;
  const dh = RF.dlog + ((<usize>head.headA) << 2);
  head.gradLogPi(a, RF.dlog);
  head.headBackward(feat, RF.dlog, hp.hpValueCoef, RF.grad, dh);
  const ent = hp.hpEntropy > 0;
  if (ent) {
    head.gradEntropy(hp.hpEntropy, RF.dlog);
    head.headBackward(feat, RF.dlog, 0, RF.scratch, dh);
  }
  const gamma = hp.hpGamma;
  const rs = <f32>(r * <f64>hp.hpRewardScale);
  const v = head.headValue;
  // the buffers' addresses in locals: read once, not once per parameter
  const grad = RF.grad,
    trace = RF.trace,
    acc = RF.acc,
    scratch = RF.scratch;
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
  RF.batchCount++;
  if (RF.batchCount < hp.hpBatch) return;
  adamAscend(RF.acc, <f32>1 / <f32>RF.batchCount, RF.lrNow);
  RF.batchCount = 0;
  RF.lrNow = RF.lrNow * hp.hpLrDecay;
}
