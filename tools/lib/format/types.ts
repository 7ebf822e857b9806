// The in-memory model blob: what tools/lib/format/blob.ts reads and writes (byte layout in docs/format.md).

/** How a tensor's values are stored. */
export type Packing =
  | "f32" // little-endian float32
  | "i32" // little-endian int32 (configuration, token tables)
  | "i8" // int8, value = q * scale
  | "i2" // ternary, 2-bit codes, 4 per byte, value = q * scale
  | "t3"; // ternary, base-3, 5 per byte, value = q * scale

export interface BlobTensor {
  /** 1..47 bytes of UTF-8, unique in the blob, e.g. "layers.0.attn.wq" */
  name: string;
  /** 1..4 dims, each >= 1; i2 and t3 tensors are 2-D (rows, cols) */
  shape: number[];
  packing: Packing;
  /** the packed bytes exactly as stored */
  data: Uint8Array;
  /**
   * empty for f32/i32; one scale (per tensor) or shape[0] scales (per row) for i8/i2/t3. The count is the layout:
   * one scale is written as per tensor (scale_kind 1), so a 1-row per-row tensor reads back as per tensor.
   */
  scales: Float32Array;
}

export interface Blob {
  /** format version, 1 */
  version: number;
  /** free-form JSON object (model card fields, training settings); the device never reads it */
  meta: Record<string, unknown>;
  tensors: BlobTensor[];
}
