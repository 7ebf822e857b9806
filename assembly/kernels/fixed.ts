// Fixed-point kernels of the integer-only forward (the gemmlowp / TFLite Micro way, docs/model.md "Integer
// forward"): multipliers as a 15-bit mantissa and a shift, RMSNorm by an integer sum of squares and an integer
// reciprocal square root, per-token absmax int8 by one division per token, BitLinear rescale by multiply and
// shift, softmax by an exp2 table. Twin: tools/lib/reference/fixed.ts (same integers, bit for bit).
import { checkDim, checkRange, checkWords3, trap } from "./check";
import { indexedForms, normF32Ix, normQuantIx, quantLoopsIx, relu2AmaxIx, rescaleAddIx, storeRawIx } from "./indexed";

// ---- Fixed-point multipliers: an i32 packing (e << 16) | m, value m * 2^-e, m in [2^14, 2^15) or 0 (then 0). ----

/** Fractional bits of the residual stream (i32). */
export const XQ: i32 = 12;
/** The residual stream saturates at +-XMAX (512 in real units): every product below stays inside its integer. */
export const XMAX: i32 = (1 << 21) - 1;
/** RMSNorm gains as integers: |G| <= GMAX with a per-row shift (docs/model.md). */
export const GMAX: i32 = 511;
/** RMSNorm epsilon 1e-5 in the units of the integer mean square (2^-2 XQ): round(1e-5 * 2^24). */
export const RMS_EPS_I: i32 = 168;
/** 1 / 127 as a multiplier (16512 * 2^-21). */
export const FX_INV127: i32 = (21 << 16) | 16512;

// @ts-ignore: decorator
@inline export function fxM(f: i32): i32 {
  return f & 0xffff;
}
// @ts-ignore: decorator
@inline export function fxE(f: i32): i32 {
  return f >> 16;
}
// @ts-ignore: decorator
@inline function fxPack(m: i32, e: i32): i32 {
  return (e << 16) | m;
}

/** v * 2^-e as a multiplier (v >= 0), the mantissa rounded to nearest (ties up). */
export function fxFromU64(v: u64, e: i32): i32 {
  if (v == 0) return 0;
  const s = 64 - <i32>clz<u64>(v) - 15;
  let m: i32;
  let sh = s;
  if (s > 0) {
    m = <i32>((v + (u64(1) << u64(s - 1))) >> u64(s)); // u64(): a cast the formatter reads back
    if (m == 1 << 15) {
      m = 1 << 14;
      sh++;
    }
  } else m = <i32>(v << (<u64>-s));
  return fxPack(m, e - sh);
}

/** a * b (multipliers). */
export function fxMul(a: i32, b: i32): i32 {
  const ma = a & 0xffff,
    mb = b & 0xffff;
  // both mantissas in [2^14, 2^15) exactly when neither differs from 2^14 above bit 13 (0 included: fxFromU64(0) = 0)
  if (((ma ^ (1 << 14)) | (mb ^ (1 << 14))) >= 1 << 14) return fxFromU64(<u64>(ma * mb), (a >> 16) + (b >> 16));
  // both mantissas in [2^14, 2^15): the product lies in [2^28, 2^30), so fxFromU64's shift is 14 or 15; the same
  // rounding in u32, without its 64-bit count and shifts (per output on the int8 path)
  const p = <u32>(ma * mb);
  let sh = 14 + <i32>(p >> 29);
  let m = <i32>((p + (1 << (sh - 1))) >> sh);
  if (m == 1 << 15) {
    m = 1 << 14;
    sh++;
  }
  return fxPack(m, (a >> 16) + (b >> 16) - sh);
}

/** |f| of an f32 given by its bits as a multiplier, integer operations only (denormals and NaN/inf bits -> 0). */
export function fxFromF32Bits(bits: u32): i32 {
  const ex = <i32>((bits >> 23) & 0xff);
  if (ex == 0 || ex == 0xff) return 0;
  return fxFromU64(<u64>((bits & 0x7fffff) | 0x800000), 150 - ex);
}

/** floor(sqrt(n)) for n in [2^28, 2^30): Newton from 2^15 (above the root), integer division. */
// @ts-ignore: decorator
@inline function isqrt30(n: u32): u32 {
  let x: u32 = 1 << 15;
  while (true) {
    const y = (x + n / x) >> 1;
    if (y >= x) return x;
    x = y;
  }
  return x;
}

/** 1 / sqrt(v) as a multiplier, v >= 1: v scaled by 4^-k into [2^28, 2^30), an integer root, one division. */
export function fxRsqrt(v: u64): i32 {
  const k = (64 - <i32>clz<u64>(v) - 29) >> 1;
  const n = <u32>(k >= 0 ? v >> u64(2 * k) : v << u64(-2 * k));
  const m = <i32>(((<u32>1) << 29) / isqrt30(n));
  return m == 1 << 15 ? fxPack(1 << 14, 28 + k) : fxPack(m, 29 + k);
}

/** The shift that applies multiplier f to an integer for an output with outq fractional bits, in 1..31 (beyond
 *  31 every product |acc * m| < 2^30 rounds to 0 anyway; below 1 the output saturates the multiplier). */
// @ts-ignore: decorator
@inline export function fxShift(f: i32, outq: i32): i32 {
  const s = (f >> 16) - outq;
  return s < 1 ? 1 : s > 31 ? 31 : s;
}

// ---- Per-token activation quantization (absmax int8) from integers ----

/** Per-token int8 of x i32[n] (qin fractional bits): q = round(127 x / max|x|) by one division, written as i8
 *  (step 1) or as the t3 kernels' interleaved lanes (u16 q + 128, step 8). Returns the multiplier of one q unit
 *  (max|x| 2^-qin / 127), 0 for an all-zero x. Unchecked (callers check). */
export function quantI32(x: usize, n: i32, qin: i32, out: usize, lanes: bool): i32 {
  let amax: u32 = 0;
  const end = x + <usize>(n << 2);
  for (let p = x; p < end; p += 4) {
    const v = load<i32>(p);
    const a = <u32>select<i32>(v, -v, v >= 0);
    amax = select<u32>(a, amax, a > amax);
  }
  return quantBy(x, n, amax, 0, qin, out, lanes);
}

/** |v| as a u32 (|-2^31| = 2^31), the quantizers' absolute value. */
// @ts-ignore: decorator
@inline export function absU32(v: i32): u32 {
  return <u32>select<i32>(v, -v, v >= 0);
}

/** round(127 h / amax) as quantBy computes it: h normalised by 2^-sh, times r = 127 2^23 / (amax >> sh), rounded by
 *  c = 2^22; a t3 lane's + 128 comes with c = 2^22 + 128 2^23, in the same shift (no overflow: |(h >> sh) r| <=
 *  127 2^23 + r with r <= 127 2^9 when sh > 0, so the sum stays below 2^31). */
// @ts-ignore: decorator
@inline export function roundQ(h: i32, sh: i32, r: i32, c: i32): i32 {
  return ((h >> sh) * r + c) >> 23;
}

// Writes q[i] = round(127 h[i] / amax) with h = x * (gains ? G : 1), h normalised by 2^-sh to 15 bits first; the
// multiplier of one q unit: an 2^(sh - qin) / 127. quantI32 is quantBy with amax = max |x|: a caller that already
// has that maximum (the backbone keeps it while writing x) calls quantBy directly, one pass less.
export function quantBy(x: usize, n: i32, amax: u32, gains: usize, qin: i32, out: usize, lanes: bool): i32 {
  if (amax == 0) {
    if (lanes) for (let i = 0; i < n; i++) store<u16>(out + <usize>(i << 3), 128);
    else memory.fill(out, 0, <usize>n);
    return 0;
  }
  const bl = 32 - <i32>clz<u32>(amax);
  const sh = bl > 15 ? bl - 15 : 0;
  const an = amax >> (<u32>sh);
  const r = <i32>(((<u32>127) << 23) / an); // |h >> sh| <= an: |q| <= 127
  // the lanes' rounding constant (2^22 + 128 2^23; the int8 one 2^22) plus an >> 15, always 0 (an < 2^15) but not
  // to the C compiler, which then keeps each in a register: one multiply-add a value, not a multiply and one or two
  // adds of an immediate (2^22 + 128 2^23 is not one Thumb-2 immediate)
  const c = (1 << 22) + (128 << 23) + <i32>(an >> 15);
  const end = x + <usize>(n << 2);
  let p = x,
    g = gains,
    o = out;
  if (indexedForms()) {
    // the AOT module's form (indexed.ts)
    if (quantLoopsIx(x, n, gains, out, lanes, sh, r, c)) return fxMul(fxFromU64(<u64>an, qin - sh), FX_INV127);
  }
  if (lanes) {
    // two values a pass (the t3 lanes are the backbone's hot path), an odd n's last one after
    const end2 = x + <usize>((n & ~1) << 2);
    if (gains) {
      for (; p < end2; p += 8, g += 8, o += 16) {
        store<u16>(o, roundQ(load<i32>(p) * load<i32>(g), sh, r, c));
        store<u16>(o, roundQ(load<i32>(p, 4) * load<i32>(g, 4), sh, r, c), 8);
      }
      if (p < end) store<u16>(o, roundQ(load<i32>(p) * load<i32>(g), sh, r, c));
    } else {
      for (; p < end2; p += 8, o += 16) {
        // both loads before the stores: the AOT build then asks p's bounds question once a pass, not again after a
        // store; the other loops keep their order (there the two locals cost wasm3 a compiled-code page, or more
        // instructions than the AOT build saves)
        const x0 = load<i32>(p),
          x1 = load<i32>(p, 4);
        store<u16>(o, roundQ(x0, sh, r, c));
        store<u16>(o, roundQ(x1, sh, r, c), 8);
      }
      if (p < end) store<u16>(o, roundQ(load<i32>(p), sh, r, c));
    }
  } else {
    const c8 = c - (128 << 23); // 2^22
    if (gains) for (; p < end; p += 4, g += 4, o += 1) store<i8>(o, roundQ(load<i32>(p) * load<i32>(g), sh, r, c8));
    else {
      // two values a pass (the attention's q and k per head), an odd n's last one after
      const end2 = x + <usize>((n & ~1) << 2);
      for (; p < end2; p += 8, o += 2) {
        store<i8>(o, roundQ(load<i32>(p), sh, r, c8));
        store<i8>(o, roundQ(load<i32>(p, 4), sh, r, c8), 1);
      }
      if (p < end) store<i8>(o, roundQ(load<i32>(p), sh, r, c8));
    }
  }
  return fxMul(fxFromU64(<u64>an, qin - sh), FX_INV127);
}

/**
 * RMSNorm fused with the per-token int8 quantization of the next BitLinear: h = x * G (x i32[n] with XQ
 * fractional bits, |x| <= XMAX; G i32[n] the gains times 2^gs, |G| <= GMAX), q = round(127 h / max|h|) written
 * as in quantI32. Because absmax quantization ignores a common factor, 1 / rms(x) only enters the returned
 * multiplier: max|h| 2^-(XQ + gs) / (127 sqrt(sum x^2 / n + eps)). Unchecked (callers check).
 */
export function normQuant(x: usize, gains: usize, gs: i32, n: i32, out: usize, lanes: bool): i32 {
  if (indexedForms()) {
    const f = normQuantIx(x, gains, gs, n, out, lanes); // the AOT module's form (indexed.ts)
    if (f != -1) return f;
  }
  let ss: i64 = 0;
  let amax: u32 = 0;
  const end = x + <usize>(n << 2);
  const end2 = x + <usize>((n & ~1) << 2); // two values a pass, an odd n's last one after (the same sum, in order)
  let p = x,
    g = gains;
  for (; p < end2; p += 8, g += 8) {
    const v0 = load<i32>(p),
      v1 = load<i32>(p, 4);
    ss += <i64>v0 * <i64>v0;
    ss += <i64>v1 * <i64>v1;
    const h0 = v0 * load<i32>(g),
      h1 = v1 * load<i32>(g, 4);
    amax = max(amax, max(absU32(h0), absU32(h1)));
  }
  if (p < end) {
    const v = load<i32>(p);
    ss += <i64>v * <i64>v;
    amax = max(amax, absU32(v * load<i32>(g)));
  }
  const f = quantBy(x, n, amax, gains, XQ + gs, out, lanes);
  return fxMul(f, rmsInverse(ss, n));
}

/** out f32[n] = RMSNorm(x) * g from the integer x i32[n] (XQ fractional bits) and gains G i32[n] = g 2^gs: the
 *  integer forward's only float step (the features handed to the head). Unchecked (callers check). */
export function normF32(x: usize, gains: usize, gs: i32, n: i32, out: usize): void {
  if (indexedForms()) {
    if (normF32Ix(x, gains, gs, n, out)) return; // the AOT module's form (indexed.ts)
  }
  let ss: i64 = 0;
  const end = x + <usize>(n << 2);
  const end2 = x + <usize>((n & ~1) << 2); // two values a pass, an odd n's last one after (the same sum, in order)
  let p = x;
  for (; p < end2; p += 8) {
    const v0 = load<i32>(p),
      v1 = load<i32>(p, 4);
    ss += <i64>v0 * <i64>v0;
    ss += <i64>v1 * <i64>v1;
  }
  if (p < end) {
    const v = load<i32>(p);
    ss += <i64>v * <i64>v;
  }
  const scale = featureScale(rmsInverse(ss, n), gs);
  let g = gains,
    o = out;
  for (p = x; p < end2; p += 8, g += 8, o += 8) {
    store<f32>(o, <f32>(load<i32>(p) * load<i32>(g)) * scale);
    store<f32>(o, <f32>(load<i32>(p, 4) * load<i32>(g, 4)) * scale, 4);
  }
  if (p < end) store<f32>(o, <f32>(load<i32>(p) * load<i32>(g)) * scale);
}

/** normF32's scale: the multiplier f (m 2^-e) for x * G with XQ + gs fractional bits, m 2^-(e + XQ + gs) as an f32
 *  (exact: 15-bit mantissa, exponent clamped to the normal range). */
// @ts-ignore: decorator
@inline export function featureScale(f: i32, gs: i32): f32 {
  const e = min(max((f >> 16) + XQ + gs, -127), 126);
  return <f32>(f & 0xffff) * reinterpret<f32>((<u32>(127 - e)) << 23);
}

/** 1 / sqrt(ss / n + eps) for a sum of squares of XQ-bit integers, as a multiplier. */
export function rmsInverse(ss: i64, n: i32): i32 {
  const f = fxRsqrt(<u64>(ss / <i64>n) + <u64>RMS_EPS_I);
  return fxPack(f & 0xffff, (f >> 16) - XQ);
}

// ---- BitLinear outputs. Only the residual stream needs a common scale: q, k, v and the FFN hidden stay raw
// (the integer dot products, one multiplier per token), because absmax quantization ignores a token's scale and
// the attention folds it into its weights (docs/model.md). ----

/** Output modes: saturating residual add of round(acc * f), raw store of acc, ReLU^2 of the raw value. */
export const FX_ADD: i32 = 0;
export const FX_RAW: i32 = 1;
export const FX_RELU2: i32 = 2;
/** The multiplier 2^-8: raw values given as 8-fractional-bit numbers (int8 matrices, per-row scales). */
export const FX_Q8: i32 = (22 << 16) | (1 << 14);

/** x clamped to +-XMAX. */
// @ts-ignore: decorator
@inline export function saturate(x: i32): i32 {
  return select<i32>(select<i32>(x, XMAX, x < XMAX), -XMAX, x > -XMAX);
}
/** x + u saturated at +-XMAX into p (|u| <= 2^30, |x| <= XMAX: no overflow). */
// @ts-ignore: decorator
@inline function addSaturate(p: usize, u: i32): void {
  store<i32>(p, saturate(load<i32>(p) + u));
}
/** addSaturate at p + 4 (an immediate offset: no address add in the unrolled loops). */
// @ts-ignore: decorator
@inline function addSaturateNext(p: usize, u: i32): void {
  store<i32>(p, saturate(load<i32>(p, 4) + u), 4);
}

/** Writes u by mode: saturating residual add, raw store, ReLU^2 (u clamped to 46340: 46340^2 < 2^31). */
export function emit(p: usize, u: i32, mode: i32): void {
  if (mode == FX_ADD) addSaturate(p, u);
  else if (mode == FX_RELU2) {
    const c = min(u, 46340);
    store<i32>(p, select<i32>(c * c, 0, c > 0));
  } else store<i32>(p, u);
}

/**
 * y[r] (i32) += round(acc[r] * f) with XQ fractional bits, saturating at XMAX (the residual add), for r < rows;
 * acc the t3 kernels' lanes (u16 at acc + 8 r, minus unbias). |acc| < 2^14 and m < 2^15 keep acc * m inside i32
 * (wider accumulators go through mulShift64). Unchecked (callers check).
 */
export function rescaleAdd(acc: usize, unbias: i32, rows: i32, f: i32, y: usize): void {
  if (indexedForms()) {
    if (rescaleAddIx(acc, unbias, rows, f, y)) return; // the AOT module's form (indexed.ts)
  }
  const m = f & 0xffff,
    s = fxShift(f, XQ);
  // (lane - unbias) m + half as lane m + c, one operation less a row: the same i32 for any inputs (wrapping
  // arithmetic is exact modulo 2^32)
  const c = (1 << (s - 1)) - unbias * m;
  const end = y + <usize>(rows << 2);
  const end2 = y + <usize>((rows & ~1) << 2); // two rows a pass, an odd count's last row after
  let a = acc,
    p = y;
  for (; p < end2; p += 8, a += 16) {
    addSaturate(p, (<i32>load<u16>(a) * m + c) >> s);
    addSaturateNext(p, (<i32>load<u16>(a, 8) * m + c) >> s);
  }
  if (p < end) addSaturate(p, (<i32>load<u16>(a) * m + c) >> s);
}

/** storeRaw with relu2, returning max y[r] (the amax quantI32 of y would compute). Unchecked (callers check). */
export function relu2Amax(acc: usize, unbias: i32, rows: i32, y: usize): u32 {
  if (indexedForms()) {
    const am = relu2AmaxIx(acc, unbias, rows, y); // the AOT module's form (indexed.ts)
    if (am != 0xffffffff) return am;
  }
  const end = y + <usize>(rows << 2);
  const end2 = y + <usize>((rows & ~1) << 2); // two rows a pass, an odd count's last row after
  let amax: u32 = 0;
  let a = acc,
    p = y;
  for (; p < end2; p += 8, a += 16) {
    const v0 = max(<i32>load<u16>(a) - unbias, 0),
      v1 = max(<i32>load<u16>(a, 8) - unbias, 0);
    const sq0 = v0 * v0,
      sq1 = v1 * v1;
    store<i32>(p, sq0);
    store<i32>(p, sq1, 4);
    amax = max(amax, max(<u32>sq0, <u32>sq1));
  }
  if (p < end) {
    const v = max(<i32>load<u16>(a) - unbias, 0);
    const sq = v * v;
    store<i32>(p, sq);
    amax = max(amax, <u32>sq);
  }
  return amax;
}

/** y[r] (i32) = acc[r], or max(acc[r], 0)^2 when relu2 (|acc| < 2^14: < 2^28), from t3 lanes as rescaleAdd reads
 *  them. Unchecked (callers check). */
export function storeRaw(acc: usize, unbias: i32, rows: i32, y: usize, relu2: bool): void {
  if (indexedForms()) {
    if (storeRawIx(acc, unbias, rows, y, relu2)) return; // the AOT module's form (indexed.ts)
  }
  const end = y + <usize>(rows << 2);
  let a = acc,
    p = y;
  if (relu2) {
    for (; p < end; p += 4, a += 8) {
      const v = max(<i32>load<u16>(a) - unbias, 0);
      store<i32>(p, v * v);
    }
  } else {
    const end2 = y + <usize>((rows & ~1) << 2); // two rows a pass, an odd count's last row after
    for (; p < end2; p += 8, a += 16) {
      store<i32>(p, <i32>load<u16>(a) - unbias);
      store<i32>(p, <i32>load<u16>(a, 8) - unbias, 4);
    }
    if (p < end) store<i32>(p, <i32>load<u16>(a) - unbias);
  }
}

/** round(v * f) with outq fractional bits for any i32 v (the product in i64, |v| < 2^24), clamped to +-2^30. */
export function mulShift64(v: i32, f: i32, outq: i32): i32 {
  let s = (f >> 16) - outq;
  s = s < 1 ? 1 : s > 40 ? 40 : s; // |v * m| < 2^39: beyond 40 it rounds to 0 anyway
  const z = (i64(v) * i64(f & 0xffff) + (i64(1) << i64(s - 1))) >> i64(s);
  return <i32>(z > 1 << 30 ? 1 << 30 : z < -(1 << 30) ? -(1 << 30) : z);
}

/**
 * Outputs of rows r < rows one by one into y i32[rows] by mode (emit), each with its own multiplier: a times the row's
 * multiplier scales[r] (i32), or f1 when scales is 0; the product in i64 (mulShift64). acc: int8 accumulators (i32,
 * step 4) or t3 rows with per-row scales (u16 lanes, step 8, minus unbias). Raw values get 8 fractional bits (FX_Q8).
 * Unchecked (callers check).
 */
export function rowsOutI32(
  acc: usize,
  step: i32,
  unbias: i32,
  rows: i32,
  a: i32,
  f1: i32,
  scales: usize,
  y: usize,
  mode: i32,
): void {
  rowsOutLoop(acc, step, unbias, rows, a, f1, scales, y, mode);
}

/** rowsOutI32's loop, indexed by row (the AOT module's form, indexed.ts, runs it after its range test). */
// @ts-ignore: decorator
@inline export function rowsOutLoop(
  acc: usize,
  step: i32,
  unbias: i32,
  rows: i32,
  a: i32,
  f1: i32,
  scales: usize,
  y: usize,
  mode: i32,
): void {
  for (let r = 0; r < rows; r++) {
    const f = scales ? fxMul(a, load<i32>(scales + <usize>(r << 2))) : f1;
    const p = acc + <usize>(r * step);
    const v = step == 4 ? load<i32>(p) : <i32>load<u16>(p) - unbias;
    emit(y + <usize>(r << 2), mulShift64(v, f, mode == FX_ADD ? XQ : 8), mode);
  }
}

/**
 * SwiGLU of raw gate g and up u (i32[n], multipliers fg and fu), into g: s = round(g sigma(g) 2^-15), sigma in Q15
 * from e^-|x| (the EXP2 table) and one division; h = s u in i64, brought to 30 bits by one shift sh for the token.
 * Returns h's multiplier fg fu 2^sh. fl is fg log2(e). Unchecked (callers check).
 */
export function swiglu(g: usize, u: usize, n: i32, fg: i32, fu: i32, fl: i32): i32 {
  let amax: u64 = 0;
  for (let i = 0; i < n; i++) {
    const p = g + <usize>(i << 2);
    const v = load<i32>(p);
    const t = mulShift64(v, fl, 8); // x log2(e), 8 fractional bits
    const d = t < 0 ? -t : t;
    const e: u32 = d >= 15 << 8 ? 0 : u32(load<u16>(EXP2 + <usize>((d & 255) << 1))) >> u32(d >> 8);
    const sig: u32 = t >= 0 ? (u32(1) << 30) / (32768 + e) : (e << 15) / (32768 + e);
    const sv = <i32>((i64(v) * i64(sig) + 16384) >> 15);
    store<i32>(p, sv);
    const h = i64(sv) * i64(load<i32>(u + <usize>(i << 2)));
    const a = <u64>(h < 0 ? -h : h);
    if (a > amax) amax = a;
  }
  const bits = 64 - <i32>clz<u64>(amax);
  const sh = bits > 30 ? bits - 30 : 0;
  for (let i = 0; i < n; i++) {
    const p = g + <usize>(i << 2);
    const h = i64(load<i32>(p)) * i64(load<i32>(u + <usize>(i << 2)));
    store<i32>(p, <i32>(sh == 0 ? h : (h + (i64(1) << i64(sh - 1))) >> i64(sh)));
  }
  const f = fxMul(fg, fu);
  return f == 0 ? 0 : fxPack(fxM(f), fxE(f) - sh);
}

// ---- Attention pieces ----

/** EXP2[f] = round(2^15 * 2^(-f / 256)), f < 256: 2^(-d / 256) = EXP2[d & 255] >> (d >> 8). Exported: the
 *  attention kernel's C twin reads this table from linear memory (one table). */
export const EXP2: usize = memory.data<u16>([
  32768, 32679, 32591, 32503, 32415, 32327, 32240, 32153, 32066, 31979, 31893, 31806, 31720, 31635, 31549, 31464, 31379,
  31294, 31209, 31125, 31041, 30957, 30873, 30790, 30706, 30623, 30541, 30458, 30376, 30293, 30212, 30130, 30048, 29967,
  29886, 29805, 29725, 29644, 29564, 29484, 29405, 29325, 29246, 29167, 29088, 29009, 28931, 28852, 28774, 28697, 28619,
  28542, 28464, 28388, 28311, 28234, 28158, 28082, 28006, 27930, 27855, 27779, 27704, 27629, 27554, 27480, 27406, 27332,
  27258, 27184, 27110, 27037, 26964, 26891, 26818, 26746, 26674, 26601, 26530, 26458, 26386, 26315, 26244, 26173, 26102,
  26031, 25961, 25891, 25821, 25751, 25681, 25612, 25543, 25474, 25405, 25336, 25268, 25199, 25131, 25063, 24995, 24928,
  24860, 24793, 24726, 24659, 24593, 24526, 24460, 24394, 24328, 24262, 24196, 24131, 24066, 24001, 23936, 23871, 23806,
  23742, 23678, 23614, 23550, 23486, 23423, 23359, 23296, 23233, 23170, 23108, 23045, 22983, 22921, 22859, 22797, 22735,
  22674, 22613, 22552, 22491, 22430, 22369, 22309, 22248, 22188, 22128, 22068, 22009, 21949, 21890, 21831, 21772, 21713,
  21654, 21595, 21537, 21479, 21421, 21363, 21305, 21247, 21190, 21133, 21076, 21019, 20962, 20905, 20849, 20792, 20736,
  20680, 20624, 20568, 20513, 20457, 20402, 20347, 20292, 20237, 20182, 20127, 20073, 20019, 19965, 19911, 19857, 19803,
  19750, 19696, 19643, 19590, 19537, 19484, 19431, 19379, 19326, 19274, 19222, 19170, 19118, 19066, 19015, 18963, 18912,
  18861, 18810, 18759, 18708, 18658, 18607, 18557, 18507, 18457, 18407, 18357, 18308, 18258, 18209, 18160, 18110, 18061,
  18013, 17964, 17915, 17867, 17819, 17770, 17722, 17674, 17627, 17579, 17531, 17484, 17437, 17390, 17343, 17296, 17249,
  17202, 17156, 17109, 17063, 17017, 16971, 16925, 16879, 16834, 16788, 16743, 16697, 16652, 16607, 16562, 16518, 16473,
  16428,
]);

/** Causal softmax of one query: z i32[n] scores in log2 units with 8 fractional bits -> p i32[n] probabilities
 *  with 12 fractional bits (rounded; they sum to 4096 within n / 2), by the EXP2 table at `table`. Unchecked
 *  (callers check). */
export function softmaxExp2(z: usize, n: i32, p: usize, table: usize = EXP2): void {
  let zmax = load<i32>(z);
  for (let j = 1; j < n; j++) zmax = max(zmax, load<i32>(z + <usize>(j << 2)));
  let sum: u32 = 0;
  for (let j = 0; j < n; j++) {
    const d = zmax - load<i32>(z + <usize>(j << 2));
    const e: u32 = d >= 15 << 8 ? 0 : u32(load<u16>(table + <usize>((d & 255) << 1))) >> u32(d >> 8);
    store<u32>(p + <usize>(j << 2), e);
    sum += e;
  }
  const half = sum >> 1;
  for (let j = 0; j < n; j++) {
    const o = p + <usize>(j << 2);
    store<u32>(o, ((load<u32>(o) << 12) + half) / sum);
  }
}

/** A score dot * f in log2 units (8 fractional bits), |dot| < 2^19, clamped to +-2^24. */
export function scoreLog2(dot: i32, f: i32): i32 {
  const z = mulShift64(dot, f, 8);
  return z > 1 << 24 ? 1 << 24 : z < -(1 << 24) ? -(1 << 24) : z;
}

// ---- Exports for the golden vectors (entry checks, then the kernels above) ----

/** softmaxExp2 of z i32[n] into p i32[n]. */
export function softmax_exp2(z: i32, n: i32, p: i32): void {
  checkDim(n, "softmax_exp2: n must be 1..2^24");
  checkRange(z, <u64>n * 4, "softmax_exp2: z or p range outside memory");
  checkRange(p, <u64>n * 4, "softmax_exp2: z or p range outside memory");
  softmaxExp2(<usize>z, n, <usize>p);
}

/** Multipliers for golden checks: out i32[3 n] = fxFromF32Bits(a[i]), fxMul(a', b'), fxRsqrt(u64 of b[i]) for
 *  a u32[n] (f32 bits), b u32[n]. */
export function fx_ops(a: i32, b: i32, n: i32, out: i32): void {
  checkWords3(n, a, b, out, 3, "fx_ops: n must be 1..2^24, a, b and out inside memory");
  for (let i = 0; i < n; i++) {
    const fa = fxFromF32Bits(load<u32>(<usize>(a + 4 * i)));
    const vb = load<u32>(<usize>(b + 4 * i));
    const fb = fxFromU64(<u64>vb, 20);
    store<i32>(<usize>(out + 4 * i), fa);
    store<i32>(<usize>(out + 4 * (n + i)), fxMul(fa, fb));
    store<i32>(<usize>(out + 4 * (2 * n + i)), fxRsqrt(<u64>vb + 1));
  }
}
