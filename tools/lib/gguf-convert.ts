// GGUF <-> bitrl Blob: ggml's ternary blocks (TQ1_0, TQ2_0) to bitrl t3/i2 and back, exactly. Pure, no I/O.
// Mapping rules (and why) in docs/gguf.md. Block layouts as ggml defines them (ggml-common.h, ggml-quants.c):
//   TQ2_0 (66 bytes / 256 weights): qs[64] then f16 d. Weight k: half g = k >> 7, within it l = (k >> 5) & 3 and
//     m = k & 31; code (w + 1) in bits 2l..2l+1 of qs[32g + m].
//   TQ1_0 (54 bytes / 256 weights): qs[48], qh[4], then f16 d. A byte holds 5 trits (qh: 4) as a base-3 fixed-point
//     fraction: v = sum_n t_n * 3^(4-n) (t_0 most significant), byte = ceil(v * 256 / 243). Trit n is read back
//     as ((byte * 3^n) mod 256) * 3 >> 8. Weights 0..159: trit k >> 5 of qs[k & 31]; 160..239: trit (k-160) >> 4
//     of qs[32 + ((k-160) & 15)]; 240..255: trit (k-240) >> 2 of qh[(k-240) & 3] (qh keeps its 5th trit 0).
import { BitrlError } from "./errors.ts";
import { GGML, parseGguf, shown, writeGguf, type GgmlType, type GgufFile, type GgufTensor, type GgufValue, type GgufValueType } from "./gguf.ts";
import { packTernary, unpackTernary } from "./pack.ts";
import type { Blob, BlobTensor, Packing } from "./types.ts";

export const QK = 256; // weights per TQ block (ggml's QK_K)
export const TQ1_BLOCK_BYTES = 54;
export const TQ2_BLOCK_BYTES = 66;

// ---------------------------------------------------------------------------------------------- half floats --

const f32buf = new Float32Array(1);
const u32buf = new Uint32Array(f32buf.buffer);

/** IEEE binary16 bits -> number (exact). */
export function f16ToF32(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const man = h & 0x3ff;
  if (exp === 0) return sign * man * 2 ** -24;
  if (exp === 31) return man ? NaN : sign * Infinity;
  return sign * (1 + man / 1024) * 2 ** (exp - 15);
}

/** number -> binary16 bits, rounded to nearest, ties to even (the f32 value is rounded once); overflow gives Inf. */
export function f32ToF16(x: number): number {
  f32buf[0] = x;
  const b = u32buf[0];
  const sign = (b >>> 16) & 0x8000;
  const exp = (b >>> 23) & 0xff;
  let man = b & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (man ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign; // below half the smallest subnormal: rounds to zero
    man |= 0x800000;
    const shift = 14 - e; // 14..24
    const half = 1 << (shift - 1);
    const rest = man & ((1 << shift) - 1);
    let h = man >>> shift;
    if (rest > half || (rest === half && h & 1)) h++;
    return sign | h;
  }
  const rest = man & 0x1fff;
  let h = (e << 10) | (man >>> 13);
  if (rest > 0x1000 || (rest === 0x1000 && h & 1)) h++; // a carry into the exponent is the right answer (and Inf at the top)
  return sign | h;
}

/** bfloat16 bits -> number (exact: the top half of an f32). */
export function bf16ToF32(h: number): number {
  u32buf[0] = h << 16;
  return f32buf[0];
}

/** number -> bfloat16 bits, rounded to nearest, ties to even. */
export function f32ToBf16(x: number): number {
  f32buf[0] = x;
  const b = u32buf[0];
  if ((b & 0x7f800000) === 0x7f800000 && b & 0x7fffff) return (b >>> 16) | 0x40; // NaN stays NaN
  return ((b + 0x7fff + ((b >>> 16) & 1)) >>> 16) & 0xffff;
}

// -------------------------------------------------------------------------------------------- ternary blocks --

const POW3 = [1, 3, 9, 27, 81, 243];

/** ggml's TQ1_0 trit read: trit n (0 = most significant) of a fixed-point byte. */
export function tq1Trit(byte: number, n: number): number {
  return (((byte * POW3[n]) & 0xff) * 3) >> 8;
}

/** The byte ggml's quantizer writes for trits t (5 of them, or 4 for qh: then shifted up one trit). */
export function tq1Byte(trits: readonly number[]): number {
  let v = 0;
  for (const t of trits) v = v * 3 + t;
  if (trits.length === 4) v *= 3;
  return Math.floor((v * 256 + 242) / 243);
}

/** [byte, trit] position of weight k (0..255) inside a TQ1_0 block; byte 48..51 is qh. */
function tq1Position(k: number): [number, number] {
  if (k < 160) return [k & 31, k >> 5];
  if (k < 240) return [32 + ((k - 160) & 15), (k - 160) >> 4];
  return [48 + ((k - 240) & 3), (k - 240) >> 2];
}
const TQ1_POS = Array.from({ length: QK }, (_, k) => tq1Position(k));

/** Canonical byte -> trits table, so decoding can reject bytes ggml's quantizer never writes. */
const TQ1_CANON5 = new Int16Array(256).fill(-1);
const TQ1_CANON4 = new Int16Array(256).fill(-1);
for (let v = 0; v < 243; v++) {
  const t = [4, 3, 2, 1, 0].map((p) => Math.floor(v / POW3[p]) % 3);
  TQ1_CANON5[tq1Byte(t)] = v;
  if (v % 3 === 0) TQ1_CANON4[tq1Byte(t.slice(0, 4))] = v;
}

export interface TernaryBlocks {
  /** (nblocks * 256) values in {-1, 0, 1}, in ggml's element order */
  q: Int8Array;
  /** (nblocks) f16 bit patterns of the block scales d */
  d: Uint16Array;
}

/** Decodes TQ1_0 or TQ2_0 blocks. Rejects what ggml's quantizer never writes (TQ2_0 code 3, non-canonical TQ1_0 bytes). */
export function decodeTernaryBlocks(type: typeof GGML.TQ1_0 | typeof GGML.TQ2_0, data: Uint8Array, what = "tensor"): TernaryBlocks {
  const size = type === GGML.TQ1_0 ? TQ1_BLOCK_BYTES : TQ2_BLOCK_BYTES;
  if (data.length % size !== 0) throw new BitrlError(`${what}: ${data.length} bytes is not a whole number of ${size}-byte blocks`);
  const nb = data.length / size;
  const q = new Int8Array(nb * QK);
  const d = new Uint16Array(nb);
  for (let b = 0; b < nb; b++) {
    const at = b * size;
    d[b] = data[at + size - 2] | (data[at + size - 1] << 8);
    const out = b * QK;
    if (type === GGML.TQ2_0) {
      for (let k = 0; k < QK; k++) {
        const code = (data[at + ((k >> 7) << 5) + (k & 31)] >> (((k >> 5) & 3) * 2)) & 3;
        if (code === 3) throw new BitrlError(`${what}: TQ2_0 code 3 (not ternary) in block ${b}, weight ${k}`);
        q[out + k] = code - 1;
      }
    } else {
      for (let i = 0; i < 52; i++) {
        const byte = data[at + i];
        if ((i < 48 ? TQ1_CANON5 : TQ1_CANON4)[byte] < 0) {
          throw new BitrlError(`${what}: TQ1_0 byte ${byte} at block ${b}, ${i < 48 ? `qs[${i}]` : `qh[${i - 48}]`} is not one ggml's quantizer writes`);
        }
      }
      for (let k = 0; k < QK; k++) {
        const [i, n] = TQ1_POS[k];
        q[out + k] = tq1Trit(data[at + i], n) - 1;
      }
    }
  }
  return { q, d };
}

/** Encodes (nblocks * 256) ternary values with one f16 scale (bits) per block, as ggml's quantizer lays them out. */
export function encodeTernaryBlocks(type: typeof GGML.TQ1_0 | typeof GGML.TQ2_0, q: Int8Array, d: Uint16Array): Uint8Array {
  const size = type === GGML.TQ1_0 ? TQ1_BLOCK_BYTES : TQ2_BLOCK_BYTES;
  if (q.length !== d.length * QK) throw new BitrlError(`encodeTernaryBlocks: ${q.length} values for ${d.length} blocks`);
  const out = new Uint8Array(d.length * size);
  const trits: number[][] = Array.from({ length: 52 }, () => []);
  for (let b = 0; b < d.length; b++) {
    const at = b * size;
    if (type === GGML.TQ2_0) {
      for (let k = 0; k < QK; k++) out[at + ((k >> 7) << 5) + (k & 31)] |= (q[b * QK + k] + 1) << (((k >> 5) & 3) * 2);
    } else {
      for (const t of trits) t.length = 0;
      // Trits are placed in order n = 0, 1, ... for every byte, so appending keeps the most significant first.
      for (let k = 0; k < QK; k++) trits[TQ1_POS[k][0]][TQ1_POS[k][1]] = q[b * QK + k] + 1;
      for (let i = 0; i < 52; i++) out[at + i] = tq1Byte(trits[i]);
    }
    out[at + size - 2] = d[b] & 0xff;
    out[at + size - 1] = d[b] >> 8;
  }
  return out;
}

// ---------------------------------------------------------------------------------- metadata as plain JSON --

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function floatToJson(x: number): Json {
  return Number.isFinite(x) && !Object.is(x, -0) ? x : String(Object.is(x, -0) ? "-0" : x);
}
function floatFromJson(v: unknown, what: string): number {
  if (typeof v === "number") return v;
  if (v === "-0") return -0;
  if (v === "NaN" || v === "Infinity" || v === "-Infinity") return Number(v);
  throw new BitrlError(`${what}: not a number`);
}

function rawToJson(v: GgufValue): Json {
  switch (v.type) {
    case "u64": case "i64": return v.value.toString();
    case "f32": case "f64": return floatToJson(v.value);
    case "array": return { of: v.itemType, items: v.items.map(rawToJson) };
    default: return v.value;
  }
}

const VALUE_TYPE_NAMES: readonly GgufValueType[] = ["u8", "i8", "u16", "i16", "u32", "i32", "f32", "bool", "string", "array", "u64", "i64", "f64"];

function rawFromJson(type: GgufValueType, raw: unknown, what: string): GgufValue {
  const fail = (): never => { throw new BitrlError(`${what}: bad ${type} value in the recorded GGUF metadata`); };
  switch (type) {
    case "u8": case "i8": case "u16": case "i16": case "u32": case "i32":
      return typeof raw === "number" && Number.isInteger(raw) ? { type, value: raw } : fail();
    case "f32": case "f64": return { type, value: floatFromJson(raw, what) };
    case "u64": case "i64":
      return typeof raw === "string" && /^-?\d{1,20}$/.test(raw) ? { type, value: BigInt(raw) } : fail();
    case "bool": return typeof raw === "boolean" ? { type, value: raw } : fail();
    case "string": return typeof raw === "string" ? { type, value: raw } : fail();
    case "array": {
      const a = raw as { of?: unknown; items?: unknown };
      if (typeof a !== "object" || a === null || typeof a.of !== "string" || !Array.isArray(a.items)) return fail();
      const of = a.of as GgufValueType;
      if (!VALUE_TYPE_NAMES.includes(of)) return fail();
      return { type, itemType: of, items: a.items.map((x) => rawFromJson(of, x, what)) };
    }
  }
}

/** GGUF metadata -> [key, type, value] triples that survive JSON (u64 as decimal strings, odd floats as strings). */
export function kvToJson(kv: Map<string, GgufValue>): [string, GgufValueType, Json][] {
  return [...kv].map(([k, v]) => [k, v.type, rawToJson(v)]);
}

/** The inverse of kvToJson, validating as it goes (blob metadata is user input). */
export function kvFromJson(json: unknown): Map<string, GgufValue> {
  if (!Array.isArray(json)) throw new BitrlError("meta.gguf.kv must be an array of [key, type, value]");
  const kv = new Map<string, GgufValue>();
  for (const e of json) {
    if (!Array.isArray(e) || e.length !== 3 || typeof e[0] !== "string" || typeof e[1] !== "string") {
      throw new BitrlError("meta.gguf.kv entries must be [key, type, value]");
    }
    if (!VALUE_TYPE_NAMES.includes(e[1] as GgufValueType)) throw new BitrlError(`meta.gguf.kv ${shown(e[0])}: unknown type ${shown(e[1])}`);
    kv.set(e[0], rawFromJson(e[1] as GgufValueType, e[2], `meta.gguf.kv ${shown(e[0])}`));
  }
  return kv;
}

// ------------------------------------------------------------------------------------------- GGUF -> Blob --

/** How one GGUF tensor was stored, kept in blob meta.gguf.tensors so an export can write it back the same way. */
export interface GgufTensorRecord {
  type: "f32" | "f16" | "bf16" | "i32" | "tq1_0" | "tq2_0";
  /** ternary only: what an all-zero block's d held: 0 (ggml's quantizer: amax of the block) or the shared scale */
  zeroBlocks?: "zero" | "scale";
  /** ternary only: the GGUF dims when they are not [cols, rows] (1-D tensors, and "split" imports) */
  dims?: number[];
  /** ternary only: imported "split", as (blocks, 256) with one scale per block */
  split?: boolean;
}

/** What a bitrl export records per tensor (KV `bitrl.tensors`), so a GGUF -> bitrl import restores it exactly. */
export interface BitrlTensorRecord {
  packing: Packing;
  scale: "tensor" | "row";
  /** the exact f32 scales, when the GGUF copy had to round them (f16 block scales) or lost them (F32 data) */
  scales?: number[];
}

export interface GgufImportOptions {
  /**
   * A ternary tensor whose block scales are neither one per tensor nor one per row cannot be a bitrl (rows, cols)
   * tensor exactly. "error" (default): refuse, naming the tensor. "split": store it as (rows * cols / 256, 256)
   * with one scale per 256-weight row (exact; the GGUF dims are kept in meta.gguf.tensors[name].dims).
   */
  blockScales?: "error" | "split";
}

const TYPE_NAME: Record<GgmlType, GgufTensorRecord["type"]> = { 0: "f32", 1: "f16", 26: "i32", 30: "bf16", 34: "tq1_0", 35: "tq2_0" };
const NAME_LIMIT = 47; // bitrl's name field

function f32Bytes(values: Float32Array): Uint8Array {
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength).slice();
}

function readF32(data: Uint8Array): Float32Array {
  const out = new Float32Array(data.length / 4);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(4 * i, true);
  return out;
}

/** Scale layout found in a ternary tensor's block scales, or null when none is exact. */
function detectScales(q: Int8Array, d: Uint16Array, groups: number):
  { scales: Uint16Array; zeroBlocks: "zero" | "scale" } | null {
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

function isZeroBlock(q: Int8Array, b: number): boolean {
  for (let k = b * QK; k < (b + 1) * QK; k++) if (q[k] !== 0) return false;
  return true;
}

function checkScale(h: number, name: string): number {
  const s = f16ToF32(h);
  if (!Number.isFinite(s) || s < 0 || Object.is(s, -0)) throw new BitrlError(`tensor ${shown(name)}: block scale ${s} (f16 0x${h.toString(16)}) is not a finite number >= 0`);
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
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new BitrlError("bitrl.tensors must be a JSON object");
  for (const [name, r] of Object.entries(parsed as Record<string, BitrlTensorRecord>)) {
    const ok = typeof r === "object" && r !== null && ["i8", "i2", "t3"].includes(r.packing) && ["tensor", "row"].includes(r.scale) &&
      (r.scales === undefined || (Array.isArray(r.scales) && r.scales.every((s) => typeof s === "number" && Number.isFinite(s) && s >= 0)));
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
  if (scales.length !== 1 && scales.length !== groups) throw new BitrlError(`bitrl.tensors: ${shown(name)} records ${scales.length} scales for ${groups} rows`);
  const per = v.length / scales.length;
  const q = new Int8Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const s = Math.fround(scales[Math.floor(i / per)]);
    const x = v[i];
    const k = s === 0 ? 0 : Math.round(x / s);
    if (Math.abs(k) > qmax || Math.fround(k * s) !== x) {
      throw new BitrlError(`tensor ${shown(name)}: value ${x} at index ${i} is not a multiple of its recorded scale ${s}`);
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
    if (new TextEncoder().encode(t.name).length > NAME_LIMIT) throw new BitrlError(`tensor ${shown(t.name)}: name is longer than bitrl's ${NAME_LIMIT} bytes`);
    const rec: GgufTensorRecord = { type: TYPE_NAME[t.type] };
    tensorRecords[t.name] = rec;
    const out = tensorFromGguf(t, rec, Object.hasOwn(records, t.name) ? records[t.name] : undefined, opts);
    if (out.data.length > 2 ** 31) throw new BitrlError(`tensor ${shown(t.name)} is too large for a bitrl blob`);
    return out;
  });
  return { version: 1, meta: { ...meta, gguf: { version: file.version, kv: kvToJson(kv), tensors: tensorRecords } }, tensors };
}

function tensorFromGguf(t: GgufTensor, rec: GgufTensorRecord, bitrl: BitrlTensorRecord | undefined, opts: GgufImportOptions): BlobTensor {
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
        if (bitrl.packing === "i8") return { name: t.name, shape, packing: "i8", data: new Uint8Array(q.buffer), scales };
        return { name: t.name, shape: [rows, cols], packing: bitrl.packing, data: packTernary(q, rows, cols, bitrl.packing), scales };
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

function ternaryFromGguf(t: GgufTensor, rec: GgufTensorRecord, bitrl: BitrlTensorRecord | undefined, rows: number, cols: number,
  opts: GgufImportOptions): BlobTensor {
  if (t.dims.length > 2) throw new BitrlError(`tensor ${shown(t.name)}: ${t.dims.length}-D ternary tensors are not supported (bitrl ternary tensors are 2-D)`);
  const { q, d } = decodeTernaryBlocks(t.type as typeof GGML.TQ1_0, t.data, `tensor ${shown(t.name)}`);
  const packing: "i2" | "t3" = bitrl?.packing === "i2" || bitrl?.packing === "t3" ? bitrl.packing : t.type === GGML.TQ1_0 ? "t3" : "i2";
  const nb = cols / QK;
  // One scale per tensor if the blocks allow it (unless bitrl recorded per-row scales), else one per row.
  let found = bitrl?.scale === "row" ? null : detectScales(q, d, 1);
  found ??= detectScales(q, d, rows);
  if (!found) {
    if (opts.blockScales !== "split") {
      throw new BitrlError(`tensor ${shown(t.name)}: its ${d.length} block scales are neither one per tensor nor one per row; ` +
        "bitrl keeps per-tensor or per-row scales (import with block scales 'split' to keep each 256-weight block as a row)");
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
    const agree = bitrl.scales.length === scales.length && bitrl.scales.every((s, i) => f32ToF16(s) === found.scales[i]);
    if (!agree) throw new BitrlError(`bitrl.tensors: the recorded scales of ${shown(t.name)} do not match its block scales`);
    scales.set(bitrl.scales);
  }
  return { name: t.name, shape: [rows, cols], packing, data: packTernary(q, rows, cols, packing), scales };
}

// ------------------------------------------------------------------------------------------- Blob -> GGUF --

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
  if (typeof t !== "object" || t === null || Array.isArray(t)) throw new BitrlError("meta.gguf.tensors must be an object");
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
          throw new BitrlError(`tensor ${shown(t.name)}: row length ${cols} is not a multiple of 256, so it cannot be TQ1_0/TQ2_0 blocks (export odd rows as f32 to keep its exact values)`);
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
        if ((h & 0x7c00) === 0x7c00) throw new BitrlError(`tensor ${shown(t.name)}: scale ${s} is too large for an f16 block scale`);
        const back = f16ToF32(h);
        if (back !== s) {
          if (opts.exact) throw new BitrlError(`tensor ${shown(t.name)}: scale ${s} is not exact in f16 (nearest ${back}); export without exact to round it`);
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
        if (n !== rows * cols || rec.dims[0] % QK !== 0) throw new BitrlError(`meta.gguf.tensors[${shown(t.name)}].dims do not fit its shape`);
        outDims = [...rec.dims];
      }
      const r: BitrlTensorRecord = { packing: t.packing, scale: scaleKind };
      if (t.scales.some((s, i) => f16ToF32(halves[i]) !== s)) r.scales = Array.from(t.scales);
      if (!rec?.split) records[t.name] = r;
      tensors.push({ name: t.name, dims: outDims, type: ttype === "tq1_0" ? GGML.TQ1_0 : GGML.TQ2_0, data: encodeTernaryBlocks(ttype === "tq1_0" ? GGML.TQ1_0 : GGML.TQ2_0, q, d) });
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
            if (Number.isFinite(v[i]) && !Number.isFinite(back)) throw new BitrlError(`tensor ${shown(t.name)}: value ${v[i]} is out of ${ftype} range`);
            if (opts.exact) throw new BitrlError(`tensor ${shown(t.name)}: value ${v[i]} is not exact in ${ftype}; export without exact to round it`);
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
  put("general.architecture", { type: "string", value: opts.architecture ?? metaString("architecture") ?? "bitrl" }, opts.architecture !== undefined);
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

/** GGUF file bytes -> Blob (parse, then ggufToBlob); what `bitrl pack model.gguf` calls. */
export function ggufBytesToBlob(bytes: Uint8Array, opts: GgufImportOptions = {}): Blob {
  return ggufToBlob(parseGguf(bytes), opts);
}

/** Blob -> GGUF file bytes and the report of what was rounded; what `bitrl export --gguf` calls. */
export function blobToGgufBytes(blob: Blob, opts: GgufExportOptions = {}): { bytes: Uint8Array; report: GgufExportReport } {
  const { file, report } = blobToGguf(blob, opts);
  return { bytes: writeGguf(file), report };
}
