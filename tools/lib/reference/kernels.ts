// TypeScript reference twins of the wasm kernels (assembly/kernels/), same names and the same integer results;
// float kernels repeat the wasm's f32 steps in the same order. Pure: no I/O. Formulas in docs/kernels.md.
import { BitrlError } from "../util/errors.ts";
import { bitLinearScale, quantizeActivations, type Int8Activations } from "../format/quantize.ts";
import { rowBytes } from "../format/ternary-packing.ts";

const f32 = Math.fround;

/** RMSNorm epsilon as the wasm kernel uses it (an f32 constant). */
export const RMSNORM_EPS = f32(1e-5);

/** Added to every table entry so entries are >= 0 (the wasm build packs two per i32); matvecs subtract it per group. */
export const LUT_BIAS = 1024;

/** Table entries per group: 256 (i2, every byte value) and 243 (t3, valid bytes only). */
export const LUT_ENTRIES = { i2: 256, t3: 243 } as const;

function checkShape(name: string, rows: number, cols: number): void {
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 1 || cols < 1) {
    throw new BitrlError(`${name}: shape (${rows}, ${cols}) must be positive integers`);
  }
}

function checkLength(name: string, what: string, got: number, want: number): void {
  if (got < want) throw new BitrlError(`${name}: ${what} has ${got} elements, needs ${want}`);
}

/** Ternary weight (code - 1) of column c (0-based within the row's bytes) from packed row bytes. */
function i2Weight(w: Uint8Array, rowStart: number, c: number): number {
  return ((w[rowStart + (c >> 2)] >> (2 * (c & 3))) & 3) - 1;
}

function t3Weight(w: Uint8Array, rowStart: number, c: number): number {
  const byte = w[rowStart + Math.floor(c / 5)];
  return (Math.floor(byte / 3 ** (c % 5)) % 3) - 1;
}

/** out i32[rows] = W x, W i2-packed u8[rows][ceil(cols/4)], x i8[cols]. */
export function matvec_i2(w: Uint8Array, x: Int8Array, rows: number, cols: number): Int32Array {
  checkShape("matvec_i2", rows, cols);
  const stride = rowBytes("i2", cols);
  checkLength("matvec_i2", "w", w.length, rows * stride);
  checkLength("matvec_i2", "x", x.length, cols);
  const out = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    let acc = 0;
    for (let c = 0; c < cols; c++) acc += i2Weight(w, r * stride, c) * x[c];
    out[r] = acc;
  }
  return out;
}

/** out i32[rows] = W x, W t3-packed u8[rows][ceil(cols/5)], x i8[cols]. */
export function matvec_t3(w: Uint8Array, x: Int8Array, rows: number, cols: number): Int32Array {
  checkShape("matvec_t3", rows, cols);
  const stride = rowBytes("t3", cols);
  checkLength("matvec_t3", "w", w.length, rows * stride);
  checkLength("matvec_t3", "x", x.length, cols);
  const out = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    let acc = 0;
    for (let c = 0; c < cols; c++) acc += t3Weight(w, r * stride, c) * x[c];
    out[r] = acc;
  }
  return out;
}

/** lut i16[ceil(cols/4)][256]: entry b of group g = LUT_BIAS + sum_j (((b >> 2j) & 3) - 1) * x[4g + j] (x = 0 past cols). */
export function lut_build_i2(x: Int8Array, cols: number): Int16Array {
  checkShape("lut_build_i2", 1, cols);
  checkLength("lut_build_i2", "x", x.length, cols);
  const groups = rowBytes("i2", cols);
  const lut = new Int16Array(groups * 256);
  for (let g = 0; g < groups; g++) {
    for (let b = 0; b < 256; b++) {
      let sum = LUT_BIAS;
      for (let j = 0; j < 4; j++) if (4 * g + j < cols) sum += (((b >> (2 * j)) & 3) - 1) * x[4 * g + j];
      lut[g * 256 + b] = sum;
    }
  }
  return lut;
}

/** lut i16[ceil(cols/5)][243]: entry b of group g = LUT_BIAS + sum_j (trit_j(b) - 1) * x[5g + j] (x = 0 past cols). */
export function lut_build_t3(x: Int8Array, cols: number): Int16Array {
  checkShape("lut_build_t3", 1, cols);
  checkLength("lut_build_t3", "x", x.length, cols);
  const groups = rowBytes("t3", cols);
  const lut = new Int16Array(groups * 243);
  for (let g = 0; g < groups; g++) {
    for (let b = 0; b < 243; b++) {
      let sum = LUT_BIAS;
      for (let j = 0; j < 5; j++) if (5 * g + j < cols) sum += ((Math.floor(b / 3 ** j) % 3) - 1) * x[5 * g + j];
      lut[g * 243 + b] = sum;
    }
  }
  return lut;
}

function matvecLut(
  name: string,
  packing: "i2" | "t3",
  w: Uint8Array,
  lut: Int16Array,
  rows: number,
  cols: number,
  stride: number,
  acc: Int32Array | undefined,
): Int32Array {
  checkShape(name, rows, cols);
  const groups = rowBytes(packing, cols);
  const entries = LUT_ENTRIES[packing];
  if (!Number.isInteger(stride) || stride < groups)
    throw new BitrlError(`${name}: stride ${stride} < ${groups} bytes per row`);
  checkLength(name, "w", w.length, (rows - 1) * stride + groups);
  checkLength(name, "lut", lut.length, groups * entries);
  if (acc) checkLength(name, "acc", acc.length, rows);
  const out = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    let sum = (acc ? acc[r] : 0) - groups * LUT_BIAS;
    for (let g = 0; g < groups; g++) {
      const byte = w[r * stride + g];
      if (byte >= entries) throw new BitrlError(`${name}: ${packing} byte ${byte} at row ${r}, byte ${g} is invalid`);
      sum += lut[g * entries + byte];
    }
    out[r] = sum | 0;
  }
  return out;
}

/** out i32[rows] = (acc ?? 0) + sum_g (lut[g][w[r * stride + g]] - LUT_BIAS), lut from lut_build_i2. */
export function matvec_i2_lut(
  w: Uint8Array,
  lut: Int16Array,
  rows: number,
  cols: number,
  stride = rowBytes("i2", cols),
  acc?: Int32Array,
): Int32Array {
  return matvecLut("matvec_i2_lut", "i2", w, lut, rows, cols, stride, acc);
}

/** out i32[rows] = (acc ?? 0) + sum_g (lut[g][w[r * stride + g]] - LUT_BIAS), lut from lut_build_t3. */
export function matvec_t3_lut(
  w: Uint8Array,
  lut: Int16Array,
  rows: number,
  cols: number,
  stride = rowBytes("t3", cols),
  acc?: Int32Array,
): Int32Array {
  return matvecLut("matvec_t3_lut", "t3", w, lut, rows, cols, stride, acc);
}

/** out i32[rows] = W x, W i8[rows][cols], x i8[cols]. */
export function matvec_i8(w: Int8Array, x: Int8Array, rows: number, cols: number): Int32Array {
  checkShape("matvec_i8", rows, cols);
  checkLength("matvec_i8", "w", w.length, rows * cols);
  checkLength("matvec_i8", "x", x.length, cols);
  const out = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    let acc = 0;
    for (let c = 0; c < cols; c++) acc += w[r * cols + c] * x[c];
    out[r] = acc;
  }
  return out;
}

/** out f32[rows] = W x in f32, summed in column order (as the wasm kernel). */
export function matvec_f32(w: Float32Array, x: Float32Array, rows: number, cols: number): Float32Array {
  checkShape("matvec_f32", rows, cols);
  checkLength("matvec_f32", "w", w.length, rows * cols);
  checkLength("matvec_f32", "x", x.length, cols);
  const out = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    let acc = 0;
    for (let c = 0; c < cols; c++) acc = f32(acc + f32(w[r * cols + c] * x[c]));
    out[r] = acc;
  }
  return out;
}

/** out[i] = f32(f32(x[i] * inv) * weight[i]), inv = f32(1 / sqrt(f32(f32(sum x^2) / n) + eps)), all in f32. */
export function rmsnorm_f32(x: Float32Array, weight: Float32Array): Float32Array {
  const n = x.length;
  checkShape("rmsnorm_f32", 1, n);
  checkLength("rmsnorm_f32", "weight", weight.length, n);
  let ss = 0;
  for (let i = 0; i < n; i++) ss = f32(ss + f32(x[i] * x[i]));
  const inv = f32(1 / f32(Math.sqrt(f32(f32(ss / n) + RMSNORM_EPS))));
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = f32(f32(x[i] * inv) * weight[i]);
  return out;
}

/** Per-token absmax int8 (quantizeActivations in tools/lib/format/quantize.ts). */
export function quantize_act(x: Float32Array): Int8Activations {
  checkShape("quantize_act", 1, x.length);
  return quantizeActivations(x);
}

function bitLinear(
  name: string,
  packing: "i2" | "t3" | "i8",
  w: Uint8Array,
  scales: Float32Array,
  x: Float32Array,
  rows: number,
  cols: number,
): Float32Array {
  checkShape(name, rows, cols);
  if (scales.length !== 1 && scales.length !== rows)
    throw new BitrlError(`${name}: ${scales.length} scales, need 1 or ${rows}`);
  checkLength(name, "x", x.length, cols);
  const { q, scale } = quantizeActivations(x.subarray(0, cols));
  const acc =
    packing === "i2"
      ? matvec_i2(w, q, rows, cols)
      : packing === "t3"
        ? matvec_t3(w, q, rows, cols)
        : matvec_i8(new Int8Array(w.buffer, w.byteOffset, w.length), q, rows, cols);
  const out = new Float32Array(rows);
  for (let r = 0; r < rows; r++) out[r] = bitLinearScale(acc[r], scales.length === 1 ? scales[0] : scales[r], scale);
  return out;
}

/** y f32[rows] = BitLinear(x): int8 activations, i2 ternary matvec, y = f32(f32(acc) * f32(gamma / s)). */
export function bitlinear_i2(
  w: Uint8Array,
  scales: Float32Array,
  x: Float32Array,
  rows: number,
  cols: number,
): Float32Array {
  return bitLinear("bitlinear_i2", "i2", w, scales, x, rows, cols);
}

/** y f32[rows] = BitLinear(x): int8 activations, t3 ternary matvec, y = f32(f32(acc) * f32(gamma / s)). */
export function bitlinear_t3(
  w: Uint8Array,
  scales: Float32Array,
  x: Float32Array,
  rows: number,
  cols: number,
): Float32Array {
  return bitLinear("bitlinear_t3", "t3", w, scales, x, rows, cols);
}

/** y f32[rows] = the same layer with int8 weights w i8[rows][cols] (as bytes): y = f32(f32(acc) * f32(gamma / s)). */
export function bitlinear_i8(
  w: Uint8Array,
  scales: Float32Array,
  x: Float32Array,
  rows: number,
  cols: number,
): Float32Array {
  return bitLinear("bitlinear_i8", "i8", w, scales, x, rows, cols);
}

/** Scratch bytes the wasm bitlinear kernels need for `cols` inputs (bitlinear_*_scratch exports). */
export function bitlinearScratchBytes(packing: "i2" | "t3" | "i8", cols: number): number {
  const xq = (cols + 3) & ~3;
  if (packing === "i8") return xq;
  return packing === "i2" ? xq + rowBytes("i2", cols) * 512 : xq + rowBytes("t3", cols) * 486 + 26;
}
