// Adam (Kingma & Ba 2015), bias-corrected, as an ascent step on the head's parameter block, plus the global
// gradient-norm clip. One state for whichever algorithm trains the head (REINFORCE or PPO).
import * as head from "./head";
import * as hp from "./hparams";

// Training state in static memory, not in module globals: wasm3 keeps a 32-byte record per global in its heap for
// the module's life on every board, whether the agent trains or not (docs/firmware.md).
// @ts-ignore: decorator
@unmanaged

class Adam {
  adamM: usize; // f32[P] first moment
  adamV: usize; // f32[P] second moment
  capacity: i32;
  adamT: i32; // steps taken
}
const AD = changetype<Adam>(memory.data(offsetof<Adam>(), 8));
let beta1t: f32 = 1; // beta1^t
let beta2t: f32 = 1; // beta2^t

/** Floats adamInit would newly allocate for p parameters. */
export function adamNewFloats(p: i32): i32 {
  return p > AD.capacity ? 2 * p : 0;
}

/** Allocates (grow-only) and clears the moments for the head's current size. */
export function adamInit(): void {
  const p = head.headParams;
  if (p > AD.capacity) {
    AD.capacity = p;
    AD.adamM = head.allocF32(p);
    AD.adamV = head.allocF32(p);
  }
  memory.fill(AD.adamM, 0, (<usize>p) << 2);
  memory.fill(AD.adamV, 0, (<usize>p) << 2);
  AD.adamT = 0;
  beta1t = 1;
  beta2t = 1;
}

/** Euclidean norm of g f32[P]. */
export function gradNorm(g: usize): f32 {
  let s: f32 = 0;
  for (let i = 0; i < head.headParams; i++) {
    const v = load<f32>(g + ((<usize>i) << 2));
    s += v * v;
  }
  return Mathf.sqrt(s);
}

/**
 * params += lr * m_hat / (sqrt(v_hat) + eps) for the gradient g f32[P] multiplied by `scale` (the batch mean's
 * 1/n, times a norm clip's factor); clears g afterwards.
 */
export function adamAscend(g: usize, scale: f32, lr: f32): void {
  const p = head.headParams;
  AD.adamT++;
  beta1t *= hp.hpBeta1;
  beta2t *= hp.hpBeta2;
  const c1: f32 = <f32>1 - beta1t;
  const c2: f32 = <f32>1 - beta2t;
  const b1 = hp.hpBeta1,
    b2 = hp.hpBeta2,
    eps = hp.hpEps;
  const w = head.params;
  const mB = AD.adamM,
    vB = AD.adamV; // read once, not once per parameter
  for (let i = 0; i < p; i++) {
    const o = (<usize>i) << 2;
    const gi = load<f32>(g + o) * scale;
    const m = b1 * load<f32>(mB + o) + (<f32>1 - b1) * gi;
    const s = b2 * load<f32>(vB + o) + (<f32>1 - b2) * gi * gi;
    store<f32>(mB + o, m);
    store<f32>(vB + o, s);
    store<f32>(w + o, load<f32>(w + o) + (lr * (m / c1)) / (Mathf.sqrt(s / c2) + eps));
    store<f32>(g + o, 0);
  }
}
