// The BitNet-b1.58 backbone's forward pass (docs/model.md): token embedding, L pre-norm transformer layers
// (RMSNorm, causal attention with RoPE, ReLU^2 FFN, every projection a BitLinear), final RMSNorm. Weights are
// streamed from the model blob one matrix (or row block) at a time through blob_read; backboneLoad checks the
// config and every tensor once, then backboneFeatures runs blindly. The quantized kinds (int8, ternary, binary)
// run an integer-only forward (assembly/kernels/fixed.ts; f32 only for the features handed to the head), the
// fp32 kind the f32 baseline. Twin: tools/lib/reference/backbone.ts.
import { blobRead, logText } from "../host";
import { align16 } from "../memory";
import { F32_ADD, F32_RELU2, F32_STORE } from "../kernels/plain";
import { T3X4_BIAS, T3X4_TOKENS } from "../kernels/small";
import {
  f32AttentionImport,
  f32LinearK,
  i8MatvecK,
  i8RowsOutK,
  scalesToFxK,
  f32RmsnormK,
  importAttention,
  kernelsImported,
  normF32K,
  normQuantK,
  quantK,
  rescaleK,
  t3Matvec,
} from "../kernels/bound";
import { attendQuant, attendScores, ropeRaw } from "../kernels/attention";
import { trap } from "../kernels/check";
import { indexedForms, qkvRopeIx } from "../kernels/indexed";
import {
  FX_ADD,
  FX_Q8,
  FX_RAW,
  FX_RELU2,
  XMAX,
  XQ,
  absU32,
  fxFromF32Bits,
  fxMul,
  fxShift,
  quantBy,
  rowsOutI32,
  relu2Amax,
  rmsInverse,
  storeRaw,
  EXP2,
} from "../kernels/fixed";
import { KIND_FP32, KIND_INT8, badTensor, missingTensor, readConfig, tensorName } from "./config";
import { buildRope, foldGains, ropeToFixed } from "./prepare";
import { attendF32, ropeF32 } from "./attention-f32";
import {
  mark,
  profileStart,
  ST_ATT_QUANT,
  ST_ATTENTION,
  ST_EMBED,
  ST_FEATURES,
  ST_MATVEC,
  ST_NORM,
  ST_OUT,
  ST_QUANT,
  ST_ROPE,
} from "./profile";
import * as table from "./blobtable";

// Limits (LIMITS in tools/lib/reference/backbone.ts)
export const MAX_VOCAB: i32 = 256;
export const MAX_CTX: i32 = 16;
export const MAX_DIM: i32 = 48;
export const MAX_LAYERS: i32 = 2;
export const MAX_HEADS: i32 = 4;
export const MAX_FFN: i32 = 128;

/** Weight row block streamed per blob_read (a whole t3 matrix at the limits; int8 and fp32 in row blocks). */
const WBUF_BYTES: i32 = 2048;

// config (validated by backboneLoad)
let loaded = false;
let kind: i32 = 0;
let vocab: i32 = 0;
let ctx: i32 = 0;
let dim: i32 = 0;
let layers: i32 = 0;
let heads: i32 = 0;
let ffn: i32 = 0;
let featTokens: i32 = 0;

// Matrix descriptors: index 0 the embedding, 1 + 3l + k layer l's wqkvo (k 0), w_up (1), w_down (2).
// Fields: packing, data offset, scale offset, scale count, per-tensor scale (f32 bits), rows, cols. The forward
// reads these tables unchecked: its indices come from the config backboneLoad validated (a checked read is a call
// in the module, ~160 instructions a decision in wasm3 each).
const MD_FIELDS: i32 = 7;
const mats = new StaticArray<i32>((1 + 3 * MAX_LAYERS) * MD_FIELDS);
// Integer kinds, set at load: each matrix's per-tensor scale as a multiplier (fixed.ts), each norm row's gain shift
// (gains i32 G = g 2^gs in normsB), and log2(e) / sqrt(headDim) (attention scores in log2 units).
const gammaFx = new StaticArray<i32>(1 + 3 * MAX_LAYERS);
const gainShift = new StaticArray<i32>(2 * MAX_LAYERS + 1);
// Own kernels keep max |v| of each token's raw FFN hidden or attention output while they are written, in
// amaxAt(t) (the scores' second half: free outside the attention, and token t's slot is past every later query's
// range inside it), and of q and k per token and head in their multiplier slots, which attendQuant (attention.ts) reads before
// it overwrites them; their quantization then skips its max pass (quantBy).
// @ts-ignore: decorator
@inline function amaxAt(t: i32): usize {
  return scB + <usize>((featTokens + t) << 2);
}
// @ts-ignore: decorator
@inline function amaxQkAt(i: i32): usize {
  return qk8B + <usize>(featTokens * 2 * dim + (i << 2));
}
let scoreFx: i32 = 0;
const LOG2E: f32 = 1.4426950408889634;

// Buffers, carved from one block sized for the loaded config (see layout()). Attention is causal, so the
// features of positions < featTokens never depend on later tokens: the forward runs P = featTokens positions.
// Integer kinds keep the same shapes in i32: x with XQ fractional bits; q|k|v, FFN hidden and attention output raw
// integers with one multiplier per token (fixed.ts) in sB[P..2P); RoPE table 12 bits; gains G; the activations'
// multipliers in sB[0..P).
let xB: usize = 0; // f32[P][dim] residual stream
let xnB: usize = 0; // f32[P][dim] normed input, then attention output
let bigB: usize = 0; // f32[P][max(3 dim, ffn)] q|k|v rows, then FFN hidden
let ropeB: usize = 0; // f32[P][headDim/2][2] cos, sin
let normsB: usize = 0; // f32[2 layers + 1][dim] RMSNorm gains
let scB: usize = 0; // f32[P] attention scores of one query; integer kinds: i32[2][P] scores, probabilities
let sB: usize = 0; // f32[P] activation scales of each token; integer kinds: i32[2][P] multipliers (activations, raw)
let qk8B: usize = 0; // integer kinds: i8[P][2 dim] int8 q and k; i32[P][2][heads] their multipliers after them
let scaleB: usize = 0; // per-row scales of a row block: f32[max(4 dim, ffn)] as read, then their multipliers (i32)
let xqB: usize = 0; // i8[P][max(dim, ffn)] quantized activations; t3: u16[P/4][5 ceil(cols/5)][4] (+128, interleaved)
let wB: usize = 0; // u8[WBUF_BYTES] streamed weights
let acc4B: usize = 0; // i64[max(4 dim, ffn)] token-packed t3 sums (tables: the I/O arena's fast region), or int8's
// i32 sums of a row block for every token
let block: usize = 0; // start of the block
let blockBytes: i32 = 0; // its size (grows only when a later model needs more)
let usedBytes: i32 = 0; // bytes the loaded config uses

// u8[40]: the config tensor's values
const cfgBuf: usize = memory.data(44, 16); // and i32 codeBuf after it
const codeBuf: usize = cfgBuf + 40;

function fail(message: string, code: i32): i32 {
  logText("backbone: " + message);
  loaded = false;
  return code;
}

/** Carves the buffers for the current config; allocates (once, or larger) from the stub heap. */
/** Rows of the largest matrix (q|k|v|o or the FFN): the per-row buffers (scaleB, acc4B) hold this many. */
// @ts-ignore: decorator
@inline function rowsMax(): i32 {
  return max(4 * dim, ffn);
}

function layout(): void {
  const wide = max(3 * dim, ffn);
  const P = featTokens;
  // offsets in the block, each buffer 16-byte aligned (no sizes array: it would be compiled and heap-allocated)
  const d = align16(P * dim * 4); // x, normed x
  let o = 2 * d;
  const oBig = o;
  o += align16(P * wide * 4);
  const oRope = o;
  o += align16(P * (dim / heads) * 4);
  const oNorms = o;
  o += align16((2 * layers + 1) * dim * 4);
  const oSc = o;
  o += align16(2 * P * 4);
  const oS = o;
  o += align16(2 * P * 4);
  const oScale = o;
  o += align16(rowsMax() * 4);
  const oXq = o;
  o += align16(max(P * max(dim, ffn), ((P + 3) / 4) * ((max(dim, ffn) + 4) / 5) * 40));
  const oW = o;
  o += align16(WBUF_BYTES);
  const oQk = o;
  o += align16(P * 2 * dim + P * 2 * heads * 4);
  const oAcc4 = o;
  o += align16(rowsMax() * 8);
  if (o > blockBytes) {
    block = heap.alloc(<usize>o); // never freed (stub runtime): only when a bigger model is loaded
    blockBytes = o;
  }
  usedBytes = o;
  xB = block;
  xnB = block + <usize>d;
  bigB = block + <usize>oBig;
  ropeB = block + <usize>oRope;
  normsB = block + <usize>oNorms;
  scB = block + <usize>oSc;
  sB = block + <usize>oS;
  scaleB = block + <usize>oScale;
  xqB = block + <usize>oXq;
  wB = block + <usize>oW;
  qk8B = block + <usize>oQk;
  acc4B = block + <usize>oAcc4;
}

/** Checks the entry found last as matrix `m` of shape (rows, cols) with the packing the kind needs. 0 ok. */
function takeMatrix(m: i32, rows: i32, cols: i32, isEmbedding: bool): i32 {
  const packing = table.entryPacking();
  const want = kind == KIND_FP32 ? table.PACK_F32 : kind == KIND_INT8 || isEmbedding ? table.PACK_I8 : table.PACK_T3;
  if (packing != want) return -5;
  if (table.entryNdim() != 2 || table.entryShape(0) != rows || table.entryShape(1) != cols) return -5;
  const bytes =
    packing == table.PACK_F32 ? rows * cols * 4 : packing == table.PACK_I8 ? rows * cols : rows * ((cols + 4) / 5);
  if (<i32>table.entryDataBytes() != bytes) return -5;
  const ns = <i32>table.entryScaleCount();
  if (packing == table.PACK_F32 ? ns != 0 : ns != 1 && ns != rows) return -5;
  if (!table.entryInBlob()) return -5;
  const o = m * MD_FIELDS;
  mats[o] = packing;
  mats[o + 1] = <i32>table.entryDataOffset();
  mats[o + 2] = <i32>table.entryScaleOffset();
  mats[o + 3] = ns;
  mats[o + 4] = 0;
  if (ns == 1) {
    if (blobRead(table.entryScaleOffset(), cfgBuf, 4) != 0) return -5;
    const s = load<f32>(cfgBuf);
    if (!(s >= 0) || !isFinite(s)) return -5;
    mats[o + 4] = reinterpret<i32>(s);
  }
  mats[o + 5] = rows;
  mats[o + 6] = cols;
  return 0;
}

/**
 * Reads the backbone from the loaded blob: the model.config tensor (checked against the limits) and every
 * tensor's name, shape, packing, size and range; loads the norms and builds the RoPE table. 0 ok; < 0 error
 * with a logged reason: -1 no blob, -2 bad blob header, -3 missing tensor, -4 bad config, -5 bad tensor.
 */
export function backboneLoad(): i32 {
  loaded = false;
  const h = table.tableOpen();
  if (h == -1) return fail("no model blob loaded", -1);
  if (h < 0) return fail("bad blob header or tensor table", -2);
  const why = readConfig(cfgBuf, 0, MAX_VOCAB, MAX_CTX, MAX_DIM, MAX_LAYERS, MAX_HEADS, MAX_FFN, codeBuf, false);
  if (why.length > 0) return fail(why, load<i32>(codeBuf));
  kind = load<i32>(cfgBuf, 4);
  vocab = load<i32>(cfgBuf, 8);
  ctx = load<i32>(cfgBuf, 12);
  dim = load<i32>(cfgBuf, 16);
  layers = load<i32>(cfgBuf, 20);
  heads = load<i32>(cfgBuf, 24);
  ffn = load<i32>(cfgBuf, 28);
  featTokens = load<i32>(cfgBuf, 32);
  layout();
  if (!table.tableFind("tok_emb", -1, "")) return fail(missingTensor("tok_emb"), -3);
  if (takeMatrix(0, vocab, dim, true) < 0) return fail(badTensor("tok_emb"), -5);
  for (let l = 0; l < layers; l++) {
    for (let k = 0; k < 3; k++) {
      const suffix = k == 0 ? "wqkvo" : k == 1 ? "w_up" : "w_down";
      if (!table.tableFind("layers.", l, suffix)) return fail(missingTensor(tensorName(l, suffix)), -3);
      const rows = k == 0 ? 4 * dim : k == 1 ? ffn : dim;
      if (takeMatrix(1 + 3 * l + k, rows, k == 2 ? ffn : dim, false) < 0)
        return fail(badTensor(tensorName(l, suffix)), -5);
    }
  }
  if (!table.tableFind("norms", -1, "")) return fail(missingTensor("norms"), -3);
  if (
    table.entryPacking() != table.PACK_F32 ||
    table.entryNdim() != 2 ||
    table.entryShape(0) != 2 * layers + 1 ||
    table.entryShape(1) != dim ||
    <i32>table.entryDataBytes() != (2 * layers + 1) * dim * 4 ||
    !table.entryInBlob()
  ) {
    return fail("tensor 'norms' must be f32 (2 * layers + 1, dim)", -5);
  }
  if (blobRead(table.entryDataOffset(), normsB, table.entryDataBytes()) != 0) return fail("cannot read 'norms'", -5);
  buildRope(ropeB, featTokens, dim / heads);
  if (kind != KIND_FP32) prepareInteger();
  loaded = true;
  return 0;
}

/**
 * Folds the float parameters into integers once (the integer kinds): norm gains G = clamp(nearest(g 2^gs), +-GMAX)
 * with gs the largest shift in 0..20 keeping max|g| 2^gs <= GMAX, the RoPE table to 12 fractional bits, the
 * per-tensor scales and log2(e) / sqrt(headDim) to multipliers.
 */
function prepareInteger(): void {
  foldGains(normsB, 2 * layers + 1, dim, changetype<usize>(gainShift));
  const hd = dim / heads;
  ropeToFixed(ropeB, featTokens, hd);
  for (let m = 0; m < 1 + 3 * layers; m++) gammaFx[m] = fxFromF32Bits(<u32>mats[m * MD_FIELDS + 4]);
  scoreFx = fxFromF32Bits(reinterpret<u32>(LOG2E / Mathf.sqrt(<f32>hd)));
}

export function backboneLoaded(): bool {
  return loaded;
}
export function backboneFeatureSize(): i32 {
  return loaded ? featTokens * dim : 0;
}
export function backboneVocab(): i32 {
  return loaded ? vocab : 0;
}
export function backboneContext(): i32 {
  return loaded ? ctx : 0;
}
export function backboneKind(): i32 {
  return loaded ? kind : -1;
}
/** Bytes of linear memory the loaded backbone's buffers use. */
export function backboneMemoryBytes(): i32 {
  return loaded ? usedBytes : 0;
}

function readBlob(offset: i32, dst: usize, len: i32): void {
  if (blobRead(<u32>offset, dst, <u32>len) != 0) trap("backbone: blob_read failed (blob replaced after backboneLoad?)");
}

/** y[t][r - r0] (row stride ys floats) = x[t] W^T for rows [r0, r1) of the f32 matrix m, put by mode (F32_STORE,
 *  F32_ADD: the residual add, F32_RELU2), x f32[n][cols] with row stride xs floats: weights streamed in row blocks,
 *  each block's rows through every token in one call of the bound kernel (the fp32 baseline). */
function linearF32(m: i32, r0: i32, r1: i32, x: usize, xs: i32, n: i32, y: usize, ys: i32, mode: i32): void {
  const o = m * MD_FIELDS;
  const dataOff = unchecked(mats[o + 1]),
    cols = unchecked(mats[o + 6]);
  const rb = cols * 4;
  const per = min(r1 - r0, WBUF_BYTES / rb);
  for (let rc = r0; rc < r1; rc += per) {
    const rr = min(per, r1 - rc);
    readBlob(dataOff + rc * rb, wB, rr * rb);
    f32LinearK(wB, x, xs, y + <usize>((rc - r0) * 4), ys, rr, cols, n, mode); // every token through the block
  }
  mark(ST_MATVEC);
}

// ---- the integer forward (int8, ternary, binary) ----

/** Where token t's int8 activations for matrix m go, and whether as t3 lanes (u16 q + 128 at stride 8, 4 tokens
 *  interleaved per block) or as i8 rows. */
// @ts-ignore: decorator
@inline function actAt(m: i32, t: i32): usize {
  const cols = unchecked(mats[m * MD_FIELDS + 6]);
  if (unchecked(mats[m * MD_FIELDS]) == table.PACK_T3)
    return xqB + <usize>((t >> 2) * ((cols + 4) / 5) * 40 + (t & 3) * 2);
  return xqB + <usize>(t * cols);
}

/** Before the quantizers write n tokens for t3 matrix m: 128 (x = 0) in the padding columns and in every lane of a
 *  last block with fewer than 4 tokens. */
function prepareActs(m: i32, n: i32): void {
  if (unchecked(mats[m * MD_FIELDS]) != table.PACK_T3) return;
  const cols = unchecked(mats[m * MD_FIELDS + 6]);
  const chunkBytes = ((cols + 4) / 5) * 40;
  for (let t0 = 0; t0 < n; t0 += T3X4_TOKENS) {
    const blk = xqB + <usize>((t0 >> 2) * chunkBytes);
    for (let p = blk + <usize>(n - t0 < T3X4_TOKENS ? 0 : cols * 8); p < blk + <usize>chunkBytes; p += 8) {
      store<i64>(p, 0x0080008000800080);
    }
  }
}

/** sB[t] = normQuant of x[t] (norm row r) into matrix m's activations, t < n. */
function normQuantAll(r: i32, m: i32, n: i32): void {
  prepareActs(m, n);
  const lanes = unchecked(mats[m * MD_FIELDS]) == table.PACK_T3;
  const g = normsB + <usize>(r * dim * 4);
  for (let t = 0; t < n; t++)
    store<i32>(
      sB + <usize>(t << 2),
      normQuantK(xB + <usize>(t * dim * 4), g, unchecked(gainShift[r]), dim, actAt(m, t), lanes),
    );
}

/**
 * BitLinear rows [r0, r1) of matrix m over the activations the quantizers left in xqB (multipliers in sB), into
 * y[t][r - r0] (i32, row stride ys) by mode (fixed.ts): FX_ADD adds round(acc * multiplier) to the residual
 * stream; FX_RAW / FX_RELU2 store the raw dot products (or ReLU^2 of them) and their per-token multiplier in
 * sB[P + t]. t3: up to 4 tokens per pass of the token-packed lookup tables (I/O arena's fast region); int8 (and t3
 * with per-row scales): matvec_i8 per token, each row's multiplier applied in i64, raw values with 8 fractional
 * bits (FX_Q8).
 */
function linearInt(m: i32, r0: i32, r1: i32, n: i32, y: usize, ys: i32, mode: i32): bool {
  const o = m * MD_FIELDS;
  const packing = unchecked(mats[o]),
    dataOff = unchecked(mats[o + 1]),
    scaleOff = unchecked(mats[o + 2]),
    ns = unchecked(mats[o + 3]);
  const cols = unchecked(mats[o + 6]);
  const gamma = unchecked(gammaFx[m]);
  const rb = packing == table.PACK_I8 ? cols : (cols + 4) / 5;
  const chunkBytes = rb * 40; // one interleaved block of 4 tokens (t3)
  const rawB = sB + <usize>(featTokens << 2);
  // int8: every token's sums of a block at once in acc4B (i32[2 rowsMax])
  const per = min(min(r1 - r0, WBUF_BYTES / rb), packing == table.PACK_I8 ? (2 * rowsMax()) / n : r1);
  // one-scale t3 rows with the module's own kernels: ReLU^2 outputs keep their max for the next quantizer; q|k|v
  // (all 3 dim rows in one block: at most 144 rows of 10 bytes) get RoPE and their maxima as they are unpacked
  const own = packing == table.PACK_T3 && ns == 1 && !kernelsImported();
  const fused = own && (mode == FX_RELU2 || (mode == FX_RAW && r0 == 0 && r1 == 3 * dim && per >= r1));
  for (let rc = r0; rc < r1; rc += per) {
    const rr = min(per, r1 - rc);
    readBlob(dataOff + rc * rb, wB, rr * rb);
    if (ns > 1) {
      // each row's f32 scale as a multiplier once per block, not once per (row, token) in rowsOut
      readBlob(scaleOff + rc * 4, scaleB, rr * 4);
      scalesToFxK(scaleB, rr);
    }
    if (packing == table.PACK_I8) {
      linearI8Later(rr, cols, n, gamma, ns > 1 ? scaleB : 0, y + <usize>((rc - r0) * 4), ys, mode);
      continue;
    }
    for (let t0 = 0; t0 < n; t0 += T3X4_TOKENS) {
      t3Matvec(xqB + <usize>((t0 >> 2) * chunkBytes), cols, wB, rr, rb, acc4B);
      mark(ST_MATVEC);
      const unbias = rb * T3X4_BIAS;
      for (let t = t0; t < min(t0 + T3X4_TOKENS, n); t++) {
        const yo = y + <usize>((t * ys + rc - r0) * 4);
        const lane = acc4B + <usize>(2 * (t - t0)); // token t's u16 lane of each i64 sum
        const a = load<i32>(sB + <usize>(t << 2));
        if (ns > 1) rowsOutI32(lane, 8, unbias, rr, a, 0, scaleB, yo, mode);
        else if (fused && mode == FX_RELU2) {
          const am = relu2Amax(lane, unbias, rr, yo);
          store<u32>(amaxAt(t), rc == r0 ? am : max(load<u32>(amaxAt(t)), am));
        } else if (fused) qkvOut(lane, unbias, t, yo);
        else rescaleK(lane, unbias, rr, mode == FX_ADD ? fxMul(a, gamma) : 0, yo, mode);
        if (mode != FX_ADD) store<i32>(rawB + <usize>(t << 2), ns > 1 ? FX_Q8 : fxMul(a, gamma));
      }
      mark(ST_OUT);
    }
  }
  return fused;
}

/**
 * q|k|v of token t from its t3 lanes (u16 at lane + 8 r, minus unbias) into yo i32[3 dim]: v raw, q and k rotated
 * by RoPE as ropeRaw (attention.ts) does, each (part, head)'s max |value| into amaxQkAt. Same integers as storeRaw + ropeRaw, without
 * the round trip through memory.
 */
function qkvOut(lane: usize, unbias: i32, t: i32, yo: usize): void {
  const hd = dim / heads;
  const half = hd / 2;
  // the AOT module's indexed form (kernels/indexed.ts), else stepped pointers
  const rt = ropeB + <usize>((t * half * 2) << 2);
  if (!indexedForms() || !qkvRopeIx(lane, unbias, yo, rt, dim, heads, amaxQkAt(t * 2 * heads))) {
    for (let part = 0; part < 2; part++) {
      for (let h = 0; h < heads; h++) {
        const r = part * dim + h * hd;
        let la = lane + <usize>(r << 3),
          lb = la + <usize>(half << 3);
        let pa = yo + <usize>(r << 2),
          pb = pa + <usize>(half << 2);
        const end = pb;
        let am: u32 = 0;
        // position 0's table entry is cos 4096, sin 0: (a 4096 + 2048) >> 12 = a for these |a| < 2^16, ropeRaw's identity
        let ro = ropeB + <usize>((t * half * 2) << 2);
        for (; pa < end; pa += 4, pb += 4, la += 8, lb += 8, ro += 8) {
          const a = <i32>load<u16>(la) - unbias,
            b = <i32>load<u16>(lb) - unbias;
          const co = load<i32>(ro),
            si = load<i32>(ro, 4);
          const x = (a * co - b * si + 2048) >> 12,
            y = (a * si + b * co + 2048) >> 12;
          store<i32>(pa, x);
          store<i32>(pb, y);
          am = max(am, max(absU32(x), absU32(y)));
        }
        store<u32>(amaxQkAt((t * 2 + part) * heads + h), am);
      }
    }
  }
  storeRaw(lane + <usize>(dim << 4), unbias, dim, yo + <usize>(dim << 3), false); // v (own kernels: no import)
}

/** x[t] (i32, XQ fractional bits, saturated) = embedding row of tokens[t] times its scale. */
function embedInt(tokens: usize, n: i32): void {
  const dataOff = unchecked(mats[1]),
    scaleOff = unchecked(mats[2]),
    ns = unchecked(mats[3]);
  for (let t = 0; t < n; t++) {
    const tok = load<i32>(tokens + <usize>(t << 2));
    readBlob(dataOff + tok * dim, wB, dim);
    let f = unchecked(gammaFx[0]);
    if (ns > 1) {
      readBlob(scaleOff + tok * 4, scaleB, 4);
      f = fxFromF32Bits(load<u32>(scaleB));
    }
    const m = f & 0xffff,
      s = fxShift(f, XQ);
    const xo = xB + <usize>(t * dim * 4);
    const half = 1 << (s - 1);
    let i = 0;
    for (; i + 1 < dim; i += 2) {
      // two values a pass
      const v0 = embedValue(<i32>load<i8>(wB + <usize>i), m, half, s),
        v1 = embedValue(<i32>load<i8>(wB + <usize>i, 1), m, half, s);
      store<i32>(xo + <usize>(i << 2), v0);
      store<i32>(xo + <usize>(i << 2), v1, 4);
    }
    if (i < dim) store<i32>(xo + <usize>(i << 2), embedValue(<i32>load<i8>(wB + <usize>i), m, half, s));
  }
}

/** One embedding value: round(q * m 2^-s) (half = 2^(s - 1)), saturated at +-XMAX. */
// @ts-ignore: decorator
@inline function embedValue(q: i32, m: i32, half: i32, s: i32): i32 {
  return min(max((q * m + half) >> s, -XMAX), XMAX);
}

/**
 * Features for the RL head: the final (normed) hidden states of positions 0..featTokens-1 concatenated,
 * f32[featTokens * dim] at out, zeros past n. tokens i32[n], each < vocab, 1 <= n <= ctx: the caller checks
 * (backbone_features does for hosts); this runs blindly.
 */
export function backboneFeatures(tokens: usize, count: i32, out: usize): void {
  const n = min(count, featTokens); // later positions cannot change these (causal attention)
  profileStart();
  if (kind == KIND_FP32) forwardF32Later(tokens, n);
  else forwardInt(tokens, n);
  const final = <i32>(normsB + <usize>(2 * layers * dim * 4));
  for (let t = 0; t < featTokens; t++) {
    const o = out + <usize>(t * dim * 4);
    if (t >= n) memory.fill(o, 0, <usize>(dim * 4));
    else if (kind == KIND_FP32) featuresF32Later(xB + <usize>(t * dim * 4), <usize>final, o);
    else normF32K(xB + <usize>(t * dim * 4), <usize>final, unchecked(gainShift[2 * layers]), dim, o);
  }
  mark(ST_FEATURES);
}

/** sB[t] = quantI32 of src[t] (i32[n][cols], raw with multiplier sB[P + t], squared when squared) into matrix
 *  m's activations; with `known` each token's max |src[t]| is already at amaxAt(t) (quantBy: one pass less). */
function quantRawAll(src: usize, cols: i32, m: i32, n: i32, squared: bool, known: bool): void {
  prepareActs(m, n);
  const lanes = unchecked(mats[m * MD_FIELDS]) == table.PACK_T3;
  for (let t = 0; t < n; t++) {
    const f = load<i32>(sB + <usize>((featTokens + t) << 2));
    const x = src + <usize>(t * cols * 4);
    const a = known
      ? quantBy(x, cols, load<u32>(amaxAt(t)), 0, 0, actAt(m, t), lanes)
      : quantK(x, cols, 0, actAt(m, t), lanes);
    store<i32>(sB + <usize>(t << 2), fxMul(a, squared ? fxMul(f, f) : f));
  }
}

// Paths that only some builds run sit behind table slots (not inlined into the caller), so wasm3 compiles them only
// where they run; their wrappers read the buffers themselves, keeping the call sites small (wasm3's compiled code
// shares the 256 KiB boards' heap, docs/firmware.md).
/** RoPE of q and k (int8 kind: the ternary and binary kinds rotate them in qkvOut). */
function ropeAll(n: i32): void {
  ropeRaw(bigB, n, dim, heads, ropeB);
}
/** The whole attention through the k_attention import (kernelsImported()). */
function attentionThroughImport(n: i32): void {
  importAttention(bigB, n, dim, heads, ropeB, sB + <usize>(featTokens << 2), qk8B, scB, xnB, scoreFx, featTokens, EXP2);
}
/** One row block (rr rows in wB) of an int8 matrix for n tokens into y (token t's outputs at y + t ys floats): the
 *  bound matvec and per-row outputs (multiplier: the token's activation unit times gamma, or times each row's
 *  multiplier in scales). Behind a table slot: the ternary kinds never compile it. */
function linearI8(rr: i32, cols: i32, n: i32, gamma: i32, scales: usize, y: usize, ys: i32, mode: i32): void {
  const rawB = sB + <usize>(featTokens << 2);
  // every token through the block in one call (its sums in acc4B, rr apart: linearInt keeps rr * n within it)
  i8MatvecK(wB, xqB, cols, acc4B, rr, rr, cols, n);
  mark(ST_MATVEC);
  for (let t = 0; t < n; t++) {
    const a = load<i32>(sB + <usize>(t << 2));
    i8RowsOutK(acc4B + <usize>(t * rr * 4), rr, a, fxMul(a, gamma), scales, y + <usize>(t * ys * 4), mode);
    if (mode != FX_ADD) store<i32>(rawB + <usize>(t << 2), FX_Q8);
  }
  mark(ST_OUT);
}
let linearI8Later: (rr: i32, cols: i32, n: i32, gamma: i32, scales: usize, y: usize, ys: i32, mode: i32) => void =
  linearI8;

/** The fp32 kind's forward and its features' norm (the integer kinds never compile them). */
function featuresF32(x: usize, g: usize, out: usize): void {
  f32RmsnormK(x, g, out, dim);
}
let forwardF32Later: (tokens: usize, n: i32) => void = forwardF32;
let featuresF32Later: (x: usize, g: usize, out: usize) => void = featuresF32;
let ropeLater: (n: i32) => void = ropeAll;
let attentionLater: (n: i32) => void = attentionThroughImport;

/** The attention of n tokens over the raw q|k|v in bigB (attention.ts), output in xnB: through the k_attention
 *  import, or the module's own steps (q and k already rotated, their maxima known, when `fused`). */
function attentionInt(n: i32, fused: bool): void {
  if (kernelsImported()) {
    attentionLater(n);
  } else {
    const mult = sB + <usize>(featTokens << 2);
    if (!fused) ropeLater(n);
    mark(ST_ROPE);
    attendQuant(bigB, n, dim, heads, mult, qk8B, featTokens, fused);
    mark(ST_ATT_QUANT);
    attendScores(bigB, n, dim, heads, mult, qk8B, scB, xnB, scoreFx, featTokens, EXP2);
  }
  mark(ST_ATTENTION);
}

/** The integer forward of n tokens: x (i32, XQ bits) in xB after the last layer. */
function forwardInt(tokens: usize, n: i32): void {
  embedInt(tokens, n);
  mark(ST_EMBED);
  for (let l = 0; l < layers; l++) {
    const wqkvo = 1 + 3 * l,
      up = 2 + 3 * l,
      down = 3 + 3 * l;
    normQuantAll(2 * l, wqkvo, n);
    mark(ST_NORM);
    const qkvFused = linearInt(wqkvo, 0, 3 * dim, n, bigB, 3 * dim, FX_RAW); // fused: RoPE done, q/k maxima kept
    attentionInt(n, qkvFused);
    quantRawAll(xnB, dim, wqkvo, n, false, !kernelsImported());
    mark(ST_QUANT);
    linearInt(wqkvo, 3 * dim, 4 * dim, n, xB, dim, FX_ADD);
    normQuantAll(2 * l + 1, up, n);
    mark(ST_NORM);
    const known = linearInt(up, 0, ffn, n, bigB, ffn, FX_RELU2);
    quantRawAll(bigB, ffn, down, n, true, known);
    mark(ST_QUANT);
    linearInt(down, 0, dim, n, xB, dim, FX_ADD);
  }
}

/** The f32 forward (fp32 kind, the baseline) of n tokens: x (f32) in xB after the last layer. Its kernels are bound
 *  as the integer forward's are (k_baseline): the residual adds and ReLU^2 happen as the projections store. */
function forwardF32(tokens: usize, n: i32): void {
  for (let t = 0; t < n; t++)
    readBlob(unchecked(mats[1]) + load<i32>(tokens + <usize>(t << 2)) * dim * 4, xB + <usize>(t * dim * 4), dim * 4);
  mark(ST_EMBED);
  for (let l = 0; l < layers; l++) {
    const wqkvo = 1 + 3 * l;
    normF32All(2 * l, n);
    linearF32(wqkvo, 0, 3 * dim, xnB, dim, n, bigB, 3 * dim, F32_STORE);
    if (kernelsImported()) {
      f32AttentionImport(bigB, n, dim, heads, ropeB, scB, xnB);
    } else {
      ropeF32(bigB, n, dim, heads, ropeB);
      mark(ST_ROPE);
      attendF32(bigB, n, dim, heads, scB, xnB);
    }
    mark(ST_ATTENTION);
    linearF32(wqkvo, 3 * dim, 4 * dim, xnB, dim, n, xB, dim, F32_ADD);
    normF32All(2 * l + 1, n);
    linearF32(2 + 3 * l, 0, ffn, xnB, dim, n, bigB, ffn, F32_RELU2);
    linearF32(3 + 3 * l, 0, dim, bigB, ffn, n, xB, dim, F32_ADD);
  }
}

/** xnB[t] = RMSNorm(xB[t]) with norm row r, t < n (f32). */
function normF32All(r: i32, n: i32): void {
  const g = normsB + <usize>(r * dim * 4);
  for (let t = 0; t < n; t++) f32RmsnormK(xB + <usize>(t * dim * 4), g, xnB + <usize>(t * dim * 4), dim);
  mark(ST_NORM);
}
