// The backbone as a trainable model: f64 latent weights, fake quantization with the straight-through estimator
// (QAT), a hand-written forward and backward for next-token prediction with the LM head tied to the embedding.
// Same architecture as tools/lib/reference/backbone.ts (docs/model.md); inference uses the exported weights.
// QAT "exact" (the default): the forward of a quantized kind IS the integer forward of the exported weights
// (reference/backbone.ts residualInt, every fixed-point step: multipliers, 12-bit residual stream and RoPE table,
// exp2 softmax, folded norm gains), its values read into the float model's caches for the backward. QAT "approx":
// the float forward with fake int8 activations, q/k and probabilities only (what backbones were trained with
// before exact QAT; kept to rebuild them and to compare the two, docs/results.md).
import type { BackboneConfig, BackboneKind, BackboneWeights, IntegerTap, Matrix } from "../reference/backbone.ts";
import { dequantizedRows, residualInt, ropeTable } from "../reference/backbone.ts";
import { fxValue, normF32, XQ } from "../reference/fixed.ts";
import { absmeanScale, quantizeInt8, quantizeTernary } from "../format/quantize.ts";
import { rng } from "./rng.ts";

export interface Params {
  /** (vocab, dim) token embedding, also the LM head (tied) */
  emb: Float64Array;
  /** (2 * layers + 1, dim) RMSNorm gains */
  norms: Float64Array;
  /** per layer: wqkvo (4 * dim, dim), up (ffn, dim), down (dim, ffn), rows = outputs */
  layers: { wqkvo: Float64Array; up: Float64Array; down: Float64Array }[];
}

/** Every parameter array in a fixed order (Adam state and gradients follow it). */
export function paramArrays(p: Params): Float64Array[] {
  return [p.emb, p.norms, ...p.layers.flatMap((l) => [l.wqkvo, l.up, l.down])];
}

export function zerosLike(p: Params): Params {
  return {
    emb: new Float64Array(p.emb.length),
    norms: new Float64Array(p.norms.length),
    layers: p.layers.map((l) => ({
      wqkvo: new Float64Array(l.wqkvo.length),
      up: new Float64Array(l.up.length),
      down: new Float64Array(l.down.length),
    })),
  };
}

/** Normal(0, 1/sqrt(fan_in)) weights (output projections scaled by 1/sqrt(2L)), unit norm gains. */
export function initParams(c: BackboneConfig, seed: number): Params {
  const r = rng(seed);
  const D = c.dim,
    F = c.ffn;
  const fill = (n: number, std: number) => Float64Array.from({ length: n }, () => r.normal() * std);
  const emb = fill(c.vocab * D, 1 / Math.sqrt(D));
  const norms = new Float64Array((2 * c.layers + 1) * D).fill(1);
  const outStd = 1 / Math.sqrt(2 * c.layers);
  const layers = [];
  for (let l = 0; l < c.layers; l++) {
    const wqkvo = fill(4 * D * D, 1 / Math.sqrt(D));
    for (let i = 3 * D * D; i < 4 * D * D; i++) wqkvo[i] *= outStd;
    layers.push({ wqkvo, up: fill(F * D, 1 / Math.sqrt(D)), down: fill(D * F, outStd / Math.sqrt(F)) });
  }
  return { emb, norms, layers };
}

// ---- fake quantization (forward values as inference computes them; gradients pass straight through) ----

const EPS = 1e-5;

/** Effective weights of a (rows, cols) matrix for a kind: what the forward multiplies by. */
export function fakeQuantWeights(kind: BackboneKind, w: Float64Array, rows: number, cols: number): Float64Array {
  if (kind === "fp32") return w;
  const out = new Float64Array(w.length);
  if (kind === "int8") {
    for (let r = 0; r < rows; r++) {
      let amax = 0;
      for (let c = 0; c < cols; c++) amax = Math.max(amax, Math.abs(w[r * cols + c]));
      const s = amax / 127;
      for (let c = 0; c < cols; c++)
        out[r * cols + c] = s === 0 ? 0 : Math.max(-127, Math.min(127, Math.round(w[r * cols + c] / s))) * s;
    }
    return out;
  }
  let sum = 0;
  for (let i = 0; i < w.length; i++) sum += Math.abs(w[i]);
  const gamma = sum / w.length;
  for (let i = 0; i < w.length; i++) {
    const q = kind === "binary" ? (w[i] >= 0 ? 1 : -1) : Math.max(-1, Math.min(1, Math.round(w[i] / (gamma + EPS))));
    out[i] = q * gamma;
  }
  return out;
}

/** The embedding as inference sees it: int8 per tensor except for fp32 backbones. */
export function fakeQuantEmbedding(kind: BackboneKind, w: Float64Array): Float64Array {
  if (kind === "fp32") return w;
  let amax = 0;
  for (let i = 0; i < w.length; i++) amax = Math.max(amax, Math.abs(w[i]));
  const s = amax / 127;
  return w.map((v) => (s === 0 ? 0 : Math.max(-127, Math.min(127, Math.round(v / s))) * s));
}

/** Per-token absmax int8 of x (T, n) as dequantized values (identity for fp32). */
function fakeQuantAct(kind: BackboneKind, x: Float64Array, T: number, n: number): Float64Array {
  if (kind === "fp32") return x;
  const out = new Float64Array(x.length);
  for (let t = 0; t < T; t++) {
    let amax = 0;
    for (let i = 0; i < n; i++) amax = Math.max(amax, Math.abs(x[t * n + i]));
    if (amax === 0) continue;
    const s = 127 / amax;
    for (let i = 0; i < n; i++) out[t * n + i] = Math.max(-128, Math.min(127, Math.round(x[t * n + i] * s))) / s;
  }
  return out;
}

/**
 * The integer forward's attention quantizers, faked in place (values as inference computes them, gradients
 * straight through): q and k of each token and head to int8 absmax (v, o) (T, D) with H heads.
 */
function fakeQuantHeads(kind: BackboneKind, v: Float64Array, T: number, D: number, H: number): void {
  if (kind === "fp32") return;
  const hd = D / H;
  for (let t = 0; t < T; t++) {
    for (let h = 0; h < H; h++) {
      const o = t * D + h * hd;
      let amax = 0;
      for (let i = 0; i < hd; i++) amax = Math.max(amax, Math.abs(v[o + i]));
      if (amax === 0) continue;
      for (let i = 0; i < hd; i++) v[o + i] = (Math.round((v[o + i] * 127) / amax) * amax) / 127;
    }
  }
}

/** Softmax probabilities as the integer forward rounds them (12 fractional bits), in place, for a row of n. */
function fakeQuantProbs(kind: BackboneKind, P: Float64Array, o: number, n: number): void {
  if (kind === "fp32") return;
  for (let j = 0; j < n; j++) P[o + j] = Math.round(P[o + j] * 4096) / 4096;
}

/** How QAT fakes the integer forward (see the top of this file). */
export type QatMode = "exact" | "approx";
export const QAT_MODES: QatMode[] = ["exact", "approx"];
/** Whether the forward is the integer forward of the exported weights: exact QAT (the default) of a quantized kind. */
export const isExactQat = (kind: BackboneKind, qat: QatMode = "exact") => qat === "exact" && kind !== "fp32";

export interface Effective {
  /** the embedding and tied head as the forward sees it (exact QAT: the exported one, dequantized, as
   *  `exportedLoss` reads it) */
  emb: Float64Array;
  layers: { wqkvo: Float64Array; up: Float64Array; down: Float64Array }[];
  /** exact QAT of a quantized kind: the exported weights whose integer forward is the forward */
  exact?: BackboneWeights;
}

export function effectiveWeights(c: BackboneConfig, p: Params, qat: QatMode = "exact"): Effective {
  const D = c.dim,
    F = c.ffn;
  const exact = isExactQat(c.kind, qat) ? exportWeights(c, p) : undefined;
  return {
    ...(exact ? { exact } : {}),
    emb: exact ? Float64Array.from(dequantizedRows(exact.emb)) : fakeQuantEmbedding(c.kind, p.emb),
    layers: p.layers.map((l) => ({
      wqkvo: fakeQuantWeights(c.kind, l.wqkvo, 4 * D, D),
      up: fakeQuantWeights(c.kind, l.up, F, D),
      down: fakeQuantWeights(c.kind, l.down, D, F),
    })),
  };
}

// ---- dense helpers: x (T, cols), W (rows, cols) row-major ----

/** Rows [r0, r1) of a weight matrix W of `cols` columns: the part of W one product uses. */
interface Rows {
  W: Float64Array;
  cols: number;
  r0: number;
  r1: number;
}
const rowsOf = (W: Float64Array, cols: number, r0: number, r1: number): Rows => ({ W, cols, r0, r1 });

/** y[t * ys + r - r0] = sum_c W[r, c] x[t, c] for the rows of w. */
function mm(x: Float64Array, T: number, { W, cols, r0, r1 }: Rows, y: Float64Array, ys: number): void {
  for (let t = 0; t < T; t++) {
    const xo = t * cols;
    for (let r = r0; r < r1; r++) {
      const wo = r * cols;
      let acc = 0;
      for (let c = 0; c < cols; c++) acc += W[wo + c] * x[xo + c];
      y[t * ys + r - r0] = acc;
    }
  }
}

/** Backward of mm: dx += dy W, dW += dy^T x (dx may be null). */
function mmBack(
  dy: Float64Array,
  ys: number,
  x: Float64Array,
  T: number,
  { W, cols, r0, r1 }: Rows,
  dx: Float64Array | null,
  dW: Float64Array,
): void {
  for (let t = 0; t < T; t++) {
    const xo = t * cols;
    for (let r = r0; r < r1; r++) {
      const g = dy[t * ys + r - r0];
      if (g === 0) continue;
      const wo = r * cols;
      if (dx) for (let c = 0; c < cols; c++) dx[xo + c] += g * W[wo + c];
      for (let c = 0; c < cols; c++) dW[wo + c] += g * x[xo + c];
    }
  }
}

/** y = x * r * g per token; returns r (T). */
function rms(x: Float64Array, T: number, D: number, g: Float64Array, go: number, y?: Float64Array): Float64Array {
  const rr = new Float64Array(T);
  for (let t = 0; t < T; t++) {
    let ss = 0;
    for (let i = 0; i < D; i++) ss += x[t * D + i] ** 2;
    const r = (rr[t] = 1 / Math.sqrt(ss / D + EPS));
    if (y) for (let i = 0; i < D; i++) y[t * D + i] = x[t * D + i] * r * g[go + i];
  }
  return rr;
}

/** Backward of rms: dx += ..., dg += ... */
function rmsBack(
  dy: Float64Array,
  x: Float64Array,
  rr: Float64Array,
  T: number,
  D: number,
  g: Float64Array,
  go: number,
  dx: Float64Array,
  dg: Float64Array,
): void {
  for (let t = 0; t < T; t++) {
    const r = rr[t];
    let dot = 0;
    for (let i = 0; i < D; i++) {
      const dn = dy[t * D + i] * g[go + i];
      dg[go + i] += dy[t * D + i] * x[t * D + i] * r;
      dot += dn * x[t * D + i];
    }
    for (let i = 0; i < D; i++) dx[t * D + i] += r * dy[t * D + i] * g[go + i] - (r * r * r * x[t * D + i] * dot) / D;
  }
}

/** Rotates q or k (T, D) in place by RoPE; inverse = true applies the transpose (for gradients). */
function rope(v: Float64Array, T: number, D: number, H: number, table: Float32Array, inverse: boolean): void {
  const hd = D / H,
    half = hd / 2;
  for (let t = 0; t < T; t++) {
    for (let h = 0; h < H; h++) {
      const b = t * D + h * hd;
      for (let i = 0; i < half; i++) {
        const co = table[(t * half + i) * 2],
          s = inverse ? -table[(t * half + i) * 2 + 1] : table[(t * half + i) * 2 + 1];
        const a0 = v[b + i],
          a1 = v[b + i + half];
        v[b + i] = a0 * co - a1 * s;
        v[b + i + half] = a0 * s + a1 * co;
      }
    }
  }
}

interface LayerCache {
  xin: Float64Array;
  r1: Float64Array;
  aq: Float64Array;
  q: Float64Array;
  k: Float64Array;
  v: Float64Array;
  P: Float64Array;
  oq: Float64Array;
  xmid: Float64Array;
  r2: Float64Array;
  bq: Float64Array;
  u: Float64Array;
  zq: Float64Array;
}

/** What one sequence's forward and backward share: the config, its sizes, the RoPE table and the score scale. */
interface Shape {
  c: BackboneConfig;
  D: number;
  F: number;
  H: number;
  V: number;
  hd: number;
  T: number;
  table: Float32Array;
  scale: number;
}

/**
 * Mean next-token cross-entropy over a batch of equal-length sequences; when `grad` is given, adds the gradient
 * of that mean loss to it (latent weights get the effective weights' gradient: straight-through). Per sequence:
 * embed, each layer forward (caching what the backward needs), final norm and tied head, loss; then the same
 * steps backwards.
 */
export function lossAndGrad(
  c: BackboneConfig,
  p: Params,
  eff: Effective,
  seqs: Int32Array[],
  grad: Params | null,
): number {
  const D = c.dim,
    hd = D / c.heads,
    T = seqs[0].length;
  const s: Shape = { c, D, F: c.ffn, H: c.heads, V: c.vocab, hd, T, table: ropeTable(T, hd), scale: 1 / Math.sqrt(hd) };
  const count = seqs.length * (T - 1);
  let total = 0;
  for (const seq of seqs) {
    const { caches, x, fn, rf } = eff.exact ? integerForward(s, p, eff, seq) : floatForward(s, p, eff, seq);
    const logits = new Float64Array((T - 1) * s.V);
    mm(fn, T - 1, rowsOf(eff.emb, D, 0, s.V), logits, s.V);
    const dlogits = grad ? new Float64Array((T - 1) * s.V) : null;
    total = addNextTokenLoss(s, logits, seq, count, dlogits, total);
    if (!grad || !dlogits) continue;
    const dfn = new Float64Array(T * D);
    mmBack(dlogits, s.V, fn, T - 1, rowsOf(eff.emb, D, 0, s.V), dfn, grad.emb);
    let dx: Float64Array = new Float64Array(T * D);
    rmsBack(dfn, x, rf, T, D, p.norms, 2 * c.layers * D, dx, grad.norms);
    for (let l = c.layers - 1; l >= 0; l--)
      dx = layerBackward(s, p, eff.layers[l], grad.layers[l], caches[l], l, dx, grad.norms);
    for (let t = 0; t < T; t++) for (let i = 0; i < D; i++) grad.emb[seq[t] * D + i] += dx[t * D + i];
  }
  return total / count;
}

type LayerWeights = Effective["layers"][number];

/** One sequence's forward up to the features: each layer's cache, the last residual stream x, the features fn and
 *  the final norm's 1 / rms per token rf. */
interface Forward {
  caches: LayerCache[];
  x: Float64Array;
  fn: Float64Array;
  rf: Float64Array;
}

/** The float forward (fp32, and QAT "approx"): embed, layers, final norm. */
function floatForward(s: Shape, p: Params, eff: Effective, seq: Int32Array): Forward {
  const { c, D, T } = s;
  let x: Float64Array = new Float64Array(T * D); // (T, D) residual stream
  for (let t = 0; t < T; t++) x.set(eff.emb.subarray(seq[t] * D, seq[t] * D + D), t * D);
  const caches: LayerCache[] = [];
  for (let l = 0; l < c.layers; l++) {
    const cache = layerForward(s, p, eff.layers[l], l, x);
    caches.push(cache);
    x = residualOut(s, cache, eff.layers[l]);
  }
  const fn = new Float64Array(T * D);
  const rf = rms(x, T, D, p.norms, 2 * c.layers * D, fn);
  return { caches, x, fn, rf };
}

/**
 * Exact QAT's forward: the integer forward of the exported weights (what the board runs), its integers turned into
 * the values the float model's caches hold (int8 activations times their multipliers, the residual stream over
 * 2^12, probabilities over 2^12), so the loss is the shipped model's and the backward is the float model's.
 * The FFN's pre-activation u (only its sign and size enter ReLU^2's gradient) is the float product of the exact
 * int8 input with the effective weights: the same sign as the integer one.
 */
function integerForward(s: Shape, p: Params, eff: Effective, seq: Int32Array): Forward {
  const { c, D, F, H, T, hd } = s;
  const w = eff.exact!;
  /** int8 rows of `cols` values times their row's multiplier */
  const deq = (q: Int8Array, units: readonly number[], cols: number) => {
    const out = new Float64Array(q.length);
    for (let r = 0, i = 0; r < units.length; r++) {
      const u = fxValue(units[r]);
      for (let e = i + cols; i < e; i++) out[i] = q[i] * u;
    }
    return out;
  };
  const fixed = (x: Int32Array) => {
    const out = new Float64Array(x.length);
    for (let i = 0; i < x.length; i++) out[i] = x[i] / 2 ** XQ;
    return out;
  };
  const caches: Partial<LayerCache>[] = Array.from({ length: c.layers }, () => ({}));
  const tap: IntegerTap = {
    residual(l, at, x) {
      const C = caches[l],
        xf = fixed(x),
        r = rms(xf, T, D, p.norms, (2 * l + (at === "in" ? 0 : 1)) * D); // 1 / rms: the backward's surrogate for the integer norm
      if (at === "in") Object.assign(C, { xin: xf, r1: r });
      else Object.assign(C, { xmid: xf, r2: r });
    },
    act(l, at, q, units) {
      const C = caches[l];
      if (at === "qkv") C.aq = deq(q, units, D);
      else if (at === "o") C.oq = deq(q, units, D);
      else if (at === "down") C.zq = deq(q, units, F);
      else {
        C.bq = deq(q, units, D);
        C.u = new Float64Array(T * F);
        mm(C.bq, T, rowsOf(eff.layers[l].up, D, 0, F), C.u, F);
      }
    },
    attention(l, qkv, rawV, att) {
      const C = caches[l];
      C.q = deq(att.q8!, att.fq8!, hd); // one multiplier per token and head
      C.k = deq(att.k8!, att.fk8!, hd);
      C.v = new Float64Array(T * D);
      for (let t = 0; t < T; t++)
        for (let i = 0; i < D; i++) C.v[t * D + i] = qkv[t * 3 * D + 2 * D + i] * fxValue(rawV[t]);
      C.P = Float64Array.from(att.probs, (v) => v / 4096);
    },
  };
  if (c.kvHeads) throw new Error("trainer: grouped KV heads are not trained here");
  if (H * hd !== D) throw new Error("trainer: heads must divide dim");
  const { x, gains, shifts } = residualInt(w, seq, T, tap);
  const fn32 = new Float32Array(T * D);
  const r = 2 * c.layers;
  for (let t = 0; t < T; t++) normF32(x, t * D, gains, r * D, shifts[r], D, fn32, t * D);
  const xf = fixed(x);
  return { caches: caches as LayerCache[], x: xf, fn: Float64Array.from(fn32), rf: rms(xf, T, D, p.norms, r * D) };
}

/** One layer up to its FFN input: norm, fake-quantized qkv, RoPE, causal attention, output projection, residual. */
function layerForward(s: Shape, p: Params, W: LayerWeights, l: number, xin: Float64Array): LayerCache {
  const { c, D, F, T } = s;
  const a = new Float64Array(T * D);
  const r1 = rms(xin, T, D, p.norms, 2 * l * D, a);
  const aq = fakeQuantAct(c.kind, a, T, D);
  const qkv = new Float64Array(T * 3 * D); // (T, 3D)
  mm(aq, T, rowsOf(W.wqkvo, D, 0, 3 * D), qkv, 3 * D);
  const q = new Float64Array(T * D),
    k = new Float64Array(T * D),
    v = new Float64Array(T * D);
  for (let t = 0; t < T; t++) {
    q.set(qkv.subarray(t * 3 * D, t * 3 * D + D), t * D);
    k.set(qkv.subarray(t * 3 * D + D, t * 3 * D + 2 * D), t * D);
    v.set(qkv.subarray(t * 3 * D + 2 * D, t * 3 * D + 3 * D), t * D);
  }
  rope(q, T, D, s.H, s.table, false);
  rope(k, T, D, s.H, s.table, false);
  fakeQuantHeads(c.kind, q, T, D, s.H);
  fakeQuantHeads(c.kind, k, T, D, s.H);
  const { P, o } = attentionForward(s, q, k, v);
  const oq = fakeQuantAct(c.kind, o, T, D);
  const y = new Float64Array(T * D);
  mm(oq, T, rowsOf(W.wqkvo, D, 3 * D, 4 * D), y, D);
  const xmid = new Float64Array(T * D);
  for (let i = 0; i < T * D; i++) xmid[i] = xin[i] + y[i];
  const b = new Float64Array(T * D);
  const r2 = rms(xmid, T, D, p.norms, (2 * l + 1) * D, b);
  const bq = fakeQuantAct(c.kind, b, T, D);
  const u = new Float64Array(T * F);
  mm(bq, T, rowsOf(W.up, D, 0, F), u, F);
  const z = u.map((v) => (v > 0 ? v * v : 0));
  const zq = fakeQuantAct(c.kind, z, T, F);
  return { xin, r1, aq, q, k, v, P, oq, xmid, r2, bq, u, zq };
}

/** The layer's output: xmid + down(zq), the FFN's residual add. */
function residualOut(s: Shape, C: LayerCache, W: LayerWeights): Float64Array {
  const { D, F, T } = s;
  const y2 = new Float64Array(T * D);
  mm(C.zq, T, rowsOf(W.down, F, 0, D), y2, D);
  const x = new Float64Array(T * D);
  for (let i = 0; i < T * D; i++) x[i] = C.xmid[i] + y2[i];
  return x;
}

/** Causal softmax attention per head: P (H, T, T) fake-quantized as inference rounds it, o (T, D) = P v. */
function attentionForward(
  s: Shape,
  q: Float64Array,
  k: Float64Array,
  v: Float64Array,
): { P: Float64Array; o: Float64Array } {
  const { D, H, T, hd } = s;
  const P = new Float64Array(H * T * T);
  const o = new Float64Array(T * D);
  for (let h = 0; h < H; h++) {
    for (let t = 0; t < T; t++) {
      const row = (h * T + t) * T;
      let mx = -Infinity;
      for (let j = 0; j <= t; j++) {
        let dot = 0;
        for (let i = 0; i < hd; i++) dot += q[t * D + h * hd + i] * k[j * D + h * hd + i];
        P[row + j] = dot * s.scale;
        mx = Math.max(mx, P[row + j]);
      }
      let sum = 0;
      for (let j = 0; j <= t; j++) sum += P[row + j] = Math.exp(P[row + j] - mx);
      for (let j = 0; j <= t; j++) P[row + j] /= sum;
      fakeQuantProbs(s.c.kind, P, row, t + 1);
      for (let i = 0; i < hd; i++) {
        let acc = 0;
        for (let j = 0; j <= t; j++) acc += P[row + j] * v[j * D + h * hd + i];
        o[t * D + h * hd + i] = acc;
      }
    }
  }
  return { P, o };
}

/** total plus the cross-entropy of predicting seq[t + 1] from each logits row t (added one by one, the order the
 *  loss has always been summed in); fills dlogits (scaled by 1/count) if given. */
function addNextTokenLoss(
  s: Shape,
  logits: Float64Array,
  seq: Int32Array,
  count: number,
  dlogits: Float64Array | null,
  total: number,
): number {
  const V = s.V;
  for (let t = 0; t < s.T - 1; t++) {
    let mx = -Infinity;
    for (let i = 0; i < V; i++) mx = Math.max(mx, logits[t * V + i]);
    let sum = 0;
    for (let i = 0; i < V; i++) sum += Math.exp(logits[t * V + i] - mx);
    const target = seq[t + 1];
    total += Math.log(sum) + mx - logits[t * V + target];
    if (dlogits) {
      for (let i = 0; i < V; i++) dlogits[t * V + i] = Math.exp(logits[t * V + i] - mx) / sum / count;
      dlogits[t * V + target] -= 1 / count;
    }
  }
  return total;
}

/** Backward through one layer: given d(loss)/d(output), accumulates its weight gradients and returns d/d(input). */
function layerBackward(
  s: Shape,
  p: Params,
  W: LayerWeights,
  G: LayerWeights,
  C: LayerCache,
  l: number,
  dx: Float64Array,
  dNorms: Float64Array,
): Float64Array {
  const { D, F, T } = s;
  // FFN: x = xmid + down(zq), zq = fq(relu(u)^2), u = up(bq), bq = fq(rms(xmid))
  const dz = new Float64Array(T * F);
  mmBack(dx, D, C.zq, T, rowsOf(W.down, F, 0, D), dz, G.down);
  for (let i = 0; i < T * F; i++) dz[i] = C.u[i] > 0 ? dz[i] * 2 * C.u[i] : 0;
  const db = new Float64Array(T * D);
  mmBack(dz, F, C.bq, T, rowsOf(W.up, D, 0, F), db, G.up);
  const dxmid = dx.slice();
  rmsBack(db, C.xmid, C.r2, T, D, p.norms, (2 * l + 1) * D, dxmid, dNorms);
  // attention: xmid = xin + wo(oq)
  const dO = new Float64Array(T * D);
  mmBack(dxmid, D, C.oq, T, rowsOf(W.wqkvo, D, 3 * D, 4 * D), dO, G.wqkvo);
  const { dq, dk, dv } = attentionBackward(s, C, dO);
  rope(dq, T, D, s.H, s.table, true);
  rope(dk, T, D, s.H, s.table, true);
  const dqkv = new Float64Array(T * 3 * D);
  for (let t = 0; t < T; t++) {
    dqkv.set(dq.subarray(t * D, t * D + D), t * 3 * D);
    dqkv.set(dk.subarray(t * D, t * D + D), t * 3 * D + D);
    dqkv.set(dv.subarray(t * D, t * D + D), t * 3 * D + 2 * D);
  }
  const da = new Float64Array(T * D);
  mmBack(dqkv, 3 * D, C.aq, T, rowsOf(W.wqkvo, D, 0, 3 * D), da, G.wqkvo);
  const dxin = dxmid.slice();
  rmsBack(da, C.xin, C.r1, T, D, p.norms, 2 * l * D, dxin, dNorms);
  return dxin;
}

/** Gradients of the attention output o = softmax(q k^T * scale) v with respect to q, k and v (after RoPE). */
function attentionBackward(
  s: Shape,
  C: LayerCache,
  dO: Float64Array,
): { dq: Float64Array; dk: Float64Array; dv: Float64Array } {
  const { D, H, T, hd } = s;
  const dq = new Float64Array(T * D),
    dk = new Float64Array(T * D),
    dv = new Float64Array(T * D);
  for (let h = 0; h < H; h++) {
    for (let t = 0; t < T; t++) {
      const row = (h * T + t) * T;
      const dP = new Float64Array(t + 1);
      let sum = 0;
      for (let j = 0; j <= t; j++) {
        let g = 0;
        for (let i = 0; i < hd; i++) {
          g += dO[t * D + h * hd + i] * C.v[j * D + h * hd + i];
          dv[j * D + h * hd + i] += C.P[row + j] * dO[t * D + h * hd + i];
        }
        dP[j] = g;
        sum += C.P[row + j] * g;
      }
      for (let j = 0; j <= t; j++) {
        const dS = C.P[row + j] * (dP[j] - sum) * s.scale;
        if (dS === 0) continue;
        for (let i = 0; i < hd; i++) {
          dq[t * D + h * hd + i] += dS * C.k[j * D + h * hd + i];
          dk[j * D + h * hd + i] += dS * C.q[t * D + h * hd + i];
        }
      }
    }
  }
  return { dq, dk, dv };
}

// ---- export: latent weights -> the quantized weights inference runs ----

function exportMatrix(kind: BackboneKind, w: Float64Array, rows: number, cols: number): Matrix {
  const w32 = Float32Array.from(w);
  if (kind === "fp32") return { type: "f32", rows, cols, w: w32 };
  if (kind === "int8") {
    const { q, scales } = quantizeInt8(w32, rows, cols, "row");
    return { type: "i8", rows, cols, q, scales };
  }
  if (kind === "ternary") {
    const { q, scales } = quantizeTernary(w32, rows, cols, "tensor");
    return { type: "ternary", rows, cols, q, scales };
  }
  const q = Int8Array.from(w32, (v) => (v >= 0 ? 1 : -1));
  return { type: "ternary", rows, cols, q, scales: Float32Array.of(absmeanScale(w32)) };
}

export function exportWeights(c: BackboneConfig, p: Params): BackboneWeights {
  const D = c.dim,
    F = c.ffn;
  const e32 = Float32Array.from(p.emb);
  let emb: Matrix;
  if (c.kind === "fp32") emb = { type: "f32", rows: c.vocab, cols: D, w: e32 };
  else {
    const { q, scales } = quantizeInt8(e32, c.vocab, D, "tensor");
    emb = { type: "i8", rows: c.vocab, cols: D, q, scales };
  }
  return {
    config: c,
    emb,
    norms: Float32Array.from(p.norms),
    layers: p.layers.map((l) => ({
      wqkvo: exportMatrix(c.kind, l.wqkvo, 4 * D, D),
      up: exportMatrix(c.kind, l.up, F, D),
      down: exportMatrix(c.kind, l.down, D, F),
    })),
  };
}
