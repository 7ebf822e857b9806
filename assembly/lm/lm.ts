// The language-model runtime (docs/lm.md): the backbone's integer forward (assembly/model/backbone.ts, the same
// integers, tools/lib/reference/backbone.ts) run one token at a time over a KV cache, for any width (column-blocked
// lookup-table kernels), with buffers sized by the blob's config in linear memory grown for it, and the tied output
// head giving logits. Llama-style options, from the blob: grouped KV heads (model.config kvHeads), a SwiGLU FFN
// (layers.<l>.w_gate present), an untied output head (a `head` tensor). Quantized kinds only (ternary, binary, int8):
// the fp32 kind runs a float forward (lmForwardF32) for agents' features only (the retention baseline), mirroring
// the backbone's fp32 path (assembly/model/backbone.ts forwardF32) one token at a time.
// Twin: tools/lib/reference/lm.ts.
import { blobRead, logText } from "../host";
import { LUT_FAST } from "../io";
import { align16, heap_top, memoryEnd } from "../memory";
import { lut_build_t3, matvec_t3_lut } from "../kernels/lut";
import { dotI8, ropeHeads } from "../kernels/attention";
import { matvec_f32, matvec_i8 } from "../kernels/plain";
import { rmsnorm_f32 } from "../kernels/act";
import { attendHeadF32, ropeHeadsF32 } from "../model/attention-f32";
import {
  FX_ADD,
  FX_Q8,
  FX_RAW,
  FX_RELU2,
  XMAX,
  XQ,
  emit,
  fxFromF32Bits,
  fxMul,
  fxShift,
  mulShift64,
  normF32,
  normQuant,
  quantI32,
  scoreLog2,
  softmaxExp2,
  swiglu,
} from "../kernels/fixed";
import { buildRope, foldGains, ropeToFixed } from "../model/prepare";
import * as table from "../model/blobtable";
import { CFG_KV_HEADS, KIND_FP32, KIND_INT8, badTensor, missingTensor, readConfig, tensorName } from "../model/config";

// Limits (LM_LIMITS in tools/lib/reference/backbone.ts); what fits a board is decided by its memory.
export const LM_MAX_VOCAB: i32 = 256;
export const LM_MAX_CTX: i32 = 1024;
export const LM_MAX_DIM: i32 = 512;
export const LM_MAX_LAYERS: i32 = 16;
export const LM_MAX_HEADS: i32 = 16;
export const LM_MAX_FFN: i32 = 2048;

/** Weight bytes streamed per blob_read (row blocks). */
const WBUF_BYTES: i32 = 8192;
/** Columns per lookup-table block: 64 t3 groups, the fast region's capacity (assembly/io.ts). */
const CHUNK_COLS: i32 = 320;
const LOG2E: f32 = 1.4426950408889634;

let loaded = false;
let kind: i32 = 0;
let vocab: i32 = 0;
let ctx: i32 = 0;
let dim: i32 = 0;
let layers: i32 = 0;
let heads: i32 = 0;
let kvHeads: i32 = 0; // heads of k and v (grouped: each serves heads / kvHeads query heads)
let kvDim: i32 = 0; // kvHeads * head width
let ffn: i32 = 0;
let gated = false; // SwiGLU FFN: down(silu(gate x) * up x); else down(relu(up x)^2)
let float = false; // the fp32 kind: f32 buffers, cache and forward
let pos: i32 = 0; // tokens in the KV cache
let vWide = false; // v cached as i32 (else i16: per-tensor t3 q|k|v rows with dim <= 256 keep |v| <= 127 dim < 2^15)
let usedBytes: i32 = 0;
let scoreFx: i32 = 0;
let log2eFx: i32 = 0;

// Matrix descriptors: 0 the embedding, 1 the output head (the embedding's when tied), 2 + 4l + k layer l's wqkvo
// (k 0), w_up (1), w_down (2), w_gate (3). Fields: packing, data offset, scale offset, scale count, rows, cols.
// Allocated on the first load (an agent without a language model pays no static memory for them).
const MD: i32 = 6;
const EMB: i32 = 0;
const HEAD: i32 = 1;
const MATS: i32 = 2 + 4 * LM_MAX_LAYERS;
// @ts-ignore: decorator
@inline function mat(l: i32, k: i32): i32 {
  return 2 + 4 * l + k;
}
let matsB: usize = 0; // i32[MATS MD]
let gammaB: usize = 0; // i32[MATS]: per-tensor scales as multipliers (0: per row)
let shiftB: usize = 0; // i32[2 LM_MAX_LAYERS + 1]: each norm row's gain shift
let cfgBuf: usize = 0; // u8[40]

// @ts-ignore: decorator
@inline function md(i: i32): i32 {
  return load<i32>(matsB + <usize>(i << 2));
}
// @ts-ignore: decorator
@inline function gammaFx(m: i32): i32 {
  return load<i32>(gammaB + <usize>(m << 2));
}
// @ts-ignore: decorator
@inline function gainShift(r: i32): i32 {
  return load<i32>(shiftB + <usize>(r << 2));
}

// Buffers (16-byte aligned, from one block), KV = kvDim: x i32[D] residual (XQ bits); xq i8[max(D, F)] activations;
// qkv i32[D + 2 KV] raw q|k|v; o i32[D] attention output; z i32[F] FFN hidden (the gate's, when gated); u i32[F]
// the up projection (gated only); acc i32[max(D + 2 KV, F, V)]; q8 i8[D] int8 q; qf i32[H] their multipliers;
// sc i32[2 ctx] scores, probabilities; gains i32[2L+1][D]; rope i32[ctx][hd/2][2]; w u8[WBUF]; logits i32[V] (8
// fractional bits); then per layer the cache: k8 i8[ctx][KV], kf i32[ctx][kvHeads], v i16|i32[ctx][KV], vm i32[ctx]
// (the tokens' q|k|v multipliers).
let xB: usize = 0;
let xqB: usize = 0;
let qkvB: usize = 0;
let oB: usize = 0;
let zB: usize = 0;
let uB: usize = 0;
let xnB: usize = 0; // fp32 only: f32[D] normed input, then attention output
let accB: usize = 0;
let q8B: usize = 0;
let qfB: usize = 0;
let scB: usize = 0;
let gainsB: usize = 0;
let ropeB: usize = 0;
let wB: usize = 0;
let logitsB: usize = 0;
let cacheB: usize = 0;
let cacheLayerBytes: i32 = 0;
let block: usize = 0;
let blockBytes: i32 = 0;

function fail(message: string, code: i32): i32 {
  logText("lm: " + message);
  loaded = false;
  return code;
}

/** Bytes of the buffers and the cache for the current config: the end of their layout from address 0 (the LM
 *  limits keep it far below 2^31). */
function bytesNeeded(): i64 {
  return <i64>carve(0);
}

function cacheBytesPerLayer(): i32 {
  return align16(ctx * kvDim) + align16(ctx * kvHeads * 4) + align16(ctx * kvDim * (vWide ? 4 : 2)) + align16(ctx * 4);
}

let cursor: usize = 0;
/** The next 16-byte-aligned buffer of `bytes` from the cursor. */
function take(bytes: i32): usize {
  const p = cursor;
  cursor += <usize>align16(bytes);
  return p;
}

/** Lays the buffers and the per-layer cache out from base (pointers set); returns their end. */
function carve(base: usize): usize {
  cursor = base;
  const hd = dim / heads;
  xB = take(dim * 4);
  if (float) {
    // fp32: f32 x[D] residual, xn[D], qkv[D + 2 KV], o[D], z[F], sc[ctx], gains[2L+1][D] unfolded, rope, w; per
    // layer k[ctx][KV], v[ctx][KV]
    xnB = take(dim * 4);
    qkvB = take((dim + 2 * kvDim) * 4);
    oB = take(dim * 4);
    zB = take(ffn * 4);
    scB = take(ctx * 4);
    cacheLayerBytes = 2 * align16(ctx * kvDim * 4);
  } else {
    xqB = take(max(dim, ffn));
    qkvB = take((dim + 2 * kvDim) * 4);
    oB = take(dim * 4);
    zB = take(ffn * 4);
    uB = take(gated ? ffn * 4 : 0);
    accB = take(max(max(dim + 2 * kvDim, ffn), vocab) * 4);
    q8B = take(dim);
    qfB = take(heads * 4);
    scB = take(2 * ctx * 4);
    cacheLayerBytes = cacheBytesPerLayer();
  }
  gainsB = take((2 * layers + 1) * dim * 4);
  ropeB = take(ctx * hd * 4);
  wB = take(WBUF_BYTES);
  if (!float) logitsB = take(vocab * 4);
  cacheB = take(layers * cacheLayerBytes);
  return cursor;
}

/** Carves the buffers; allocates (once, or larger) from the heap, growing the memory first so that a model too big
 *  for it is refused with the numbers instead of trapping. 0 ok. */
function layout(): i32 {
  const need = bytesNeeded();
  if (need > <i64>0x40000000) return fail("model needs " + need.toString() + " bytes of buffers and KV cache", -6);
  if (<i32>need > blockBytes) {
    const top = <u64>(<u32>heap_top());
    const end = memoryEnd();
    const want = top + <u64>need + 64;
    if (want > end) {
      const pages = <i32>((want - end + 0xffff) >> 16);
      if (memoryEnd() < (<u64>memory.size()) << 16 || memory.grow(pages) < 0)
        return fail(
          "needs " +
            need.toString() +
            " B (buffers, KV cache), " +
            (end > top ? end - top : 0).toString() +
            " B free, cannot grow " +
            pages.toString() +
            " pages",
          -6,
        );
    }
    block = heap.alloc(<usize>need); // never freed (stub runtime): only when a bigger model is loaded
    blockBytes = <i32>need;
  }
  usedBytes = <i32>need;
  carve(block);
  return 0;
}

/** Checks the entry found last as matrix m (rows, cols) with the packing the kind needs (int8 for the embedding;
 *  the head may be either). 0 ok. */
function takeMatrix(m: i32, rows: i32, cols: i32): i32 {
  const packing = table.entryPacking();
  const want = float ? table.PACK_F32 : kind == KIND_INT8 || m == EMB ? table.PACK_I8 : table.PACK_T3;
  if (packing != want && !(m == HEAD && packing == table.PACK_I8)) return -5;
  if (table.entryNdim() != 2 || table.entryShape(0) != rows || table.entryShape(1) != cols) return -5;
  const bytes =
    packing == table.PACK_F32 ? rows * cols * 4 : packing == table.PACK_I8 ? rows * cols : rows * ((cols + 4) / 5);
  if (<i32>table.entryDataBytes() != bytes) return -5;
  const ns = <i32>table.entryScaleCount();
  if (ns != (float ? 0 : 1) && ns != rows) return -5;
  if (!table.entryInBlob()) return -5;
  const o = m * MD;
  store<i32>(matsB + <usize>(o << 2), packing);
  store<i32>(matsB + <usize>((o + 1) << 2), <i32>table.entryDataOffset());
  store<i32>(matsB + <usize>((o + 2) << 2), <i32>table.entryScaleOffset());
  store<i32>(matsB + <usize>((o + 3) << 2), ns);
  store<i32>(matsB + <usize>((o + 4) << 2), rows);
  store<i32>(matsB + <usize>((o + 5) << 2), cols);
  store<i32>(gammaB + <usize>(m << 2), 0);
  if (ns == 1 && !float) {
    if (blobRead(table.entryScaleOffset(), cfgBuf, 4) != 0) return -5;
    const s = load<f32>(cfgBuf);
    if (!(s >= 0) || !isFinite(s)) return -5;
    store<i32>(gammaB + <usize>(m << 2), fxFromF32Bits(load<u32>(cfgBuf)));
  }
  return 0;
}

/**
 * Reads the language model from the loaded blob: model.config (the LM limits), every tensor, the norm gains and
 * the RoPE table; sizes the buffers and the KV cache. 0 ok; < 0 error with a logged reason: -1 no blob, -2 bad
 * blob, -3 missing tensor, -4 bad config, -5 bad tensor, -6 does not fit the memory. An fp32 model is taken
 * only forFeatures (an agent's backbone: lmForward and lmState, no logits).
 */
export function lmLoad(forFeatures: bool = false): i32 {
  loaded = false;
  pos = 0;
  if (matsB == 0) {
    matsB = heap.alloc(<usize>(MATS * MD * 4));
    gammaB = heap.alloc(<usize>(MATS * 4));
    shiftB = heap.alloc(<usize>((2 * LM_MAX_LAYERS + 1) * 4));
    cfgBuf = heap.alloc(44); // and the config's code after it
  }
  const h = table.tableOpen();
  if (h == -1) return fail("no model blob loaded", -1);
  if (h < 0) return fail("bad blob header or tensor table", -2);
  const why = readConfig(
    cfgBuf,
    0,
    LM_MAX_VOCAB,
    LM_MAX_CTX,
    LM_MAX_DIM,
    LM_MAX_LAYERS,
    LM_MAX_HEADS,
    LM_MAX_FFN,
    cfgBuf + 40,
    true,
  );
  if (why.length > 0) return fail(why, load<i32>(cfgBuf + 40));
  kind = load<i32>(cfgBuf, 4);
  float = kind == KIND_FP32;
  if (float && !forFeatures) return fail("fp32: quantized kinds only", -4);
  vocab = load<i32>(cfgBuf, 8);
  ctx = load<i32>(cfgBuf, 12);
  dim = load<i32>(cfgBuf, 16);
  layers = load<i32>(cfgBuf, 20);
  heads = load<i32>(cfgBuf, 24);
  ffn = load<i32>(cfgBuf, 28);
  const kv = load<i32>(cfgBuf, CFG_KV_HEADS * 4);
  kvHeads = kv == 0 ? heads : kv;
  kvDim = kvHeads * (dim / heads);
  if (!table.tableFind("tok_emb", -1, "")) return fail(missingTensor("tok_emb"), -3);
  if (takeMatrix(EMB, vocab, dim) < 0) return fail(badTensor("tok_emb"), -5);
  if (table.tableFind("head", -1, "")) {
    if (takeMatrix(HEAD, vocab, dim) < 0) return fail(badTensor("head"), -5);
  } else {
    // tied: the embedding's descriptor and scale
    memory.copy(matsB + <usize>(HEAD * MD * 4), matsB, <usize>(MD * 4));
    store<i32>(gammaB + <usize>(HEAD << 2), gammaFx(EMB));
  }
  gated = table.tableFind("layers.", 0, "w_gate");
  vWide = kind == KIND_INT8 || dim > 256;
  for (let l = 0; l < layers; l++) {
    for (let k = 0; k < 4; k++) {
      if (k == 3 && !gated) break;
      const suffix = k == 0 ? "wqkvo" : k == 1 ? "w_up" : k == 2 ? "w_down" : "w_gate";
      if (!table.tableFind("layers.", l, suffix)) return fail(missingTensor(tensorName(l, suffix)), -3);
      const rows = k == 0 ? 2 * dim + 2 * kvDim : k == 2 ? dim : ffn;
      if (takeMatrix(mat(l, k), rows, k == 2 ? ffn : dim) < 0) return fail(badTensor(tensorName(l, suffix)), -5);
    }
    if (md(mat(l, 0) * MD + 3) != 1) vWide = true; // per-row scales: raw v with 8 fractional bits
  }
  if (float && (gated || kvHeads != heads)) return fail("fp32: no llama options", -4);
  if (!table.tableFind("norms", -1, "")) return fail(missingTensor("norms"), -3);
  const normBytes = (2 * layers + 1) * dim * 4;
  if (
    table.entryPacking() != table.PACK_F32 ||
    table.entryNdim() != 2 ||
    table.entryShape(0) != 2 * layers + 1 ||
    table.entryShape(1) != dim ||
    <i32>table.entryDataBytes() != normBytes ||
    !table.entryInBlob()
  )
    return fail("tensor 'norms' must be f32 (2 * layers + 1, dim)", -5);
  const normsOffset = table.entryDataOffset();
  const r = layout();
  if (r < 0) return r;
  if (blobRead(normsOffset, gainsB, <u32>normBytes) != 0) return fail("cannot read 'norms'", -5);
  buildRope(ropeB, ctx, dim / heads);
  if (!float) {
    foldGains(gainsB, 2 * layers + 1, dim, shiftB);
    ropeToFixed(ropeB, ctx, dim / heads);
  }
  scoreFx = fxFromF32Bits(reinterpret<u32>(LOG2E / Mathf.sqrt(<f32>(dim / heads))));
  log2eFx = fxFromF32Bits(reinterpret<u32>(LOG2E));
  loaded = true;
  return 0;
}

export function lmLoaded(): bool {
  return loaded;
}
export function lmVocab(): i32 {
  return loaded ? vocab : 0;
}
export function lmContext(): i32 {
  return loaded ? ctx : 0;
}
export function lmPosition(): i32 {
  return pos;
}
export function lmMemoryBytes(): i32 {
  return loaded ? usedBytes : 0;
}
export function lmLogits(): usize {
  return logitsB;
}
/** Empties the KV cache: the next token is position 0. */
export function lmReset(): void {
  pos = 0;
}

function readBlob(offset: i32, dst: usize, len: i32): void {
  if (blobRead(<u32>offset, dst, <u32>len) != 0) unreachable(); // checked at load: the blob was replaced
}

/** acc[r - r0] (i32) = row r of matrix m dot the int8 activations in xqB, rows [r0, r1): weights streamed in row
 *  blocks; t3 through lookup tables built per column block of CHUNK_COLS (the fast region), int8 by matvec_i8. */
function dotRows(m: i32, r0: i32, r1: i32): void {
  const o = m * MD;
  const packing = md(o),
    dataOff = md(o + 1),
    cols = md(o + 5);
  if (packing == table.PACK_I8) {
    const per = max(1, WBUF_BYTES / cols);
    for (let rc = r0; rc < r1; rc += per) {
      const rr = min(per, r1 - rc);
      readBlob(dataOff + rc * cols, wB, rr * cols);
      matvec_i8(<i32>wB, <i32>xqB, <i32>(accB + <usize>((rc - r0) << 2)), rr, cols);
    }
    return;
  }
  const rb = (cols + 4) / 5;
  const per = max(1, WBUF_BYTES / rb);
  for (let c0 = 0; c0 < cols; c0 += CHUNK_COLS) {
    const cc = min(CHUNK_COLS, cols - c0);
    lut_build_t3(<i32>(xqB + <usize>c0), cc, <i32>LUT_FAST);
    for (let rc = r0; rc < r1; rc += per) {
      const rr = min(per, r1 - rc);
      readBlob(dataOff + rc * rb, wB, rr * rb);
      matvec_t3_lut(<i32>(wB + <usize>(c0 / 5)), <i32>LUT_FAST, <i32>(accB + <usize>((rc - r0) << 2)), rr, cc, rb, c0);
    }
  }
}

/**
 * BitLinear rows [r0, r1) of matrix m over xqB (activation multiplier a) into y (i32) by mode, as the reference's
 * linearInt: per-tensor t3 keeps raw dot products (multiplier a gamma) or adds round(acc a gamma) to the residual;
 * int8 and per-row scales rescale each row in i64 (raw values with 8 fractional bits). Returns the outputs' raw
 * multiplier (FX_RAW / FX_RELU2).
 */
function linear(m: i32, r0: i32, r1: i32, a: i32, y: usize, mode: i32): i32 {
  dotRows(m, r0, r1);
  const o = m * MD;
  const perTensorT3 = md(o) == table.PACK_T3 && md(o + 3) == 1;
  const fm = fxMul(a, gammaFx(m));
  const n = r1 - r0;
  if (perTensorT3) {
    if (mode == FX_ADD) {
      const mm = fm & 0xffff,
        s = fxShift(fm, XQ);
      for (let r = 0; r < n; r++) {
        const acc = load<i32>(accB + <usize>(r << 2));
        emit(y + <usize>(r << 2), (acc * mm + (1 << (s - 1))) >> s, FX_ADD);
      }
    } else if (mode == FX_RELU2) {
      for (let r = 0; r < n; r++) {
        const v = max(load<i32>(accB + <usize>(r << 2)), 0);
        store<i32>(y + <usize>(r << 2), v * v);
      }
    } else memory.copy(y, accB, <usize>(n << 2));
    return fm;
  }
  const ns = md(o + 3);
  for (let r = 0; r < n; r++) {
    const f = ns > 1 ? fxMul(a, rowScale(m, r0 + r)) : fm;
    emit(y + <usize>(r << 2), mulShift64(load<i32>(accB + <usize>(r << 2)), f, mode == FX_ADD ? XQ : 8), mode);
  }
  return FX_Q8;
}

/** A matrix row's scale as a multiplier (per tensor, or per row read from the blob). */
function rowScale(m: i32, row: i32): i32 {
  const o = m * MD;
  if (md(o + 3) == 1) return gammaFx(m);
  readBlob(md(o + 2) + row * 4, cfgBuf, 4);
  return fxFromF32Bits(load<u32>(cfgBuf));
}

/** x (i32, XQ bits, saturated) = the embedding row of tok times its scale. */
function embed(tok: i32): void {
  readBlob(md(EMB * MD + 1) + tok * dim, wB, dim);
  const f = rowScale(EMB, tok);
  const m = f & 0xffff,
    s = fxShift(f, XQ);
  for (let i = 0; i < dim; i++) {
    const v = (<i32>load<i8>(wB + <usize>i) * m + (1 << (s - 1))) >> s;
    store<i32>(xB + <usize>(i << 2), min(max(v, -XMAX), XMAX));
  }
}

// The KV cache of layer l: k8 i8[ctx][KV], then kf i32[ctx][kvHeads], v i16|i32[ctx][KV], vm i32[ctx] (layout()).
let kB: usize = 0;
let kfB: usize = 0;
let vB: usize = 0;
let vmB: usize = 0;
let vShift: i32 = 1; // log2 of a cached v's bytes

/** Points kB, kfB, vB, vmB at layer l's cache. */
function cacheOf(l: i32): void {
  vShift = vWide ? 2 : 1;
  kB = cacheB + <usize>(l * cacheLayerBytes);
  kfB = kB + <usize>align16(ctx * kvDim);
  vB = kfB + <usize>align16(ctx * kvHeads * 4);
  vmB = vB + <usize>align16((ctx * kvDim) << vShift);
}

/** Token t = pos of layer l (cacheOf(l) set): RoPE on q and k, int8 q (q8B, qfB) and k, v and its multiplier. */
function cacheQkv(t: i32, raw: i32): void {
  const hd = dim / heads;
  const half = hd / 2;
  if (t > 0) {
    // position 0: the identity
    const rt = ropeB + <usize>((t * half * 2) << 2);
    ropeHeads(qkvB, heads, hd, rt);
    ropeHeads(qkvB + <usize>(dim << 2), kvHeads, hd, rt);
  }
  for (let h = 0; h < heads; h++) {
    const fq = quantI32(qkvB + <usize>((h * hd) << 2), hd, 0, q8B + <usize>(h * hd), false);
    store<i32>(qfB + <usize>(h << 2), fxMul(fq, raw));
  }
  const k = kB + <usize>(t * kvDim);
  for (let h = 0; h < kvHeads; h++) {
    const fk = quantI32(qkvB + <usize>((dim + h * hd) << 2), hd, 0, k + <usize>(h * hd), false);
    store<i32>(kfB + <usize>((t * kvHeads + h) << 2), fxMul(fk, raw));
  }
  const src = qkvB + <usize>((dim + kvDim) << 2);
  const v = vB + <usize>((t * kvDim) << vShift);
  if (vWide) memory.copy(v, src, <usize>(kvDim << 2));
  else for (let i = 0; i < kvDim; i++) store<i16>(v + <usize>(i << 1), <i16>load<i32>(src + <usize>(i << 2)));
  store<i32>(vmB + <usize>(t << 2), raw);
}

/** Attention of query t over the cached keys 0..t of the layer cacheOf set, into oB (raw); returns its multiplier.
 *  The weighted sum runs key by key over contiguous v rows: i32 sums wrap, so any order gives the same integers. */
function attend(t: i32): i32 {
  const hd = dim / heads;
  let emin = 0x7fff;
  for (let j = 0; j <= t; j++) emin = min(emin, load<i32>(vmB + <usize>(j << 2)) >> 16);
  const zs = scB,
    ps = scB + <usize>(ctx << 2);
  memory.fill(oB, 0, <usize>(dim << 2));
  const group = heads / kvHeads;
  for (let h = 0; h < heads; h++) {
    const kh = h / group; // the k and v head query head h reads
    const fq = fxMul(load<i32>(qfB + <usize>(h << 2)), scoreFx);
    const qo = q8B + <usize>(h * hd);
    let ko = kB + <usize>(kh * hd);
    for (let j = 0; j <= t; j++, ko += <usize>kvDim) {
      const dot = dotI8(qo, ko, hd);
      const fk = load<i32>(kfB + <usize>((j * kvHeads + kh) << 2));
      store<i32>(zs + <usize>(j << 2), scoreLog2(dot, fxMul(fq, fk)));
    }
    softmaxExp2(zs, t + 1, ps);
    const oo = oB + <usize>((h * hd) << 2);
    const oEnd = oo + <usize>(hd << 2);
    for (let j = 0; j <= t; j++) {
      // w_j = round(p_j m_j 2^-(e_j - emin + 12)): p_j m_j < 2^27
      const fj = load<i32>(vmB + <usize>(j << 2));
      const s = min((fj >> 16) - emin + 12, 31);
      const w = (load<i32>(ps + <usize>(j << 2)) * (fj & 0xffff) + (1 << (s - 1))) >> s;
      if (w == 0) continue;
      if (vWide) {
        for (let op = oo, vp = vB + <usize>((j * kvDim + kh * hd) << 2); op < oEnd; op += 4, vp += 4)
          store<i32>(op, load<i32>(op) + w * load<i32>(vp));
      } else {
        let op = oo,
          vp = vB + <usize>((j * kvDim + kh * hd) << 1);
        for (const o4End = oo + <usize>((hd & ~3) << 2); op < o4End; op += 16, vp += 8) {
          store<i32>(op, load<i32>(op) + w * <i32>load<i16>(vp));
          store<i32>(op, load<i32>(op, 4) + w * <i32>load<i16>(vp, 2), 4);
          store<i32>(op, load<i32>(op, 8) + w * <i32>load<i16>(vp, 4), 8);
          store<i32>(op, load<i32>(op, 12) + w * <i32>load<i16>(vp, 6), 12);
        }
        for (; op < oEnd; op += 4, vp += 2) store<i32>(op, load<i32>(op) + w * <i32>load<i16>(vp));
      }
    }
  }
  return ((emin + 14) << 16) | (1 << 14);
}

/**
 * Feeds token tok (< vocab) at the next position (< ctx): the integer forward of that position over the KV cache,
 * then the head: logits i32[vocab] at lmLogits() with 8 fractional bits. Unchecked (the exports check).
 */
export function lmStep(tok: i32): void {
  lmForward(tok);
  // head: the final norm quantized to int8, dot the head's rows (the int8 embedding's when tied)
  const a = normQuant(xB, gainsB + <usize>(2 * layers * dim * 4), gainShift(2 * layers), dim, xqB, false);
  dotRows(HEAD, 0, vocab);
  for (let v = 0; v < vocab; v++)
    store<i32>(
      logitsB + <usize>(v << 2),
      mulShift64(load<i32>(accB + <usize>(v << 2)), fxMul(a, rowScale(HEAD, v)), 8),
    );
}

/** The model width (features per readout). */
export function lmDim(): i32 {
  return loaded ? dim : 0;
}

/** The last position's hidden state as features: f32[dim] at out = RMSNorm(x) g, the forward's only float step
 *  (normF32, as the agent backbone's features). */
export function lmState(out: usize): void {
  if (float) {
    rmsnorm_f32(<i32>xB, <i32>(gainsB + <usize>(2 * layers * dim * 4)), <i32>out, dim);
    return;
  }
  normF32(xB, gainsB + <usize>(2 * layers * dim * 4), gainShift(2 * layers), dim, out);
}

/** The forward of token tok at the next position, without the head. Unchecked. */
export function lmForward(tok: i32): void {
  if (float) lmForwardF32(tok);
  else lmForwardInt(tok);
}

/** y f32[r1 - r0] = rows [r0, r1) of the f32 matrix m times x f32[cols]: streamed in row blocks, matvec_f32. */
function linearF32(m: i32, r0: i32, r1: i32, x: usize, y: usize): void {
  const o = m * MD;
  const dataOff = md(o + 1),
    cols = md(o + 5);
  const rb = cols * 4;
  const per = max(1, WBUF_BYTES / rb);
  for (let rc = r0; rc < r1; rc += per) {
    const rr = min(per, r1 - rc);
    readBlob(dataOff + rc * rb, wB, rr * rb);
    matvec_f32(<i32>wB, <i32>x, <i32>(y + <usize>((rc - r0) << 2)), rr, cols);
  }
}

/** x += o (f32[dim]). */
function addF32(): void {
  for (let i = 0; i < dim; i++) {
    const p = xB + <usize>(i << 2);
    store<f32>(p, load<f32>(p) + load<f32>(oB + <usize>(i << 2)));
  }
}

/** The fp32 forward of token tok over the f32 KV cache: the operations, in order, of the backbone's forwardF32 for
 *  that position (so the reference's full recomputation gives the same floats). */
function lmForwardF32(tok: i32): void {
  const t = pos,
    hd = dim / heads,
    qkv = dim + 2 * kvDim;
  const scale: f32 = <f32>1 / Mathf.sqrt(<f32>hd);
  readBlob(md(EMB * MD + 1) + tok * dim * 4, xB, dim * 4);
  for (let l = 0; l < layers; l++) {
    rmsnorm_f32(<i32>xB, <i32>(gainsB + <usize>(2 * l * dim * 4)), <i32>xnB, dim);
    linearF32(mat(l, 0), 0, qkv, xnB, qkvB);
    const rt = ropeB + <usize>((t * (hd / 2) * 2) << 2);
    ropeHeadsF32(qkvB, heads, hd, rt);
    ropeHeadsF32(qkvB + <usize>(dim << 2), kvHeads, hd, rt);
    const kl = cacheB + <usize>(l * cacheLayerBytes),
      vl = kl + <usize>align16(ctx * kvDim * 4);
    memory.copy(kl + <usize>((t * kvDim) << 2), qkvB + <usize>(dim << 2), <usize>(kvDim << 2));
    memory.copy(vl + <usize>((t * kvDim) << 2), qkvB + <usize>((dim + kvDim) << 2), <usize>(kvDim << 2));
    for (let h = 0; h < heads; h++) {
      const at = <usize>((h * hd) << 2);
      attendHeadF32(qkvB + at, kl + at, vl + at, <usize>(kvDim << 2), hd, t + 1, scale, scB, xnB + at);
    }
    linearF32(mat(l, 0), qkv, qkv + dim, xnB, oB);
    addF32();
    rmsnorm_f32(<i32>xB, <i32>(gainsB + <usize>((2 * l + 1) * dim * 4)), <i32>xnB, dim);
    linearF32(mat(l, 1), 0, ffn, xnB, zB);
    for (let i = 0; i < ffn; i++) {
      const p = zB + <usize>(i << 2);
      const u = load<f32>(p);
      store<f32>(p, u > 0 ? u * u : 0);
    }
    linearF32(mat(l, 2), 0, dim, zB, oB);
    addF32();
  }
  pos = t + 1;
}

/** The integer forward of token tok at the next position, without the head. Unchecked. */
function lmForwardInt(tok: i32): void {
  const t = pos;
  embed(tok);
  const qkv = dim + 2 * kvDim; // rows of q|k|v; the output projection's follow
  for (let l = 0; l < layers; l++) {
    const wqkvo = mat(l, 0);
    let a = normQuant(xB, gainsB + <usize>(2 * l * dim * 4), gainShift(2 * l), dim, xqB, false);
    const raw = linear(wqkvo, 0, qkv, a, qkvB, FX_RAW);
    cacheOf(l);
    cacheQkv(t, raw);
    const rawO = attend(t);
    a = fxMul(quantI32(oB, dim, 0, xqB, false), rawO);
    linear(wqkvo, qkv, qkv + dim, a, xB, FX_ADD);
    a = normQuant(xB, gainsB + <usize>((2 * l + 1) * dim * 4), gainShift(2 * l + 1), dim, xqB, false);
    let rawZ: i32;
    if (gated) {
      const fg = linear(mat(l, 3), 0, ffn, a, zB, FX_RAW);
      const fu = linear(mat(l, 1), 0, ffn, a, uB, FX_RAW);
      rawZ = swiglu(zB, uB, ffn, fg, fu, fxMul(fg, log2eFx));
    } else {
      const f = linear(mat(l, 1), 0, ffn, a, zB, FX_RELU2);
      rawZ = fxMul(f, f);
    }
    a = fxMul(quantI32(zB, ffn, 0, xqB, false), rawZ);
    linear(mat(l, 2), 0, dim, a, xB, FX_ADD);
  }
  pos = t + 1;
}
