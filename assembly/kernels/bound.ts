// Kernel binding, the TFLite Micro way (reference and optimized kernels behind one interface, one set of tests):
// the integer forward's hot kernels are imports of module "bitrl" (k_t3_matvec, k_quant, k_norm_quant, k_rescale,
// k_attention, k_norm_f32), and so are the baseline kinds' (k_baseline: fp32's linear, RMSNorm and attention, int8's
// matvec and per-row outputs, behind one import, as each import costs plain wasm3 ~1 KB of records at load; the
// baselines get the same engineering, so a wasm3+native ratio compares like with like),
// and the module's own AssemblyScript kernels are exported under the same names as the reference implementation.
// The host answers `kernel_binding` once, at start: 0 = the module calls its own kernels directly (plain wasm3,
// WAMR, the AOT build: no import call at all); 1 = it calls the imports, which V8 binds to the module's own
// exports and the firmware's `wasm3+native` build to C kernels compiled for the board (firmware/src/native_fixed.c,
// firmware/src/native_kernels.c, firmware/src/native_attention.c, firmware/src/native_f32.c). Every binding gives the same bytes (golden vectors; docs/abi.md "Kernel imports").
import { checkDim, checkRange, checkWords3, trap } from "./check";
import { LUT_FAST, LUT_FAST_BYTES } from "../io";
import {
  FX_ADD,
  FX_RELU2,
  EXP2,
  fxFromF32Bits,
  normF32,
  normQuant,
  quantI32,
  rescaleAdd,
  rowsOutI32,
  storeRaw,
} from "./fixed";
import { attendQuant, attendScores, ropeRaw } from "./attention";
import { affineF32Ix, indexedForms, matvecF32TokensIx, matvecI8TokensIx, rmsnormF32Ix, rowsOutI32Ix } from "./indexed";
import { splitBuildFast, splitBuildX4, splitLookup, T3X4_MAX_GROUPS } from "./small";
import { T3X4S_FAST_GROUPS } from "./generated/small-fast";
import { affineF32, matvecF32Tokens, matvecI8Tokens } from "./plain";
import { rmsnormF32 } from "./act";
import { attendF32, ropeF32 } from "../model/attention-f32";

/** 0: own kernels called directly; 1: through the k_* imports. */
@external("bitrl", "kernel_binding")

declare function kernelBinding(): i32;
@external("bitrl", "k_t3_matvec")

declare function importT3Matvec(x4: usize, cols: i32, w: usize, rows: i32, stride: i32, acc: usize, lut: usize): void;
@external("bitrl", "k_quant")

declare function importQuant(x: usize, n: i32, qin: i32, out: usize, lanes: i32): i32;
@external("bitrl", "k_norm_quant")

declare function importNormQuant(x: usize, g: usize, gs: i32, n: i32, out: usize, lanes: i32): i32;
@external("bitrl", "k_rescale")

declare function importRescale(acc: usize, unbias: i32, rows: i32, f: i32, y: usize, mode: i32): void;
@external("bitrl", "k_norm_f32")

declare function importNormF32(x: usize, g: usize, gs: i32, n: i32, out: usize): void;
/** k_attention through the import: the backbone calls it only when kernelsImported() (its own path runs the
 *  steps itself). */
@external("bitrl", "k_attention")

export declare function importAttention(
  qkv: usize,
  n: i32,
  dim: i32,
  heads: i32,
  rope: usize,
  mult: usize,
  qk8: usize,
  sc: usize,
  out: usize,
  scoreFx: i32,
  P: i32,
  exp2: usize,
): void;

/** The baseline kinds' kernels (the fp32 forward's, int8's projections), `op` first (K_F32_LINEAR, K_F32_RMSNORM,
 *  K_F32_ATTENTION, K_I8_MATVEC, K_I8_ROWS, K_SCALES_FX), then that kernel's arguments (unused ones 0). */
@external("bitrl", "k_baseline")

declare function importBaseline(op: i32, a: i32, b: i32, c: i32, d: i32, e: i32, f: i32, g: i32): void;
export const K_F32_LINEAR: i32 = 0;
export const K_F32_RMSNORM: i32 = 1;
export const K_F32_ATTENTION: i32 = 2;
export const K_I8_MATVEC: i32 = 3;
export const K_I8_ROWS: i32 = 4;
export const K_SCALES_FX: i32 = 5;
export const K_F32_AFFINE: i32 = 6;

/** Read once at start: whether kernel calls go through the imports. */
const IMPORTED: bool = kernelBinding() == 1;

/** Whether kernel calls go through the imports (then the backbone keeps to the interface's calls: no fusion). */
// @ts-ignore: decorator
@inline export function kernelsImported(): bool {
  return IMPORTED;
}

// ---- The module's own kernels (exported: V8 binds the imports to them). Unchecked: callers check
// (the backbone by construction, the t3_matvec_x4 / quant_i32 / norm_quant / rescale_t3 exports at entry); an
// address outside memory still traps, as every wasm access does. ----

/**
 * acc i64[rows] (four u16 lanes) = sum over the g = ceil(cols/5) groups of the lanes' table entries: lane k of
 * acc[r] = g * T3X4_BIAS + sum_c w[r][c] x[k][c], for t3 rows w (`stride` bytes apart) and interleaved activations
 * x4 (u16[5 g][4], x + 128; docs/kernels.md). cols <= 195. lut: 32 KiB of scratch (lut_fast_base() takes the
 * unrolled lookups). Split tables (27 + 9 entries per group) over blocks of up to 135 columns (T3X4S_FAST_GROUPS): for the backbone's
 * 40..160-row matrices they cost about what full tables do (docs/kernels.md), and one table kind keeps wasm3's
 * compiled code small (its fixed heap is the 256 KiB boards' bottleneck).
 */
export function k_t3_matvec(x4: i32, cols: i32, w: i32, rows: i32, stride: i32, acc: i32, lut: i32): void {
  for (let c0 = 0; c0 < cols; c0 += 5 * T3X4S_FAST_GROUPS) {
    const groups = (min(5 * T3X4S_FAST_GROUPS, cols - c0) + 4) / 5;
    // two functions, not one with both bodies: wasm3 compiles only the one a run calls (its RAM holds the code)
    if (<usize>lut == LUT_FAST) splitBuildFast(<usize>(x4 + c0 * 8), groups);
    else splitBuildX4(<usize>(x4 + c0 * 8), groups, <usize>lut);
    splitLookup(<usize>(w + c0 / 5), <usize>lut, <usize>acc, rows, groups, stride, c0 > 0 ? 1 : 0);
  }
}

/** quantI32 (fixed.ts): per-token int8 of x i32[n] with qin fractional bits into out (i8, or t3 lanes u16 at
 *  stride 8 when lanes != 0); returns the multiplier of one q unit. */
export function k_quant(x: i32, n: i32, qin: i32, out: i32, lanes: i32): i32 {
  return quantI32(<usize>x, n, qin, <usize>out, lanes != 0);
}

/** normQuant (fixed.ts): RMSNorm with gains g i32[n] (shift gs) fused with the per-token int8 quantization. */
export function k_norm_quant(x: i32, g: i32, gs: i32, n: i32, out: i32, lanes: i32): i32 {
  return normQuant(<usize>x, <usize>g, gs, n, <usize>out, lanes != 0);
}

/** t3 lanes (u16 at acc + 8 r, minus unbias) into y i32[rows]: FX_ADD rescaleAdd with multiplier f, FX_RAW /
 *  FX_RELU2 storeRaw. */
export function k_rescale(acc: i32, unbias: i32, rows: i32, f: i32, y: i32, mode: i32): void {
  if (mode == FX_ADD) rescaleAdd(<usize>acc, unbias, rows, f, <usize>y);
  else storeRaw(<usize>acc, unbias, rows, <usize>y, mode == FX_RELU2);
}

/** normF32 (fixed.ts): the features, RMSNorm of the integer x with gains G (shift gs) as f32. */
export function k_norm_f32(x: i32, g: i32, gs: i32, n: i32, out: i32): void {
  normF32(<usize>x, <usize>g, gs, n, <usize>out);
}

/** The whole attention of an n-token forward (attention.ts): RoPE on q and k, their int8 quantization, scores,
 *  softmax and the weighted sum of v into out. The module's own path calls the three steps itself (RoPE fused into
 *  the q|k|v outputs, q/k maxima known, a profile mark between steps); this entry is what the import binds. */
export function k_attention(
  qkv: i32,
  n: i32,
  dim: i32,
  heads: i32,
  rope: i32,
  mult: i32,
  qk8: i32,
  sc: i32,
  out: i32,
  scoreFx: i32,
  P: i32,
  exp2: i32,
): void {
  ropeRaw(<usize>qkv, n, dim, heads, <usize>rope);
  attendQuant(<usize>qkv, n, dim, heads, <usize>mult, <usize>qk8, P, false);
  attendScores(<usize>qkv, n, dim, heads, <usize>mult, <usize>qk8, <usize>sc, <usize>out, scoreFx, P, <usize>exp2);
}

/**
 * The baseline kinds' kernels by op. fp32: K_F32_LINEAR (w, x, y, rows, cols, mode | n << 4, xs | ys << 16):
 * matvecF32Tokens (plain.ts), for tokens t < n (1..15) y[t ys + r] of f32 rows w[rows][cols] times x[t xs ..][cols]
 * put by mode (0 store, 1 add, 2 ReLU^2), token strides xs >= cols and ys >= rows in floats (< 65536), x and y
 * apart (a C kernel may batch the tokens through each row); K_F32_RMSNORM (x, g, out, n):
 * rmsnormF32 (act.ts); K_F32_ATTENTION (qkv, n, dim, heads, rope, sc, out): RoPE and causal attention of n tokens
 * (attention-f32.ts; qkv f32[n][3 dim], rope f32[n][hd/2][2], sc f32[n] of scratch, out f32[n][dim]). int8:
 * K_I8_MATVEC (w, x, acc, rows, cols, n, xs | accs << 16): matvecI8Tokens (plain.ts), for tokens t < n (1..15)
 * acc[t accs + r] (i32) of i8 rows times i8 x[t xs ..][cols], strides xs >= cols and accs >= rows (< 65536), x and
 * acc apart; K_I8_ROWS (acc,
 * rows, a, f1, scales, y, mode): rowsOutI32 (fixed.ts) of those accumulators, multiplier a x scales[r] (f1 when
 * scales is 0), put by mode (0 saturating residual add, 1 raw, 2 ReLU^2); K_SCALES_FX (p, rows): each of rows f32
 * scales at p (a row block's, as read from the blob) replaced by its multiplier (fxFromF32Bits, fixed.ts). Every
 * kind's RL head: K_F32_AFFINE (w, b, x, y, rows, cols, relu): affineF32 (plain.ts), y[r] = b[r] + w[r] . x summed
 * from the bias in column order, ReLU'd when relu (the head is f32 for every kind; interpreted by wasm3 on a
 * Cortex-M4F it was a quarter of a ternary wasm3+native decision before wasm3's f32 register: docs/agents.md).
 */
export function k_baseline(op: i32, a: i32, b: i32, c: i32, d: i32, e: i32, f: i32, g: i32): void {
  if (op == K_F32_LINEAR) matvecF32Tokens(<usize>a, <usize>b, g & 0xffff, <usize>c, g >>> 16, d, e, f >>> 4, f & 15);
  else if (op == K_F32_RMSNORM) rmsnormF32(<usize>a, <usize>b, <usize>c, d);
  else if (op == K_F32_ATTENTION) {
    ropeF32(<usize>a, b, c, d, <usize>e);
    attendF32(<usize>a, b, c, d, <usize>f, <usize>g);
  } else if (op == K_I8_MATVEC) matvecI8Tokens(<usize>a, <usize>b, g & 0xffff, <usize>c, g >>> 16, d, e, f);
  else if (op == K_I8_ROWS) rowsOutI32(<usize>a, 4, 0, b, c, d, <usize>e, <usize>f, g);
  else if (op == K_SCALES_FX) scalesToFx(<usize>a, b);
  else if (op == K_F32_AFFINE) affineF32(<usize>a, <usize>b, <usize>c, <usize>d, e, f, g);
  else trap("k_baseline: unknown op");
}

/** Row scales (f32 bits at p, rows of them) to multipliers in place. */
function scalesToFx(p: usize, rows: i32): void {
  const end = p + <usize>(rows << 2);
  for (let q = p; q < end; q += 4) store<i32>(q, fxFromF32Bits(load<u32>(q)));
}

// ---- What the backbone calls: one branch on the binding, then the kernel ----

// @ts-ignore: decorator
@inline export function scalesToFxK(p: usize, rows: i32): void {
  if (IMPORTED) importBaseline(K_SCALES_FX, <i32>p, rows, 0, 0, 0, 0, 0);
  else scalesToFx(p, rows);
}

// @ts-ignore: decorator
@inline export function i8MatvecK(
  w: usize,
  x: usize,
  xs: i32,
  acc: usize,
  accs: i32,
  rows: i32,
  cols: i32,
  n: i32,
): void {
  if (IMPORTED) importBaseline(K_I8_MATVEC, <i32>w, <i32>x, <i32>acc, rows, cols, n, xs | (accs << 16));
  else {
    if (indexedForms()) {
      if (matvecI8TokensIx(w, x, xs, acc, accs, rows, cols, n)) return; // the AOT module's form (indexed.ts)
    }
    matvecI8Tokens(w, x, xs, acc, accs, rows, cols, n);
  }
}

// @ts-ignore: decorator
@inline export function i8RowsOutK(
  acc: usize,
  rows: i32,
  a: i32,
  f1: i32,
  scales: usize,
  y: usize,
  mode: i32,
): void {
  if (IMPORTED) importBaseline(K_I8_ROWS, <i32>acc, rows, a, f1, <i32>scales, <i32>y, mode);
  else {
    if (indexedForms()) {
      if (rowsOutI32Ix(acc, 4, 0, rows, a, f1, scales, y, mode)) return; // the AOT module's form (indexed.ts)
    }
    rowsOutI32(acc, 4, 0, rows, a, f1, scales, y, mode);
  }
}

// @ts-ignore: decorator
@inline export function f32LinearK(
  w: usize,
  x: usize,
  xs: i32,
  y: usize,
  ys: i32,
  rows: i32,
  cols: i32,
  n: i32,
  mode: i32,
): void {
  if (IMPORTED) importBaseline(K_F32_LINEAR, <i32>w, <i32>x, <i32>y, rows, cols, mode | (n << 4), xs | (ys << 16));
  else {
    if (indexedForms()) {
      if (matvecF32TokensIx(w, x, xs, y, ys, rows, cols, n, mode)) return; // the AOT module's form (indexed.ts)
    }
    matvecF32Tokens(w, x, xs, y, ys, rows, cols, n, mode);
  }
}

/** The head's layer (affineF32) through the binding: in wasm3+native a C kernel on the board's FPU. */
// @ts-ignore: decorator
@inline export function f32AffineK(
  w: usize,
  b: usize,
  x: usize,
  y: usize,
  rows: i32,
  cols: i32,
  relu: i32,
): void {
  if (IMPORTED) importBaseline(K_F32_AFFINE, <i32>w, <i32>b, <i32>x, <i32>y, rows, cols, relu);
  else {
    if (indexedForms()) {
      if (affineF32Ix(w, b, x, y, rows, cols, relu)) return; // the AOT module's form (indexed.ts)
    }
    affineF32(w, b, x, y, rows, cols, relu);
  }
}

// @ts-ignore: decorator
@inline export function f32RmsnormK(x: usize, g: usize, out: usize, n: i32): void {
  if (IMPORTED) importBaseline(K_F32_RMSNORM, <i32>x, <i32>g, <i32>out, n, 0, 0, 0);
  else {
    if (indexedForms()) {
      if (rmsnormF32Ix(x, g, out, n)) return; // the AOT module's form (indexed.ts)
    }
    rmsnormF32(x, g, out, n);
  }
}

/** The f32 attention through the import (the own path runs ropeF32 and attendF32 itself, a profile mark between). */
// @ts-ignore: decorator
@inline export function f32AttentionImport(
  qkv: usize,
  n: i32,
  dim: i32,
  heads: i32,
  rope: usize,
  sc: usize,
  out: usize,
): void {
  importBaseline(K_F32_ATTENTION, <i32>qkv, n, dim, heads, <i32>rope, <i32>sc, <i32>out);
}

// @ts-ignore: decorator
@inline export function normF32K(x: usize, g: usize, gs: i32, n: i32, out: usize): void {
  if (IMPORTED) importNormF32(x, g, gs, n, out);
  else normF32(x, g, gs, n, out);
}

// @ts-ignore: decorator
@inline export function t3Matvec(x4: usize, cols: i32, w: usize, rows: i32, stride: i32, acc: usize): void {
  if (IMPORTED) importT3Matvec(x4, cols, w, rows, stride, acc, LUT_FAST);
  else k_t3_matvec(<i32>x4, cols, <i32>w, rows, stride, <i32>acc, <i32>LUT_FAST);
}

// @ts-ignore: decorator
@inline export function quantK(x: usize, n: i32, qin: i32, out: usize, lanes: bool): i32 {
  return IMPORTED ? importQuant(x, n, qin, out, lanes ? 1 : 0) : quantI32(x, n, qin, out, lanes);
}

// @ts-ignore: decorator
@inline export function normQuantK(x: usize, g: usize, gs: i32, n: i32, out: usize, lanes: bool): i32 {
  return IMPORTED ? importNormQuant(x, g, gs, n, out, lanes ? 1 : 0) : normQuant(x, g, gs, n, out, lanes);
}

// @ts-ignore: decorator
@inline export function rescaleK(acc: usize, unbias: i32, rows: i32, f: i32, y: usize, mode: i32): void {
  if (IMPORTED) importRescale(acc, unbias, rows, f, y, mode);
  else k_rescale(<i32>acc, unbias, rows, f, <i32>y, mode);
}

// ---- Checked exports for the golden vectors: entry checks, then the bound kernel (so a conformance run checks
// whichever binding the host chose) ----

/** t3Matvec of x4 (u16[5 ceil(cols/5)][4]) and t3 rows w (stride bytes apart) into acc i64[rows]; the tables go to
 *  lut_fast_base(), which x4, w and acc must not overlap. */
export function t3_matvec_x4(x4: i32, cols: i32, w: i32, rows: i32, stride: i32, acc: i32): void {
  checkDim(rows, "t3_matvec_x4: rows must be 1..2^24");
  checkDim(cols, "t3_matvec_x4: cols must be 1..2^24");
  const groups = (cols + 4) / 5;
  const message = "t3_matvec_x4: cols > 195, stride < ceil(cols/5), a range outside memory or inside the table region";
  if (groups > T3X4_MAX_GROUPS || stride < groups) trap(message);
  checkRange(x4, <u64>groups * 40, message);
  checkRange(w, <u64>(rows - 1) * <u64>stride + <u64>groups, message);
  checkRange(acc, <u64>rows * 8, message);
  const lo = <u64>LUT_FAST,
    hi = lo + <u64>LUT_FAST_BYTES;
  if (
    overlaps(x4, <u64>groups * 40, lo, hi) ||
    overlaps(w, <u64>(rows - 1) * <u64>stride + <u64>groups, lo, hi) ||
    overlaps(acc, <u64>rows * 8, lo, hi)
  )
    trap(message);
  t3Matvec(<usize>x4, cols, <usize>w, rows, stride, <usize>acc);
}

// @ts-ignore: decorator
@inline function overlaps(p: i32, bytes: u64, lo: u64, hi: u64): bool {
  return <u64>p < hi && <u64>p + bytes > lo;
}

/** quantI32 of x i32[n]: q at out (i8[n], or lanes u16[n][4] lane 0 when lanes != 0), multiplier i32 at fx. */
export function quant_i32(x: i32, n: i32, qin: i32, out: i32, lanes: i32, fx: i32): void {
  checkDim(n, "quant_i32: n must be 1..2^24");
  const message = "quant_i32: x, out or fx range outside memory";
  checkRange(x, <u64>n * 4, message);
  checkRange(out, <u64>n * (lanes ? 8 : 1), message);
  checkRange(fx, 4, message);
  store<i32>(<usize>fx, quantK(<usize>x, n, qin, <usize>out, lanes != 0));
}

/** normQuant of x i32[n] with gains G i32[n] and shift gs: q at out, multiplier i32 at fx. */
export function norm_quant(x: i32, g: i32, gs: i32, n: i32, out: i32, lanes: i32, fx: i32): void {
  checkDim(n, "norm_quant: n must be 1..2^24");
  const message = "norm_quant: x, g, out or fx range outside memory";
  checkRange(x, <u64>n * 4, message);
  checkRange(g, <u64>n * 4, message);
  checkRange(out, <u64>n * (lanes ? 8 : 1), message);
  checkRange(fx, 4, message);
  store<i32>(<usize>fx, normQuantK(<usize>x, <usize>g, gs, n, <usize>out, lanes != 0));
}

/** normF32 of x i32[n] with gains G i32[n] and shift gs into out f32[n] (k_norm_f32). */
export function norm_f32(x: i32, g: i32, gs: i32, n: i32, out: i32): void {
  checkWords3(n, x, g, out, 1, "norm_f32: n must be 1..2^24, x, g and out inside memory");
  normF32K(<usize>x, <usize>g, gs, n, <usize>out);
}

/** The attention of n of P tokens (k_attention; buffers as in attention.ts: qkv i32[n][3 dim], rope
 *  i32[n][hd/2][2], mult i32[n], qk8 i8[P][2 dim] + i32[n][2][heads], sc i32[P + n], out i32[n][dim]). */
export function attention_i32(
  qkv: i32,
  n: i32,
  dim: i32,
  heads: i32,
  rope: i32,
  mult: i32,
  qk8: i32,
  sc: i32,
  out: i32,
  scoreFx: i32,
  P: i32,
): void {
  const message =
    "attention_i32: needs 1 <= n <= P <= 4096, dim 2..4096 a multiple of heads, even head size, ranges inside memory";
  if (
    P < 1 ||
    P > 4096 ||
    n < 1 ||
    n > P ||
    dim < 2 ||
    dim > 4096 ||
    heads < 1 ||
    dim % heads != 0 ||
    (dim / heads) % 2 != 0
  )
    trap(message);
  checkRange(qkv, <u64>n * 12 * <u64>dim, message);
  checkRange(rope, <u64>n * 4 * <u64>(dim / heads), message);
  checkRange(mult, <u64>n * 4, message);
  checkRange(qk8, <u64>P * 2 * <u64>dim + <u64>n * 8 * <u64>heads, message);
  checkRange(sc, (<u64>P + <u64>n) * 4, message);
  checkRange(out, <u64>n * 4 * <u64>dim, message);
  if (IMPORTED) importAttention(qkv, n, dim, heads, rope, mult, qk8, sc, out, scoreFx, P, EXP2);
  else k_attention(qkv, n, dim, heads, rope, mult, qk8, sc, out, scoreFx, P, <i32>EXP2);
}

/** t3 accumulator lanes u16[rows][4] (lane 0, minus unbias) into y i32[rows]: mode FX_ADD rescaleAdd with
 *  multiplier f, FX_RAW / FX_RELU2 storeRaw. */
export function rescale_t3(acc: i32, unbias: i32, rows: i32, f: i32, y: i32, mode: i32): void {
  checkDim(rows, "rescale_t3: rows must be 1..2^24");
  if (mode < 0 || mode > 2) trap("rescale_t3: mode must be 0..2");
  const message = "rescale_t3: acc or y range outside memory";
  checkRange(acc, <u64>rows * 8, message);
  checkRange(y, <u64>rows * 4, message);
  rescaleK(<usize>acc, unbias, rows, f, <usize>y, mode);
}

/** f32LinearK of w f32[rows][cols] and n tokens (1..15) x f32[n][xs] into y f32[n][ys] by mode (0 store, 1 add,
 *  2 ReLU^2); xs >= cols, ys >= rows (< 65536), x and y must not overlap. */
export function f32_linear(w: i32, x: i32, xs: i32, y: i32, ys: i32, rows: i32, cols: i32, n: i32, mode: i32): void {
  // one short message per export: each string is static data in the module's 128 KiB (docs/abi.md)
  const message = "f32_linear: bad size, mode or range";
  checkDim(rows, message);
  checkDim(cols, message);
  if (mode < 0 || mode > 2 || n < 1 || n > 15 || xs < cols || ys < rows || xs > 0xffff || ys > 0xffff) trap(message);
  checkRange(w, <u64>rows * <u64>cols * 4, message);
  checkRange(x, (<u64>(n - 1) * <u64>xs + <u64>cols) * 4, message);
  checkRange(y, (<u64>(n - 1) * <u64>ys + <u64>rows) * 4, message);
  f32LinearK(<usize>w, <usize>x, xs, <usize>y, ys, rows, cols, n, mode);
}

/** f32AffineK: y f32[rows] = b f32[rows] + w f32[rows][cols] . x f32[cols], each sum from its bias in column order,
 *  ReLU'd when relu (0 or 1); y apart from w, b and x. */
export function f32_affine(w: i32, b: i32, x: i32, y: i32, rows: i32, cols: i32, relu: i32): void {
  const message = "f32_affine: bad size, relu or range";
  checkDim(rows, message);
  checkDim(cols, message);
  if (relu < 0 || relu > 1) trap(message);
  checkRange(w, <u64>rows * <u64>cols * 4, message);
  checkRange(b, <u64>rows * 4, message);
  checkRange(x, <u64>cols * 4, message);
  checkRange(y, <u64>rows * 4, message);
  f32AffineK(<usize>w, <usize>b, <usize>x, <usize>y, rows, cols, relu);
}

/** f32RmsnormK of x f32[n] with gains g f32[n] into out f32[n]. */
export function f32_rmsnorm(x: i32, g: i32, out: i32, n: i32): void {
  checkWords3(n, x, g, out, 1, "f32_rmsnorm: bad size or range");
  f32RmsnormK(<usize>x, <usize>g, <usize>out, n);
}

/** The bound K_F32_ATTENTION: RoPE and causal attention of n tokens, buffers as in k_baseline. */
export function f32_attention(qkv: i32, n: i32, dim: i32, heads: i32, rope: i32, sc: i32, out: i32): void {
  const message = "f32_attention: bad shape or range";
  if (n < 1 || n > 4096 || dim < 2 || dim > 4096 || heads < 1 || dim % heads != 0 || (dim / heads) % 2 != 0)
    trap(message);
  checkRange(qkv, <u64>n * 12 * <u64>dim, message);
  checkRange(rope, <u64>n * 4 * <u64>(dim / heads), message);
  checkRange(sc, <u64>n * 4, message);
  checkRange(out, <u64>n * 4 * <u64>dim, message);
  if (IMPORTED) f32AttentionImport(<usize>qkv, n, dim, heads, <usize>rope, <usize>sc, <usize>out);
  else k_baseline(K_F32_ATTENTION, qkv, n, dim, heads, rope, sc, out);
}

/** The bound K_I8_MATVEC for n tokens (1..15): acc i32[n][accs] = i8 rows w[rows][cols] times each i8 x[n][xs];
 *  xs >= cols, accs >= rows (< 65536), x and acc must not overlap. */
export function i8_matvec(w: i32, x: i32, xs: i32, acc: i32, accs: i32, rows: i32, cols: i32, n: i32): void {
  const message = "i8_matvec: bad size or range";
  checkDim(rows, message);
  checkDim(cols, message);
  if (n < 1 || n > 15 || xs < cols || accs < rows || xs > 0xffff || accs > 0xffff) trap(message);
  checkRange(w, <u64>rows * <u64>cols, message);
  checkRange(x, <u64>(n - 1) * <u64>xs + <u64>cols, message);
  checkRange(acc, (<u64>(n - 1) * <u64>accs + <u64>rows) * 4, message);
  i8MatvecK(<usize>w, <usize>x, xs, <usize>acc, accs, rows, cols, n);
}

/** The bound K_I8_ROWS: int8 accumulators acc i32[rows] into y i32[rows] by mode, multiplier a x scales[r] (i32[rows];
 *  f1 for every row when scales is 0). */
export function i8_rows(acc: i32, rows: i32, a: i32, f1: i32, scales: i32, y: i32, mode: i32): void {
  const message = "i8_rows: bad size, mode or range";
  checkDim(rows, message);
  if (mode < 0 || mode > 2) trap(message);
  checkRange(acc, <u64>rows * 4, message);
  if (scales) checkRange(scales, <u64>rows * 4, message);
  checkRange(y, <u64>rows * 4, message);
  i8RowsOutK(<usize>acc, rows, a, f1, <usize>scales, <usize>y, mode);
}

/** The bound K_SCALES_FX: rows f32 scales (bits) at p become their multipliers, in place. */
export function scales_fx(p: i32, rows: i32): void {
  const message = "scales_fx: bad size or range";
  checkDim(rows, message);
  checkRange(p, <u64>rows * 4, message);
  scalesToFxK(<usize>p, rows);
}
