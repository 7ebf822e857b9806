// BitLinear (BitNet b1.58): quantize activations to int8, LUT ternary matvec in int32, one f32 scale per output
// (and the same layer with int8 weights, bitlinear_i8: the int8 baseline's whole layer, for fair comparisons).
// y[r] = f32(f32(acc[r]) * f32(gamma_r / s)), 0 when s = 0 (bitLinearScale in tools/lib/quantize.ts).
import { checkDim, checkRange, trap } from "./check";
import { quantizeActInto } from "./act";
import {
  I2_TABLE_BYTES,
  T3_TABLE_BYTES,
  T3_TABLE_SLACK,
  lut_build_i2,
  lut_build_t3,
  matvec_i2_lut,
  matvec_t3_lut,
} from "./lut";
import { matvec_i8, packedRowBytes } from "./plain";

// Scratch layout: xq i8[align4(cols)], then the tables.
// @ts-ignore: decorator
@inline function lutOffset(cols: i32): i32 {
  return (cols + 3) & ~3;
}

/** Scratch bytes bitlinear_i2 needs for `cols` inputs: align4(cols) + 512 * ceil(cols/4). */
export function bitlinear_i2_scratch(cols: i32): i32 {
  checkDim(cols, "bitlinear_i2_scratch: cols must be 1..2^24");
  return lutOffset(cols) + packedRowBytes(cols, 4) * I2_TABLE_BYTES;
}

/** Scratch bytes bitlinear_t3 needs for `cols` inputs: align4(cols) + 486 * ceil(cols/5) + 26. */
export function bitlinear_t3_scratch(cols: i32): i32 {
  checkDim(cols, "bitlinear_t3_scratch: cols must be 1..2^24");
  return lutOffset(cols) + packedRowBytes(cols, 5) * T3_TABLE_BYTES + T3_TABLE_SLACK;
}

// The weight kinds of the three layers.
const I2: i32 = 0,
  T3: i32 = 1,
  I8: i32 = 2;

// out holds acc i32[rows] on entry and y f32[rows] on return.
function scaleRows(out: i32, rows: i32, scales: i32, nscales: i32, s: f32): void {
  for (let r = 0; r < rows; r++) {
    const p = <usize>(out + 4 * r);
    const gamma = load<f32>(<usize>(scales + (nscales == 1 ? 0 : 4 * r)));
    store<f32>(p, s == 0 ? <f32>0 : <f32>load<i32>(p) * (gamma / s));
  }
}

// The three layers: entry checks (scales f32[nscales] with nscales 1 (per tensor) or rows (per row), x f32[cols],
// out f32[rows], scratch u8[the kind's scratch bytes]), quantize x into scratch, the kind's integer product (the
// ternary ones through tables after xq), per-row rescale.
function bitLinear(
  kind: i32,
  w: i32,
  scales: i32,
  nscales: i32,
  x: i32,
  out: i32,
  rows: i32,
  cols: i32,
  scratch: i32,
): void {
  const message =
    kind == I2
      ? "bitlinear_i2: bad shape, nscales (1 or rows), or a range outside memory"
      : kind == T3
        ? "bitlinear_t3: bad shape, nscales (1 or rows), or a range outside memory"
        : "bitlinear_i8: bad shape, nscales (1 or rows), or a range outside memory";
  checkDim(rows, message);
  checkDim(cols, message);
  if (nscales != 1 && nscales != rows) trap(message);
  checkRange(scales, <u64>nscales * 4, message);
  checkRange(x, <u64>cols * 4, message);
  checkRange(out, <u64>rows * 4, message);
  const scratchBytes =
    kind == I2 ? bitlinear_i2_scratch(cols) : kind == T3 ? bitlinear_t3_scratch(cols) : bitlinear_i8_scratch(cols);
  checkRange(scratch, <u64>scratchBytes, message);
  const s = quantizeActInto(<usize>x, cols, <usize>scratch);
  const lut = scratch + lutOffset(cols);
  if (kind == T3) {
    lut_build_t3(scratch, cols, lut);
    matvec_t3_lut(w, lut, out, rows, cols, packedRowBytes(cols, 5), 0);
  } else if (kind == I2) {
    lut_build_i2(scratch, cols, lut);
    matvec_i2_lut(w, lut, out, rows, cols, packedRowBytes(cols, 4), 0);
  } else matvec_i8(w, scratch, out, rows, cols);
  scaleRows(out, rows, scales, nscales, s);
}

// Exported by the list below: declared without `export`, each signature fits one line.

/** y f32[rows] = BitLinear(x f32[cols]), w u8[rows][ceil(cols/4)] (i2), scratch u8[bitlinear_i2_scratch(cols)]. */
function bitlinear_i2(w: i32, scales: i32, nscales: i32, x: i32, out: i32, rows: i32, cols: i32, scratch: i32): void {
  bitLinear(I2, w, scales, nscales, x, out, rows, cols, scratch);
}

/** y f32[rows] = BitLinear(x f32[cols]), w u8[rows][ceil(cols/5)] (t3), scratch u8[bitlinear_t3_scratch(cols)]. */
function bitlinear_t3(w: i32, scales: i32, nscales: i32, x: i32, out: i32, rows: i32, cols: i32, scratch: i32): void {
  bitLinear(T3, w, scales, nscales, x, out, rows, cols, scratch);
}

/** Scratch bytes bitlinear_i8 needs for `cols` inputs: align4(cols) (the int8 activations). */
export function bitlinear_i8_scratch(cols: i32): i32 {
  checkDim(cols, "bitlinear_i8_scratch: cols must be 1..2^24");
  return lutOffset(cols);
}

/**
 * y f32[rows] = the same layer with int8 weights w i8[rows][cols] (absmax-quantized, scales f32[nscales], 1 or
 * rows): quantize x to int8, matvec_i8 in int32, y = f32(f32(acc) * f32(gamma_r / s)). scratch u8[align4(cols)].
 */
function bitlinear_i8(w: i32, scales: i32, nscales: i32, x: i32, out: i32, rows: i32, cols: i32, scratch: i32): void {
  bitLinear(I8, w, scales, nscales, x, out, rows, cols, scratch);
}

export { bitlinear_i2, bitlinear_t3, bitlinear_i8 };
