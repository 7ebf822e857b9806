// Activation kernels, float paths run once per vector (not per weight): RMSNorm and per-token absmax int8.
import { checkDim, checkRange, checkWords3, trap } from "./check";

/** RMSNorm epsilon, fixed (the reference uses the same f32 constant). */
export const RMSNORM_EPS: f32 = 1e-5;

/**
 * out[i] = (x[i] * inv) * weight[i], inv = 1 / sqrt(sum(x^2) / n + eps), every step in f32 with the sum in index
 * order. x, weight, out f32[n]; out may equal x.
 */
export function rmsnorm_f32(x: i32, weight: i32, out: i32, n: i32): void {
  checkWords3(n, x, weight, out, 1, "rmsnorm_f32: n must be 1..2^24, x, weight and out inside memory");
  rmsnormF32(<usize>x, <usize>weight, <usize>out, n);
}

/** rmsnorm_f32 without entry checks (callers check). */
export function rmsnormF32(x: usize, weight: usize, out: usize, n: i32): void {
  let ss: f32 = 0;
  for (let i = 0; i < n; i++) {
    const v = load<f32>(x + <usize>(4 * i));
    ss += v * v;
  }
  const inv: f32 = <f32>1 / Mathf.sqrt(ss / <f32>n + RMSNORM_EPS);
  for (let i = 0; i < n; i++) {
    const p = <usize>(4 * i);
    store<f32>(out + p, load<f32>(x + p) * inv * load<f32>(weight + p));
  }
}

/**
 * Per-token absmax int8 without entry checks (callers check): q[i] = clamp(nearest(x[i] * s), -128, 127),
 * s = 127 / max|x| in f32; returns s (0 and q = 0 for an all-zero x). x f32[n], q i8[n].
 */
export function quantizeActInto(x: usize, n: i32, q: usize): f32 {
  let amax: f32 = 0;
  for (let i = 0; i < n; i++) {
    const a = Mathf.abs(load<f32>(x + <usize>(4 * i)));
    if (a > amax) amax = a;
  }
  if (amax == 0) {
    for (let i = 0; i < n; i++) store<i8>(q + <usize>i, 0);
    return 0;
  }
  const s: f32 = <f32>127 / amax;
  quantizeByScale(x, n, q, s);
  return s;
}

/** q[i] = clamp(nearest(x[i] * s), -128, 127) for x f32[n], q i8[n]: the saturating f32 -> i32 conversion
 *  (nontrapping-f2i; NaN -> 0 as the reference's Int8Array store), then the clamp. */
export function quantizeByScale(x: usize, n: i32, q: usize, s: f32): void {
  for (let i = 0; i < n; i++) {
    let v = <i32>nearest<f32>(load<f32>(x + <usize>(4 * i)) * s);
    v = v > 127 ? 127 : v < -128 ? -128 : v;
    store<i8>(q + <usize>i, <i8>v);
  }
}

/** x f32[n] -> q i8[n] and scale f32[1] at `scale` (bit-exact with quantizeActivations in tools/lib/quantize.ts). */
export function quantize_act(x: i32, n: i32, q: i32, scale: i32): void {
  checkQuantizeArgs(
    x,
    n,
    q,
    scale,
    "quantize_act: n must be 1..2^24",
    "quantize_act: x, q or scale range outside memory",
  );
  store<f32>(<usize>scale, quantizeActInto(<usize>x, n, <usize>q));
}

/** Entry checks of the activation quantizer exports: x f32[n], q i8[n], scale f32[1]. */
export function checkQuantizeArgs(x: i32, n: i32, q: i32, scale: i32, badDim: string, badRange: string): void {
  checkDim(n, badDim);
  checkRange(x, <u64>n * 4, badRange);
  checkRange(q, <u64>n, badRange);
  checkRange(scale, 4, badRange);
}
