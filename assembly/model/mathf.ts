// Deterministic f32 exp, sin and cos for the backbone (softmax, RoPE table): fixed polynomials in f32 steps, the
// same operations in the same order as tools/lib/reference/backbone.ts, so every runtime gives the same bits.

const LOG2E: f32 = 1.4426950408889634;
const LN2_HI: f32 = 0.693145751953125;
const LN2_LO: f32 = 1.428606765330187e-6;
const INV_2PI: f32 = 0.15915494309189535;
const TWO_PI_HI: f32 = 6.28125;
const TWO_PI_LO: f32 = 0.0019353071795864769;

/** e^x: range reduction by ln 2, degree-7 Taylor; 0 below -80, x capped at 80. */
export function expf(x: f32): f32 {
  if (x < -80) return 0;
  if (x > 80) x = 80;
  const kf = nearest<f32>(x * LOG2E);
  let r = x - kf * LN2_HI;
  r = r - kf * LN2_LO;
  let p: f32 = <f32>(1.0 / 5040.0);
  p = p * r + <f32>(1.0 / 720.0);
  p = p * r + <f32>(1.0 / 120.0);
  p = p * r + <f32>(1.0 / 24.0);
  p = p * r + <f32>(1.0 / 6.0);
  p = p * r + <f32>0.5;
  p = p * r + <f32>1.0;
  p = p * r + <f32>1.0;
  // 2^k exactly: |k| <= 116 keeps it a normal f32
  return p * reinterpret<f32>((<i32>kf + 127) << 23);
}

/** Reduces x to [-pi, pi] by a two-part 2*pi. */
function reduceAngle(x: f32): f32 {
  const k = nearest<f32>(x * INV_2PI);
  const r = x - k * TWO_PI_HI;
  return r - k * TWO_PI_LO;
}

/** sin(x) by its Taylor series to degree 15 on the reduced angle. */
export function sinf(x: f32): f32 {
  const r = reduceAngle(x);
  const r2 = r * r;
  let s: f32 = <f32>(-1.0 / 1307674368000.0);
  s = s * r2 + <f32>(1.0 / 6227020800.0);
  s = s * r2 + <f32>(-1.0 / 39916800.0);
  s = s * r2 + <f32>(1.0 / 362880.0);
  s = s * r2 + <f32>(-1.0 / 5040.0);
  s = s * r2 + <f32>(1.0 / 120.0);
  s = s * r2 + <f32>(-1.0 / 6.0);
  s = s * r2 + <f32>1.0;
  return s * r;
}

/** cos(x) by its Taylor series to degree 16 on the reduced angle. */
export function cosf(x: f32): f32 {
  const r = reduceAngle(x);
  const r2 = r * r;
  let c: f32 = <f32>(1.0 / 20922789888000.0);
  c = c * r2 + <f32>(-1.0 / 87178291200.0);
  c = c * r2 + <f32>(1.0 / 479001600.0);
  c = c * r2 + <f32>(-1.0 / 3628800.0);
  c = c * r2 + <f32>(1.0 / 40320.0);
  c = c * r2 + <f32>(-1.0 / 720.0);
  c = c * r2 + <f32>(1.0 / 24.0);
  c = c * r2 + <f32>(-1.0 / 2.0);
  c = c * r2 + <f32>1.0;
  return c;
}
