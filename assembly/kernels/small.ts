// Token-packed t3 lookup-table kernels for small matrices (the backbone's 40..160 x 40..120 projections): the
// tables of up to 4 tokens share one i64 entry (four 16-bit lanes), so one table build and one pass over the
// weights serve every token of a forward, instead of one build and one pass per token (docs/kernels.md).
// Twin: tools/lib/reference/small-kernels.ts.
import { checkDim, checkRange, trap } from "./check";
import { packedRowBytes } from "./plain";
import { checkQuantizeArgs, quantizeByScale } from "./act";
import { LUT_FAST } from "../io";
import { DEC_HI, DEC_LO } from "./generated/t3-decode";
import {
  fullGroupX4,
  matvecT3x4Fast,
  matvecT3x4sFast,
  matvecT3x4sFastRow,
  matvecT3x4sFastIx,
  matvecT3x4sFastRowIx,
  splitGroupX4,
  T3X4S_FAST_GROUPS,
  T3X4S_ROW_GROUPS,
} from "./generated/small-fast";
import { indexedForms } from "./indexed";

/** Bytes of one group's table: 243 i64 entries (4 lanes of 16 bits). */
export const T3X4_TABLE_BYTES: i32 = 243 * 8;
/** A t3 byte 243..255 (invalid, rejected by blob readers) reads up to this far past the last table. */
export const T3X4_TABLE_SLACK: i32 = 255 * 8 + 8 - T3X4_TABLE_BYTES;
/** Groups the unrolled path handles: 16 tables (80 columns) = 31,104 bytes of the 32 KiB fast region. */
export const T3X4_FAST_GROUPS: i32 = 16;
/** Columns per table block of matvec_t3x4 (T3X4_FAST_GROUPS groups of 5). */
export const T3X4_BLOCK_COLS: i32 = 5 * T3X4_FAST_GROUPS;
/** Tokens per pass: lanes of an i64 entry. */
export const T3X4_TOKENS: i32 = 4;
/** Per-lane bias of every entry (the lane stays >= 0: |dot of 5| <= 640 < 1024). */
export const T3X4_BIAS: i32 = 1024;
/** Groups one accumulator may sum before a lane could pass 65535: 39 * (1024 + 640) < 65536. */
export const T3X4_MAX_GROUPS: i32 = 39;

// Activation column c of tokens 0..ntok-1 (rows xs bytes apart) in the lanes of an i64, 0 past cols. Lanes hold
// signed values: the i64 is sum_k x_k << 16k as an integer, so sums of such values stay exact lane by lane once
// every lane of the total is in [0, 65535].
// @ts-ignore: decorator
@inline function lanes(x: usize, xs: usize, ntok: i32, c: i32, cols: i32): i64 {
  if (c >= cols) return 0;
  const p = x + <usize>c;
  let v = <i64>load<i8>(p);
  if (ntok > 1) v += (<i64>load<i8>(p + xs)) << 16;
  if (ntok > 2) v += (<i64>load<i8>(p + 2 * xs)) << 32;
  if (ntok > 3) v += (<i64>load<i8>(p + 3 * xs)) << 48;
  return v;
}

/**
 * lut i64[ceil(cols/5)][243]: lane k of entry b of group g = T3X4_BIAS + sum_j (trit_j(b) - 1) * x[k][5g + j],
 * trit_j(b) = (b / 3^j) % 3, x i8[ntok][xs] (token k's row at x + k * xs; 0 past cols and for lanes k >= ntok).
 * Built as 9 blocks of 27 entries: one i64 add and one store per entry.
 */
export function lut_build_t3x4(x: i32, xs: i32, ntok: i32, cols: i32, lut: i32): void {
  checkDim(cols, "lut_build_t3x4: cols must be 1..2^24");
  if (ntok < 1 || ntok > T3X4_TOKENS || xs < cols) trap("lut_build_t3x4: ntok must be 1..4 and xs >= cols");
  const groups = packedRowBytes(cols, 5);
  checkRange(x, <u64>(ntok - 1) * <u64>xs + <u64>cols, "lut_build_t3x4: x or lut range outside memory");
  checkRange(lut, <u64>groups * T3X4_TABLE_BYTES, "lut_build_t3x4: x or lut range outside memory");
  buildTokens(<usize>x, <usize>xs, ntok, cols, <usize>lut, false);
}

// One group's tables from its 5 columns as lanes: split (27 entries at p, 9 at p9) or full (243 at p).
// @ts-ignore: decorator
@inline function groupTables(
  p: usize,
  p9: usize,
  x0: i64,
  x1: i64,
  x2: i64,
  x3: i64,
  x4: i64,
  split: bool,
): void {
  if (split) splitGroupX4(p, p9, x0, x1, x2, x3, x4);
  else fullGroupX4(p, x0, x1, x2, x3, x4);
}

// The builds of lut_build_t3x4 and lut_build_t3x4s after their checks: each group's 5 columns as lanes, then its
// full or split tables (split a constant where it is inlined).
// @ts-ignore: decorator
@inline function buildTokens(x: usize, xs: usize, ntok: i32, cols: i32, lut: usize, split: bool): void {
  const groups = packedRowBytes(cols, 5);
  let p = lut;
  let p9 = lut + <usize>T3X4S_T9_OFFSET;
  for (let g = 0; g < groups; g++) {
    const c = 5 * g;
    const x0 = lanes(x, xs, ntok, c, cols),
      x1 = lanes(x, xs, ntok, c + 1, cols);
    const x2 = lanes(x, xs, ntok, c + 2, cols),
      x3 = lanes(x, xs, ntok, c + 3, cols);
    const x4 = lanes(x, xs, ntok, c + 4, cols);
    groupTables(p, p9, x0, x1, x2, x3, x4, split);
    p += split ? 216 : <usize>T3X4_TABLE_BYTES;
    if (split) p9 += 72;
  }
}

// The entry checks every product over full or split tables shares: rows and cols, and no more groups (of 5
// columns) than one accumulator or split-table region holds; returns the groups, ceil(cols/5).
function checkGroups(rows: i32, cols: i32, split: bool, message: string): i32 {
  checkDim(rows, message);
  checkDim(cols, message);
  const groups = packedRowBytes(cols, 5);
  if (groups > (split ? T3X4S_MAX_GROUPS : T3X4_MAX_GROUPS)) trap(message);
  return groups;
}

// Entry checks of the table products over full or split tables: sizes, row stride, and the w, lut and acc ranges.
function checkTableProduct(w: i32, lut: i32, acc: i32, rows: i32, cols: i32, stride: i32, split: bool): void {
  const message = split
    ? "matvec_t3x4s_lut: rows and cols 1..2^24, cols <= 160, stride >= ceil(cols/5), w, lut and acc inside memory"
    : "matvec_t3x4_lut: rows and cols 1..2^24, cols <= 195, stride >= ceil(cols/5), w, lut and acc inside memory";
  const groups = checkGroups(rows, cols, split, message);
  if (stride < groups) trap(message);
  checkRange(w, <u64>(rows - 1) * <u64>stride + <u64>groups, message);
  checkRange(lut, split ? <u64>T3X4S_BYTES : <u64>groups * T3X4_TABLE_BYTES + T3X4_TABLE_SLACK, message);
  checkRange(acc, <u64>rows * 8, message);
}

/**
 * acc[r] (i64, 4 lanes) = (accumulate ? acc[r] : 0) + sum_g lut[g][w[r][g]]: lane k of acc[r] gathers token k's
 * dot product plus T3X4_BIAS per group. w u8 rows of t3 bytes (ceil(cols/5) used, `stride` apart), lut from
 * lut_build_t3x4 over the same cols. The caller keeps the groups summed into one acc <= T3X4_MAX_GROUPS.
 */
export function matvec_t3x4_lut(w: i32, lut: i32, acc: i32, rows: i32, cols: i32, stride: i32, accumulate: i32): void {
  checkTableProduct(w, lut, acc, rows, cols, stride, false);
  const groups = packedRowBytes(cols, 5);
  if (<usize>lut == LUT_FAST && groups <= T3X4_FAST_GROUPS) {
    matvecT3x4Fast(w, acc, rows, groups, stride, accumulate);
    return;
  }
  for (let r = 0; r < rows; r++) {
    let wp = <usize>(w + r * stride);
    const wEnd = wp + <usize>groups;
    let lp = <usize>lut;
    const ap = <usize>(acc + 8 * r);
    let a: i64 = accumulate ? load<i64>(ap) : 0;
    do {
      a += load<i64>(lp + ((<usize>load<u8>(wp)) << 3));
      wp += 1;
      lp += <usize>T3X4_TABLE_BYTES;
    } while (wp < wEnd);
    store<i64>(ap, a);
  }
}

// Entry checks of the one-shot products (matvec_t3x4, or matvec_t3x4s when split): returns ceil(cols/5).
function checkOneShot(rows: i32, cols: i32, ntok: i32, out: i32, split: bool): i32 {
  const message = split
    ? "matvec_t3x4s: rows and cols must be 1..2^24, cols <= 160, ntok 1..4, out inside memory"
    : "matvec_t3x4: rows and cols must be 1..2^24, cols <= 195, ntok 1..4, out inside memory";
  const groups = checkGroups(rows, cols, split, message);
  if (ntok < 1 || ntok > T3X4_TOKENS) trap(message);
  checkRange(out, <u64>ntok * <u64>rows * 4, message);
  return groups;
}

/**
 * out[k][r] (i32, row k of out `rows` apart) = sum_c w[r][c] * x[k][c] for tokens k < ntok (1..4): t3 rows of
 * ceil(cols/5) bytes, x i8[ntok][xs]. Tables of 80-column blocks at lut_fast_base() (it overwrites up to 31,208
 * bytes there; x, w, out and acc must lie outside it), acc i64[rows] scratch. cols <= 195. Equals matvec_t3 per
 * token.
 */
export function matvec_t3x4(w: i32, x: i32, xs: i32, ntok: i32, out: i32, rows: i32, cols: i32, acc: i32): void {
  const groups = checkOneShot(rows, cols, ntok, out, false);
  for (let c0 = 0; c0 < cols; c0 += T3X4_BLOCK_COLS) {
    const cc = min(T3X4_BLOCK_COLS, cols - c0);
    lut_build_t3x4(x + c0, xs, ntok, cc, <i32>LUT_FAST);
    matvec_t3x4_lut(w + c0 / 5, <i32>LUT_FAST, acc, rows, cc, groups, c0 > 0 ? 1 : 0);
  }
  t3x4Unpack(acc, out, rows, ntok, groups, rows);
}

/** out[k * os + r] (i32) = lane k of acc[r] - groups * T3X4_BIAS, for r < rows, k < ntok (lane k is the u16 at
 *  byte 2k of the little-endian i64: no i64 shifts). Unchecked (callers check). */
export function t3x4Unpack(acc: i32, out: i32, rows: i32, ntok: i32, groups: i32, os: i32): void {
  const unbias = groups * T3X4_BIAS;
  for (let k = 0; k < ntok; k++) {
    const ap = <usize>(acc + 2 * k);
    const op = <usize>(out + 4 * k * os);
    for (let r = 0; r < rows; r++) store<i32>(op + <usize>(r << 2), <i32>load<u16>(ap + <usize>(r << 3)) - unbias);
  }
}

/**
 * Per-token absmax int8, bit-identical to act.ts's quantizeActInto (q[i] = clamp(nearest(x[i] * s), -128, 127),
 * s = 127 / max|x|, 0 and q = 0 for an all-zero x; NaN ignored by the max), but the max runs on the f32 bits as
 * integers: for non-negative non-NaN floats the u32 order is the float order, and in wasm3 on a Cortex-M4 an
 * integer compare is several times cheaper than an f32 abs + compare. x f32[n], q i8[n]. Unchecked (callers check).
 */
export function quantizeActBits(x: usize, n: i32, q: usize): f32 {
  let amaxBits: u32 = 0;
  const end = x + <usize>(n << 2);
  for (let p = x; p < end; p += 4) {
    const b = load<u32>(p) & 0x7fffffff;
    amaxBits = select<u32>(b, amaxBits, (b > amaxBits) & (b <= 0x7f800000));
  }
  if (amaxBits == 0) {
    memory.fill(q, 0, <usize>n);
    return 0;
  }
  const s: f32 = <f32>127 / reinterpret<f32>(amaxBits);
  if (reinterpret<u32>(s) < 0x7f800000) {
    // s finite: |x| <= max|x| gives |x * s| <= 127 (1 + 2^-24) after rounding, so nearest() is within -127..127
    // and the clamp cannot act (NaN x -> 0 through the saturating conversion, as below)
    for (let i = 0; i < n; i++) store<i8>(q + <usize>i, <i8>(<i32>nearest<f32>(load<f32>(x + <usize>(4 * i)) * s)));
    return s;
  }
  quantizeByScale(x, n, q, s); // s = +inf (max|x| below 127 / FLT_MAX): the saturating path, as quantizeActInto
  return s;
}

/** quantize_act computed by quantizeActBits: x f32[n] -> q i8[n] and scale f32[1] at `scale`. */
export function quantize_act_bits(x: i32, n: i32, q: i32, scale: i32): void {
  checkQuantizeArgs(
    x,
    n,
    q,
    scale,
    "quantize_act_bits: n must be 1..2^24",
    "quantize_act_bits: x, q or scale range outside memory",
  );
  store<f32>(<usize>scale, quantizeActBits(<usize>x, n, <usize>q));
}

// ---- Split tables: a t3 byte b = lo + 27 hi (lo = trits 0..2, hi = trits 3..4), so a group needs a 27-entry
// table over its first 3 columns and a 9-entry table over its last 2 (36 entries instead of 243: the build is
// ~7x cheaper), and a lookup becomes two loads from the static decode tables DEC_LO / DEC_HI plus two table loads. Cheaper than
// the full tables when a table is read by few rows (docs/kernels.md gives the measured cut-over).

/** Byte offset of the 9-entry tables from the start of a split-table region; the 27-entry ones come first. */
export const T3X4S_T9_OFFSET: i32 = 32 * 216;
/** Groups a split-table region holds (160 columns), and its size: 32 x (216 + 72) = 9,216 bytes. */
export const T3X4S_MAX_GROUPS: i32 = 32;
export const T3X4S_BYTES: i32 = T3X4S_T9_OFFSET + 32 * 72;

/**
 * Split tables of up to 4 tokens at lut (T3X4S_BYTES): for group g < ceil(cols/5) <= 32, lane k of
 * t27[g][i] (at lut + 216 g + 8 i) = T3X4_BIAS + sum_{j<3} (trit_j(i) - 1) * x[k][5g + j] and of
 * t9[g][i] (at lut + T3X4S_T9_OFFSET + 72 g + 8 i) = sum_{j<2} (trit_j(i) - 1) * x[k][5g + 3 + j] (lanes may be
 * negative: the i64 is sum_k lane_k << 16k), so t27[g][b % 27] + t9[g][b / 27] = lut_build_t3x4's entry b.
 */
export function lut_build_t3x4s(x: i32, xs: i32, ntok: i32, cols: i32, lut: i32): void {
  checkDim(cols, "lut_build_t3x4s: cols must be 1..160");
  if (ntok < 1 || ntok > T3X4_TOKENS || xs < cols || cols > 5 * T3X4S_MAX_GROUPS)
    trap("lut_build_t3x4s: ntok must be 1..4, xs >= cols, cols <= 160");
  checkRange(x, <u64>(ntok - 1) * <u64>xs + <u64>cols, "lut_build_t3x4s: x or lut range outside memory");
  checkRange(lut, <u64>T3X4S_BYTES, "lut_build_t3x4s: x or lut range outside memory");
  buildTokens(<usize>x, <usize>xs, ntok, cols, <usize>lut, true);
}

/**
 * matvec_t3x4_lut over split tables (lut_build_t3x4s): acc[r] (i64, 4 lanes) = (accumulate ? acc[r] : 0) +
 * sum_g t27[g][b % 27] + t9[g][b / 27], b = w[r][g]; cols <= 160. Same sums as matvec_t3x4_lut.
 */
export function matvec_t3x4s_lut(w: i32, lut: i32, acc: i32, rows: i32, cols: i32, stride: i32, accumulate: i32): void {
  checkTableProduct(w, lut, acc, rows, cols, stride, true);
  splitLookup(<usize>w, <usize>lut, <usize>acc, rows, packedRowBytes(cols, 5), stride, accumulate);
}

/** The lookups of matvec_t3x4s_lut, unchecked (groups <= T3X4S_MAX_GROUPS): the unrolled paths for tables at
 *  LUT_FAST (up to T3X4S_FAST_GROUPS groups; rows of T3X4S_ROW_GROUPS without accumulate have a row loop of their own),
 *  a plain loop otherwise. */
export function splitLookup(
  w: usize,
  lut: usize,
  acc: usize,
  rows: i32,
  groups: i32,
  stride: i32,
  accumulate: i32,
): void {
  if (lut == LUT_FAST && groups <= T3X4S_FAST_GROUPS) {
    if (groups == T3X4S_ROW_GROUPS && !accumulate) {
      // the AOT module's indexed row loops first (generated/small-fast.ts, docs/aot.md)
      if (indexedForms()) {
        if (matvecT3x4sFastRowIx(w, acc, rows, stride)) return;
      }
      matvecT3x4sFastRow(w, acc, rows, stride);
    } else {
      if (indexedForms()) {
        if (matvecT3x4sFastIx(<i32>w, <i32>acc, rows, groups, stride, accumulate)) return;
      }
      matvecT3x4sFast(<i32>w, <i32>acc, rows, groups, stride, accumulate);
    }
    return;
  }
  for (let r = 0; r < rows; r++) {
    let wp = w + <usize>(r * stride);
    const wEnd = wp + <usize>groups;
    let p27 = lut,
      p9 = lut + <usize>T3X4S_T9_OFFSET;
    const ap = acc + <usize>(8 * r);
    let a: i64 = accumulate ? load<i64>(ap) : 0;
    do {
      const b = <usize>load<u8>(wp);
      a += load<i64>(p27 + <usize>load<u8>(b, DEC_LO)) + load<i64>(p9 + <usize>load<u8>(b, DEC_HI));
      wp += 1;
      p27 += 216;
      p9 += 72;
    } while (wp < wEnd);
    store<i64>(ap, a);
  }
}

/** matvec_t3x4 through split tables (one build for all columns, cols <= 160): the same out. */
export function matvec_t3x4s(w: i32, x: i32, xs: i32, ntok: i32, out: i32, rows: i32, cols: i32, acc: i32): void {
  const groups = checkOneShot(rows, cols, ntok, out, true);
  lut_build_t3x4s(x, xs, ntok, cols, <i32>LUT_FAST);
  matvec_t3x4s_lut(w, <i32>LUT_FAST, acc, rows, cols, groups, 0);
  t3x4Unpack(acc, out, rows, ntok, groups, rows);
}

// ---- Interleaved activations: x4 u16[5 ceil(cols/5)][4], lane k of column c = x[k][c] + 128 (so a column is one
// i64 load minus LANE_OFF, the signed lanes as sum_k x_k << 16k: no per-token loads in the builds). Padding columns
// and absent tokens hold 128 (x = 0). The backbone's quantizer writes this layout directly.

/** Bytes of one interleaved column. */
export const X4_COLUMN_BYTES: i32 = 8;
// 128 in every lane
const LANE_OFF: i64 = 0x0080008000800080;

/** lut_build_t3x4 from interleaved activations x4 (all 5 ceil(cols/5) columns read, padding included). */
export function lut_build_t3x4_x4(x4: i32, cols: i32, lut: i32): void {
  checkDim(cols, "lut_build_t3x4_x4: cols must be 1..2^24");
  const groups = packedRowBytes(cols, 5);
  checkRange(x4, <u64>groups * 40, "lut_build_t3x4_x4: x4 or lut range outside memory");
  checkRange(lut, <u64>groups * T3X4_TABLE_BYTES, "lut_build_t3x4_x4: x4 or lut range outside memory");
  buildX4(<usize>x4, groups, <usize>lut, false);
}

/** lut_build_t3x4s from interleaved activations x4 (all 5 ceil(cols/5) columns read, padding included). */
export function lut_build_t3x4s_x4(x4: i32, cols: i32, lut: i32): void {
  checkDim(cols, "lut_build_t3x4s_x4: cols must be 1..160");
  if (cols > 5 * T3X4S_MAX_GROUPS) trap("lut_build_t3x4s_x4: cols must be 1..160");
  const groups = packedRowBytes(cols, 5);
  checkRange(x4, <u64>groups * 40, "lut_build_t3x4s_x4: x4 or lut range outside memory");
  checkRange(lut, <u64>T3X4S_BYTES, "lut_build_t3x4s_x4: x4 or lut range outside memory");
  // at LUT_FAST the backbone's build, as k_t3_matvec calls it: the golden vectors test it, and a second caller keeps
  // binaryen from inlining it into k_t3_matvec, whose frame would then sit under every lookup in wasm3's value stack
  if (<usize>lut == LUT_FAST) splitBuildFast(<usize>x4, groups);
  else splitBuildX4(<usize>x4, groups, <usize>lut);
}

/** The builds of lut_build_t3x4s_x4, unchecked: split tables of `groups` (<= T3X4S_MAX_GROUPS) groups at lut. */
export function splitBuildX4(x4: usize, groups: i32, lut: usize): void {
  buildX4(x4, groups, lut, true);
}

/** splitBuildX4 at LUT_FAST (the backbone's tables): every table address is then a constant plus a group offset
 *  bounded by T3X4S_MAX_GROUPS, which the AOT build proves in bounds at compile time (no check per table store). */
export function splitBuildFast(x4: usize, groups: i32): void {
  buildX4(x4, min(groups, T3X4S_MAX_GROUPS), LUT_FAST, true);
}

// Full or split tables of `groups` groups from interleaved columns (split a constant where it is inlined). Each
// group's table address is computed from its index, not stepped: with a constant lut it has a known range.
// @ts-ignore: decorator
@inline function buildX4(x4: usize, groups: i32, lut: usize, split: bool): void {
  let xp = x4;
  for (let g = 0; g < groups; g++) {
    const x0 = load<i64>(xp) - LANE_OFF,
      x1 = load<i64>(xp, 8) - LANE_OFF;
    const x2 = load<i64>(xp, 16) - LANE_OFF,
      x3 = load<i64>(xp, 24) - LANE_OFF;
    const x4 = load<i64>(xp, 32) - LANE_OFF;
    const p = lut + <usize>(g * (split ? 216 : T3X4_TABLE_BYTES));
    groupTables(p, lut + <usize>(T3X4S_T9_OFFSET + g * 72), x0, x1, x2, x3, x4, split);
    xp += 40;
  }
}

/**
 * quantizeActBits writing one token's lane of an interleaved block: lane[8 i] (u16) = q[i] + 128 for i < n.
 * x f32[n]; returns s. Unchecked (callers check).
 */
export function quantizeActBitsX4(x: usize, n: i32, lane: usize): f32 {
  // loops unrolled by 4 with constant load/store offsets: in wasm3 the loop and address arithmetic of a plain
  // loop cost about as much as the work
  const end = x + <usize>(n << 2);
  const end4 = x + <usize>((n & ~3) << 2);
  let m0: u32 = 0,
    m1: u32 = 0,
    m2: u32 = 0,
    m3: u32 = 0;
  let p = x;
  for (; p < end4; p += 16) {
    const b0 = load<u32>(p) & 0x7fffffff,
      b1 = load<u32>(p, 4) & 0x7fffffff;
    const b2 = load<u32>(p, 8) & 0x7fffffff,
      b3 = load<u32>(p, 12) & 0x7fffffff;
    m0 = select<u32>(b0, m0, (b0 > m0) & (b0 <= 0x7f800000));
    m1 = select<u32>(b1, m1, (b1 > m1) & (b1 <= 0x7f800000));
    m2 = select<u32>(b2, m2, (b2 > m2) & (b2 <= 0x7f800000));
    m3 = select<u32>(b3, m3, (b3 > m3) & (b3 <= 0x7f800000));
  }
  for (; p < end; p += 4) {
    const b = load<u32>(p) & 0x7fffffff;
    m0 = select<u32>(b, m0, (b > m0) & (b <= 0x7f800000));
  }
  // the partial maxima are non-NaN bit patterns: their u32 maximum is the float maximum
  const amaxBits = max(max(m0, m1), max(m2, m3));
  if (amaxBits == 0) {
    for (let i = 0; i < n; i++) store<u16>(lane + <usize>(i << 3), 128);
    return 0;
  }
  const s: f32 = <f32>127 / reinterpret<f32>(amaxBits);
  if (reinterpret<u32>(s) < 0x7f800000) {
    // s finite: nearest() is within -127..127 (see quantizeActBits)
    let l = lane;
    p = x;
    for (; p < end4; p += 16, l += 32) {
      store<u16>(l, <i32>nearest<f32>(load<f32>(p) * s) + 128);
      store<u16>(l, <i32>nearest<f32>(load<f32>(p, 4) * s) + 128, 8);
      store<u16>(l, <i32>nearest<f32>(load<f32>(p, 8) * s) + 128, 16);
      store<u16>(l, <i32>nearest<f32>(load<f32>(p, 12) * s) + 128, 24);
    }
    for (; p < end; p += 4, l += 8) store<u16>(l, <i32>nearest<f32>(load<f32>(p) * s) + 128);
    return s;
  }
  for (let i = 0; i < n; i++) {
    let v = <i32>nearest<f32>(load<f32>(x + <usize>(4 * i)) * s);
    v = v > 127 ? 127 : v < -128 ? -128 : v;
    store<u16>(lane + <usize>(i << 3), v + 128);
  }
  return s;
}

/** quantize_act into lane 0 of an interleaved block: x4 u16[n][4] gets x4[i][0] = q[i] + 128 (other lanes kept),
 *  scale f32[1] at `scale`. */
export function quantize_act_x4(x: i32, n: i32, x4: i32, scale: i32): void {
  checkDim(n, "quantize_act_x4: n must be 1..2^24");
  const message = "quantize_act_x4: x, x4 or scale range outside memory";
  checkRange(x, <u64>n * 4, message);
  checkRange(x4, <u64>n * 8, message);
  checkRange(scale, 4, message);
  store<f32>(<usize>scale, quantizeActBitsX4(<usize>x, n, <usize>x4));
}
