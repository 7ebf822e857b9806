// Load-time tables shared by the agent backbone (backbone.ts) and the language model (assembly/lm/lm.ts): the RoPE
// table in deterministic f32 steps (and its 12-bit integer form) and the norm gains folded into integers.
import { GMAX } from "../kernels/fixed";
import { expf, sinf, cosf } from "./mathf";

const ROPE_LOG_BASE: f32 = 9.210340371976184; // ln(10000)

/** f32[positions][hd/2][2] at out: cos, sin of p 10000^(-2i / hd). */
export function buildRope(out: usize, positions: i32, hd: i32): void {
  const half = hd / 2;
  const c: f32 = (ROPE_LOG_BASE * <f32>2) / <f32>hd;
  for (let i = 0; i < half; i++) {
    const freq = expf(<f32>-i * c);
    for (let p = 0; p < positions; p++) {
      const a = <f32>p * freq;
      const o = out + <usize>(((p * half + i) * 2) << 2);
      store<f32>(o, cosf(a));
      store<f32>(o, sinf(a), 4);
    }
  }
}

/** The table of buildRope in place as i32 with 12 fractional bits (the integer forward's). */
export function ropeToFixed(table: usize, positions: i32, hd: i32): void {
  const end = table + <usize>((positions * hd) << 2);
  for (let o = table; o < end; o += 4) store<i32>(o, <i32>nearest<f32>(load<f32>(o) * <f32>4096));
}

/** Norm gains f32[rows][dim] at norms, in place, to i32 G = clamp(nearest(g 2^gs), +-GMAX) with gs per row (i32 at
 *  shifts + 4 r) the largest shift in 0..20 keeping max|g| 2^gs <= GMAX. */
export function foldGains(norms: usize, rows: i32, dim: i32, shifts: usize): void {
  for (let r = 0; r < rows; r++) {
    const row = norms + <usize>(r * dim * 4);
    let amax: f32 = 0;
    for (let i = 0; i < dim; i++) amax = max(amax, Mathf.abs(load<f32>(row + <usize>(i << 2))));
    let gs = 20;
    while (gs > 0 && amax * <f32>(1 << gs) > <f32>GMAX) gs--;
    store<i32>(shifts + <usize>(r << 2), gs);
    for (let i = 0; i < dim; i++) {
      const g = <i32>nearest<f32>(load<f32>(row + <usize>(i << 2)) * <f32>(1 << gs)); // NaN -> 0 (saturating)
      store<i32>(row + <usize>(i << 2), min(max(g, -GMAX), GMAX));
    }
  }
}
