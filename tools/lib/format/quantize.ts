// BitNet b1.58 quantizers, the TypeScript reference (exact rules in docs/format.md, "Quantization rules").
// Weights: absmean ternary. Activations: per-token absmax int8, computed in f32 step by step so that the
// AssemblyScript kernels (f32 in wasm) give the same bytes.
import { BitrlError } from "../util/errors.ts";

/** Added to the absmean scale before dividing, so an all-zero tensor quantizes to zeros. */
export const ABSMEAN_EPS = 1e-5;

const f32 = Math.fround;

/** Round to nearest, ties to even (IEEE roundTiesToEven, WebAssembly `nearest`, numpy `round`). */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** gamma = mean(|w|) over w[start, end), summed in f64 in index order, rounded once to f32. */
export function absmeanScale(w: ArrayLike<number>, start = 0, end = w.length): number {
  let sum = 0;
  for (let i = start; i < end; i++) sum += Math.abs(w[i]);
  return end > start ? f32(sum / (end - start)) : 0;
}

/** q = clamp(roundHalfEven(w / (gamma + eps)), -1, 1), the division in f64. */
export function ternarize(w: number, gamma: number): number {
  const q = roundHalfEven(w / (gamma + ABSMEAN_EPS));
  return q > 1 ? 1 : q < -1 ? -1 : q;
}

export interface TernaryWeights {
  /** (rows, cols) row-major, values in {-1, 0, 1} */
  q: Int8Array;
  /** (1) for per-tensor scale, (rows) for per-row; dequantized weight = q * scale */
  scales: Float32Array;
}

/** Absmean ternarization of a (rows, cols) matrix, one scale per tensor or per row. */
export function quantizeTernary(w: Float32Array, rows: number, cols: number, scale: "tensor" | "row"): TernaryWeights {
  if (w.length !== rows * cols)
    throw new BitrlError(`quantizeTernary: ${w.length} values for shape (${rows}, ${cols})`);
  const q = new Int8Array(rows * cols);
  const scales = new Float32Array(scale === "row" ? rows : 1);
  if (scale === "tensor") scales[0] = absmeanScale(w);
  for (let r = 0; r < rows; r++) {
    const gamma = scale === "row" ? (scales[r] = absmeanScale(w, r * cols, (r + 1) * cols)) : scales[0];
    for (let c = 0; c < cols; c++) q[r * cols + c] = ternarize(w[r * cols + c], gamma);
  }
  return { q, scales };
}

export interface Int8Weights {
  /** row-major values in [-127, 127] */
  q: Int8Array;
  /** (1) or (rows); dequantized weight = q * scale, scale = absmax / 127 in f32 */
  scales: Float32Array;
}

/** Symmetric absmax int8 for non-ternary tensors kept as int8 (embeddings, heads): scale = absmax / 127. */
export function quantizeInt8(w: Float32Array, rows: number, cols: number, scale: "tensor" | "row"): Int8Weights {
  if (w.length !== rows * cols) throw new BitrlError(`quantizeInt8: ${w.length} values for shape (${rows}, ${cols})`);
  const q = new Int8Array(rows * cols);
  const groups = scale === "row" ? rows : 1;
  const per = scale === "row" ? cols : rows * cols;
  const scales = new Float32Array(groups);
  for (let g = 0; g < groups; g++) {
    let amax = 0;
    for (let i = g * per; i < (g + 1) * per; i++) amax = Math.max(amax, Math.abs(w[i]));
    const s = (scales[g] = f32(amax / 127));
    for (let i = g * per; i < (g + 1) * per; i++) {
      const v = s === 0 ? 0 : roundHalfEven(w[i] / s);
      q[i] = v > 127 ? 127 : v < -127 ? -127 : v;
    }
  }
  return { q, scales };
}

/** q * scale per element, scale chosen per row when there are `rows` scales. Result in f32. */
export function dequantize(q: Int8Array, scales: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const s = scales.length === 1 ? scales[0] : scales[r];
    for (let c = 0; c < cols; c++) out[r * cols + c] = q[r * cols + c] * s;
  }
  return out;
}

export interface Int8Activations {
  /** (n) int8 values */
  q: Int8Array;
  /** s = 127 / max|x| in f32; 0 when x is all zeros. Real value = q / s. */
  scale: number;
}

/**
 * Per-token absmax int8 of one activation vector, every step in f32 (bit-exact with the wasm kernel):
 * amax = max|x|; s = f32(127 / amax); q = clamp(roundHalfEven(f32(x * s)), -128, 127).
 */
export function quantizeActivations(x: Float32Array): Int8Activations {
  let amax = 0;
  for (let i = 0; i < x.length; i++) {
    const a = Math.abs(x[i]);
    if (a > amax) amax = a;
  }
  const q = new Int8Array(x.length);
  if (amax === 0) return { q, scale: 0 };
  const s = f32(127 / amax);
  for (let i = 0; i < x.length; i++) {
    const v = roundHalfEven(f32(x[i] * s));
    q[i] = v > 127 ? 127 : v < -128 ? -128 : v;
  }
  return { q, scale: s };
}

/** BitLinear output scaling: y = f32(f32(acc) * f32(gamma / s)); 0 when s is 0. */
export function bitLinearScale(acc: number, gamma: number, s: number): number {
  if (s === 0) return 0;
  return f32(f32(acc) * f32(gamma / s));
}
