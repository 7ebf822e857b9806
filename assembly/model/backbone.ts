// The BitNet-b1.58 backbone's forward pass (docs/model.md): token embedding, L pre-norm transformer layers
// (RMSNorm, causal attention with RoPE, ReLU^2 FFN, every projection a BitLinear), final RMSNorm. Weights are
// streamed from the model blob one matrix (or row block) at a time through blob_read; backboneLoad checks the
// config and every tensor once, then backboneFeatures runs blindly. Twin: tools/lib/reference/backbone.ts.
import { blobRead } from "../host";
import { log } from "../host";
import { rmsnorm_f32 } from "../kernels/act";
import { matvec_f32, matvec_i8 } from "../kernels/plain";
import {
  lut_build_t3x4_x4, lut_build_t3x4s_x4, matvec_t3x4_lut, matvec_t3x4s_lut, quantizeActBits, quantizeActBitsX4,
  T3X4_BIAS, T3X4_BLOCK_COLS, T3X4_TOKENS, T3X4S_MAX_ROWS,
} from "../kernels/small";
import { LUT_FAST } from "../io";
import { trap } from "../kernels/check";
import { expf, sinf, cosf } from "./mathf";
import {
  tableOpen, tableFind, entryPacking, entryNdim, entryShape, entryDataOffset, entryDataBytes, entryScaleOffset,
  entryScaleCount, entryInBlob, PACK_F32, PACK_I32, PACK_I8, PACK_T3,
} from "./blobtable";

// Limits (LIMITS in tools/lib/reference/backbone.ts)
export const MAX_VOCAB: i32 = 256;
export const MAX_CTX: i32 = 16;
export const MAX_DIM: i32 = 48;
export const MAX_LAYERS: i32 = 2;
export const MAX_HEADS: i32 = 4;
export const MAX_FFN: i32 = 128;

export const KIND_FP32: i32 = 0;
export const KIND_INT8: i32 = 1;
export const KIND_TERNARY: i32 = 2;
export const KIND_BINARY: i32 = 3;

/** Weight row block streamed per blob_read (a whole t3 matrix at the limits; int8 and fp32 in row blocks). */
const WBUF_BYTES: i32 = 2048;
const RMS_EPS: f32 = 1e-5;
const ROPE_LOG_BASE: f32 = 9.210340371976184; // ln(10000)

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
// Fields: packing, data offset, scale offset, scale count, per-tensor scale (f32 bits), rows, cols.
const MD_FIELDS: i32 = 7;
const mats = new StaticArray<i32>((1 + 3 * MAX_LAYERS) * MD_FIELDS);

// Buffers, carved from one block sized for the loaded config (see layout()). Attention is causal, so the
// features of positions < featTokens never depend on later tokens: the forward runs P = featTokens positions.
let xB: usize = 0; // f32[P][dim] residual stream
let xnB: usize = 0; // f32[P][dim] normed input, then attention output
let yB: usize = 0; // f32[P][dim] projection outputs
let bigB: usize = 0; // f32[P][max(3 dim, ffn)] q|k|v rows, then FFN hidden
let ropeB: usize = 0; // f32[P][headDim/2][2] cos, sin
let normsB: usize = 0; // f32[2 layers + 1][dim] RMSNorm gains
let scB: usize = 0; // f32[P] attention scores of one query
let sB: usize = 0; // f32[P] activation scales of each token
let accB: usize = 0; // i32[max(4 dim, ffn)] integer dot products (int8)
let scaleB: usize = 0; // f32[max(4 dim, ffn)] per-row scales of a row block
let xqB: usize = 0; // i8[P][max(dim, ffn)] quantized activations; t3: u16[P/4][5 ceil(cols/5)][4] (+128, interleaved)
let wB: usize = 0; // u8[WBUF_BYTES] streamed weights
let acc4B: usize = 0; // i64[max(4 dim, ffn)] token-packed t3 sums (tables: the I/O arena's fast region)
let block: usize = 0; // start of the block
let blockBytes: i32 = 0; // its size (grows only when a later model needs more)
let usedBytes: i32 = 0; // bytes the loaded config uses

// u8[40]: the config tensor's values
const cfgBuf: usize = memory.data(40, 16);

function fail(message: string, code: i32): i32 {
  const utf8 = String.UTF8.encode("backbone: " + message);
  log(changetype<usize>(utf8), <u32>utf8.byteLength);
  loaded = false;
  return code;
}

@inline function align16(n: i32): i32 {
  return (n + 15) & ~15;
}

/** Carves the buffers for the current config; allocates (once, or larger) from the stub heap. */
function layout(): void {
  const wide = max(3 * dim, ffn);
  const rowsMax = max(4 * dim, ffn);
  const P = featTokens;
  const sizes: StaticArray<i32> = [
    P * dim * 4, P * dim * 4, P * dim * 4, P * wide * 4, P * (dim / heads) * 4, (2 * layers + 1) * dim * 4,
    P * 4, P * 4, rowsMax * 4, rowsMax * 4, max(P * max(dim, ffn), ((P + 3) / 4) * ((max(dim, ffn) + 4) / 5) * 40), WBUF_BYTES, rowsMax * 8,
  ];
  let total = 0;
  for (let i = 0; i < sizes.length; i++) total += align16(sizes[i]);
  if (total > blockBytes) {
    block = heap.alloc(<usize>total); // never freed (stub runtime): only when a bigger model is loaded
    blockBytes = total;
  }
  usedBytes = total;
  let p = block;
  xB = p; p += <usize>align16(sizes[0]);
  xnB = p; p += <usize>align16(sizes[1]);
  yB = p; p += <usize>align16(sizes[2]);
  bigB = p; p += <usize>align16(sizes[3]);
  ropeB = p; p += <usize>align16(sizes[4]);
  normsB = p; p += <usize>align16(sizes[5]);
  scB = p; p += <usize>align16(sizes[6]);
  sB = p; p += <usize>align16(sizes[7]);
  accB = p; p += <usize>align16(sizes[8]);
  scaleB = p; p += <usize>align16(sizes[9]);
  xqB = p; p += <usize>align16(sizes[10]);
  wB = p; p += <usize>align16(sizes[11]);
  acc4B = p;
}

/** Checks the entry found last as matrix `m` of shape (rows, cols) with the packing the kind needs. 0 ok. */
function takeMatrix(m: i32, rows: i32, cols: i32, isEmbedding: bool): i32 {
  const packing = entryPacking();
  const want = kind == KIND_FP32 ? PACK_F32 : kind == KIND_INT8 || isEmbedding ? PACK_I8 : PACK_T3;
  if (packing != want) return -5;
  if (entryNdim() != 2 || entryShape(0) != rows || entryShape(1) != cols) return -5;
  const bytes = packing == PACK_F32 ? rows * cols * 4 : packing == PACK_I8 ? rows * cols : rows * ((cols + 4) / 5);
  if (<i32>entryDataBytes() != bytes) return -5;
  const ns = <i32>entryScaleCount();
  if (packing == PACK_F32 ? ns != 0 : ns != 1 && ns != rows) return -5;
  if (!entryInBlob()) return -5;
  const o = m * MD_FIELDS;
  mats[o] = packing;
  mats[o + 1] = <i32>entryDataOffset();
  mats[o + 2] = <i32>entryScaleOffset();
  mats[o + 3] = ns;
  mats[o + 4] = 0;
  if (ns == 1) {
    if (blobRead(entryScaleOffset(), cfgBuf, 4) != 0) return -5;
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
  const h = tableOpen();
  if (h == -1) return fail("no model blob loaded", -1);
  if (h < 0) return fail("bad blob header or tensor table", -2);
  if (!tableFind("model.config", -1, "")) return fail("blob has no 'model.config' tensor", -3);
  if (entryPacking() != PACK_I32 || entryNdim() != 1 || entryShape(0) != 10 || entryDataBytes() != 40 || !entryInBlob()) {
    return fail("model.config must be i32[10]", -4);
  }
  if (blobRead(entryDataOffset(), cfgBuf, 40) != 0) return fail("cannot read model.config", -4);
  if (load<i32>(cfgBuf) != 1) return fail("model.config version " + load<i32>(cfgBuf).toString() + " (this runtime knows 1)", -4);
  kind = load<i32>(cfgBuf, 4);
  vocab = load<i32>(cfgBuf, 8);
  ctx = load<i32>(cfgBuf, 12);
  dim = load<i32>(cfgBuf, 16);
  layers = load<i32>(cfgBuf, 20);
  heads = load<i32>(cfgBuf, 24);
  ffn = load<i32>(cfgBuf, 28);
  featTokens = load<i32>(cfgBuf, 32);
  if (kind < 0 || kind > 3) return fail("model.config: unknown kind " + kind.toString(), -4);
  if (vocab < 2 || vocab > MAX_VOCAB) return fail("model.config: vocab " + vocab.toString() + " outside 2..256", -4);
  if (ctx < 1 || ctx > MAX_CTX) return fail("model.config: ctx " + ctx.toString() + " outside 1..16", -4);
  if (dim < 2 || dim > MAX_DIM) return fail("model.config: dim " + dim.toString() + " outside 2..48", -4);
  if (layers < 1 || layers > MAX_LAYERS) return fail("model.config: layers " + layers.toString() + " outside 1..2", -4);
  if (heads < 1 || heads > MAX_HEADS) return fail("model.config: heads " + heads.toString() + " outside 1..4", -4);
  if (ffn < 1 || ffn > MAX_FFN) return fail("model.config: ffn " + ffn.toString() + " outside 1..128", -4);
  if (featTokens < 1 || featTokens > ctx) return fail("model.config: featTokens " + featTokens.toString() + " outside 1..ctx", -4);
  if (dim % heads != 0 || (dim / heads) % 2 != 0) return fail("model.config: dim / heads must be an even integer", -4);
  if (load<i32>(cfgBuf, 36) != 0) return fail("model.config: reserved field must be 0", -4);
  layout();
  if (!tableFind("tok_emb", -1, "")) return fail("missing tensor 'tok_emb'", -3);
  if (takeMatrix(0, vocab, dim, true) < 0) return fail("tensor 'tok_emb': wrong shape, packing, scales or range", -5);
  for (let l = 0; l < layers; l++) {
    if (!tableFind("layers.", l, "wqkvo")) return fail("missing tensor 'layers." + l.toString() + ".wqkvo'", -3);
    if (takeMatrix(1 + 3 * l, 4 * dim, dim, false) < 0) return fail("tensor 'layers." + l.toString() + ".wqkvo': wrong shape, packing, scales or range", -5);
    if (!tableFind("layers.", l, "w_up")) return fail("missing tensor 'layers." + l.toString() + ".w_up'", -3);
    if (takeMatrix(2 + 3 * l, ffn, dim, false) < 0) return fail("tensor 'layers." + l.toString() + ".w_up': wrong shape, packing, scales or range", -5);
    if (!tableFind("layers.", l, "w_down")) return fail("missing tensor 'layers." + l.toString() + ".w_down'", -3);
    if (takeMatrix(3 + 3 * l, dim, ffn, false) < 0) return fail("tensor 'layers." + l.toString() + ".w_down': wrong shape, packing, scales or range", -5);
  }
  if (!tableFind("norms", -1, "")) return fail("missing tensor 'norms'", -3);
  if (entryPacking() != PACK_F32 || entryNdim() != 2 || entryShape(0) != 2 * layers + 1 || entryShape(1) != dim ||
    <i32>entryDataBytes() != (2 * layers + 1) * dim * 4 || !entryInBlob()) {
    return fail("tensor 'norms' must be f32 (2 * layers + 1, dim)", -5);
  }
  if (blobRead(entryDataOffset(), normsB, entryDataBytes()) != 0) return fail("cannot read 'norms'", -5);
  buildRope();
  loaded = true;
  return 0;
}

/** RoPE table f32[featTokens][half][2] = cos, sin of p * 10000^(-2i / headDim), in deterministic f32 steps. */
function buildRope(): void {
  const hd = dim / heads;
  const half = hd / 2;
  const c: f32 = (ROPE_LOG_BASE * <f32>2) / <f32>hd;
  for (let i = 0; i < half; i++) {
    const freq = expf(<f32>(-i) * c);
    for (let p = 0; p < featTokens; p++) {
      const a = <f32>p * freq;
      const o = ropeB + <usize>(((p * half + i) * 2) << 2);
      store<f32>(o, cosf(a));
      store<f32>(o, sinf(a), 4);
    }
  }
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

// Output modes of linear (t3 matrices only; other packings always store): y = v, y += v (the residual add), y = ReLU^2(v).
const OUT_STORE: i32 = 0;
const OUT_ADD: i32 = 1;
const OUT_RELU2: i32 = 2;

/** u > 0 ? u * u : 0, the sign test on the bits: u > 0 (positive, not NaN) is 1 <= bits <= 0x7f800000 as a u32. */
// @ts-ignore: decorator
@inline function relu2(u: f32): f32 {
  return reinterpret<u32>(u) - 1 < 0x7f800000 ? u * u : 0;
}

/**
 * y[t][r - r0] (row stride ys floats) = BitLinear_m(x[t]) for rows [r0, r1) of matrix m and tokens t < n,
 * x f32[n][cols] with row stride xs floats. Integer kinds: activations quantized once per token, weights
 * streamed in row blocks, int32 dot products (t3: up to 4 tokens per pass of matvec_t3x4, whose token-packed
 * lookup tables live in the I/O arena's fast region), one f32 scale per output.
 */
function linear(m: i32, r0: i32, r1: i32, x: usize, xs: i32, n: i32, y: usize, ys: i32, mode: i32 = OUT_STORE): void {
  const o = m * MD_FIELDS;
  const packing = mats[o], dataOff = mats[o + 1], scaleOff = mats[o + 2], ns = mats[o + 3];
  const scale0 = reinterpret<f32>(mats[o + 4]);
  const cols = mats[o + 6];
  const rb = packing == PACK_F32 ? cols * 4 : packing == PACK_I8 ? cols : (cols + 4) / 5;
  const chunkBytes = rb * 40; // one interleaved block of 4 tokens (t3)
  if (packing == PACK_T3) {
    // 128 (x = 0) in the padding columns, and in every lane of a last block with fewer than 4 tokens
    for (let t0 = 0; t0 < n; t0 += T3X4_TOKENS) {
      const blk = xqB + <usize>((t0 >> 2) * chunkBytes);
      for (let p = blk + <usize>(n - t0 < T3X4_TOKENS ? 0 : cols * 8); p < blk + <usize>chunkBytes; p += 8) {
        store<i64>(p, 0x0080008000800080);
      }
    }
    for (let t = 0; t < n; t++) {
      const lane = xqB + <usize>((t >> 2) * chunkBytes + (t & 3) * 2);
      store<f32>(sB + <usize>(t << 2), quantizeActBitsX4(x + <usize>(t * xs * 4), cols, lane));
    }
  } else if (packing != PACK_F32) {
    for (let t = 0; t < n; t++) {
      store<f32>(sB + <usize>(t << 2), quantizeActBits(x + <usize>(t * xs * 4), cols, xqB + <usize>(t * cols)));
    }
  }
  const per = min(r1 - r0, WBUF_BYTES / rb);
  for (let rc = r0; rc < r1; rc += per) {
    const rr = min(per, r1 - rc);
    readBlob(dataOff + rc * rb, wB, rr * rb);
    if (ns > 1) readBlob(scaleOff + rc * 4, scaleB, rr * 4);
    if (packing == PACK_T3) {
      for (let t0 = 0; t0 < n; t0 += T3X4_TOKENS) {
        const nt = min(T3X4_TOKENS, n - t0);
        if (rr <= T3X4S_MAX_ROWS) {
          // few rows per table: the split tables' cheaper build wins over their dearer lookups (all cols <= 128)
          lut_build_t3x4s_x4(<i32>(xqB + <usize>((t0 >> 2) * chunkBytes)), cols, <i32>LUT_FAST);
          matvec_t3x4s_lut(<i32>wB, <i32>LUT_FAST, <i32>acc4B, rr, cols, rb, 0);
        } else {
          for (let c0 = 0; c0 < cols; c0 += T3X4_BLOCK_COLS) {
            const cc = min(T3X4_BLOCK_COLS, cols - c0);
            lut_build_t3x4_x4(<i32>(xqB + <usize>((t0 >> 2) * chunkBytes + c0 * 8)), cc, <i32>LUT_FAST);
            matvec_t3x4_lut(<i32>(wB + <usize>(c0 / 5)), <i32>LUT_FAST, <i32>acc4B, rr, cc, rb, c0 > 0 ? 1 : 0);
          }
        }
        const unbias = rb * T3X4_BIAS;
        for (let k = 0; k < nt; k++) {
          const t = t0 + k;
          const yo = y + <usize>((t * ys + rc - r0) * 4);
          const end = yo + <usize>(rr * 4);
          let lane = acc4B + <usize>(2 * k); // token k's u16 lane of each i64 sum
          const s = load<f32>(sB + <usize>(t << 2));
          if (s == 0) {
            // the scale's s == 0 case gives +0.0: stored, added (x + +0, which turns -0 into +0) or squared
            if (mode == OUT_ADD) for (let p = yo; p < end; p += 4) store<f32>(p, load<f32>(p) + <f32>0);
            else memory.fill(yo, 0, <usize>(rr * 4));
          } else if (ns == 1) {
            const gs = scale0 / s; // gamma / s: the same f32 for every row
            const end4 = yo + <usize>((rr & ~3) * 4);
            let p = yo;
            // by 4: wasm3 pays per loop step and address add; one loop per output mode (no per-element branch)
            if (mode == OUT_STORE) {
              for (; p < end4; p += 16, lane += 32) {
              store<f32>(p, <f32>(<i32>load<u16>(lane) - unbias) * gs);
              store<f32>(p, <f32>(<i32>load<u16>(lane, 8) - unbias) * gs, 4);
              store<f32>(p, <f32>(<i32>load<u16>(lane, 16) - unbias) * gs, 8);
              store<f32>(p, <f32>(<i32>load<u16>(lane, 24) - unbias) * gs, 12);
              }
              for (; p < end; p += 4, lane += 8) store<f32>(p, <f32>(<i32>load<u16>(lane) - unbias) * gs);
            } else if (mode == OUT_ADD) {
              for (; p < end4; p += 16, lane += 32) {
              store<f32>(p, load<f32>(p) + <f32>(<i32>load<u16>(lane) - unbias) * gs);
              store<f32>(p, load<f32>(p, 4) + <f32>(<i32>load<u16>(lane, 8) - unbias) * gs, 4);
              store<f32>(p, load<f32>(p, 8) + <f32>(<i32>load<u16>(lane, 16) - unbias) * gs, 8);
              store<f32>(p, load<f32>(p, 12) + <f32>(<i32>load<u16>(lane, 24) - unbias) * gs, 12);
              }
              for (; p < end; p += 4, lane += 8) store<f32>(p, load<f32>(p) + <f32>(<i32>load<u16>(lane) - unbias) * gs);
            } else {
              for (; p < end4; p += 16, lane += 32) {
              store<f32>(p, relu2(<f32>(<i32>load<u16>(lane) - unbias) * gs));
              store<f32>(p, relu2(<f32>(<i32>load<u16>(lane, 8) - unbias) * gs), 4);
              store<f32>(p, relu2(<f32>(<i32>load<u16>(lane, 16) - unbias) * gs), 8);
              store<f32>(p, relu2(<f32>(<i32>load<u16>(lane, 24) - unbias) * gs), 12);
              }
              for (; p < end; p += 4, lane += 8) store<f32>(p, relu2(<f32>(<i32>load<u16>(lane) - unbias) * gs));
            }
          } else {
            for (let p = yo, g = scaleB; p < end; p += 4, g += 4, lane += 8) {
              const u = <f32>(<i32>load<u16>(lane) - unbias) * (load<f32>(g) / s);
              store<f32>(p, mode == OUT_ADD ? load<f32>(p) + u : mode == OUT_RELU2 ? relu2(u) : u);
            }
          }
        }
      }
      continue;
    }
    for (let t = 0; t < n; t++) {
      const yo = y + <usize>((t * ys + rc - r0) * 4);
      if (packing == PACK_F32) {
        matvec_f32(<i32>wB, <i32>(x + <usize>(t * xs * 4)), <i32>yo, rr, cols);
        continue;
      }
      const xq = xqB + <usize>(t * cols);
      matvec_i8(<i32>wB, <i32>xq, <i32>accB, rr, cols);
      const s = load<f32>(sB + <usize>(t << 2));
      for (let r = 0; r < rr; r++) {
        const gamma = ns == 1 ? scale0 : load<f32>(scaleB + <usize>(r << 2));
        const acc = load<i32>(accB + <usize>(r << 2));
        store<f32>(yo + <usize>(r << 2), s == 0 ? <f32>0 : <f32>acc * (gamma / s));
      }
    }
  }
}

/** x[t] = embedding row of tokens[t] (int8 rows dequantized with their scale). */
function embed(tokens: usize, n: i32): void {
  const packing = mats[0], dataOff = mats[1], scaleOff = mats[2], ns = mats[3];
  for (let t = 0; t < n; t++) {
    const tok = load<i32>(tokens + <usize>(t << 2));
    const xo = xB + <usize>(t * dim * 4);
    if (packing == PACK_F32) {
      readBlob(dataOff + tok * dim * 4, xo, dim * 4);
      continue;
    }
    readBlob(dataOff + tok * dim, wB, dim);
    let s = reinterpret<f32>(mats[4]);
    if (ns > 1) {
      readBlob(scaleOff + tok * 4, scaleB, 4);
      s = load<f32>(scaleB);
    }
    for (let i = 0; i < dim; i++) store<f32>(xo + <usize>(i << 2), <f32>load<i8>(wB + <usize>i) * s);
  }
}

/** Causal multi-head attention over q|k|v rows in bigB (RoPE already applied); output f32[n][dim] in xnB. */
function attention(n: i32): void {
  const hd = dim / heads;
  const stride = 3 * dim;
  const scale: f32 = <f32>1 / Mathf.sqrt(<f32>hd);
  for (let t = 0; t < n; t++) {
    for (let h = 0; h < heads; h++) {
      const qo = bigB + <usize>((t * stride + h * hd) << 2);
      const qEnd = qo + <usize>(hd << 2);
      let mx: f32 = -Infinity;
      for (let j = 0; j <= t; j++) {
        const ko = bigB + <usize>((j * stride + dim + h * hd) << 2);
        let dot: f32 = 0;
        for (let qp = qo, kp = ko; qp < qEnd; qp += 4, kp += 4) dot += load<f32>(qp) * load<f32>(kp);
        const s = dot * scale;
        store<f32>(scB + <usize>(j << 2), s);
        if (s > mx) mx = s;
      }
      let sum: f32 = 0;
      for (let j = 0; j <= t; j++) {
        const e = expf(load<f32>(scB + <usize>(j << 2)) - mx);
        store<f32>(scB + <usize>(j << 2), e);
        sum += e;
      }
      for (let j = 0; j <= t; j++) store<f32>(scB + <usize>(j << 2), load<f32>(scB + <usize>(j << 2)) / sum);
      const vo = bigB + <usize>((2 * dim + h * hd) << 2); // v of head h, token 0
      const oo = xnB + <usize>((t * dim + h * hd) << 2);
      const scEnd = scB + <usize>((t + 1) << 2);
      for (let i = 0; i < hd; i++) {
        let acc: f32 = 0;
        for (let sp = scB, vp = vo + <usize>(i << 2); sp < scEnd; sp += 4, vp += <usize>(stride << 2)) {
          acc += load<f32>(sp) * load<f32>(vp);
        }
        store<f32>(oo + <usize>(i << 2), acc);
      }
    }
  }
}

/** Rotates q and k of every token by its position: pairs (i, i + half) of each head. */
function applyRope(n: i32): void {
  const hd = dim / heads;
  const half = hd / 2;
  for (let t = 0; t < n; t++) {
    for (let part = 0; part < 2; part++) {
      for (let h = 0; h < heads; h++) {
        const base = bigB + <usize>((t * 3 * dim + part * dim + h * hd) << 2);
        const paEnd = base + <usize>(half << 2);
        let ro = ropeB + <usize>((t * half * 2) << 2);
        for (let pa = base, pb = paEnd; pa < paEnd; pa += 4, pb += 4, ro += 8) {
          const co = load<f32>(ro), s = load<f32>(ro, 4);
          const a = load<f32>(pa), b = load<f32>(pb);
          store<f32>(pa, a * co - b * s);
          store<f32>(pb, a * s + b * co);
        }
      }
    }
  }
}

/** x += y over n tokens. */
function addResidual(n: i32): void {
  const end = xB + <usize>(n * dim * 4);
  for (let p = xB, q = yB; p < end; p += 4, q += 4) store<f32>(p, load<f32>(p) + load<f32>(q));
}

/**
 * Features for the RL head: the final (normed) hidden states of positions 0..featTokens-1 concatenated,
 * f32[featTokens * dim] at out, zeros past n. tokens i32[n], each < vocab, 1 <= n <= ctx: the caller checks
 * (backbone_features does for hosts); this runs blindly.
 */
export function backboneFeatures(tokens: usize, count: i32, out: usize): void {
  const n = min(count, featTokens); // later positions cannot change these (causal attention)
  embed(tokens, n);
  for (let l = 0; l < layers; l++) {
    const wqkvo = 1 + 3 * l;
    for (let t = 0; t < n; t++) {
      const xo = <i32>(xB + <usize>(t * dim * 4));
      rmsnorm_f32(xo, <i32>(normsB + <usize>(2 * l * dim * 4)), <i32>(xnB + <usize>(t * dim * 4)), dim);
    }
    linear(wqkvo, 0, 3 * dim, xnB, dim, n, bigB, 3 * dim);
    applyRope(n);
    attention(n);
    // t3: the residual add and ReLU^2 run inside linear's scale loop (the same f32 operations, one pass less)
    const fused = mats[wqkvo * MD_FIELDS] == PACK_T3;
    if (fused) linear(wqkvo, 3 * dim, 4 * dim, xnB, dim, n, xB, dim, OUT_ADD);
    else {
      linear(wqkvo, 3 * dim, 4 * dim, xnB, dim, n, yB, dim);
      addResidual(n);
    }
    for (let t = 0; t < n; t++) {
      const xo = <i32>(xB + <usize>(t * dim * 4));
      rmsnorm_f32(xo, <i32>(normsB + <usize>((2 * l + 1) * dim * 4)), <i32>(xnB + <usize>(t * dim * 4)), dim);
    }
    if (fused) linear(2 + 3 * l, 0, ffn, xnB, dim, n, bigB, ffn, OUT_RELU2);
    else {
      linear(2 + 3 * l, 0, ffn, xnB, dim, n, bigB, ffn);
      // ReLU^2: u > 0 (positive, not NaN) is 1 <= bits <= 0x7f800000 as a u32: an integer test, and no f32 work at
      // all for the (about half) non-positive hidden units
      const hEnd = bigB + <usize>(n * ffn * 4);
      for (let p = bigB; p < hEnd; p += 4) {
        if (load<u32>(p) - 1 < 0x7f800000) {
          const u = load<f32>(p);
          store<f32>(p, u * u);
        } else {
          store<u32>(p, 0);
        }
      }
    }
    if (fused) linear(3 + 3 * l, 0, dim, bigB, ffn, n, xB, dim, OUT_ADD);
    else {
      linear(3 + 3 * l, 0, dim, bigB, ffn, n, yB, dim);
      addResidual(n);
    }
  }
  const final = <i32>(normsB + <usize>(2 * layers * dim * 4));
  for (let t = 0; t < featTokens; t++) {
    const o = out + <usize>(t * dim * 4);
    if (t < n) rmsnorm_f32(<i32>(xB + <usize>(t * dim * 4)), final, <i32>o, dim);
    else for (let i = 0; i < dim; i++) store<f32>(o + <usize>(i << 2), 0);
  }
}
