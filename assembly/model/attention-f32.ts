// The fp32 attention pieces shared by the agent backbone's fp32 baseline (backbone.ts) and the fp32 language model
// (assembly/lm/lm.ts), in one fixed order of operations (the reference's, hiddenF32): RoPE of a token's heads, and
// one query head's attention over the keys and values before it; for the backbone, both over all its tokens
// (ropeF32, attendF32: the module's own k_baseline attention, assembly/kernels/bound.ts).
import { expf } from "./mathf";
import { attendF32Ix, indexedForms, ropeF32Ix } from "../kernels/indexed";

/** RoPE in f32 on `n` heads of hd values at base: pairs (i, i + hd/2), the position's cos, sin pairs at rt. */
export function ropeHeadsF32(base: usize, n: i32, hd: i32, rt: usize): void {
  const half = hd / 2;
  for (let h = 0; h < n; h++) {
    const pa0 = base + <usize>((h * hd) << 2);
    const paEnd = pa0 + <usize>(half << 2);
    let ro = rt;
    for (let pa = pa0, pb = paEnd; pa < paEnd; pa += 4, pb += 4, ro += 8) {
      const co = load<f32>(ro),
        si = load<f32>(ro, 4);
      const a = load<f32>(pa),
        b = load<f32>(pb);
      store<f32>(pa, a * co - b * si);
      store<f32>(pb, a * si + b * co);
    }
  }
}

/**
 * out f32[hd] = sum over j < n of p_j v_j, p = softmax over j of (q . k_j) scale: q f32[hd], key j at k + j stride
 * and value j at v + j stride (bytes); sc f32[n] holds the scores, then p.
 */
export function attendHeadF32(
  q: usize,
  k: usize,
  v: usize,
  stride: usize,
  hd: i32,
  n: i32,
  scale: f32,
  sc: usize,
  out: usize,
): void {
  const qEnd = q + <usize>(hd << 2);
  let mx: f32 = -Infinity;
  for (let j = 0; j < n; j++) {
    let dot: f32 = 0;
    for (let qp = q, kp = k + <usize>j * stride; qp < qEnd; qp += 4, kp += 4) dot += load<f32>(qp) * load<f32>(kp);
    const s = dot * scale;
    store<f32>(sc + <usize>(j << 2), s);
    if (s > mx) mx = s;
  }
  let sum: f32 = 0;
  for (let j = 0; j < n; j++) {
    const e = expf(load<f32>(sc + <usize>(j << 2)) - mx);
    store<f32>(sc + <usize>(j << 2), e);
    sum += e;
  }
  for (let j = 0; j < n; j++) store<f32>(sc + <usize>(j << 2), load<f32>(sc + <usize>(j << 2)) / sum);
  const scEnd = sc + <usize>(n << 2);
  for (let i = 0; i < hd; i++) {
    let acc: f32 = 0;
    for (let sp = sc, vp = v + <usize>(i << 2); sp < scEnd; sp += 4, vp += stride) acc += load<f32>(sp) * load<f32>(vp);
    store<f32>(out + <usize>(i << 2), acc);
  }
}

/** RoPE of q and k of n tokens in qkv f32[n][3 dim] (rows q | k | v), position t's cos, sin pairs at
 *  rope + t hd/2 pairs (the fp32 backbone's table). */
export function ropeF32(qkv: usize, n: i32, dim: i32, heads: i32, rope: usize): void {
  if (indexedForms()) {
    if (ropeF32Ix(qkv, n, dim, heads, rope)) return; // the AOT module's form (kernels/indexed.ts)
  }
  const hd = dim / heads;
  for (let t = 0; t < n; t++) {
    const rt = rope + <usize>((t * hd) << 2); // (t * half * 2) f32
    const qk = qkv + <usize>((t * 3 * dim) << 2);
    ropeHeadsF32(qk, heads, hd, rt);
    ropeHeadsF32(qk + <usize>(dim << 2), heads, hd, rt);
  }
}

/** Causal multi-head attention of n tokens over qkv f32[n][3 dim] (RoPE applied) into out f32[n][dim]; sc f32[n]
 *  of scratch. */
export function attendF32(qkv: usize, n: i32, dim: i32, heads: i32, sc: usize, out: usize): void {
  if (indexedForms()) {
    if (attendF32Ix(qkv, n, dim, heads, sc, out)) return; // the AOT module's form (kernels/indexed.ts)
  }
  const hd = dim / heads;
  const stride = <usize>(3 * dim * 4);
  const scale: f32 = <f32>1 / Mathf.sqrt(<f32>hd);
  for (let t = 0; t < n; t++) {
    for (let h = 0; h < heads; h++) {
      const head = qkv + <usize>((h * hd) << 2); // q of head h, token 0
      const k = head + <usize>(dim << 2),
        v = head + <usize>((2 * dim) << 2);
      attendHeadF32(
        head + <usize>t * stride,
        k,
        v,
        stride,
        hd,
        t + 1,
        scale,
        sc,
        out + <usize>((t * dim + h * hd) << 2),
      );
    }
  }
}
