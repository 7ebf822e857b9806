// The backbone's TypeScript forward twin (docs/model.md): the integer-only forward of the quantized kinds with the
// same integers as assembly/model/backbone.ts (fixed-point kernels in ./fixed.ts), and the fp32 kind's f32
// operations in the same order, so features are bit-exact with the wasm module for every kind.
import { BitrlError } from "../util/errors.ts";
import { packTernary, unpackTernary } from "../format/ternary-packing.ts";
import { bitLinearScale, quantizeActivations, roundHalfEven } from "../format/quantize.ts";
import type { Blob, BlobTensor } from "../format/types.ts";
import * as fx from "./fixed.ts";
import { attentionInt, type AttentionTap } from "./attention.ts";

const f = Math.fround;

/** fp32: every tensor f32; int8: absmax int8 weights; ternary: absmean {-1,0,1}; binary: sign {-1,1}, absmean scale. */
export type BackboneKind = "fp32" | "int8" | "ternary" | "binary";
export const BACKBONE_KINDS: BackboneKind[] = ["fp32", "int8", "ternary", "binary"];

/** Limits the wasm runtime sizes its static buffers for (assembly/model/config.ts mirrors them). */
export const LIMITS = {
  vocab: 256,
  ctx: 16,
  dim: 48,
  layers: 2,
  heads: 4,
  ffn: 128,
  featTokens: 16,
  kvHeads: 0,
  /** llama-style options (grouped KV heads, SwiGLU, an untied head): language models only */
  llama: false,
} as const;
/** Limits of the language-model runtime (assembly/lm/lm.ts mirrors them): a model is sized by the blob, and what
 *  fits a board is decided by its RAM (tools/lib/lm/fit.ts), not by these. */
export const LM_LIMITS = {
  vocab: 256,
  ctx: 1024,
  dim: 512,
  layers: 16,
  heads: 16,
  ffn: 2048,
  featTokens: 1024,
  kvHeads: 16,
  llama: true,
} as const;
type SizeLimit = Exclude<keyof typeof LIMITS, "llama">;
export type Limits = { readonly [K in SizeLimit]: number } & { readonly llama: boolean };

/** The `model.config` tensor: i32[10] = [1, kind, vocab, ctx, dim, layers, heads, ffn, featTokens, kvHeads]. */
export interface BackboneConfig {
  kind: BackboneKind;
  /** token ids 0..vocab-1 (observation tokens, then action tokens) */
  vocab: number;
  /** positions the model was trained on; a forward takes at most this many tokens */
  ctx: number;
  dim: number;
  layers: number;
  /** dim / heads must be even (RoPE rotates pairs) */
  heads: number;
  /** hidden width of the FFN (ReLU^2, or SwiGLU when the layers have a gate) */
  ffn: number;
  /** key/value heads, each read by heads / kvHeads query heads (grouped-query attention); 0 or absent: heads.
   *  Language models only. */
  kvHeads?: number;
  /** feature vector = final hidden states of positions 0..featTokens-1, concatenated (featTokens * dim) */
  featTokens: number;
}

export const CONFIG_VERSION = 1;
export const CONFIG_LEN = 10;
export const RMS_EPS = f(1e-5);

export function configToI32(c: BackboneConfig): Int32Array {
  return Int32Array.from([
    CONFIG_VERSION,
    BACKBONE_KINDS.indexOf(c.kind),
    c.vocab,
    c.ctx,
    c.dim,
    c.layers,
    c.heads,
    c.ffn,
    c.featTokens,
    c.kvHeads ?? 0,
  ]);
}

/** Checks every field against the limits; throws BitrlError naming the first bad field. */
export function validateConfig(c: BackboneConfig, limits: Limits = LIMITS): BackboneConfig {
  const bad = (what: string) => {
    throw new BitrlError(`model.config: ${what}`);
  };
  if (!BACKBONE_KINDS.includes(c.kind)) bad(`unknown kind '${c.kind}'`);
  const range = (name: SizeLimit, v: number, lo: number) => {
    if (!Number.isInteger(v) || v < lo || v > limits[name]) bad(`${name} ${v} outside ${lo}..${limits[name]}`);
  };
  range("vocab", c.vocab, 2);
  range("ctx", c.ctx, 1);
  range("dim", c.dim, 2);
  range("layers", c.layers, 1);
  range("heads", c.heads, 1);
  range("ffn", c.ffn, 1);
  range("featTokens", c.featTokens, 1);
  if (c.dim % c.heads !== 0 || (c.dim / c.heads) % 2 !== 0)
    bad(`dim ${c.dim} / heads ${c.heads} must be an even integer`);
  if (c.featTokens > c.ctx) bad(`featTokens ${c.featTokens} > ctx ${c.ctx}`);
  const kv = c.kvHeads ?? 0;
  if (kv !== 0 && !limits.llama) bad(`kvHeads ${kv}: grouped KV heads are for language models`);
  if (!Number.isInteger(kv) || kv < 0 || kv > c.heads || (kv > 0 && c.heads % kv !== 0))
    bad(`kvHeads ${kv} must be 0 or divide heads ${c.heads}`);
  return c;
}

export function configFromI32(v: ArrayLike<number>, limits: Limits = LIMITS): BackboneConfig {
  if (v.length !== CONFIG_LEN) throw new BitrlError(`model.config: ${v.length} values, expected ${CONFIG_LEN}`);
  if (v[0] !== CONFIG_VERSION)
    throw new BitrlError(`model.config: version ${v[0]} (this reader knows ${CONFIG_VERSION})`);
  const kind = BACKBONE_KINDS[v[1]];
  if (kind === undefined) throw new BitrlError(`model.config: unknown kind ${v[1]}`);
  return validateConfig(
    {
      kind,
      vocab: v[2],
      ctx: v[3],
      dim: v[4],
      layers: v[5],
      heads: v[6],
      ffn: v[7],
      featTokens: v[8],
      ...(v[9] !== 0 && { kvHeads: v[9] }),
    },
    limits,
  );
}

/** One weight matrix (rows = outputs, cols = inputs), in the form the forward uses. */
export type Matrix =
  | { type: "f32"; rows: number; cols: number; w: Float32Array /* (rows, cols) */ }
  | {
      type: "i8" | "ternary";
      rows: number;
      cols: number;
      q: Int8Array /* (rows, cols) */;
      scales: Float32Array; /* (1) or (rows) */
    };

/** A matrix's weights as floats, (rows, cols): quantized values times their scale (what the forward multiplies by). */
export function dequantizedRows(m: Matrix): Float32Array {
  if (m.type === "f32") return m.w;
  const out = new Float32Array(m.rows * m.cols);
  for (let i = 0; i < out.length; i++)
    out[i] = m.q[i] * (m.scales.length === 1 ? m.scales[0] : m.scales[Math.floor(i / m.cols)]);
  return out;
}

export interface BackboneWeights {
  config: BackboneConfig;
  /** (vocab, dim) token embedding */
  emb: Matrix;
  /** (vocab, dim) output head of a language model; absent: tied to emb */
  head?: Matrix;
  /** (2 * layers + 1, dim) RMSNorm gains: row 2l before attention of layer l, 2l+1 before its FFN, last = final */
  norms: Float32Array;
  layers: {
    /** (2 D + 2 KV, dim), KV = kvHeads * head width: rows [0,D) query, then KV key, KV value, D output projection */
    wqkvo: Matrix;
    /** (ffn, dim) */
    up: Matrix;
    /** (ffn, dim): SwiGLU's gate (language models only); absent: ReLU^2 */
    gate?: Matrix;
    /** (dim, ffn) */
    down: Matrix;
  }[];
}

export const featureSize = (c: BackboneConfig) => c.featTokens * c.dim;
/** Width of the k (and v) rows: kvHeads * head width. */
export const kvWidth = (c: BackboneConfig) => ((c.kvHeads || c.heads) * c.dim) / c.heads;

// ---- deterministic f32 math shared with assembly/model/mathf.ts (same constants, same operation order) ----

const LOG2E = f(1.4426950408889634);
const LN2_HI = f(0.693145751953125);
const LN2_LO = f(1.428606765330187e-6);
const INV_2PI = f(0.15915494309189535);
const TWO_PI_HI = f(6.28125);
const TWO_PI_LO = f(0.0019353071795864769);
const ROPE_LOG_BASE = f(9.210340371976184); // ln(10000)

/** e^x in f32 steps (range reduction by ln 2, degree-7 Taylor); 0 below -80. Not libm: identical everywhere. */
export function expf(x: number): number {
  if (x < -80) return 0;
  if (x > 80) x = 80;
  const k = roundHalfEven(f(x * LOG2E));
  let r = f(x - f(k * LN2_HI));
  r = f(r - f(k * LN2_LO));
  let p = f(1 / 5040);
  p = f(f(p * r) + f(1 / 720));
  p = f(f(p * r) + f(1 / 120));
  p = f(f(p * r) + f(1 / 24));
  p = f(f(p * r) + f(1 / 6));
  p = f(f(p * r) + f(0.5));
  p = f(f(p * r) + 1);
  p = f(f(p * r) + 1);
  return f(p * 2 ** k);
}

/** Reduces x to [-pi, pi] by a two-part 2*pi. */
function reduceAngle(x: number): number {
  const k = roundHalfEven(f(x * INV_2PI));
  const r = f(x - f(k * TWO_PI_HI));
  return f(r - f(k * TWO_PI_LO));
}

/** sin and cos by Taylor series in f32 on the reduced angle (|error| < 1e-5 for |x| < 100). */
export function sincosf(x: number): [number, number] {
  const r = reduceAngle(x);
  const r2 = f(r * r);
  let s = f(-1 / 1307674368000);
  for (const c of [1 / 6227020800, -1 / 39916800, 1 / 362880, -1 / 5040, 1 / 120, -1 / 6, 1]) s = f(f(s * r2) + f(c));
  s = f(s * r);
  let co = f(1 / 20922789888000);
  for (const c of [-1 / 87178291200, 1 / 479001600, -1 / 3628800, 1 / 40320, -1 / 720, 1 / 24, -1 / 2, 1])
    co = f(f(co * r2) + f(c));
  return [s, co];
}

/** RoPE table (ctx, headDim / 2, 2) = [cos, sin] of p * 10000^(-2i / headDim). */
export function ropeTable(ctx: number, headDim: number): Float32Array {
  const half = headDim / 2;
  const t = new Float32Array(ctx * half * 2);
  const c = f(f(ROPE_LOG_BASE * 2) / f(headDim));
  for (let i = 0; i < half; i++) {
    const freq = expf(f(f(-i) * c));
    for (let p = 0; p < ctx; p++) {
      const [s, co] = sincosf(f(f(p) * freq));
      t[(p * half + i) * 2] = co;
      t[(p * half + i) * 2 + 1] = s;
    }
  }
  return t;
}

/** out = x / rms(x) * g, every step in f32, sums in index order. */
export function rmsNorm(
  x: Float32Array,
  xo: number,
  g: Float32Array,
  go: number,
  out: Float32Array,
  oo: number,
  n: number,
): void {
  let ss = 0;
  for (let i = 0; i < n; i++) ss = f(ss + f(x[xo + i] * x[xo + i]));
  const r = f(1 / f(Math.sqrt(f(f(ss / f(n)) + RMS_EPS))));
  for (let i = 0; i < n; i++) out[oo + i] = f(f(x[xo + i] * r) * g[go + i]);
}

/**
 * y(n, rows) = x(n, cols) W^T for rows [r0, r1) of W, written at y[t * yStride + r]. f32: f32 products summed in
 * index order. i8/ternary: per-token int8 activations, int32 dot, one f32 scale per output (docs/format.md).
 */
export function linear(
  m: Matrix,
  x: Float32Array,
  n: number,
  y: Float32Array,
  yStride: number,
  r0 = 0,
  r1 = m.rows,
): void {
  const cols = m.cols;
  for (let t = 0; t < n; t++) {
    const xt = x.subarray(t * cols, (t + 1) * cols);
    if (m.type === "f32") {
      for (let r = r0; r < r1; r++) {
        let acc = 0;
        for (let c = 0; c < cols; c++) acc = f(acc + f(m.w[r * cols + c] * xt[c]));
        y[t * yStride + r - r0] = acc;
      }
    } else {
      const { q, scale } = quantizeActivations(xt);
      for (let r = r0; r < r1; r++) {
        let acc = 0;
        for (let c = 0; c < cols; c++) acc += m.q[r * cols + c] * q[c];
        y[t * yStride + r - r0] = bitLinearScale(acc, m.scales.length === 1 ? m.scales[0] : m.scales[r], scale);
      }
    }
  }
}

/** Embedding row of token `tok` as f32 into out[oo, oo + dim). */
function embed(m: Matrix, tok: number, out: Float32Array, oo: number): void {
  const d = m.cols;
  if (m.type === "f32") for (let i = 0; i < d; i++) out[oo + i] = m.w[tok * d + i];
  else {
    const s = m.scales.length === 1 ? m.scales[0] : m.scales[tok];
    for (let i = 0; i < d; i++) out[oo + i] = f(m.q[tok * d + i] * s);
  }
}

/** Final hidden states (n, dim) after the final RMSNorm, for tokens[0..n): the integer forward for the quantized
 *  kinds, the f32 one for fp32. */
export function backboneHidden(w: BackboneWeights, tokens: ArrayLike<number>, n: number): Float32Array {
  const c = w.config;
  if (n < 1 || n > c.ctx) throw new BitrlError(`backbone: ${n} tokens, the model takes 1..${c.ctx}`);
  for (let t = 0; t < n; t++) {
    const tok = tokens[t];
    if (!Number.isInteger(tok) || tok < 0 || tok >= c.vocab)
      throw new BitrlError(`backbone: token ${tok} at ${t} outside 0..${c.vocab - 1}`);
  }
  return c.kind === "fp32" ? hiddenF32(w, tokens, n) : hiddenInt(w, tokens, n);
}

/**
 * The fp32 attention of n tokens (the module's k_baseline attention): RoPE on q and k of qkv (n, 3D) in place (pairs
 * (i, i + half) of each head, rotated by position from the (ctx, hd/2, 2) table), then causal attention one head at
 * a time into xn (n, D). Every step in f32, in the module's order.
 */
export function ropeAttentionF32(
  qkv: Float32Array,
  n: number,
  D: number,
  H: number,
  rope: Float32Array,
  xn: Float32Array,
): void {
  const hd = D / H,
    half = hd / 2;
  const sc = new Float32Array(n);
  const scale = f(1 / f(Math.sqrt(hd)));
  // RoPE on q and k: pairs (i, i + half) of each head rotated by position
  for (let t = 0; t < n; t++) {
    for (let part = 0; part < 2; part++) {
      for (let h = 0; h < H; h++) {
        const base = t * 3 * D + part * D + h * hd;
        for (let i = 0; i < half; i++) {
          const co = rope[(t * half + i) * 2],
            s = rope[(t * half + i) * 2 + 1];
          const a = qkv[base + i],
            b = qkv[base + i + half];
          qkv[base + i] = f(f(a * co) - f(b * s));
          qkv[base + i + half] = f(f(a * s) + f(b * co));
        }
      }
    }
  }
  // causal attention, one head at a time; output (n, D) into xn
  for (let t = 0; t < n; t++) {
    for (let h = 0; h < H; h++) {
      const qo = t * 3 * D + h * hd;
      let mx = -Infinity;
      for (let j = 0; j <= t; j++) {
        const ko = j * 3 * D + D + h * hd;
        let dot = 0;
        for (let i = 0; i < hd; i++) dot = f(dot + f(qkv[qo + i] * qkv[ko + i]));
        sc[j] = f(dot * scale);
        if (sc[j] > mx) mx = sc[j];
      }
      let sum = 0;
      for (let j = 0; j <= t; j++) {
        sc[j] = expf(f(sc[j] - mx));
        sum = f(sum + sc[j]);
      }
      for (let j = 0; j <= t; j++) sc[j] = f(sc[j] / sum);
      for (let i = 0; i < hd; i++) {
        let acc = 0;
        for (let j = 0; j <= t; j++) acc = f(acc + f(sc[j] * qkv[j * 3 * D + 2 * D + h * hd + i]));
        xn[t * D + h * hd + i] = acc;
      }
    }
  }
}

function hiddenF32(w: BackboneWeights, tokens: ArrayLike<number>, n: number): Float32Array {
  const c = w.config;
  const D = c.dim,
    F = c.ffn,
    H = c.heads,
    hd = D / H;
  const rope = ropeTable(c.ctx, hd);
  const x = new Float32Array(n * D); // (n, D) residual stream
  const xn = new Float32Array(n * D); // (n, D) normed input / attention output
  const qkv = new Float32Array(n * 3 * D); // (n, 3D) rows: q | k | v
  const u = new Float32Array(F); // (F) FFN hidden of one token
  const y = new Float32Array(D); // (D) one token's projection output
  for (let t = 0; t < n; t++) embed(w.emb, tokens[t], x, t * D);
  for (let l = 0; l < c.layers; l++) {
    const L = w.layers[l];
    for (let t = 0; t < n; t++) rmsNorm(x, t * D, w.norms, 2 * l * D, xn, t * D, D);
    linear(L.wqkvo, xn, n, qkv, 3 * D, 0, 3 * D);
    ropeAttentionF32(qkv, n, D, H, rope, xn);
    for (let t = 0; t < n; t++) {
      linear(L.wqkvo, xn.subarray(t * D, (t + 1) * D), 1, y, D, 3 * D, 4 * D);
      for (let i = 0; i < D; i++) x[t * D + i] = f(x[t * D + i] + y[i]);
    }
    for (let t = 0; t < n; t++) {
      rmsNorm(x, t * D, w.norms, (2 * l + 1) * D, xn, t * D, D);
      linear(L.up, xn.subarray(t * D, (t + 1) * D), 1, u, F);
      for (let i = 0; i < F; i++) u[i] = u[i] > 0 ? f(u[i] * u[i]) : 0;
      linear(L.down, u, 1, y, D);
      for (let i = 0; i < D; i++) x[t * D + i] = f(x[t * D + i] + y[i]);
    }
  }
  const out = new Float32Array(n * D);
  for (let t = 0; t < n; t++) rmsNorm(x, t * D, w.norms, 2 * c.layers * D, out, t * D, D);
  return out;
}

// ---- the integer forward (int8, ternary, binary): assembly/model/backbone.ts's integers ----

const scaleFx = (m: Matrix, row: number) =>
  m.type === "f32" ? 0 : fx.fxFromF32Bits(fx.f32Bits(m.scales.length === 1 ? m.scales[0] : m.scales[row]));

/** The load-time folding (backboneLoad's prepareInteger): gains G with a shift per norm row, RoPE to 12 bits. */
export function integerParams(w: BackboneWeights): { gains: Int32Array; shifts: number[]; rope: Int32Array } {
  const c = w.config,
    D = c.dim,
    R = 2 * c.layers + 1;
  const gains = new Int32Array(R * D);
  const shifts: number[] = [];
  for (let r = 0; r < R; r++) {
    let amax = 0;
    for (let i = 0; i < D; i++) {
      const a = Math.abs(w.norms[r * D + i]);
      if (a > amax) amax = a;
    }
    let gs = 20;
    while (gs > 0 && f(amax * 2 ** gs) > fx.GMAX) gs--;
    shifts.push(gs);
    for (let i = 0; i < D; i++) {
      const g = roundHalfEven(f(w.norms[r * D + i] * 2 ** gs));
      gains[r * D + i] = Number.isNaN(g) ? 0 : Math.min(Math.max(g, -fx.GMAX), fx.GMAX);
    }
  }
  // every position (the wasm builds the first featTokens: the only ones it runs)
  const rope = Int32Array.from(ropeTable(c.ctx, D / c.heads), (v) => roundHalfEven(f(v * 4096)));
  return { gains, shifts, rope };
}

/**
 * BitLinear rows [r0, r1) of m over int8 activations q8 (n, cols) with per-token multipliers a, into y by mode:
 * FX_ADD adds round(acc * multiplier) to the residual stream; FX_RAW / FX_RELU2 store the raw dot product (or ReLU^2
 * of it) and the token's multiplier in raw[t]; int8 and per-row scales: rows rescaled to 8 fractional bits (FX_Q8).
 */
function linearInt(
  m: Matrix,
  q8: Int8Array,
  a: number[],
  n: number,
  r0: number,
  r1: number,
  y: Int32Array,
  ys: number,
  mode: number,
  raw: number[],
): void {
  if (m.type === "f32") throw new BitrlError("backbone: an f32 matrix in an integer forward");
  const cols = m.cols;
  const perTensorT3 = m.type === "ternary" && m.scales.length === 1;
  const { q } = m;
  // Hoisted out of the loops (the trainer's exact QAT runs this forward every step): one multiplier per token when
  // the tensor has one scale, and the fixed-point helpers as locals (module namespace reads cost in the loop).
  const { emit, mulShift64, rescaleOne, fxMul, FX_ADD, FX_RELU2, FX_Q8, XQ } = fx;
  const rowScales = m.scales.length !== 1 ? Array.from({ length: r1 - r0 }, (_, i) => scaleFx(m, r0 + i)) : null;
  const tensorScale = rowScales ? 0 : scaleFx(m, 0);
  for (let t = 0; t < n; t++) {
    const fmTensor = rowScales ? 0 : fxMul(a[t], tensorScale);
    for (let r = r0; r < r1; r++) {
      let acc = 0;
      for (let c = 0, wo = r * cols, xo = t * cols; c < cols; c++) acc += q[wo + c] * q8[xo + c];
      const fm = rowScales ? fxMul(a[t], rowScales[r - r0]) : fmTensor;
      const o = t * ys + r - r0;
      if (!perTensorT3) emit(y, o, mulShift64(acc, fm, mode === FX_ADD ? XQ : 8), mode);
      else if (mode === FX_ADD) emit(y, o, rescaleOne(acc, fm, XQ), mode);
      else y[o] = mode === FX_RELU2 ? Math.max(acc, 0) ** 2 : acc; // t3: |acc| < 2^14
      if (mode !== FX_ADD) raw[t] = perTensorT3 ? fm : FX_Q8;
    }
  }
}

/**
 * Where the integer forward lets an observer look, layer by layer (the trainer's exact QAT, tools/lib/train/model.ts):
 * the residual stream entering the layer and after its attention (XQ bits), each BitLinear's int8 input with the
 * tokens' multipliers, and the attention's raw q|k|v rows (v as projected, q and k rotated) with v's multipliers,
 * its int8 q and k and its probabilities. The arrays are the forward's own buffers: copy what you keep.
 */
export interface IntegerTap {
  residual(l: number, at: "in" | "mid", x: Int32Array): void;
  act(l: number, at: "qkv" | "o" | "up" | "down", q: Int8Array, units: readonly number[]): void;
  attention(l: number, qkv: Int32Array, rawV: readonly number[], att: AttentionTap): void;
}

/** The integer forward's residual stream x (n, D) after the last layer (XQ bits), with the folded norm gains. */
export function residualInt(
  w: BackboneWeights,
  tokens: ArrayLike<number>,
  n: number,
  tap?: IntegerTap,
): { x: Int32Array; gains: Int32Array; shifts: number[] } {
  const c = w.config;
  const D = c.dim,
    F = c.ffn,
    H = c.heads,
    hd = D / H,
    KV = kvWidth(c),
    S = D + 2 * KV; // rows of q | k | v
  const { gains, shifts, rope } = integerParams(w);
  const x = new Int32Array(n * D); // (n, D) residual stream, XQ bits
  const qkv = new Int32Array(n * S); // (n, S) q | k | v, raw (multiplier raw[t])
  const o = new Int32Array(n * D); // (n, D) attention output, raw
  const z = new Int32Array(n * F); // (n, F) FFN hidden, raw
  const u = new Int32Array(n * F); // (n, F) SwiGLU's up projection, raw (multiplier rawU[t])
  const rawU: number[] = new Array(n).fill(0);
  const log2eFx = fx.fxFromF32Bits(fx.f32Bits(LOG2E));
  const qD = new Int8Array(n * D),
    qF = new Int8Array(n * F); // int8 activations
  const a: number[] = new Array(n).fill(0); // per-token multipliers of the activations
  const raw: number[] = new Array(n).fill(0); // per-token multipliers of raw values
  if (w.emb.type === "f32") throw new BitrlError("backbone: an f32 embedding in an integer forward");
  for (let t = 0; t < n; t++) {
    const tok = tokens[t];
    const fe = scaleFx(w.emb, tok);
    for (let i = 0; i < D; i++)
      x[t * D + i] = Math.min(Math.max(fx.rescaleOne(w.emb.q[tok * D + i], fe, fx.XQ), -fx.XMAX), fx.XMAX);
  }
  const scoreFx = fx.fxFromF32Bits(fx.f32Bits(f(LOG2E / f(Math.sqrt(hd)))));
  const quantRaw = (src: Int32Array, cols: number, q: Int8Array, squared: boolean) => {
    for (let t = 0; t < n; t++)
      a[t] = fx.fxMul(fx.quantI32(src, t * cols, cols, 0, q, t * cols), squared ? fx.fxMul(raw[t], raw[t]) : raw[t]);
  };
  const KH = KV / hd;
  for (let l = 0; l < c.layers; l++) {
    const L = w.layers[l];
    tap?.residual(l, "in", x);
    for (let t = 0; t < n; t++) a[t] = fx.normQuant(x, t * D, gains, 2 * l * D, shifts[2 * l], D, qD, t * D);
    tap?.act(l, "qkv", qD, a);
    linearInt(L.wqkvo, qD, a, n, 0, S, qkv, S, fx.FX_RAW, raw);
    const rawV = tap ? raw.slice() : raw; // attentionInt replaces raw by the output's multipliers
    const att: AttentionTap | undefined = tap && { probs: new Int32Array(H * n * n) };
    attentionInt(qkv, n, D, H, rope, raw, o, scoreFx, KH, att);
    if (tap && att) tap.attention(l, qkv, rawV, att);
    quantRaw(o, D, qD, false);
    tap?.act(l, "o", qD, a);
    linearInt(L.wqkvo, qD, a, n, S, S + D, x, D, fx.FX_ADD, raw);
    tap?.residual(l, "mid", x);
    for (let t = 0; t < n; t++) a[t] = fx.normQuant(x, t * D, gains, (2 * l + 1) * D, shifts[2 * l + 1], D, qD, t * D);
    tap?.act(l, "up", qD, a);
    if (L.gate) {
      linearInt(L.gate, qD, a, n, 0, F, z, F, fx.FX_RAW, raw);
      linearInt(L.up, qD, a, n, 0, F, u, F, fx.FX_RAW, rawU);
      for (let t = 0; t < n; t++) raw[t] = fx.swiglu(z, t * F, u, t * F, F, raw[t], rawU[t], fx.fxMul(raw[t], log2eFx));
      quantRaw(z, F, qF, false);
    } else {
      linearInt(L.up, qD, a, n, 0, F, z, F, fx.FX_RELU2, raw);
      quantRaw(z, F, qF, true);
    }
    tap?.act(l, "down", qF, a);
    linearInt(L.down, qF, a, n, 0, D, x, D, fx.FX_ADD, raw);
  }
  return { x, gains, shifts };
}

function hiddenInt(w: BackboneWeights, tokens: ArrayLike<number>, n: number): Float32Array {
  const c = w.config,
    D = c.dim;
  const { x, gains, shifts } = residualInt(w, tokens, n);
  // features: RMSNorm(x) * g, the only float step
  const out = new Float32Array(n * D);
  const r = 2 * c.layers;
  for (let t = 0; t < n; t++) fx.normF32(x, t * D, gains, r * D, shifts[r], D, out, t * D);
  return out;
}

/** Features for the RL head: hidden states of positions 0..featTokens-1 concatenated, zeros past n. */
export function backboneFeatures(w: BackboneWeights, tokens: ArrayLike<number>, n: number): Float32Array {
  const c = w.config;
  const h = backboneHidden(w, tokens, n);
  const out = new Float32Array(featureSize(c));
  out.set(h.subarray(0, Math.min(n, c.featTokens) * c.dim));
  return out;
}

// ---- blob <-> weights ----

const littleEndian = (data: Uint8Array) => new DataView(data.buffer, data.byteOffset, data.byteLength);

function matrixTensor(name: string, m: Matrix, kind: BackboneKind): BlobTensor {
  if (m.type === "f32") {
    return {
      name,
      shape: [m.rows, m.cols],
      packing: "f32",
      data: new Uint8Array(m.w.slice().buffer),
      scales: new Float32Array(0),
    };
  }
  if (m.type === "ternary") {
    return {
      name,
      shape: [m.rows, m.cols],
      packing: "t3",
      data: packTernary(m.q, m.rows, m.cols, "t3"),
      scales: m.scales.slice(),
    };
  }
  void kind;
  return {
    name,
    shape: [m.rows, m.cols],
    packing: "i8",
    data: new Uint8Array(m.q.slice().buffer),
    scales: m.scales.slice(),
  };
}

/** The tensors of a backbone blob, in the order the runtime streams them. */
export function backboneTensors(w: BackboneWeights): BlobTensor[] {
  const c = w.config;
  const cfg = configToI32(c);
  const out: BlobTensor[] = [
    {
      name: "model.config",
      shape: [CONFIG_LEN],
      packing: "i32",
      data: new Uint8Array(cfg.buffer),
      scales: new Float32Array(0),
    },
    matrixTensor("tok_emb", w.emb, c.kind),
    {
      name: "norms",
      shape: [2 * c.layers + 1, c.dim],
      packing: "f32",
      data: new Uint8Array(w.norms.slice().buffer),
      scales: new Float32Array(0),
    },
  ];
  if (w.head) out.push(matrixTensor("head", w.head, c.kind));
  w.layers.forEach((L, l) => {
    out.push(matrixTensor(`layers.${l}.wqkvo`, L.wqkvo, c.kind));
    out.push(matrixTensor(`layers.${l}.w_up`, L.up, c.kind));
    out.push(matrixTensor(`layers.${l}.w_down`, L.down, c.kind));
    if (L.gate) out.push(matrixTensor(`layers.${l}.w_gate`, L.gate, c.kind));
  });
  return out;
}

/** The packing each tensor must have for a kind: weights by kind, the embedding int8 unless fp32. */
export function expectedPacking(kind: BackboneKind, name: string): BlobTensor["packing"] {
  if (name === "model.config") return "i32";
  if (name === "norms") return "f32";
  if (kind === "fp32") return "f32";
  if (name === "tok_emb" || kind === "int8") return "i8";
  return "t3";
}

/** Every tensor name and shape a config implies, in blob order. */
export function expectedShapes(c: BackboneConfig): [string, number[]][] {
  const D = c.dim;
  const out: [string, number[]][] = [
    ["model.config", [CONFIG_LEN]],
    ["tok_emb", [c.vocab, D]],
    ["norms", [2 * c.layers + 1, D]],
  ];
  for (let l = 0; l < c.layers; l++) {
    const rows = 2 * D + 2 * kvWidth(c);
    out.push([`layers.${l}.wqkvo`, [rows, D]], [`layers.${l}.w_up`, [c.ffn, D]], [`layers.${l}.w_down`, [D, c.ffn]]);
  }
  return out;
}

function readMatrix(t: BlobTensor): Matrix {
  const [rows, cols] = t.shape;
  const dv = littleEndian(t.data);
  if (t.packing === "f32") {
    const w = new Float32Array(rows * cols);
    for (let i = 0; i < w.length; i++) w[i] = dv.getFloat32(4 * i, true);
    return { type: "f32", rows, cols, w };
  }
  if (t.packing === "t3" || t.packing === "i2")
    return { type: "ternary", rows, cols, q: unpackTernary(t.data, rows, cols, t.packing), scales: t.scales };
  return {
    type: "i8",
    rows,
    cols,
    q: new Int8Array(t.data.buffer.slice(t.data.byteOffset, t.data.byteOffset + rows * cols)),
    scales: t.scales,
  };
}

/** Throws unless `t` has the shape the config implies and a packing its kind allows: t3 weights may come as i2,
 *  and an untied language-model head may be int8 whatever the kind. */
function checkTensor(t: BlobTensor, shape: number[], kind: BackboneKind): void {
  if (t.shape.join(",") !== shape.join(","))
    throw new BitrlError(`backbone: tensor '${t.name}' has shape (${t.shape}), config needs (${shape})`);
  const want = expectedPacking(kind, t.name);
  const ok = t.packing === want || (want === "t3" && t.packing === "i2") || (t.name === "head" && t.packing === "i8");
  if (!ok) throw new BitrlError(`backbone: tensor '${t.name}' is ${t.packing}, a ${kind} backbone needs ${want}`);
}

/** Finds, checks (names, shapes, packings, values) and decodes a backbone from a decoded blob. */
export function backboneFromBlob(blob: Blob, limits: Limits = LIMITS): BackboneWeights {
  const byName = new Map(blob.tensors.map((t) => [t.name, t]));
  const cfgT = byName.get("model.config");
  if (!cfgT) throw new BitrlError("blob has no 'model.config' tensor (not a backbone?)");
  if (cfgT.packing !== "i32" || cfgT.shape.length !== 1) throw new BitrlError("model.config: must be a 1-D i32 tensor");
  const dv = littleEndian(cfgT.data);
  const cfg = configFromI32(
    Array.from({ length: cfgT.shape[0] }, (_, i) => dv.getInt32(4 * i, true)),
    limits,
  );
  for (const [name, shape] of expectedShapes(cfg)) {
    const t = byName.get(name);
    if (!t) throw new BitrlError(`backbone: missing tensor '${name}'`);
    checkTensor(t, shape, cfg.kind);
  }
  const normsT = byName.get("norms")!;
  const ndv = littleEndian(normsT.data);
  const norms = new Float32Array((2 * cfg.layers + 1) * cfg.dim);
  for (let i = 0; i < norms.length; i++) norms[i] = ndv.getFloat32(4 * i, true);
  // llama-style options (language models; the runtime's rules, assembly/lm/lm.ts): a `head` tensor unties the
  // head; a gate in layer 0 makes every layer SwiGLU
  const optional = (name: string, shape: number[], needed: boolean): Matrix | undefined => {
    const t = byName.get(name);
    if (!t) {
      if (needed) throw new BitrlError(`backbone: missing tensor '${name}' (layer 0 has a gate: SwiGLU)`);
      return undefined;
    }
    if (!limits.llama) throw new BitrlError(`backbone: tensor '${name}' is for language models only`);
    checkTensor(t, shape, cfg.kind);
    return readMatrix(t);
  };
  const gated = byName.has("layers.0.w_gate");
  const layers = [];
  for (let l = 0; l < cfg.layers; l++) {
    layers.push({
      wqkvo: readMatrix(byName.get(`layers.${l}.wqkvo`)!),
      up: readMatrix(byName.get(`layers.${l}.w_up`)!),
      down: readMatrix(byName.get(`layers.${l}.w_down`)!),
      ...(gated && { gate: optional(`layers.${l}.w_gate`, [cfg.ffn, cfg.dim], true) }),
    });
  }
  const head = optional("head", [cfg.vocab, cfg.dim], false);
  return { config: cfg, emb: readMatrix(byName.get("tok_emb")!), ...(head && { head }), norms, layers };
}
