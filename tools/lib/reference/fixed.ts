// TypeScript twin of assembly/kernels/fixed.ts: the integer-only forward's fixed-point kernels, same integers bit
// for bit (i32 arithmetic by Math.imul and | 0 where the wasm wraps; i64 parts stay below 2^53, so Numbers are
// exact there). Multipliers are i32 (e << 16) | m, value m * 2^-e, m in [2^14, 2^15) or 0. Pure: no I/O.

export const XQ = 12;
export const XMAX = (1 << 21) - 1;
export const GMAX = 511;
export const RMS_EPS_I = 168;
export const FX_INV127 = (21 << 16) | 16512;
/** Output modes: saturating residual add, raw store, ReLU^2 of the raw value; FX_Q8 = 2^-8. */
export const FX_ADD = 0;
export const FX_RAW = 1;
export const FX_RELU2 = 2;
export const FX_Q8 = (22 << 16) | (1 << 14);

export const fxM = (f: number) => f & 0xffff;
export const fxE = (f: number) => f >> 16;
/** A multiplier's value, m 2^-e. */
export const fxValue = (f: number) => fxM(f) * pow2(-fxE(f));
const pack = (m: number, e: number) => (e << 16) | m;
// 2^k for integer k, every one an exact double: a table, because V8 computes `2 ** k` with a variable k as a general
// power, which was a third of an int8 QAT step (the multipliers' shifts run per value)
const POW2_MIN = -1074;
const POW2 = Float64Array.from({ length: 1023 - POW2_MIN + 1 }, (_, i) => 2 ** (i + POW2_MIN));
function pow2(k: number): number {
  return k >= POW2_MIN && k <= 1023 ? POW2[k - POW2_MIN] : 2 ** k;
}

/** Bit length of a non-negative integer below 2^53. */
function bitLength(v: number): number {
  return v < 2 ** 32 ? 32 - Math.clz32(v) : 64 - Math.clz32(Math.floor(v / 2 ** 32));
}

/** v * 2^-e as a multiplier (v >= 0 integer < 2^53), mantissa rounded to nearest (ties up). */
export function fxFromU64(v: number, e: number): number {
  if (v === 0) return 0;
  const s = bitLength(v) - 15;
  let sh = s,
    m: number;
  if (s > 0) {
    m = Math.floor((v + pow2(s - 1)) / pow2(s));
    if (m === 1 << 15) {
      m = 1 << 14;
      sh++;
    }
  } else m = v * pow2(-s);
  return pack(m, e - sh);
}

export function fxMul(a: number, b: number): number {
  const ma = a & 0xffff,
    mb = b & 0xffff;
  if (ma === 0 || mb === 0) return 0;
  return fxFromU64(ma * mb, (a >> 16) + (b >> 16));
}

const f32bits = new Uint32Array(1);
const f32view = new Float32Array(f32bits.buffer);
/** The bits of an f32 value. */
export function f32Bits(x: number): number {
  f32view[0] = x;
  return f32bits[0];
}

/** |f| of an f32 (by its bits) as a multiplier; denormals, NaN and inf -> 0. */
export function fxFromF32Bits(bits: number): number {
  const ex = (bits >>> 23) & 0xff;
  if (ex === 0 || ex === 0xff) return 0;
  return fxFromU64((bits & 0x7fffff) | 0x800000, 150 - ex);
}

function isqrt30(n: number): number {
  let x = 1 << 15;
  for (;;) {
    const y = Math.floor((x + Math.floor(n / x)) / 2);
    if (y >= x) return x;
    x = y;
  }
}

/** 1 / sqrt(v) as a multiplier, v >= 1 integer < 2^53. */
export function fxRsqrt(v: number): number {
  const k = (bitLength(v) - 29) >> 1;
  const n = k >= 0 ? Math.floor(v / pow2(2 * k)) : v * pow2(-2 * k);
  const m = Math.floor(2 ** 29 / isqrt30(n));
  return m === 1 << 15 ? pack(1 << 14, 28 + k) : pack(m, 29 + k);
}

export function fxShift(f: number, outq: number): number {
  const s = (f >> 16) - outq;
  return s < 1 ? 1 : s > 31 ? 31 : s;
}

/** 1 / sqrt(ss / n + eps) for a sum of squares of XQ-bit integers. */
export function rmsInverse(ss: number, n: number): number {
  const f = fxRsqrt(Math.floor(ss / n) + RMS_EPS_I);
  return pack(f & 0xffff, (f >> 16) - XQ);
}

/** out[oo..] f32 = RMSNorm(x) * g from the integer x (XQ bits) and gains G = g 2^gs: the integer forward's only
 *  float step (assembly/kernels/fixed.ts normF32). */
export function normF32(
  x: Int32Array,
  xo: number,
  g: Int32Array,
  go: number,
  gs: number,
  n: number,
  out: Float32Array,
  oo: number,
): void {
  let ss = 0;
  for (let i = 0; i < n; i++) ss += x[xo + i] * x[xo + i];
  const fr = rmsInverse(ss, n);
  const e = Math.min(Math.max((fr >> 16) + XQ + gs, -127), 126);
  const scale = Math.fround((fr & 0xffff) * 2 ** -e);
  for (let i = 0; i < n; i++) out[oo + i] = Math.fround(Math.fround(Math.imul(x[xo + i], g[go + i])) * scale);
}

/** Per-token int8 by one division: q[i] = round(127 h[i] / amax), h = x (* gains); returns the q unit's multiplier. */
function quantBy(
  x: Int32Array,
  xo: number,
  n: number,
  amax: number,
  gains: Int32Array | null,
  go: number,
  qin: number,
  q: Int8Array,
  qo: number,
): number {
  if (amax === 0) {
    q.fill(0, qo, qo + n);
    return 0;
  }
  const bl = 32 - Math.clz32(amax);
  const sh = bl > 15 ? bl - 15 : 0;
  const an = amax >>> sh;
  const r = Math.floor((127 * 2 ** 23) / an);
  for (let i = 0; i < n; i++) {
    const h = gains ? Math.imul(x[xo + i], gains[go + i]) : x[xo + i];
    q[qo + i] = (Math.imul(h >> sh, r) + (1 << 22)) >> 23;
  }
  return fxMul(fxFromU64(an, qin - sh), FX_INV127);
}

/** quantI32: x i32[n] (qin fractional bits) -> q int8 at q[qo..], returns the multiplier of one q unit. */
export function quantI32(x: Int32Array, xo: number, n: number, qin: number, q: Int8Array, qo = 0): number {
  let amax = 0;
  for (let i = 0; i < n; i++) {
    const v = x[xo + i];
    const a = (v >= 0 ? v : -v) >>> 0;
    if (a > amax) amax = a;
  }
  return quantBy(x, xo, n, amax, null, 0, qin, q, qo);
}

/** normQuant: RMSNorm (gains G, shift gs) fused with the per-token int8 of the next BitLinear. */
export function normQuant(
  x: Int32Array,
  xo: number,
  g: Int32Array,
  go: number,
  gs: number,
  n: number,
  q: Int8Array,
  qo = 0,
): number {
  let ss = 0,
    amax = 0;
  for (let i = 0; i < n; i++) {
    const v = x[xo + i];
    ss += v * v;
    const h = Math.imul(v, g[go + i]);
    const a = (h >= 0 ? h : -h) >>> 0;
    if (a > amax) amax = a;
  }
  const f = quantBy(x, xo, n, amax, g, go, XQ + gs, q, qo);
  return fxMul(f, rmsInverse(ss, n));
}

/** Writes u by mode into y[o]: saturating residual add, raw store, ReLU^2 (u clamped to 46340). */
export function emit(y: Int32Array, o: number, u: number, mode: number): void {
  if (mode === FX_ADD) {
    const x = y[o] + u;
    y[o] = x > XMAX ? XMAX : x < -XMAX ? -XMAX : x;
  } else if (mode === FX_RELU2) {
    const c = Math.min(u, 46340);
    y[o] = c > 0 ? c * c : 0;
  } else y[o] = u;
}

/** round(acc * f) with outq fractional bits, |acc| < 2^14 (i32 product): rescaleAdd's and the embedding's step. */
export function rescaleOne(acc: number, f: number, outq: number): number {
  const s = fxShift(f, outq);
  return (Math.imul(acc, f & 0xffff) + (1 << (s - 1))) >> s;
}

/** round(v * f) with outq fractional bits for any i32 v (i64 product), clamped to +-2^30. */
export function mulShift64(v: number, f: number, outq: number): number {
  let s = (f >> 16) - outq;
  s = s < 1 ? 1 : s > 40 ? 40 : s;
  const z = Math.floor((v * (f & 0xffff) + pow2(s - 1)) / pow2(s));
  return z > 2 ** 30 ? 2 ** 30 : z < -(2 ** 30) ? -(2 ** 30) : z;
}

/** SwiGLU of raw gate g and up u at go, uo (n values, multipliers fg, fu) into g, as assembly/kernels/fixed.ts
 *  swiglu: s = round(g sigma(g) 2^-15) (sigma in Q15 from the EXP2 table), h = s u (i64) >> sh to 30 bits. Returns
 *  h's multiplier fg fu 2^sh. fl is fg log2(e). */
export function swiglu(
  g: Int32Array,
  go: number,
  u: Int32Array,
  uo: number,
  n: number,
  fg: number,
  fu: number,
  fl: number,
): number {
  const h = new Array<bigint>(n);
  let amax = 0n;
  for (let i = 0; i < n; i++) {
    const v = g[go + i];
    const t = mulShift64(v, fl, 8);
    const d = Math.abs(t);
    const e = d >= 15 << 8 ? 0 : EXP2[d & 255] >>> (d >> 8);
    const sig = t >= 0 ? Math.floor(2 ** 30 / (32768 + e)) : Math.floor((e * 32768) / (32768 + e));
    const sv = Math.floor((v * sig + 16384) / 32768); // |v sig| < 2^46: exact in a double
    h[i] = BigInt(sv) * BigInt(u[uo + i]);
    const a = h[i] < 0n ? -h[i] : h[i];
    if (a > amax) amax = a;
  }
  const bits = amax.toString(2).length - (amax === 0n ? 1 : 0);
  const sh = bits > 30 ? bits - 30 : 0;
  for (let i = 0; i < n; i++) g[go + i] = Number(sh === 0 ? h[i] : (h[i] + (1n << BigInt(sh - 1))) >> BigInt(sh));
  const f = fxMul(fg, fu);
  return f === 0 ? 0 : ((fxE(f) - sh) << 16) | fxM(f);
}

export function scoreLog2(dot: number, f: number): number {
  const z = mulShift64(dot, f, 8);
  return z > 1 << 24 ? 1 << 24 : z < -(1 << 24) ? -(1 << 24) : z;
}

/** EXP2[f] = round(2^15 * 2^(-f / 256)) (the wasm's static table; checked against it by the golden vectors). */
export const EXP2 = Uint16Array.from({ length: 256 }, (_, f) => Math.round(32768 * 2 ** (-f / 256)));

/** Causal softmax of one query in log2 units (8 fractional bits) -> probabilities with 12 fractional bits. */
export function softmaxExp2(z: ArrayLike<number>, n: number, p: Int32Array | Uint32Array, po = 0): void {
  let zmax = z[0];
  for (let j = 1; j < n; j++) zmax = Math.max(zmax, z[j]);
  let sum = 0;
  for (let j = 0; j < n; j++) {
    const d = zmax - z[j];
    const e = d >= 15 << 8 ? 0 : EXP2[d & 255] >>> (d >> 8);
    p[po + j] = e;
    sum += e;
  }
  const half = sum >>> 1;
  for (let j = 0; j < n; j++) p[po + j] = Math.floor((p[po + j] * 4096 + half) / sum);
}
