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

type Ternary = "i2" | "t3";

/** Weights a packed byte holds, and code j (0..2 in a valid byte) of byte b. */
const GROUP = { i2: 4, t3: 5 } as const;
const CODE = {
  i2: (b: number, j: number) => (b >> (2 * j)) & 3,
  t3: (b: number, j: number) => Math.floor(b / 3 ** j) % 3,
};

/** Weight of column c of a row starting at byte rowStart: the ternary weight (code - 1), or the int8 itself. */
const WEIGHT = {
  i2: (w: ArrayLike<number>, rowStart: number, c: number) => CODE.i2(w[rowStart + (c >> 2)], c & 3) - 1,
  t3: (w: ArrayLike<number>, rowStart: number, c: number) => CODE.t3(w[rowStart + Math.floor(c / 5)], c % 5) - 1,
  i8: (w: ArrayLike<number>, rowStart: number, c: number) => w[rowStart + c],
};

/** out i32[rows] = W x for W in `packing` (rows of rowBytes, or cols for i8), x i8[cols], summed in column order. */
function integerMatvec(
  name: string,
  packing: Ternary | "i8",
  w: ArrayLike<number>,
  x: Int8Array,
  rows: number,
  cols: number,
): Int32Array {
  checkShape(name, rows, cols);
  const stride = packing === "i8" ? cols : rowBytes(packing, cols);
  checkLength(name, "w", w.length, rows * stride);
  checkLength(name, "x", x.length, cols);
  const weight = WEIGHT[packing];
  const out = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    let acc = 0;
    for (let c = 0; c < cols; c++) acc += weight(w, r * stride, c) * x[c];
    out[r] = acc;
  }
  return out;
}

/** out i32[rows] = W x, W i2-packed u8[rows][ceil(cols/4)], x i8[cols]. */
export function matvec_i2(w: Uint8Array, x: Int8Array, rows: number, cols: number): Int32Array {
  return integerMatvec("matvec_i2", "i2", w, x, rows, cols);
}

/** out i32[rows] = W x, W t3-packed u8[rows][ceil(cols/5)], x i8[cols]. */
export function matvec_t3(w: Uint8Array, x: Int8Array, rows: number, cols: number): Int32Array {
  return integerMatvec("matvec_t3", "t3", w, x, rows, cols);
}

/** out i32[rows] = W x, W i8[rows][cols], x i8[cols]. */
export function matvec_i8(w: Int8Array, x: Int8Array, rows: number, cols: number): Int32Array {
  return integerMatvec("matvec_i8", "i8", w, x, rows, cols);
}

/** lut i16[groups][entries]: entry b of group g = LUT_BIAS + sum_j (code_j(b) - 1) * x[group * g + j] (x = 0 past
 *  cols), a group being the weights of one packed byte. */
function lutBuild(name: string, packing: Ternary, x: Int8Array, cols: number): Int16Array {
  checkShape(name, 1, cols);
  checkLength(name, "x", x.length, cols);
  const groups = rowBytes(packing, cols);
  const [entries, size, code] = [LUT_ENTRIES[packing], GROUP[packing], CODE[packing]];
  const lut = new Int16Array(groups * entries);
  for (let g = 0; g < groups; g++) {
    for (let b = 0; b < entries; b++) {
      let sum = LUT_BIAS;
      for (let j = 0; j < size; j++) if (size * g + j < cols) sum += (code(b, j) - 1) * x[size * g + j];
      lut[g * entries + b] = sum;
    }
  }
  return lut;
}

/** lut i16[ceil(cols/4)][256]: entry b of group g = LUT_BIAS + sum_j (((b >> 2j) & 3) - 1) * x[4g + j] (x = 0 past cols). */
export function lut_build_i2(x: Int8Array, cols: number): Int16Array {
  return lutBuild("lut_build_i2", "i2", x, cols);
}

/** lut i16[ceil(cols/5)][243]: entry b of group g = LUT_BIAS + sum_j (trit_j(b) - 1) * x[5g + j] (x = 0 past cols). */
export function lut_build_t3(x: Int8Array, cols: number): Int16Array {
  return lutBuild("lut_build_t3", "t3", x, cols);
}

function matvecLut(
  name: string,
  packing: Ternary,
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

/** The table matvec over `packing` bytes, as the wasm export matvec_<packing>_lut: out i32[rows] = (acc ?? 0) +
 *  sum_g (lut[g][w[r * stride + g]] - LUT_BIAS), lut from lut_build_<packing>; stride defaults to packed rows. */
function matvecLutOf(packing: Ternary) {
  const name = `matvec_${packing}_lut`;
  return (
    w: Uint8Array,
    lut: Int16Array,
    rows: number,
    cols: number,
    stride = rowBytes(packing, cols),
    acc?: Int32Array,
  ): Int32Array => matvecLut(name, packing, w, lut, rows, cols, stride, acc);
}

/** out i32[rows] = (acc ?? 0) + sum_g (lut[g][w[r * stride + g]] - LUT_BIAS), lut from lut_build_i2. */
export const matvec_i2_lut = matvecLutOf("i2");

/** out i32[rows] = (acc ?? 0) + sum_g (lut[g][w[r * stride + g]] - LUT_BIAS), lut from lut_build_t3. */
export const matvec_t3_lut = matvecLutOf("t3");

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

/** The RL head's layer (f32_affine): out[r] = b[r] + w[r] . x, each sum starting from its bias and adding the products
 *  in column order, all in f32; with relu, v > 0 or +0 (NaN gives +0). */
export function affine_f32(
  w: Float32Array,
  b: Float32Array,
  x: Float32Array,
  rows: number,
  cols: number,
  relu: boolean,
): Float32Array {
  checkShape("affine_f32", rows, cols);
  checkLength("affine_f32", "w", w.length, rows * cols);
  checkLength("affine_f32", "b", b.length, rows);
  checkLength("affine_f32", "x", x.length, cols);
  const out = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    let acc = b[r];
    for (let c = 0; c < cols; c++) acc = f32(acc + f32(w[r * cols + c] * x[c]));
    out[r] = relu && !(acc > 0) ? 0 : acc;
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
  packing: Ternary | "i8",
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

/** The BitLinear layer over `packing` weights (bytes), as the wasm export bitlinear_<packing>. */
function bitLinearOf(packing: Ternary | "i8") {
  const name = `bitlinear_${packing}`;
  return (w: Uint8Array, scales: Float32Array, x: Float32Array, rows: number, cols: number): Float32Array =>
    bitLinear(name, packing, w, scales, x, rows, cols);
}

/** y f32[rows] = BitLinear(x): int8 activations, i2 ternary matvec, y = f32(f32(acc) * f32(gamma / s)). */
export const bitlinear_i2 = bitLinearOf("i2");

/** y f32[rows] = BitLinear(x): int8 activations, t3 ternary matvec, y = f32(f32(acc) * f32(gamma / s)). */
export const bitlinear_t3 = bitLinearOf("t3");

/** y f32[rows] = the same layer with int8 weights w i8[rows][cols] (as bytes): y = f32(f32(acc) * f32(gamma / s)). */
export const bitlinear_i8 = bitLinearOf("i8");

/** Scratch bytes the wasm bitlinear kernels need for `cols` inputs (bitlinear_*_scratch exports). */
export function bitlinearScratchBytes(packing: "i2" | "t3" | "i8", cols: number): number {
  const xq = (cols + 3) & ~3;
  if (packing === "i8") return xq;
  return packing === "i2" ? xq + rowBytes("i2", cols) * 512 : xq + rowBytes("t3", cols) * 486 + 26;
}
