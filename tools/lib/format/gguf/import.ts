// GGUF -> bitrl Blob: ggml's ternary blocks (TQ1_0, TQ2_0) to bitrl t3/i2, F32/F16/BF16/I32 as f32/i32, exactly.
// Pure, no I/O. Mapping rules (and why) in docs/gguf.md; block layouts in ./tq.ts.
import { BitrlError } from "../../util/errors.ts";
import { bf16ToF32, f16ToF32, f32Bytes, f32ToF16, readF32 } from "../floats.ts";
import { packTernary } from "../ternary-packing.ts";
import type { Blob, BlobTensor } from "../types.ts";
import { GGML, parseGguf, shown, type GgmlType, type GgufFile, type GgufTensor } from "./container.ts";
import { kvToJson, type BitrlTensorRecord, type GgufTensorRecord } from "./metadata.ts";
import { decodeTernaryBlocks, isZeroBlock, QK } from "./tq.ts";

export interface GgufImportOptions {
  /**
   * A ternary tensor whose block scales are neither one per tensor nor one per row cannot be a bitrl (rows, cols)
   * tensor exactly. "error" (default): refuse, naming the tensor. "split": store it as (rows * cols / 256, 256)
   * with one scale per 256-weight row (exact; the GGUF dims are kept in meta.gguf.tensors[name].dims).
   */
  blockScales?: "error" | "split";
}

const TYPE_NAME: Record<GgmlType, GgufTensorRecord["type"]> = {
  0: "f32",
  1: "f16",
  26: "i32",
  30: "bf16",
  34: "tq1_0",
  35: "tq2_0",
};
const NAME_LIMIT = 47; // bitrl's name field

/** Scale layout found in a ternary tensor's block scales, or null when none is exact. */
function detectScales(
  q: Int8Array,
  d: Uint16Array,
  groups: number,
): { scales: Uint16Array; zeroBlocks: "zero" | "scale" } | null {
  const perGroup = d.length / groups;
  const scales = new Uint16Array(groups);
  let sawZero = false;
  let sawScale = false;
  for (let g = 0; g < groups; g++) {
    const first = g * perGroup;
    let s = -1;
    for (let b = first; b < first + perGroup && s < 0; b++) if (!isZeroBlock(q, b)) s = d[b];
    if (s < 0) s = d[first];
    scales[g] = s;
    for (let b = first; b < first + perGroup; b++) {
      if (d[b] === s) {
        if (s !== 0 && isZeroBlock(q, b)) sawScale = true;
        continue;
      }
      if (d[b] !== 0 || !isZeroBlock(q, b)) return null;
      sawZero = true;
    }
  }
  if (sawZero && sawScale) return null;
  return { scales, zeroBlocks: sawScale ? "scale" : "zero" };
}

function checkScale(h: number, name: string): number {
  const s = f16ToF32(h);
  if (!Number.isFinite(s) || s < 0 || Object.is(s, -0))
    throw new BitrlError(
      `tensor ${shown(name)}: block scale ${s} (f16 0x${h.toString(16)}) is not a finite number >= 0`,
    );
  return s;
}

function parseRecords(file: GgufFile): Record<string, BitrlTensorRecord> {
  const v = file.kv.get("bitrl.tensors");
  if (v === undefined) return {};
  if (v.type !== "string") throw new BitrlError("bitrl.tensors must be a string (JSON)");
  let parsed: unknown;
  try {
    parsed = JSON.parse(v.value);
  } catch {
    throw new BitrlError("bitrl.tensors is not valid JSON");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
    throw new BitrlError("bitrl.tensors must be a JSON object");
  for (const [name, r] of Object.entries(parsed as Record<string, BitrlTensorRecord>)) {
    const ok =
      typeof r === "object" &&
      r !== null &&
      ["i8", "i2", "t3"].includes(r.packing) &&
      ["tensor", "row"].includes(r.scale) &&
      (r.scales === undefined ||
        (Array.isArray(r.scales) && r.scales.every((s) => typeof s === "number" && Number.isFinite(s) && s >= 0)));
    if (!ok) throw new BitrlError(`bitrl.tensors: bad record for ${shown(name)}`);
  }
  return parsed as Record<string, BitrlTensorRecord>;
}

function parseBitrlMeta(file: GgufFile): Record<string, unknown> {
  const v = file.kv.get("bitrl.meta");
  if (v === undefined) return {};
  if (v.type !== "string") throw new BitrlError("bitrl.meta must be a string (JSON)");
  try {
    const m = JSON.parse(v.value);
    if (typeof m === "object" && m !== null && !Array.isArray(m)) return m;
  } catch {
    // reported below
  }
  throw new BitrlError("bitrl.meta is not a JSON object");
}

/**
 * Values of an F32 tensor re-quantized with recorded exact scales (one, or one per shape[0] slice); throws unless
 * every value is exactly q * scale with |q| <= qmax.
 */
function requantize(name: string, v: Float32Array, groups: number, scales: number[], qmax: number): Int8Array {
  if (scales.length !== 1 && scales.length !== groups)
    throw new BitrlError(`bitrl.tensors: ${shown(name)} records ${scales.length} scales for ${groups} rows`);
  const per = v.length / scales.length;
  const q = new Int8Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const s = Math.fround(scales[Math.floor(i / per)]);
    const x = v[i];
    const k = s === 0 ? 0 : Math.round(x / s);
    if (Math.abs(k) > qmax || Math.fround(k * s) !== x) {
      throw new BitrlError(
        `tensor ${shown(name)}: value ${x} at index ${i} is not a multiple of its recorded scale ${s}`,
      );
    }
    q[i] = k;
  }
  return q;
}

/**
 * GGUF -> bitrl Blob, exactly: ternary blocks become t3 (TQ1_0) or i2 (TQ2_0) with per-tensor or per-row f32
 * scales (f16 widened exactly); F32/F16/BF16 become f32, I32 stays i32. GGUF dims [cols, rows, ...] become the
 * bitrl shape [..., rows, cols]. Metadata and each tensor's GGUF type go to blob meta.gguf (see docs/gguf.md).
 */
export function ggufToBlob(file: GgufFile, opts: GgufImportOptions = {}): Blob {
  if (file.tensors.length === 0) throw new BitrlError("the GGUF file holds no tensors");
  const records = parseRecords(file);
  const meta = parseBitrlMeta(file);
  const kv = new Map([...file.kv].filter(([k]) => !k.startsWith("bitrl.")));
  const tensorRecords: Record<string, GgufTensorRecord> = Object.create(null);
  const tensors = file.tensors.map((t) => {
    if (new TextEncoder().encode(t.name).length > NAME_LIMIT)
      throw new BitrlError(`tensor ${shown(t.name)}: name is longer than bitrl's ${NAME_LIMIT} bytes`);
    const rec: GgufTensorRecord = { type: TYPE_NAME[t.type] };
    tensorRecords[t.name] = rec;
    const out = tensorFromGguf(t, rec, Object.hasOwn(records, t.name) ? records[t.name] : undefined, opts);
    if (out.data.length > 2 ** 31) throw new BitrlError(`tensor ${shown(t.name)} is too large for a bitrl blob`);
    return out;
  });
  return {
    version: 1,
    meta: { ...meta, gguf: { version: file.version, kv: kvToJson(kv), tensors: tensorRecords } },
    tensors,
  };
}

function tensorFromGguf(
  t: GgufTensor,
  rec: GgufTensorRecord,
  bitrl: BitrlTensorRecord | undefined,
  opts: GgufImportOptions,
): BlobTensor {
  const shape = [...t.dims].reverse();
  const cols = t.dims[0];
  const rows = t.dims.slice(1).reduce((a, b) => a * b, 1);
  switch (t.type) {
    case GGML.F32: {
      if (bitrl && (bitrl.packing === "i8" || bitrl.packing === "i2" || bitrl.packing === "t3")) {
        // An exporter stored this as plain values (int8 tensors, or ternary rows not a multiple of 256).
        if (!bitrl.scales) throw new BitrlError(`bitrl.tensors: ${shown(t.name)} is F32 but records no scales`);
        const ternary = bitrl.packing !== "i8";
        if (ternary && t.dims.length !== 2) throw new BitrlError(`tensor ${shown(t.name)}: ternary tensors are 2-D`);
        const q = requantize(t.name, readF32(t.data), ternary ? rows : shape[0], bitrl.scales, ternary ? 1 : 127);
        const scales = Float32Array.from(bitrl.scales);
        if (bitrl.packing === "i8")
          return { name: t.name, shape, packing: "i8", data: new Uint8Array(q.buffer), scales };
        return {
          name: t.name,
          shape: [rows, cols],
          packing: bitrl.packing,
          data: packTernary(q, rows, cols, bitrl.packing),
          scales,
        };
      }
      return { name: t.name, shape, packing: "f32", data: t.data.slice(), scales: new Float32Array(0) };
    }
    case GGML.F16:
    case GGML.BF16: {
      const v = new Float32Array(t.data.length / 2);
      const widen = t.type === GGML.F16 ? f16ToF32 : bf16ToF32;
      for (let i = 0; i < v.length; i++) v[i] = widen(t.data[2 * i] | (t.data[2 * i + 1] << 8));
      return { name: t.name, shape, packing: "f32", data: f32Bytes(v), scales: new Float32Array(0) };
    }
    case GGML.I32:
      return { name: t.name, shape, packing: "i32", data: t.data.slice(), scales: new Float32Array(0) };
    case GGML.TQ1_0:
    case GGML.TQ2_0:
      return ternaryFromGguf(t, rec, bitrl, rows, cols, opts);
  }
}

function ternaryFromGguf(
  t: GgufTensor,
  rec: GgufTensorRecord,
  bitrl: BitrlTensorRecord | undefined,
  rows: number,
  cols: number,
  opts: GgufImportOptions,
): BlobTensor {
  if (t.dims.length > 2)
    throw new BitrlError(
      `tensor ${shown(t.name)}: ${t.dims.length}-D ternary tensors are not supported (bitrl ternary tensors are 2-D)`,
    );
  const { q, d } = decodeTernaryBlocks(t.type as typeof GGML.TQ1_0, t.data, `tensor ${shown(t.name)}`);
  const packing: "i2" | "t3" =
    bitrl?.packing === "i2" || bitrl?.packing === "t3" ? bitrl.packing : t.type === GGML.TQ1_0 ? "t3" : "i2";
  const nb = cols / QK;
  // One scale per tensor if the blocks allow it (unless bitrl recorded per-row scales), else one per row.
  let found = bitrl?.scale === "row" ? null : detectScales(q, d, 1);
  found ??= detectScales(q, d, rows);
  if (!found) {
    if (opts.blockScales !== "split") {
      throw new BitrlError(
        `tensor ${shown(t.name)}: its ${d.length} block scales are neither one per tensor nor one per row; ` +
          "bitrl keeps per-tensor or per-row scales (import with block scales 'split' to keep each 256-weight block as a row)",
      );
    }
    for (let b = 0; b < d.length; b++) checkScale(d[b], t.name);
    rec.dims = [...t.dims];
    rec.split = true;
    rec.zeroBlocks = "scale";
    const scales = Float32Array.from(d, f16ToF32);
    return { name: t.name, shape: [rows * nb, QK], packing, data: packTernary(q, rows * nb, QK, packing), scales };
  }
  rec.zeroBlocks = found.zeroBlocks;
  if (t.dims.length === 1) rec.dims = [...t.dims];
  const scales = Float32Array.from(found.scales, (h) => checkScale(h, t.name));
  if (bitrl?.scales) {
    // The exporter rounded exact f32 scales to f16; put them back when they agree with the blocks.
    const agree =
      bitrl.scales.length === scales.length && bitrl.scales.every((s, i) => f32ToF16(s) === found.scales[i]);
    if (!agree)
      throw new BitrlError(`bitrl.tensors: the recorded scales of ${shown(t.name)} do not match its block scales`);
    scales.set(bitrl.scales);
  }
  return { name: t.name, shape: [rows, cols], packing, data: packTernary(q, rows, cols, packing), scales };
}

/** GGUF file bytes -> Blob (parse, then ggufToBlob); what `bitrl pack model.gguf` calls. */
export function ggufBytesToBlob(bytes: Uint8Array, opts: GgufImportOptions = {}): Blob {
  return ggufToBlob(parseGguf(bytes), opts);
}
