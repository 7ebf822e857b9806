// Lookup-table ternary kernels (the idea of bitnet.cpp's TL kernels, written for a wasm interpreter): for each
// group of 4 (i2) or 5 (t3) int8 activations, a table holds the group's dot product with every possible packed
// weight byte, so one byte load + one table load replace 4 or 5 decode-multiply-adds. Tables are built once per
// input vector (lut_build_*) and reused across row blocks; entries are sums plus LUT_BIAS, in [0, 2048] (i16).
import { checkDim, checkRange, trap } from "./check";
import { packedRowBytes } from "./plain";
import { LUT_FAST } from "../io";
import { LUT_BIAS, lutGroupI2, lutGroupT3, matvecI2LutFast, matvecT3LutFast } from "./generated/lut-fast";

export { LUT_BIAS };

/** Table bytes per group: i2 has 256 entries (codes 3 = +2 are invalid input), t3 has 243 entries. */
export const I2_TABLE_BYTES: i32 = 256 * 2;
export const T3_TABLE_BYTES: i32 = 243 * 2;
/** A t3 byte 243..255 (invalid, rejected by blob readers) reads up to this far past the last table. */
export const T3_TABLE_SLACK: i32 = 255 * 2 + 2 - T3_TABLE_BYTES;

/** Groups the unrolled fast paths handle (i2: 64 * 512 bytes = the whole 32 KiB region; t3: 64 * 486 + 26). */
export const FAST_MAX_GROUPS: i32 = 64;

// Activation c of x (i8), or 0 past the end: the last group of a row is padded with zero activations.
// @ts-ignore: decorator
@inline function act(x: i32, c: i32, cols: i32): i32 {
  return c < cols ? <i32>load<i8>(<usize>(x + c)) : 0;
}

/**
 * lut i16[ceil(cols/4)][256]: entry b of group g = LUT_BIAS + sum_j (((b >> 2j) & 3) - 1) * x[4g + j], x i8[cols]
 * (x = 0 past cols). The bias keeps every entry in [0, 2048], so the build adds a packed sum to four entries at
 * once as i64 lanes without a carry between them (lutGroupI2: 4 i64 stores per 16 entries).
 */
export function lut_build_i2(x: i32, cols: i32, lut: i32): void {
  checkDim(cols, "lut_build_i2: cols must be 1..2^24");
  const groups = packedRowBytes(cols, 4);
  checkRange(x, <u64>cols, "lut_build_i2: x or lut range outside memory");
  checkRange(lut, <u64>groups * I2_TABLE_BYTES, "lut_build_i2: x or lut range outside memory");
  // whole groups read x directly; a last partial group is padded with zero activations
  const full = cols >> 2;
  let p = <usize>lut;
  let xp = <usize>x;
  const fullEnd = p + <usize>(full * I2_TABLE_BYTES);
  while (p < fullEnd) {
    lutGroupI2(p, <i64>load<i8>(xp), <i64>load<i8>(xp, 1), <i64>load<i8>(xp, 2), <i64>load<i8>(xp, 3));
    p += <usize>I2_TABLE_BYTES;
    xp += 4;
  }
  const c = 4 * full;
  if (c < cols)
    lutGroupI2(p, <i64>act(x, c, cols), <i64>act(x, c + 1, cols), <i64>act(x, c + 2, cols), <i64>act(x, c + 3, cols));
}

/**
 * lut i16[ceil(cols/5)][243]: entry b of group g = LUT_BIAS + sum_j (trit_j(b) - 1) * x[5g + j],
 * trit_j(b) = (b / 3^j) % 3 (x = 0 past cols). Built as 9 blocks of 27 entries (trits 0..2 vary), each six i64
 * stores of four entries, one i32 pair and one i16 (lutGroupT3; 2-byte aligned).
 */
export function lut_build_t3(x: i32, cols: i32, lut: i32): void {
  checkDim(cols, "lut_build_t3: cols must be 1..2^24");
  const groups = packedRowBytes(cols, 5);
  checkRange(x, <u64>cols, "lut_build_t3: x or lut range outside memory");
  checkRange(lut, <u64>groups * T3_TABLE_BYTES, "lut_build_t3: x or lut range outside memory");
  const full = cols / 5;
  let p = <usize>lut;
  let xp = <usize>x;
  const fullEnd = p + <usize>(full * T3_TABLE_BYTES);
  while (p < fullEnd) {
    lutGroupT3(
      p,
      <i64>load<i8>(xp),
      <i64>load<i8>(xp, 1),
      <i64>load<i8>(xp, 2),
      <i64>load<i8>(xp, 3),
      <i64>load<i8>(xp, 4),
    );
    p += <usize>T3_TABLE_BYTES;
    xp += 5;
  }
  const c = 5 * full;
  if (c < cols) {
    lutGroupT3(
      p,
      <i64>act(x, c, cols),
      <i64>act(x, c + 1, cols),
      <i64>act(x, c + 2, cols),
      <i64>act(x, c + 3, cols),
      <i64>act(x, c + 4, cols),
    );
  }
}

// Shared entry checks of the two LUT matvecs. Row r of w starts at w + r * stride (stride >= groups lets a
// caller run a column block of a wider matrix); lut covers `groups` tables.
function checkLutMatvec(
  w: i32,
  lut: i32,
  out: i32,
  rows: i32,
  groups: i32,
  stride: i32,
  lutBytes: u64,
  message: string,
): void {
  if (stride < groups) trap(message);
  checkRange(w, <u64>(rows - 1) * <u64>stride + <u64>groups, message);
  checkRange(lut, lutBytes, message);
  checkRange(out, <u64>rows * 4, message);
}

/**
 * out[r] (i32) = (accumulate ? out[r] : 0) + sum_g (lut[g][w[r][g]] - LUT_BIAS). w u8 rows of i2 bytes (ceil(cols/4) used,
 * `stride` apart), lut from lut_build_i2 over the same cols. Equals matvec_i2 when stride = ceil(cols/4).
 */
export function matvec_i2_lut(w: i32, lut: i32, out: i32, rows: i32, cols: i32, stride: i32, accumulate: i32): void {
  checkDim(rows, "matvec_i2_lut: rows must be 1..2^24");
  checkDim(cols, "matvec_i2_lut: cols must be 1..2^24");
  lutMatvec(w, lut, out, rows, cols, stride, accumulate, false);
}

/**
 * out[r] (i32) = (accumulate ? out[r] : 0) + sum_g (lut[g][w[r][g]] - LUT_BIAS). w u8 rows of t3 bytes (ceil(cols/5) used,
 * `stride` apart), lut from lut_build_t3 over the same cols. Equals matvec_t3 when stride = ceil(cols/5).
 */
export function matvec_t3_lut(w: i32, lut: i32, out: i32, rows: i32, cols: i32, stride: i32, accumulate: i32): void {
  checkDim(rows, "matvec_t3_lut: rows must be 1..2^24");
  checkDim(cols, "matvec_t3_lut: cols must be 1..2^24");
  lutMatvec(w, lut, out, rows, cols, stride, accumulate, true);
}

// Both LUT products after their dimension checks (t3 a constant where it is inlined): range checks, then the
// generated row-pair path when the tables sit in the fast region, else the loop.
// @ts-ignore: decorator
@inline function lutMatvec(
  w: i32,
  lut: i32,
  out: i32,
  rows: i32,
  cols: i32,
  stride: i32,
  accumulate: i32,
  t3: bool,
): void {
  const groups = packedRowBytes(cols, t3 ? 5 : 4);
  const tableBytes = t3 ? T3_TABLE_BYTES : I2_TABLE_BYTES;
  checkLutMatvec(
    w,
    lut,
    out,
    rows,
    groups,
    stride,
    <u64>groups * tableBytes + (t3 ? T3_TABLE_SLACK : 0),
    t3
      ? "matvec_t3_lut: stride < ceil(cols/5), or w, lut or out range outside memory"
      : "matvec_i2_lut: stride < ceil(cols/4), or w, lut or out range outside memory",
  );
  if (<usize>lut == LUT_FAST && groups <= FAST_MAX_GROUPS && groups >= 4) {
    const quads = groups >> 2;
    if (rows >> 1) {
      if (t3) matvecT3LutFast(w, out, rows >> 1, quads, stride, accumulate);
      else matvecI2LutFast(w, out, rows >> 1, quads, stride, accumulate);
    }
    lutTails(w, lut, out, rows, groups, stride, accumulate, t3);
    return;
  }
  lutRows(w, lut, out, rows, groups, stride, accumulate, t3);
}

// After a generated row-pair path (which covers the row pairs over the whole quads of groups): an odd last row over
// those quads, then the 0..3 tail groups of every row, by the loop.
function lutTails(w: i32, lut: i32, out: i32, rows: i32, groups: i32, stride: i32, accumulate: i32, t3: bool): void {
  const quads = groups >> 2;
  const last = rows - 1;
  const tail = lut + 4 * quads * (t3 ? T3_TABLE_BYTES : I2_TABLE_BYTES);
  if (rows & 1) lutRows(w + last * stride, lut, out + 4 * last, 1, 4 * quads, stride, accumulate, t3);
  if (groups & 3) lutRows(w + 4 * quads, tail, out, rows, groups & 3, stride, 1, t3);
}

// The row loop that specifies matvec_i2_lut and matvec_t3_lut (and runs them for tables anywhere): rows of `groups`
// packed bytes, byte g of a row indexing table g of lut (i16 entries, the t3 or i2 table size apart). The fast
// paths it checks are generated (assembly/kernels/generated/lut-fast.ts).
function lutRows(w: i32, lut: i32, out: i32, rows: i32, groups: i32, stride: i32, accumulate: i32, t3: bool): void {
  const tableBytes = t3 ? T3_TABLE_BYTES : I2_TABLE_BYTES;
  const unbias = groups * LUT_BIAS;
  for (let r = 0; r < rows; r++) {
    let wp = <usize>(w + r * stride);
    const wEnd = wp + <usize>groups;
    const op = <usize>(out + 4 * r);
    let acc: i32 = (accumulate ? load<i32>(op) : 0) - unbias;
    for (let lp = <usize>lut; wp < wEnd; wp++, lp += <usize>tableBytes)
      acc += <i32>load<i16>(lp + ((<usize>load<u8>(wp)) << 1));
    store<i32>(op, acc);
  }
}
