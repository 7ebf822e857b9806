// Adam with global-norm gradient clipping, over the parameter arrays of a model (order fixed by the caller).

export interface AdamOptions {
  /** step size at the peak of the schedule */
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  /** gradients are scaled down so their global L2 norm is at most this (0: no clipping) */
  clip: number;
}

export const ADAM_DEFAULTS: AdamOptions = { lr: 3e-3, beta1: 0.9, beta2: 0.99, eps: 1e-8, clip: 1 };

export class Adam {
  private m: Float64Array[];
  private v: Float64Array[];
  private t = 0;
  constructor(
    params: Float64Array[],
    readonly opts: AdamOptions = ADAM_DEFAULTS,
  ) {
    this.m = params.map((p) => new Float64Array(p.length));
    this.v = params.map((p) => new Float64Array(p.length));
  }

  /** One update with step size lr (the caller's schedule); returns the gradient norm before clipping. */
  step(params: Float64Array[], grads: Float64Array[], lr: number): number {
    const { beta1, beta2, eps, clip } = this.opts;
    let sq = 0;
    for (const g of grads) for (let i = 0; i < g.length; i++) sq += g[i] * g[i];
    const norm = Math.sqrt(sq);
    const k = clip > 0 && norm > clip ? clip / norm : 1;
    this.t++;
    const c1 = 1 - beta1 ** this.t,
      c2 = 1 - beta2 ** this.t;
    params.forEach((p, n) => {
      const g = grads[n],
        m = this.m[n],
        v = this.v[n];
      for (let i = 0; i < p.length; i++) {
        const gi = g[i] * k;
        m[i] = beta1 * m[i] + (1 - beta1) * gi;
        v[i] = beta2 * v[i] + (1 - beta2) * gi * gi;
        p[i] -= (lr * (m[i] / c1)) / (Math.sqrt(v[i] / c2) + eps);
      }
    });
    return norm;
  }
}

/** Linear warm-up over the first 5% of steps, then cosine decay to 10% of the peak. */
export function lrAt(step: number, steps: number, peak: number): number {
  const warm = Math.max(1, Math.floor(steps * 0.05));
  if (step < warm) return (peak * (step + 1)) / warm;
  const p = (step - warm) / Math.max(1, steps - warm);
  return peak * (0.1 + 0.45 * (1 + Math.cos(Math.PI * p)));
}
