// Twin of assembly/kernels/attention.ts: the integer forward's causal attention over raw q|k|v (RoPE on q and k,
// int8 q and k per token and head, scores in log2 units, softmax by the exp2 table, weighted sum of v). Used by
// the reference backbone (backbone.ts hiddenInt) and the golden vectors of the k_attention kernel.
import * as fx from "./fixed.ts";

/** What attentionInt shows an observer (the trainer's exact QAT): int8 q (n, D) and k (n, KH hd) after RoPE with
 *  their multipliers per token and head, and the probabilities (H, n, n) with 12 fractional bits, causal part only. */
export interface AttentionTap {
  probs: Int32Array;
  q8?: Int8Array;
  fq8?: number[];
  k8?: Int8Array;
  fk8?: number[];
}

/**
 * Attention of n tokens, model width D, H heads (KH key/value heads, each read by H / KH query heads): qkv (n, D +
 * 2 KH hd) raw q|k|v (rotated in place), rope (n, hd/2, 2) cos, sin with 12 fractional bits, raw[t] the tokens'
 * multipliers (replaced by those of the output), o (n, D) the raw output, scoreFx log2(e) / sqrt(hd) as a multiplier.
 */
export function attentionInt(
  qkv: Int32Array,
  n: number,
  D: number,
  H: number,
  rope: ArrayLike<number>,
  raw: number[],
  o: Int32Array,
  scoreFx: number,
  KH = H,
  tap?: AttentionTap,
): void {
  const hd = D / H,
    half = hd / 2,
    KV = KH * hd,
    S = D + 2 * KV; // a token's row
  const rotate = (base: number, t: number) => {
    for (let i = 0; i < half; i++) {
      const co = rope[(t * half + i) * 2],
        si = rope[(t * half + i) * 2 + 1];
      const va = qkv[base + i],
        vb = qkv[base + i + half];
      qkv[base + i] = (Math.imul(va, co) - Math.imul(vb, si) + 2048) >> 12;
      qkv[base + i + half] = (Math.imul(va, si) + Math.imul(vb, co) + 2048) >> 12;
    }
  };
  for (let t = 1; t < n; t++) {
    for (let h = 0; h < H; h++) rotate(t * S + h * hd, t);
    for (let h = 0; h < KH; h++) rotate(t * S + D + h * hd, t);
  }
  const q8 = new Int8Array(n * D),
    k8 = new Int8Array(n * KV); // int8 q and k
  const fq8: number[] = new Array(n * H).fill(0),
    fk8: number[] = new Array(n * KH).fill(0); // their multipliers
  for (let t = 0; t < n; t++) {
    for (let h = 0; h < H; h++)
      fq8[t * H + h] = fx.fxMul(fx.quantI32(qkv, t * S + h * hd, hd, 0, q8, t * D + h * hd), raw[t]);
    for (let h = 0; h < KH; h++)
      fk8[t * KH + h] = fx.fxMul(fx.quantI32(qkv, t * S + D + h * hd, hd, 0, k8, t * KV + h * hd), raw[t]);
  }
  const zs = new Int32Array(n),
    ps = new Int32Array(n);
  for (let t = n - 1; t >= 0; t--) {
    let emin = 0x7fff;
    for (let j = 0; j <= t; j++) emin = Math.min(emin, raw[j] >> 16);
    for (let h = 0; h < H; h++) {
      const kh = Math.floor(h / (H / KH));
      const fq = fx.fxMul(fq8[t * H + h], scoreFx);
      for (let j = 0; j <= t; j++) {
        let dot = 0;
        for (let i = 0; i < hd; i++) dot += q8[t * D + h * hd + i] * k8[j * KV + kh * hd + i];
        zs[j] = fx.scoreLog2(dot, fx.fxMul(fq, fk8[j * KH + kh]));
      }
      fx.softmaxExp2(zs, t + 1, ps);
      if (tap) for (let j = 0; j <= t; j++) tap.probs[(h * n + t) * n + j] = ps[j];
      for (let j = 0; j <= t; j++) {
        const s = Math.min((raw[j] >> 16) - emin + 12, 31);
        ps[j] = (ps[j] * (raw[j] & 0xffff) + (1 << (s - 1))) >> s;
      }
      for (let i = 0; i < hd; i++) {
        let acc = 0;
        for (let j = 0; j <= t; j++) acc = (acc + Math.imul(ps[j], qkv[j * S + D + KV + kh * hd + i])) | 0;
        o[t * D + h * hd + i] = acc;
      }
    }
    raw[t] = ((emin + 14) << 16) | (1 << 14);
  }
  if (tap) Object.assign(tap, { q8, fq8, k8, fk8 });
}
