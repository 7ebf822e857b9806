// Named f32 tensors (from safetensors today, GGUF later) -> a Blob: 2-D tensors become ternary, others are kept.
import { BLOB_VERSION } from "./blob.ts";
import { BitrlError } from "../util/errors.ts";
import { readSafetensors, readSafetensorsMetadata } from "./safetensors.ts";
import { f32Tensor, int8Tensor, ternaryTensor, type ScaleLayout } from "./blob-tensors.ts";
import type { Blob, BlobTensor } from "./types.ts";

export interface PackOptions {
  /** packing of the 2-D (ternary) tensors */
  packing: "i2" | "t3";
  /** one absmean scale per tensor or per row, for the ternary tensors */
  scale: ScaleLayout;
  /** how tensors that are not 2-D are kept: int8 (absmax, one scale per tensor) or fp32 */
  keep: "int8" | "fp32";
}

export const DEFAULT_PACK_OPTIONS: PackOptions = { packing: "i2", scale: "tensor", keep: "fp32" };

export interface NamedTensor {
  name: string;
  /** dims, outermost first */
  shape: number[];
  /** (numel) row-major */
  values: Float32Array;
}

/** Quantizes and packs each tensor by the rules above; `meta` is stored with the settings added. */
export function tensorsToBlob(list: NamedTensor[], opts: PackOptions, meta: Record<string, unknown> = {}): Blob {
  if (list.length === 0) throw new BitrlError("no tensors to pack");
  const tensors = list.map((t): BlobTensor => {
    if (t.shape.length < 1 || t.shape.length > 4) {
      throw new BitrlError(`tensor '${t.name}': ${t.shape.length}-D shape [${t.shape}] (a blob holds 1..4-D tensors)`);
    }
    if (t.shape.some((d) => d < 1))
      throw new BitrlError(`tensor '${t.name}': empty shape [${t.shape}] (a blob holds no empty tensors)`);
    if (t.shape.length === 2)
      return ternaryTensor(t.name, t.shape[0], t.shape[1], t.values, { packing: opts.packing, scale: opts.scale });
    return opts.keep === "int8"
      ? int8Tensor(t.name, t.shape, t.values, "tensor")
      : f32Tensor(t.name, t.shape, t.values);
  });
  const settings = { packing: opts.packing, scale: opts.scale, keep: opts.keep, quantizer: "absmean-ternary-eps1e-5" };
  return { version: BLOB_VERSION, meta: { ...meta, bitrl_pack: settings }, tensors };
}

/** A safetensors file (F32/F16/BF16) -> Blob; `source` (a file name) and the file's __metadata__ go into meta. */
export function safetensorsToBlob(bytes: Uint8Array, opts: PackOptions, source?: string): Blob {
  const list = readSafetensors(bytes);
  const srcMeta = readSafetensorsMetadata(bytes);
  const meta: Record<string, unknown> = {};
  if (source) meta.source = source;
  if (Object.keys(srcMeta).length) meta.source_metadata = srcMeta;
  return tensorsToBlob(list, opts, meta);
}
