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

// The runtime's state, one block allocated at the first load instead of 46 module globals: wasm3 keeps a 32-byte
// record per global in its heap for the module's life, on every board, whether a language model runs or not
// (docs/firmware.md). The buffers' layout is described below the matrix descriptors.
// @ts-ignore: decorator
@unmanaged

class State {
  kind: i32;
  vocab: i32;
  ctx: i32;
  dim: i32;
  layers: i32;
  heads: i32;
  kvHeads: i32; // heads of k and v (grouped: each serves heads / kvHeads query heads)
  kvDim: i32; // kvHeads * head width
  ffn: i32;
  gated: bool; // SwiGLU FFN: down(silu(gate x) * up x); else down(relu(up x)^2)
  float: bool; // the fp32 kind: f32 buffers, cache and forward
  pos: i32; // tokens in the KV cache
  vWide: bool; // v cached as i32 (else i16: per-tensor t3 q|k|v rows with dim <= 256 keep |v| <= 127 dim < 2^15)
  usedBytes: i32;
  scoreFx: i32;
  log2eFx: i32;
  matsB: usize; // i32[mats MD], mats = 2 + 4 matsLayers
  gammaB: usize; // i32[mats]: per-tensor scales as multipliers (0: per row)
  shiftB: usize; // i32[2 matsLayers + 1]: each norm row's gain shift
  matsLayers: i32; // layers the three above have room for
  cfgBuf: usize; // u8[40]
  xB: usize;
  xqB: usize;
  qkvB: usize;
  oB: usize;
  zB: usize;
  uB: usize;
  xnB: usize; // fp32 only: f32[D] normed input, then attention output
  accB: usize;
  q8B: usize;
  qfB: usize;
  scB: usize;
  gainsB: usize;
  ropeB: usize;
  wB: usize;
  logitsB: usize;
  cacheB: usize;
  cacheLayerBytes: i32;
  block: usize;
  blockBytes: i32;
  cursor: usize;
  kB: usize;
  kfB: usize;
  vB: usize;
  vmB: usize;
  vShift: i32; // log2 of a cached v's bytes
}
let loaded = false; // a global: read before the state exists
let S = changetype<State>(0); // allocated on the first load, with the config buffer

// Matrix descriptors: 0 the embedding, 1 the output head (the embedding's when tied), 2 + 4l + k layer l's wqkvo
// (k 0), w_up (1), w_down (2), w_gate (3). Fields: packing, data offset, scale offset, scale count, rows, cols.
// Allocated for the loaded model's layers (an agent without a language model pays no static memory for them).
const MD: i32 = 6;
const EMB: i32 = 0;
const HEAD: i32 = 1;
// @ts-ignore: decorator
@inline function mat(l: i32, k: i32): i32 {
  return 2 + 4 * l + k;
}

// @ts-ignore: decorator
@inline function md(i: i32): i32 {
  return load<i32>(S.matsB + <usize>(i << 2));
}
// @ts-ignore: decorator
@inline function gammaFx(m: i32): i32 {
  return load<i32>(S.gammaB + <usize>(m << 2));
}
// @ts-ignore: decorator
@inline function gainShift(r: i32): i32 {
  return load<i32>(S.shiftB + <usize>(r << 2));
}

// Buffers (State's xB..logitsB: 16-byte aligned, from one block), KV = kvDim: x i32[D] residual (XQ bits); xq i8[max(D, F)] activations;
// qkv i32[D + 2 KV] raw q|k|v; o i32[D] attention output; z i32[F] FFN hidden (the gate's, when gated); u i32[F]
// the up projection (gated only); acc i32[max(D + 2 KV, F, V)]; q8 i8[D] int8 q; qf i32[H] their multipliers;
// sc i32[2 ctx] scores, probabilities; gains i32[2L+1][D]; rope i32[ctx][hd/2][2]; w u8[WBUF]; logits i32[V] (8
// fractional bits); then per layer the cache: k8 i8[ctx][KV], kf i32[ctx][kvHeads], v i16|i32[ctx][KV], vm i32[ctx]
// (the tokens' q|k|v multipliers).

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
  return (
    align16(S.ctx * S.kvDim) +
    align16(S.ctx * S.kvHeads * 4) +
    align16(S.ctx * S.kvDim * (S.vWide ? 4 : 2)) +
    align16(S.ctx * 4)
  );
}

/** The next 16-byte-aligned buffer of `bytes` from the cursor. */
function take(bytes: i32): usize {
  const p = S.cursor;
  S.cursor += <usize>align16(bytes);
  return p;
}

/** Lays the buffers and the per-layer cache out from base (pointers set); returns their end. */
function carve(base: usize): usize {
  S.cursor = base;
  const hd = S.dim / S.heads;
  S.xB = take(S.dim * 4);
  if (S.float) {
    // fp32: f32 x[D] residual, xn[D], qkv[D + 2 KV], o[D], z[F], sc[ctx], gains[2L+1][D] unfolded, rope, w; per
    // layer k[ctx][KV], v[ctx][KV]
    S.xnB = take(S.dim * 4);
    S.qkvB = take((S.dim + 2 * S.kvDim) * 4);
    S.oB = take(S.dim * 4);
    S.zB = take(S.ffn * 4);
    S.scB = take(S.ctx * 4);
    S.cacheLayerBytes = 2 * align16(S.ctx * S.kvDim * 4);
  } else {
    S.xqB = take(max(S.dim, S.ffn));
    S.qkvB = take((S.dim + 2 * S.kvDim) * 4);
    S.oB = take(S.dim * 4);
    S.zB = take(S.ffn * 4);
    S.uB = take(S.gated ? S.ffn * 4 : 0);
    S.accB = take(max(max(S.dim + 2 * S.kvDim, S.ffn), S.vocab) * 4);
    S.q8B = take(S.dim);
    S.qfB = take(S.heads * 4);
    S.scB = take(2 * S.ctx * 4);
    S.cacheLayerBytes = cacheBytesPerLayer();
  }
  S.gainsB = take((2 * S.layers + 1) * S.dim * 4);
  S.ropeB = take(S.ctx * hd * 4);
  S.wB = take(WBUF_BYTES);
  if (!S.float) S.logitsB = take(S.vocab * 4);
  S.cacheB = take(S.layers * S.cacheLayerBytes);
  return S.cursor;
}

/** Carves the buffers; allocates (once, or larger) from the heap, growing the memory first so that a model too big
 *  for it is refused with the numbers instead of trapping. 0 ok. */
function layout(): i32 {
  const need = bytesNeeded();
  if (need > <i64>0x40000000) return fail("model needs " + need.toString() + " bytes of buffers and KV cache", -6);
  if (<i32>need > S.blockBytes) {
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
    S.block = heap.alloc(<usize>need); // never freed (stub runtime): only when a bigger model is loaded
    S.blockBytes = <i32>need;
  }
  S.usedBytes = <i32>need;
  carve(S.block);
  return 0;
}

/** Checks the entry found last as matrix m (rows, cols) with the packing the kind needs (int8 for the embedding;
 *  the head may be either). 0 ok. */
function takeMatrix(m: i32, rows: i32, cols: i32): i32 {
  const packing = table.entryPacking();
  const want = S.float ? table.PACK_F32 : S.kind == KIND_INT8 || m == EMB ? table.PACK_I8 : table.PACK_T3;
  if (packing != want && !(m == HEAD && packing == table.PACK_I8)) return -5;
  if (table.entryNdim() != 2 || table.entryShape(0) != rows || table.entryShape(1) != cols) return -5;
  const bytes =
    packing == table.PACK_F32 ? rows * cols * 4 : packing == table.PACK_I8 ? rows * cols : rows * ((cols + 4) / 5);
  if (<i32>table.entryDataBytes() != bytes) return -5;
  const ns = <i32>table.entryScaleCount();
  if (ns != (S.float ? 0 : 1) && ns != rows) return -5;
  if (!table.entryInBlob()) return -5;
  const o = m * MD;
  store<i32>(S.matsB + <usize>(o << 2), packing);
  store<i32>(S.matsB + <usize>((o + 1) << 2), <i32>table.entryDataOffset());
  store<i32>(S.matsB + <usize>((o + 2) << 2), <i32>table.entryScaleOffset());
  store<i32>(S.matsB + <usize>((o + 3) << 2), ns);
  store<i32>(S.matsB + <usize>((o + 4) << 2), rows);
  store<i32>(S.matsB + <usize>((o + 5) << 2), cols);
  store<i32>(S.gammaB + <usize>(m << 2), 0);
  if (ns == 1 && !S.float) {
    if (blobRead(table.entryScaleOffset(), S.cfgBuf, 4) != 0) return -5;
    const s = load<f32>(S.cfgBuf);
    if (!(s >= 0) || !isFinite(s)) return -5;
    store<i32>(S.gammaB + <usize>(m << 2), fxFromF32Bits(load<u32>(S.cfgBuf)));
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
  if (changetype<usize>(S) == 0) {
    // the state and the config (u8[40] and its code after it) in one block
    const stateBytes = offsetof<State>();
    const p = heap.alloc(stateBytes + 44);
    memory.fill(p, 0, stateBytes);
    S = changetype<State>(p);
    S.cfgBuf = p + stateBytes;
  }
  S.pos = 0;
  const h = table.tableOpen();
  if (h == -1) return fail("no model blob loaded", -1);
  if (h < 0) return fail("bad blob header or tensor table", -2);
  const why = readConfig(
    S.cfgBuf,
    0,
    LM_MAX_VOCAB,
    LM_MAX_CTX,
    LM_MAX_DIM,
    LM_MAX_LAYERS,
    LM_MAX_HEADS,
    LM_MAX_FFN,
    S.cfgBuf + 40,
    true,
  );
  if (why.length > 0) return fail(why, load<i32>(S.cfgBuf + 40));
  S.kind = load<i32>(S.cfgBuf, 4);
  S.float = S.kind == KIND_FP32;
  if (S.float && !forFeatures) return fail("fp32: quantized kinds only", -4);
  S.vocab = load<i32>(S.cfgBuf, 8);
  S.ctx = load<i32>(S.cfgBuf, 12);
  S.dim = load<i32>(S.cfgBuf, 16);
  S.layers = load<i32>(S.cfgBuf, 20);
  if (S.layers > S.matsLayers) {
    // descriptors, gammas and gain shifts for this many layers, in one block (a model with more layers loaded later
    // takes a new one: the stub heap never frees, as with the buffers' block)
    const mats = 2 + 4 * S.layers;
    S.matsB = heap.alloc(<usize>((mats * MD + mats + 2 * S.layers + 1) * 4));
    S.gammaB = S.matsB + <usize>(mats * MD * 4);
    S.shiftB = S.gammaB + <usize>(mats * 4);
    S.matsLayers = S.layers;
  }
  S.heads = load<i32>(S.cfgBuf, 24);
  S.ffn = load<i32>(S.cfgBuf, 28);
  const kv = load<i32>(S.cfgBuf, CFG_KV_HEADS * 4);
  S.kvHeads = kv == 0 ? S.heads : kv;
  S.kvDim = S.kvHeads * (S.dim / S.heads);
  if (!table.tableFind("tok_emb", -1, "")) return fail(missingTensor("tok_emb"), -3);
  if (takeMatrix(EMB, S.vocab, S.dim) < 0) return fail(badTensor("tok_emb"), -5);
  if (table.tableFind("head", -1, "")) {
    if (takeMatrix(HEAD, S.vocab, S.dim) < 0) return fail(badTensor("head"), -5);
  } else {
    // tied: the embedding's descriptor and scale
    memory.copy(S.matsB + <usize>(HEAD * MD * 4), S.matsB, <usize>(MD * 4));
    store<i32>(S.gammaB + <usize>(HEAD << 2), gammaFx(EMB));
  }
  S.gated = table.tableFind("layers.", 0, "w_gate");
  S.vWide = S.kind == KIND_INT8 || S.dim > 256;
  for (let l = 0; l < S.layers; l++) {
    for (let k = 0; k < 4; k++) {
      if (k == 3 && !S.gated) break;
      const suffix = k == 0 ? "wqkvo" : k == 1 ? "w_up" : k == 2 ? "w_down" : "w_gate";
      if (!table.tableFind("layers.", l, suffix)) return fail(missingTensor(tensorName(l, suffix)), -3);
      const rows = k == 0 ? 2 * S.dim + 2 * S.kvDim : k == 2 ? S.dim : S.ffn;
      if (takeMatrix(mat(l, k), rows, k == 2 ? S.ffn : S.dim) < 0) return fail(badTensor(tensorName(l, suffix)), -5);
    }
    if (md(mat(l, 0) * MD + 3) != 1) S.vWide = true; // per-row scales: raw v with 8 fractional bits
  }
  if (S.float && (S.gated || S.kvHeads != S.heads)) return fail("fp32: no llama options", -4);
  if (!table.tableFind("norms", -1, "")) return fail(missingTensor("norms"), -3);
  const normBytes = (2 * S.layers + 1) * S.dim * 4;
  if (
    table.entryPacking() != table.PACK_F32 ||
    table.entryNdim() != 2 ||
    table.entryShape(0) != 2 * S.layers + 1 ||
    table.entryShape(1) != S.dim ||
    <i32>table.entryDataBytes() != normBytes ||
    !table.entryInBlob()
  )
    return fail("tensor 'norms' must be f32 (2 * layers + 1, dim)", -5);
  const normsOffset = table.entryDataOffset();
  const r = layout();
  if (r < 0) return r;
  if (blobRead(normsOffset, S.gainsB, <u32>normBytes) != 0) return fail("cannot read 'norms'", -5);
  buildRope(S.ropeB, S.ctx, S.dim / S.heads);
  if (!S.float) {
    foldGains(S.gainsB, 2 * S.layers + 1, S.dim, S.shiftB);
    ropeToFixed(S.ropeB, S.ctx, S.dim / S.heads);
  }
  S.scoreFx = fxFromF32Bits(reinterpret<u32>(LOG2E / Mathf.sqrt(<f32>(S.dim / S.heads))));
  S.log2eFx = fxFromF32Bits(reinterpret<u32>(LOG2E));
  loaded = true;
  return 0;
}

export function lmLoaded(): bool {
  return loaded;
}
export function lmVocab(): i32 {
  return loaded ? S.vocab : 0;
}
export function lmContext(): i32 {
  return loaded ? S.ctx : 0;
}
export function lmPosition(): i32 {
  return changetype<usize>(S) != 0 ? S.pos : 0; // 0 before the first load allocates the state
}
export function lmMemoryBytes(): i32 {
  return loaded ? S.usedBytes : 0;
}
export function lmLogits(): usize {
  return S.logitsB;
}
/** Empties the KV cache: the next token is position 0. */
export function lmReset(): void {
  if (changetype<usize>(S) != 0) S.pos = 0;
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
      readBlob(dataOff + rc * cols, S.wB, rr * cols);
      matvec_i8(<i32>S.wB, <i32>S.xqB, <i32>(S.accB + <usize>((rc - r0) << 2)), rr, cols);
    }
    return;
  }
  const rb = (cols + 4) / 5;
  const per = max(1, WBUF_BYTES / rb);
  for (let c0 = 0; c0 < cols; c0 += CHUNK_COLS) {
    const cc = min(CHUNK_COLS, cols - c0);
    lut_build_t3(<i32>(S.xqB + <usize>c0), cc, <i32>LUT_FAST);
    for (let rc = r0; rc < r1; rc += per) {
      const rr = min(per, r1 - rc);
      readBlob(dataOff + rc * rb, S.wB, rr * rb);
      matvec_t3_lut(
        <i32>(S.wB + <usize>(c0 / 5)),
        <i32>LUT_FAST,
        <i32>(S.accB + <usize>((rc - r0) << 2)),
        rr,
        cc,
        rb,
        c0,
      );
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
  const accB = S.accB; // the state block's fields in locals: read once, not once per row
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
  readBlob(md(o + 2) + row * 4, S.cfgBuf, 4);
  return fxFromF32Bits(load<u32>(S.cfgBuf));
}

/** x (i32, XQ bits, saturated) = the embedding row of tok times its scale. */
function embed(tok: i32): void {
  readBlob(md(EMB * MD + 1) + tok * S.dim, S.wB, S.dim);
  const f = rowScale(EMB, tok);
  const m = f & 0xffff,
    s = fxShift(f, XQ);
  const dim = S.dim,
    wB = S.wB,
    xB = S.xB; // read once, not once per value
  for (let i = 0; i < dim; i++) {
    const v = (<i32>load<i8>(wB + <usize>i) * m + (1 << (s - 1))) >> s;
    store<i32>(xB + <usize>(i << 2), min(max(v, -XMAX), XMAX));
  }
}

// The KV cache of layer l: k8 i8[ctx][KV], then kf i32[ctx][kvHeads], v i16|i32[ctx][KV], vm i32[ctx] (layout()).

/** Points kB, kfB, vB, vmB at layer l's cache. */
function cacheOf(l: i32): void {
  S.vShift = S.vWide ? 2 : 1;
  S.kB = S.cacheB + <usize>(l * S.cacheLayerBytes);
  S.kfB = S.kB + <usize>align16(S.ctx * S.kvDim);
  S.vB = S.kfB + <usize>align16(S.ctx * S.kvHeads * 4);
  S.vmB = S.vB + <usize>align16((S.ctx * S.kvDim) << S.vShift);
}

/** Token t = pos of layer l (cacheOf(l) set): RoPE on q and k, int8 q (q8B, qfB) and k, v and its multiplier. */
function cacheQkv(t: i32, raw: i32): void {
  const hd = S.dim / S.heads;
  const half = hd / 2;
  if (t > 0) {
    // position 0: the identity
    const rt = S.ropeB + <usize>((t * half * 2) << 2);
    ropeHeads(S.qkvB, S.heads, hd, rt);
    ropeHeads(S.qkvB + <usize>(S.dim << 2), S.kvHeads, hd, rt);
  }
  for (let h = 0; h < S.heads; h++) {
    const fq = quantI32(S.qkvB + <usize>((h * hd) << 2), hd, 0, S.q8B + <usize>(h * hd), false);
    store<i32>(S.qfB + <usize>(h << 2), fxMul(fq, raw));
  }
  const k = S.kB + <usize>(t * S.kvDim);
  for (let h = 0; h < S.kvHeads; h++) {
    const fk = quantI32(S.qkvB + <usize>((S.dim + h * hd) << 2), hd, 0, k + <usize>(h * hd), false);
    store<i32>(S.kfB + <usize>((t * S.kvHeads + h) << 2), fxMul(fk, raw));
  }
  const src = S.qkvB + <usize>((S.dim + S.kvDim) << 2);
  const v = S.vB + <usize>((t * S.kvDim) << S.vShift);
  if (S.vWide) memory.copy(v, src, <usize>(S.kvDim << 2));
  else {
    const kvDim = S.kvDim; // read once, not once per value
    for (let i = 0; i < kvDim; i++) store<i16>(v + <usize>(i << 1), <i16>load<i32>(src + <usize>(i << 2)));
  }
  store<i32>(S.vmB + <usize>(t << 2), raw);
}

/** Attention of query t over the cached keys 0..t of the layer cacheOf set, into oB (raw); returns its multiplier.
 *  The weighted sum runs key by key over contiguous v rows: i32 sums wrap, so any order gives the same integers. */
function attend(t: i32): i32 {
  const hd = S.dim / S.heads;
  // the state block's fields the loops read, in locals: once per call, not once per key or value
  const kvDim = S.kvDim,
    kvHeads = S.kvHeads,
    kfB = S.kfB,
    vmB = S.vmB,
    vB = S.vB,
    vWide = S.vWide;
  let emin = 0x7fff;
  for (let j = 0; j <= t; j++) emin = min(emin, load<i32>(vmB + <usize>(j << 2)) >> 16);
  const zs = S.scB,
    ps = S.scB + <usize>(S.ctx << 2);
  memory.fill(S.oB, 0, <usize>(S.dim << 2));
  const group = S.heads / S.kvHeads;
  for (let h = 0; h < S.heads; h++) {
    const kh = h / group; // the k and v head query head h reads
    const fq = fxMul(load<i32>(S.qfB + <usize>(h << 2)), S.scoreFx);
    const qo = S.q8B + <usize>(h * hd);
    let ko = S.kB + <usize>(kh * hd);
    for (let j = 0; j <= t; j++, ko += <usize>kvDim) {
      const dot = dotI8(qo, ko, hd);
      const fk = load<i32>(kfB + <usize>((j * kvHeads + kh) << 2));
      store<i32>(zs + <usize>(j << 2), scoreLog2(dot, fxMul(fq, fk)));
    }
    softmaxExp2(zs, t + 1, ps);
    const oo = S.oB + <usize>((h * hd) << 2);
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
  const a = normQuant(S.xB, S.gainsB + <usize>(2 * S.layers * S.dim * 4), gainShift(2 * S.layers), S.dim, S.xqB, false);
  dotRows(HEAD, 0, S.vocab);
  const vocab = S.vocab,
    logitsB = S.logitsB,
    accB = S.accB; // read once, not once per logit
  for (let v = 0; v < vocab; v++)
    store<i32>(
      logitsB + <usize>(v << 2),
      mulShift64(load<i32>(accB + <usize>(v << 2)), fxMul(a, rowScale(HEAD, v)), 8),
    );
}

/** The model width (features per readout). */
export function lmDim(): i32 {
  return loaded ? S.dim : 0;
}

/** The last position's hidden state as features: f32[dim] at out = RMSNorm(x) g, the forward's only float step
 *  (normF32, as the agent backbone's features). */
export function lmState(out: usize): void {
  if (S.float) {
    rmsnorm_f32(<i32>S.xB, <i32>(S.gainsB + <usize>(2 * S.layers * S.dim * 4)), <i32>out, S.dim);
    return;
  }
  normF32(S.xB, S.gainsB + <usize>(2 * S.layers * S.dim * 4), gainShift(2 * S.layers), S.dim, out);
}

/** The forward of token tok at the next position, without the head. Unchecked. */
export function lmForward(tok: i32): void {
  if (S.float) lmForwardF32(tok);
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
    readBlob(dataOff + rc * rb, S.wB, rr * rb);
    matvec_f32(<i32>S.wB, <i32>x, <i32>(y + <usize>((rc - r0) << 2)), rr, cols);
  }
}

/** x += o (f32[dim]). */
function addF32(): void {
  const dim = S.dim,
    xB = S.xB,
    oB = S.oB; // read once, not once per value
  for (let i = 0; i < dim; i++) {
    const p = xB + <usize>(i << 2);
    store<f32>(p, load<f32>(p) + load<f32>(oB + <usize>(i << 2)));
  }
}

/** The fp32 forward of token tok over the f32 KV cache: the operations, in order, of the backbone's forwardF32 for
 *  that position (so the reference's full recomputation gives the same floats). */
function lmForwardF32(tok: i32): void {
  const t = S.pos,
    hd = S.dim / S.heads,
    qkv = S.dim + 2 * S.kvDim;
  const scale: f32 = <f32>1 / Mathf.sqrt(<f32>hd);
  readBlob(md(EMB * MD + 1) + tok * S.dim * 4, S.xB, S.dim * 4);
  for (let l = 0; l < S.layers; l++) {
    rmsnorm_f32(<i32>S.xB, <i32>(S.gainsB + <usize>(2 * l * S.dim * 4)), <i32>S.xnB, S.dim);
    linearF32(mat(l, 0), 0, qkv, S.xnB, S.qkvB);
    const rt = S.ropeB + <usize>((t * (hd / 2) * 2) << 2);
    ropeHeadsF32(S.qkvB, S.heads, hd, rt);
    ropeHeadsF32(S.qkvB + <usize>(S.dim << 2), S.kvHeads, hd, rt);
    const kl = S.cacheB + <usize>(l * S.cacheLayerBytes),
      vl = kl + <usize>align16(S.ctx * S.kvDim * 4);
    memory.copy(kl + <usize>((t * S.kvDim) << 2), S.qkvB + <usize>(S.dim << 2), <usize>(S.kvDim << 2));
    memory.copy(vl + <usize>((t * S.kvDim) << 2), S.qkvB + <usize>((S.dim + S.kvDim) << 2), <usize>(S.kvDim << 2));
    for (let h = 0; h < S.heads; h++) {
      const at = <usize>((h * hd) << 2);
      attendHeadF32(S.qkvB + at, kl + at, vl + at, <usize>(S.kvDim << 2), hd, t + 1, scale, S.scB, S.xnB + at);
    }
    linearF32(mat(l, 0), qkv, qkv + S.dim, S.xnB, S.oB);
    addF32();
    rmsnorm_f32(<i32>S.xB, <i32>(S.gainsB + <usize>((2 * l + 1) * S.dim * 4)), <i32>S.xnB, S.dim);
    linearF32(mat(l, 1), 0, S.ffn, S.xnB, S.zB);
    const ffn = S.ffn,
      zB = S.zB; // read once, not once per value
    for (let i = 0; i < ffn; i++) {
      const p = zB + <usize>(i << 2);
      const u = load<f32>(p);
      store<f32>(p, u > 0 ? u * u : 0);
    }
    linearF32(mat(l, 2), 0, S.dim, S.zB, S.oB);
    addF32();
  }
  S.pos = t + 1;
}

/** The integer forward of token tok at the next position, without the head. Unchecked. */
function lmForwardInt(tok: i32): void {
  const t = S.pos;
  embed(tok);
  const qkv = S.dim + 2 * S.kvDim; // rows of q|k|v; the output projection's follow
  for (let l = 0; l < S.layers; l++) {
    const wqkvo = mat(l, 0);
    let a = normQuant(S.xB, S.gainsB + <usize>(2 * l * S.dim * 4), gainShift(2 * l), S.dim, S.xqB, false);
    const raw = linear(wqkvo, 0, qkv, a, S.qkvB, FX_RAW);
    cacheOf(l);
    cacheQkv(t, raw);
    const rawO = attend(t);
    a = fxMul(quantI32(S.oB, S.dim, 0, S.xqB, false), rawO);
    linear(wqkvo, qkv, qkv + S.dim, a, S.xB, FX_ADD);
    a = normQuant(S.xB, S.gainsB + <usize>((2 * l + 1) * S.dim * 4), gainShift(2 * l + 1), S.dim, S.xqB, false);
    let rawZ: i32;
    if (S.gated) {
      const fg = linear(mat(l, 3), 0, S.ffn, a, S.zB, FX_RAW);
      const fu = linear(mat(l, 1), 0, S.ffn, a, S.uB, FX_RAW);
      rawZ = swiglu(S.zB, S.uB, S.ffn, fg, fu, fxMul(fg, S.log2eFx));
    } else {
      const f = linear(mat(l, 1), 0, S.ffn, a, S.zB, FX_RELU2);
      rawZ = fxMul(f, f);
    }
    a = fxMul(quantI32(S.zB, S.ffn, 0, S.xqB, false), rawZ);
    linear(mat(l, 2), 0, S.dim, a, S.xB, FX_ADD);
  }
  S.pos = t + 1;
}
