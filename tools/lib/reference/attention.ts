// Twin of assembly/kernels/attention.ts: the integer forward's causal attention over raw q|k|v (RoPE on q and k,
// int8 q and k per token and head, scores in log2 units, softmax by the exp2 table, weighted sum of v). Used by
// the reference backbone (backbone.ts hiddenInt) and the golden vectors of the k_attention kernel.
import * as fx from "./fixed.ts";

/**
 * Attention of n tokens, model width D, H heads: qkv (n, 3D) raw q|k|v (rotated in place), rope (n, hd/2, 2) cos,
 * sin with 12 fractional bits, raw[t] the tokens' multipliers (replaced by those of the output), o (n, D) the raw
 * output, scoreFx log2(e) / sqrt(hd) as a multiplier.
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
): void {
  const hd = D / H,
    half = hd / 2;
  for (let t = 1; t < n; t++) {
    for (let part = 0; part < 2; part++) {
      for (let h = 0; h < H; h++) {
        const base = t * 3 * D + part * D + h * hd;
        for (let i = 0; i < half; i++) {
          const co = rope[(t * half + i) * 2],
            si = rope[(t * half + i) * 2 + 1];
          const va = qkv[base + i],
            vb = qkv[base + i + half];
          qkv[base + i] = (Math.imul(va, co) - Math.imul(vb, si) + 2048) >> 12;
          qkv[base + i + half] = (Math.imul(va, si) + Math.imul(vb, co) + 2048) >> 12;
        }
      }
    }
  }
  const qk8 = new Int8Array(n * 2 * D); // (n, 2, D) int8 q and k
  const fqk: number[] = new Array(n * 2 * H).fill(0); // (n, 2, H) their multipliers
  for (let t = 0; t < n; t++) {
    for (let part = 0; part < 2; part++) {
      for (let h = 0; h < H; h++) {
        const fq = fx.quantI32(qkv, t * 3 * D + part * D + h * hd, hd, 0, qk8, t * 2 * D + part * D + h * hd);
        fqk[(t * 2 + part) * H + h] = fx.fxMul(fq, raw[t]);
      }
    }
  }
  const zs = new Int32Array(n),
    ps = new Int32Array(n);
  for (let t = n - 1; t >= 0; t--) {
    let emin = 0x7fff;
    for (let j = 0; j <= t; j++) emin = Math.min(emin, raw[j] >> 16);
    for (let h = 0; h < H; h++) {
      const fq = fx.fxMul(fqk[t * 2 * H + h], scoreFx);
      for (let j = 0; j <= t; j++) {
        let dot = 0;
        for (let i = 0; i < hd; i++) dot += qk8[t * 2 * D + h * hd + i] * qk8[j * 2 * D + D + h * hd + i];
        zs[j] = fx.scoreLog2(dot, fx.fxMul(fq, fqk[(j * 2 + 1) * H + h]));
      }
      fx.softmaxExp2(zs, t + 1, ps);
      for (let j = 0; j <= t; j++) {
        const s = Math.min((raw[j] >> 16) - emin + 12, 31);
        ps[j] = (ps[j] * (raw[j] & 0xffff) + (1 << (s - 1))) >> s;
      }
      for (let i = 0; i < hd; i++) {
        let acc = 0;
        for (let j = 0; j <= t; j++) acc = (acc + Math.imul(ps[j], qkv[j * 3 * D + 2 * D + h * hd + i])) | 0;
        o[t * D + h * hd + i] = acc;
      }
    }
    raw[t] = ((emin + 14) << 16) | (1 << 14);
  }
}
