// bitrl Blob -> GGUF v3: i2/t3 tensors as ggml TQ2_0/TQ1_0 blocks, the rest as F32/F16/BF16/I32, with a report of
// every value f16 could not hold exactly. Pure, no I/O. Mapping rules (and why) in docs/gguf.md.
import { BitrlError } from "../../util/errors.ts";
import { bf16ToF32, f16ToF32, f32Bytes, f32ToBf16, f32ToF16, readF32 } from "../floats.ts";
import { unpackTernary } from "../ternary-packing.ts";
import type { Blob } from "../types.ts";
import { GGML, shown, writeGguf, type GgufFile, type GgufTensor, type GgufValue } from "./container.ts";
import { kvFromJson, type BitrlTensorRecord, type GgufTensorRecord } from "./metadata.ts";
import { encodeTernaryBlocks, isZeroBlock, QK } from "./tq.ts";

export interface GgufExportOptions {
  /** type of ternary tensors; default: the type recorded when the blob came from GGUF, else tq2_0 */
  ternaryType?: "tq1_0" | "tq2_0";
  /** type of f32 tensors; default: the type recorded when the blob came from GGUF, else f32 */
  floatType?: "f32" | "f16";
  /** ternary tensors whose row length is not a multiple of 256: "error" (default) or "f32" (exact values q * scale) */
  oddRows?: "error" | "f32";
  /** refuse any rounding (f32 scales to f16 block scales, f32 values to f16/bf16) instead of reporting it */
  exact?: boolean;
  /** general.architecture; default: recorded, else meta.architecture, else "bitrl" */
  architecture?: string;
  /** general.name; default: recorded, else meta.name, else defaultName, else not written */
  name?: string;
  /** general.name when nothing else names the model (the CLI passes the file name) */
  defaultName?: string;
}

export interface GgufExportReport {
  tensors: { name: string; type: string }[];
  /** ternary scales that f16 could not hold exactly (the exact values are kept in bitrl.tensors) */
  roundedScales: number;
  /** largest relative error of a rounded scale */
  maxScaleRelError: number;
  /** f32 values rounded to f16/bf16 */
  roundedValues: number;
}

const FILE_TYPE = { tq1_0: 36, tq2_0: 37 } as const; // llama.h LLAMA_FTYPE_MOSTLY_TQ1_0 / _TQ2_0

function recordedTensors(meta: Record<string, unknown>): Record<string, GgufTensorRecord> {
  const g = meta.gguf as { tensors?: unknown } | undefined;
  if (g === undefined) return {};
  if (typeof g !== "object" || g === null) throw new BitrlError("meta.gguf must be an object");
  const t = g.tensors;
  if (t === undefined) return {};
  if (typeof t !== "object" || t === null || Array.isArray(t))
    throw new BitrlError("meta.gguf.tensors must be an object");
  return t as Record<string, GgufTensorRecord>;
}

/**
 * bitrl Blob -> GGUF v3 file: i2/t3 tensors as TQ2_0/TQ1_0 blocks (values exact; f32 scales rounded to f16 and
 * reported), f32 as F32/F16/BF16, i32 as I32, i8 as F32 values q * scale. Writes general.architecture,
 * general.name, general.alignment, general.quantization_version, general.file_type and bitrl.* keys.
 */
export function blobToGguf(blob: Blob, opts: GgufExportOptions = {}): { file: GgufFile; report: GgufExportReport } {
  const meta = blob.meta ?? {};
  const recorded = recordedTensors(meta);
  const gmeta = meta.gguf as { kv?: unknown } | undefined;
  const kv = gmeta?.kv === undefined ? new Map<string, GgufValue>() : kvFromJson(gmeta.kv);
  for (const k of [...kv.keys()]) if (k.startsWith("bitrl.")) kv.delete(k);
  const report: GgufExportReport = { tensors: [], roundedScales: 0, maxScaleRelError: 0, roundedValues: 0 };
  const records: Record<string, BitrlTensorRecord> = Object.create(null);
  const tensors: GgufTensor[] = [];
  let ternaryUsed: "tq1_0" | "tq2_0" | null = null;

  for (const t of blob.tensors) {
    const rec = Object.hasOwn(recorded, t.name) ? recorded[t.name] : undefined;
    const dims = [...t.shape].reverse();
    const scaleKind = t.scales.length === 1 ? "tensor" : "row";
    if (t.packing === "i2" || t.packing === "t3") {
      const [rows, cols] = t.shape;
      const q = unpackTernary(t.data, rows, cols, t.packing);
      if (cols % QK !== 0) {
        if (opts.oddRows !== "f32") {
          throw new BitrlError(
            `tensor ${shown(t.name)}: row length ${cols} is not a multiple of 256, so it cannot be TQ1_0/TQ2_0 blocks (export odd rows as f32 to keep its exact values)`,
          );
        }
        const v = new Float32Array(q.length);
        for (let r = 0; r < rows; r++) {
          const s = t.scales.length === 1 ? t.scales[0] : t.scales[r];
          for (let c = 0; c < cols; c++) v[r * cols + c] = q[r * cols + c] * s;
        }
        records[t.name] = { packing: t.packing, scale: scaleKind, scales: Array.from(t.scales) };
        tensors.push({ name: t.name, dims, type: GGML.F32, data: f32Bytes(v) });
        report.tensors.push({ name: t.name, type: "f32" });
        continue;
      }
      const ttype = opts.ternaryType ?? (rec?.type === "tq1_0" || rec?.type === "tq2_0" ? rec.type : "tq2_0");
      ternaryUsed ??= ttype;
      const halves = Array.from(t.scales, (s) => {
        const h = f32ToF16(s);
        if ((h & 0x7c00) === 0x7c00)
          throw new BitrlError(`tensor ${shown(t.name)}: scale ${s} is too large for an f16 block scale`);
        const back = f16ToF32(h);
        if (back !== s) {
          if (opts.exact)
            throw new BitrlError(
              `tensor ${shown(t.name)}: scale ${s} is not exact in f16 (nearest ${back}); export without exact to round it`,
            );
          report.roundedScales++;
          report.maxScaleRelError = Math.max(report.maxScaleRelError, Math.abs(back - s) / s);
        }
        return h;
      });
      const nb = cols / QK;
      // All-zero blocks: d = 0 when the GGUF this came from did so (ggml's quantizer); otherwise the shared scale,
      // which keeps the scale of an all-zero row or tensor visible in the file.
      const zeroAsZero = rec?.zeroBlocks === "zero";
      const d = new Uint16Array(rows * nb);
      for (let b = 0; b < d.length; b++) {
        const h = halves[halves.length === 1 ? 0 : Math.floor(b / nb)];
        d[b] = zeroAsZero && isZeroBlock(q, b) ? 0 : h;
      }
      let outDims = dims;
      if (rec?.dims) {
        // 1-D, or a "split" import whose (blocks, 256) tensor goes back to its GGUF dims (same block order).
        const n = Array.isArray(rec.dims) ? rec.dims.reduce((a, b) => a * b, 1) : -1;
        if (n !== rows * cols || rec.dims[0] % QK !== 0)
          throw new BitrlError(`meta.gguf.tensors[${shown(t.name)}].dims do not fit its shape`);
        outDims = [...rec.dims];
      }
      const r: BitrlTensorRecord = { packing: t.packing, scale: scaleKind };
      if (t.scales.some((s, i) => f16ToF32(halves[i]) !== s)) r.scales = Array.from(t.scales);
      if (!rec?.split) records[t.name] = r;
      tensors.push({
        name: t.name,
        dims: outDims,
        type: ttype === "tq1_0" ? GGML.TQ1_0 : GGML.TQ2_0,
        data: encodeTernaryBlocks(ttype === "tq1_0" ? GGML.TQ1_0 : GGML.TQ2_0, q, d),
      });
      report.tensors.push({ name: t.name, type: ttype });
    } else if (t.packing === "f32") {
      const ftype = opts.floatType ?? (rec?.type === "f16" || rec?.type === "bf16" ? rec.type : "f32");
      if (ftype === "f32") {
        tensors.push({ name: t.name, dims, type: GGML.F32, data: t.data.slice() });
      } else {
        const v = readF32(t.data);
        const out = new Uint8Array(v.length * 2);
        for (let i = 0; i < v.length; i++) {
          const h = ftype === "f16" ? f32ToF16(v[i]) : f32ToBf16(v[i]);
          const back = ftype === "f16" ? f16ToF32(h) : bf16ToF32(h);
          if (!Object.is(back, v[i]) && !(Number.isNaN(back) && Number.isNaN(v[i]))) {
            if (Number.isFinite(v[i]) && !Number.isFinite(back))
              throw new BitrlError(`tensor ${shown(t.name)}: value ${v[i]} is out of ${ftype} range`);
            if (opts.exact)
              throw new BitrlError(
                `tensor ${shown(t.name)}: value ${v[i]} is not exact in ${ftype}; export without exact to round it`,
              );
            report.roundedValues++;
          }
          out[2 * i] = h & 0xff;
          out[2 * i + 1] = h >> 8;
        }
        tensors.push({ name: t.name, dims, type: ftype === "f16" ? GGML.F16 : GGML.BF16, data: out });
      }
      report.tensors.push({ name: t.name, type: ftype });
    } else if (t.packing === "i32") {
      tensors.push({ name: t.name, dims, type: GGML.I32, data: t.data.slice() });
      report.tensors.push({ name: t.name, type: "i32" });
    } else {
      // i8: GGUF has no scaled int8 type that keeps these values, so store q * scale (the dequantized value).
      const per = t.data.length / t.scales.length; // values per scale: all of them, or one row (shape[0] rows)
      const v = new Float32Array(t.data.length);
      for (let i = 0; i < v.length; i++) v[i] = ((t.data[i] << 24) >> 24) * t.scales[Math.floor(i / per)];
      records[t.name] = { packing: "i8", scale: scaleKind, scales: Array.from(t.scales) };
      tensors.push({ name: t.name, dims, type: GGML.F32, data: f32Bytes(v) });
      report.tensors.push({ name: t.name, type: "f32" });
    }
  }

  const put = (key: string, value: GgufValue, override: boolean) => {
    if (override || !kv.has(key)) kv.set(key, value);
  };
  const metaString = (k: string) => (typeof meta[k] === "string" ? (meta[k] as string) : undefined);
  put(
    "general.architecture",
    { type: "string", value: opts.architecture ?? metaString("architecture") ?? "bitrl" },
    opts.architecture !== undefined,
  );
  const name = opts.name ?? metaString("name") ?? opts.defaultName;
  if (name !== undefined) put("general.name", { type: "string", value: name }, opts.name !== undefined);
  put("general.alignment", { type: "u32", value: 32 }, false);
  if (ternaryUsed) {
    put("general.quantization_version", { type: "u32", value: 2 }, false);
    put("general.file_type", { type: "u32", value: FILE_TYPE[ternaryUsed] }, opts.ternaryType !== undefined);
  }
  const { gguf: _gguf, ...bitrlMeta } = meta;
  kv.set("bitrl.format_version", { type: "u32", value: blob.version });
  kv.set("bitrl.meta", { type: "string", value: JSON.stringify(bitrlMeta) });
  kv.set("bitrl.tensors", { type: "string", value: JSON.stringify(records) });
  return { file: { version: 3, kv, tensors }, report };
}

/** Blob -> GGUF file bytes and the report of what was rounded; what `bitrl export --gguf` calls. */
export function blobToGgufBytes(
  blob: Blob,
  opts: GgufExportOptions = {},
): { bytes: Uint8Array; report: GgufExportReport } {
  const { file, report } = blobToGguf(blob, opts);
  return { bytes: writeGguf(file), report };
}
