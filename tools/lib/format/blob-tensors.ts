// Blob tensors from f32 values (each packing) and back to dequantized f32, plus the statistics `bitrl inspect` shows.
import { dataBytesFor } from "./blob.ts";
import { BitrlError } from "../util/errors.ts";
import { packTernary, unpackTernary } from "./ternary-packing.ts";
import { quantizeInt8, quantizeTernary } from "./quantize.ts";
import type { Blob, BlobTensor, Packing } from "./types.ts";

export type ScaleLayout = "tensor" | "row";

const numel = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

function checkShape(name: string, shape: readonly number[], count: number): void {
  if (shape.length < 1 || shape.length > 4 || shape.some((d) => !Number.isInteger(d) || d < 1)) {
    throw new BitrlError(`tensor '${name}': shape [${shape}] must have 1..4 dims, each an integer >= 1`);
  }
  if (numel(shape) !== count) throw new BitrlError(`tensor '${name}': ${count} values for shape [${shape}]`);
}

function checkFinite(name: string, w: Float32Array): void {
  for (let i = 0; i < w.length; i++) {
    if (!Number.isFinite(w[i])) throw new BitrlError(`tensor '${name}': value ${w[i]} at index ${i} is not finite`);
  }
}

/** Absmean ternary (BitNet b1.58) of a (rows, cols) matrix, packed as i2 or t3, one scale per tensor or per row. */
export function ternaryTensor(
  name: string,
  rows: number,
  cols: number,
  w: Float32Array,
  opts: { packing: "i2" | "t3"; scale: ScaleLayout },
): BlobTensor {
  checkShape(name, [rows, cols], w.length);
  checkFinite(name, w);
  const { q, scales } = quantizeTernary(w, rows, cols, opts.scale);
  return { name, shape: [rows, cols], packing: opts.packing, data: packTernary(q, rows, cols, opts.packing), scales };
}

/** Symmetric absmax int8; per row means one scale per shape[0] slice. */
export function int8Tensor(name: string, shape: number[], w: Float32Array, scale: ScaleLayout): BlobTensor {
  checkShape(name, shape, w.length);
  checkFinite(name, w);
  const rows = shape[0];
  const { q, scales } = quantizeInt8(w, rows, w.length / rows, scale);
  return { name, shape: [...shape], packing: "i8", data: new Uint8Array(q.buffer, q.byteOffset, q.length), scales };
}

/** Values kept exactly as little-endian f32. */
export function f32Tensor(name: string, shape: number[], w: Float32Array): BlobTensor {
  checkShape(name, shape, w.length);
  const data = new Uint8Array(4 * w.length); // (numel) f32 LE
  const v = new DataView(data.buffer);
  for (let i = 0; i < w.length; i++) v.setFloat32(4 * i, w[i], true);
  return { name, shape: [...shape], packing: "f32", data, scales: new Float32Array(0) };
}

/** Integers (configuration, token tables) as little-endian i32. */
export function i32Tensor(name: string, shape: number[], values: ArrayLike<number>): BlobTensor {
  checkShape(name, shape, values.length);
  const data = new Uint8Array(4 * values.length); // (numel) i32 LE
  const v = new DataView(data.buffer);
  for (let i = 0; i < values.length; i++) {
    const x = values[i];
    if (!Number.isInteger(x) || x < -(2 ** 31) || x >= 2 ** 31)
      throw new BitrlError(`tensor '${name}': value ${x} at index ${i} is not an int32`);
    v.setInt32(4 * i, x, true);
  }
  return { name, shape: [...shape], packing: "i32", data, scales: new Float32Array(0) };
}

/** The {-1, 0, 1} codes of an i2/t3 tensor, (rows, cols) row-major. */
export function ternaryCodes(t: BlobTensor): Int8Array {
  if (t.packing !== "i2" && t.packing !== "t3") throw new BitrlError(`tensor '${t.name}' is ${t.packing}, not ternary`);
  try {
    return unpackTernary(t.data, t.shape[0], t.shape[1], t.packing);
  } catch (e) {
    throw new BitrlError(`tensor '${t.name}': ${(e as Error).message}`);
  }
}

/** Dequantized values in f32: q * scale for i8/i2/t3 (per tensor or per row), f32 as stored, i32 converted. */
export function tensorValues(t: BlobTensor): Float32Array {
  const n = numel(t.shape);
  if (t.data.length !== dataBytesFor(t.packing, t.shape))
    throw new BitrlError(`tensor '${t.name}': data size does not match ${t.packing} [${t.shape}]`);
  const out = new Float32Array(n); // (numel)
  const v = new DataView(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  if (t.packing === "f32") for (let i = 0; i < n; i++) out[i] = v.getFloat32(4 * i, true);
  else if (t.packing === "i32") for (let i = 0; i < n; i++) out[i] = v.getInt32(4 * i, true);
  else {
    const q = t.packing === "i8" ? new Int8Array(t.data.buffer, t.data.byteOffset, n) : ternaryCodes(t);
    const rows = t.shape[0];
    const per = n / rows;
    if (t.scales.length !== 1 && t.scales.length !== rows)
      throw new BitrlError(`tensor '${t.name}': ${t.scales.length} scales for ${rows} rows`);
    for (let r = 0; r < rows; r++) {
      const s = t.scales.length === 1 ? t.scales[0] : t.scales[r];
      for (let i = r * per; i < (r + 1) * per; i++) out[i] = q[i] * s; // one f32 rounding of an exact product
    }
  }
  return out;
}

export interface TensorStats {
  name: string;
  shape: number[];
  packing: Packing;
  /** data + scale bytes */
  bytes: number;
  scale: "none" | ScaleLayout;
  /** 8 * bytes / numel */
  bits_per_weight: number;
}

export interface BlobStats {
  version: number;
  /** the file's size */
  bytes: number;
  /** the same tensors stored as fp32 (4 bytes per element) */
  fp32_bytes: number;
  /** fp32_bytes / bytes (whole file, header and metadata included) */
  ratio_vs_fp32: number;
  /** over the ternary (i2/t3) tensors only: 8 * (data + scale bytes) / weights; null when there are none */
  bits_per_weight: number | null;
  tensors: TensorStats[];
  meta: Record<string, unknown>;
}

/** What `bitrl inspect --json` prints. `fileBytes` is the encoded size (the file's length). */
export function inspectBlob(blob: Blob, fileBytes: number): BlobStats {
  let fp32 = 0;
  let ternaryBytes = 0;
  let ternaryWeights = 0;
  const tensors = blob.tensors.map((t): TensorStats => {
    const n = numel(t.shape);
    const bytes = t.data.length + 4 * t.scales.length;
    fp32 += 4 * n;
    if (t.packing === "i2" || t.packing === "t3") {
      ternaryBytes += bytes;
      ternaryWeights += n;
    }
    const scale = t.scales.length === 0 ? "none" : t.scales.length === 1 ? "tensor" : "row";
    return { name: t.name, shape: [...t.shape], packing: t.packing, bytes, scale, bits_per_weight: (8 * bytes) / n };
  });
  return {
    version: blob.version,
    bytes: fileBytes,
    fp32_bytes: fp32,
    ratio_vs_fp32: fp32 / fileBytes,
    bits_per_weight: ternaryWeights ? (8 * ternaryBytes) / ternaryWeights : null,
    tensors,
    meta: blob.meta,
  };
}
