// The integer forward's causal attention (docs/model.md), over explicit buffers so that it can also be a kernel
// import (k_attention, bound.ts) with a C twin (firmware/src/native_attention.c). Buffers of a forward of n <= P
// tokens, model width dim, `heads` heads of hd = dim / heads:
//   qkv   i32[P][3 dim]   raw q|k|v rows (one multiplier per token in mult)
//   rope  i32[P][hd/2][2] cos, sin with 12 fractional bits
//   mult  i32[P]          the tokens' multipliers (fixed.ts); replaced by the attention output's
//   qk8   i8[P][2 dim]    int8 q and k, then i32[P][2][heads] their multipliers (before: their max |value|, when
//                         the caller kept them while writing q and k)
//   sc    i32[2][P]       one query's scores, then probabilities; the second half also holds each output's max |o|
//   out   i32[P][dim]     the attention output, raw
//   exp2  u16[256]        the softmax's table (fixed.ts exp2Table())
// Twin: the attention in tools/lib/reference/backbone.ts (hiddenInt).
import { absU32, fxMul, quantBy, quantI32, scoreLog2, softmaxExp2 } from "./fixed";
import { attendScoresIx, indexedForms } from "./indexed";

/** RoPE on the raw integer q and k of tokens 1..n-1 (position 0 is the identity; a token's multiplier is
 *  unchanged): pairs (i, i + half), rounded. */
export function ropeRaw(qkv: usize, n: i32, dim: i32, heads: i32, rope: usize): void {
  const half = dim / heads / 2;
  for (let t = 1; t < n; t++)
    ropeToken(qkv + <usize>((t * 3 * dim) << 2), dim, heads, rope + <usize>((t * half * 2) << 2));
}

/** RoPE on one token's raw q|k (at qk: q then k, dim each) with its position's table row (cos, sin pairs at rt). */
export function ropeToken(qk: usize, dim: i32, heads: i32, rt: usize): void {
  const hd = dim / heads;
  ropeHeads(qk, heads, hd, rt);
  ropeHeads(qk + <usize>(dim << 2), heads, hd, rt);
}

/** RoPE on `heads` heads of hd raw values at base (pairs (i, i + hd/2)), rounded; the language model's one-token
 *  step calls it for q and for its (possibly fewer) k heads (assembly/lm/lm.ts). */
export function ropeHeads(base: usize, heads: i32, hd: i32, rt: usize): void {
  const half = hd / 2;
  for (let h = 0; h < heads; h++) {
    const pa0 = base + <usize>((h * hd) << 2);
    const paEnd = pa0 + <usize>(half << 2);
    let ro = rt;
    for (let pa = pa0, pb = paEnd; pa < paEnd; pa += 4, pb += 4, ro += 8) {
      const co = load<i32>(ro),
        si = load<i32>(ro, 4);
      const a = load<i32>(pa),
        b = load<i32>(pb);
      store<i32>(pa, (a * co - b * si + 2048) >> 12);
      store<i32>(pb, (a * si + b * co + 2048) >> 12);
    }
  }
}

/** q and k of each token and head to int8 (absmax; `known`: their max |value| already in the multiplier slots),
 *  each with its multiplier times the token's. */
export function attendQuant(
  qkv: usize,
  n: i32,
  dim: i32,
  heads: i32,
  mult: usize,
  qk8: usize,
  P: i32,
  known: bool,
): void {
  const hd = dim / heads;
  const fxB = qk8 + <usize>(P * 2 * dim); // i32[P][2][heads]
  for (let t = 0; t < n; t++) {
    const ft = load<i32>(mult + <usize>(t << 2));
    for (let part = 0; part < 2; part++) {
      for (let h = 0; h < heads; h++) {
        const x = qkv + <usize>((t * 3 * dim + part * dim + h * hd) << 2),
          q = qk8 + <usize>(t * 2 * dim + part * dim + h * hd);
        const slot = fxB + <usize>(((t * 2 + part) * heads + h) << 2);
        const f = known ? quantBy(x, hd, load<u32>(slot), 0, 0, q, false) : quantI32(x, hd, 0, q, false);
        store<i32>(slot, fxMul(f, ft));
      }
    }
  }
}

/** sum_i q[i] k[i] of two i8 vectors of n values (i32, wrapping as wasm does), four at a time: in wasm3 the loop's
 *  compare, branch and pointer steps cost about as much as the multiply-accumulates they serve. The language
 *  model's attention (assembly/lm/lm.ts) takes its scores from it too. */
// @ts-ignore: decorator
@inline export function dotI8(q: usize, k: usize, n: i32): i32 {
  let dot = 0;
  const end4 = q + <usize>(n & ~3),
    end = q + <usize>n;
  let qp = q,
    kp = k;
  for (; qp < end4; qp += 4, kp += 4) {
    dot +=
      <i32>load<i8>(qp) * <i32>load<i8>(kp) +
      <i32>load<i8>(qp, 1) * <i32>load<i8>(kp, 1) +
      <i32>load<i8>(qp, 2) * <i32>load<i8>(kp, 2) +
      <i32>load<i8>(qp, 3) * <i32>load<i8>(kp, 3);
  }
  for (; qp < end; qp++, kp++) dot += <i32>load<i8>(qp) * <i32>load<i8>(kp);
  return dot;
}

/** o[i] = sum_j p[j] v_j[i] for i < hd (p i32 from pB to pEnd, v_j at vo + j vs bytes), written to out i32[hd];
 *  returns max(amax, max_i |o[i]|). Four outputs a pass, each weight loaded once for the four; the last hd % 4
 *  outputs one at a time (the same sums in the same order). */
// @ts-ignore: decorator
@inline function weightedV(pB: usize, pEnd: usize, vo: usize, vs: i32, out: usize, hd: i32, amax: u32): u32 {
  let i = 0;
  for (; i + 4 <= hd; i += 4) {
    let a0 = 0,
      a1 = 0,
      a2 = 0,
      a3 = 0;
    for (let pp = pB, vp = vo + <usize>(i << 2); pp < pEnd; pp += 4, vp += <usize>vs) {
      const w = load<i32>(pp);
      a0 += w * load<i32>(vp);
      a1 += w * load<i32>(vp, 4);
      a2 += w * load<i32>(vp, 8);
      a3 += w * load<i32>(vp, 12);
    }
    const o = out + <usize>(i << 2);
    store<i32>(o, a0);
    store<i32>(o, a1, 4);
    store<i32>(o, a2, 8);
    store<i32>(o, a3, 12);
    amax = max(max(amax, max(absU32(a0), absU32(a1))), max(absU32(a2), absU32(a3)));
  }
  for (; i < hd; i++) {
    let a = 0;
    for (let pp = pB, vp = vo + <usize>(i << 2); pp < pEnd; pp += 4, vp += <usize>vs)
      a += load<i32>(pp) * load<i32>(vp);
    store<i32>(out + <usize>(i << 2), a);
    amax = max(amax, absU32(a));
  }
  return amax;
}

/**
 * Scores of int8 q and k (int32 dot products) in log2 units by one multiplier per (query, key), softmax by the exp2
 * table (12-bit probabilities), o[t] = sum_j w_j v_j in i32 with w_j = p_j times v_j's multiplier relative to the
 * largest of them (one scale per query across heads: its multiplier replaces mult[t]; max |o[t]| into sc[P + t]).
 */
export function attendScores(
  qkv: usize,
  n: i32,
  dim: i32,
  heads: i32,
  mult: usize,
  qk8: usize,
  sc: usize,
  out: usize,
  scoreFx: i32,
  P: i32,
  exp2: usize,
): void {
  if (indexedForms()) {
    if (attendScoresIx(qkv, n, dim, heads, mult, qk8, sc, out, scoreFx, P, exp2)) return; // the AOT module's form
  }
  const hd = dim / heads;
  const stride = 3 * dim;
  const fxB = qk8 + <usize>(P * 2 * dim);
  const zB = sc,
    pB = sc + <usize>(P << 2);
  for (let t = n - 1; t >= 0; t--) {
    // last query first: its weights read the v multipliers of tokens <= t only
    let emin = 0x7fff;
    let amax: u32 = 0; // max |o[t]| over the heads
    for (let j = 0; j <= t; j++) emin = min(emin, load<i32>(mult + <usize>(j << 2)) >> 16);
    for (let h = 0; h < heads; h++) {
      const qo = qk8 + <usize>(t * 2 * dim + h * hd);
      const fq = fxMul(load<i32>(fxB + <usize>((t * 2 * heads + h) << 2)), scoreFx);
      for (let j = 0; j <= t; j++) {
        const dot = dotI8(qo, qk8 + <usize>(j * 2 * dim + dim + h * hd), hd);
        store<i32>(
          zB + <usize>(j << 2),
          scoreLog2(dot, fxMul(fq, load<i32>(fxB + <usize>(((j * 2 + 1) * heads + h) << 2)))),
        );
      }
      softmaxExp2(zB, t + 1, pB, exp2);
      for (let j = 0; j <= t; j++) {
        // w_j = round(p_j m_j 2^-(e_j - emin + 12)): p_j m_j < 2^27
        const fj = load<i32>(mult + <usize>(j << 2));
        const s = min((fj >> 16) - emin + 12, 31);
        const pj = pB + <usize>(j << 2);
        store<i32>(pj, (load<i32>(pj) * (fj & 0xffff) + (1 << (s - 1))) >> s);
      }
      const vo = qkv + <usize>((2 * dim + h * hd) << 2); // v of head h, token 0
      const oo = out + <usize>((t * dim + h * hd) << 2);
      const pEnd = pB + <usize>((t + 1) << 2);
      amax = weightedV(pB, pEnd, vo, stride << 2, oo, hd, amax);
    }
    store<u32>(sc + <usize>((P + t) << 2), amax);
    store<i32>(mult + <usize>(t << 2), ((emin + 14) << 16) | (1 << 14)); // o[t]'s multiplier: 2^-emin
  }
}
