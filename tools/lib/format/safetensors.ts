// safetensors, pure: read F32/F16/BF16 tensors as f32 with strict header checks; write F32.
// Format: u64 LE header length N, N bytes of UTF-8 JSON {name: {dtype, shape, data_offsets: [begin, end]},
// "__metadata__"?: {string: string}}, then the byte buffer the offsets index (relative to its start).
import { BitrlError } from "../util/errors.ts";
import { bf16ToF32, f16ToF32 } from "./floats.ts";

export type SafetensorsDtype = "F32" | "F16" | "BF16";

export interface SafeTensor {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  /** (numel) the values converted to f32 (exact for F16 and BF16) */
  values: Float32Array;
}

const DTYPE_BYTES: Record<SafetensorsDtype, number> = { F32: 4, F16: 2, BF16: 2 };
const MAX_HEADER_BYTES = 100_000_000; // the reference implementation's limit too
const fail = (msg: string): never => {
  throw new BitrlError(`safetensors: ${msg}`);
};

/** The __metadata__ string map of a safetensors file ({} when absent). Header checks as in readSafetensors. */
export function readSafetensorsMetadata(bytes: Uint8Array): Record<string, string> {
  return parseHeader(bytes).metadata;
}

interface Entry {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  begin: number;
  end: number;
}

function parseHeader(bytes: Uint8Array): { entries: Entry[]; metadata: Record<string, string>; base: number } {
  if (!(bytes instanceof Uint8Array)) fail("input must be a Uint8Array");
  if (bytes.length < 8) fail(`file is ${bytes.length} bytes, too short for a header length (not safetensors?)`);
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Number(v.getBigUint64(0, true));
  if (n < 2 || n > MAX_HEADER_BYTES) fail(`header length ${n} is out of range (not safetensors?)`);
  if (8 + n > bytes.length)
    fail(`header length ${n} runs past the end of the ${bytes.length}-byte file (truncated or not safetensors?)`);
  if (bytes[8] !== 0x7b) fail("header does not start with '{' (not safetensors?)");
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, 8 + n)));
  } catch (e) {
    fail(`header is not valid UTF-8 JSON (${(e as Error).message.split("\n")[0]})`);
  }
  if (typeof header !== "object" || header === null || Array.isArray(header)) fail("header is not a JSON object");
  const base = 8 + n;
  const bufferBytes = bytes.length - base;
  const metadata: Record<string, string> = {};
  const entries: Entry[] = [];
  for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
    if (name === "__metadata__") {
      if (typeof raw !== "object" || raw === null || Array.isArray(raw)) fail("__metadata__ is not an object");
      for (const [k, val] of Object.entries(raw as Record<string, unknown>)) {
        if (typeof val !== "string") fail(`__metadata__ '${k}' is not a string`);
        metadata[k] = val as string;
      }
      continue;
    }
    if (typeof raw !== "object" || raw === null || Array.isArray(raw)) fail(`tensor '${name}': entry is not an object`);
    const { dtype, shape, data_offsets: offs } = raw as Record<string, unknown>;
    if (typeof dtype !== "string") fail(`tensor '${name}': dtype missing`);
    if (!Object.hasOwn(DTYPE_BYTES, dtype as string))
      fail(`tensor '${name}': unsupported dtype ${dtype} (bitrl reads F32, F16, BF16)`);
    if (!Array.isArray(shape) || shape.some((d) => !Number.isSafeInteger(d) || d < 0))
      fail(`tensor '${name}': shape is not a list of integers >= 0`);
    if (!Array.isArray(offs) || offs.length !== 2 || offs.some((o) => !Number.isSafeInteger(o) || o < 0))
      fail(`tensor '${name}': data_offsets is not [begin, end]`);
    const [begin, end] = offs as number[];
    const dims = shape as number[];
    const want = dims.reduce((a, b) => a * b, 1) * DTYPE_BYTES[dtype as SafetensorsDtype];
    if (begin > end || end > bufferBytes)
      fail(`tensor '${name}': data_offsets [${begin}, ${end}] outside the ${bufferBytes}-byte buffer`);
    if (end - begin !== want) fail(`tensor '${name}': ${end - begin} bytes for ${dtype} [${dims}], needs ${want}`);
    entries.push({ name, dtype: dtype as SafetensorsDtype, shape: dims, begin, end });
  }
  // The buffer must be indexed entirely, without holes or overlaps (as the reference implementation requires).
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let at = 0;
  for (const e of sorted) {
    if (e.begin < at) fail(`tensor '${e.name}': data overlaps another tensor`);
    if (e.begin > at) fail(`bytes [${at}, ${e.begin}) of the buffer belong to no tensor`);
    at = e.end;
  }
  if (at !== bufferBytes) fail(`bytes [${at}, ${bufferBytes}) of the buffer belong to no tensor (trailing data?)`);
  return { entries: sorted, metadata, base };
}

/** Reads every tensor as f32, in file order. Throws BitrlError on any malformed header or unsupported dtype. */
export function readSafetensors(bytes: Uint8Array): SafeTensor[] {
  const { entries, base } = parseHeader(bytes);
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return entries.map(({ name, dtype, shape, begin, end }) => {
    const count = (end - begin) / DTYPE_BYTES[dtype];
    const values = new Float32Array(count); // (numel)
    const at = base + begin;
    if (dtype === "F32") for (let i = 0; i < count; i++) values[i] = v.getFloat32(at + 4 * i, true);
    else if (dtype === "F16") for (let i = 0; i < count; i++) values[i] = f16ToF32(v.getUint16(at + 2 * i, true));
    else for (let i = 0; i < count; i++) values[i] = bf16ToF32(v.getUint16(at + 2 * i, true));
    return { name, dtype, shape: [...shape], values };
  });
}

/** Encodes F32 tensors in the given order; the header is padded with spaces to a multiple of 8 bytes. */
export function encodeSafetensors(
  list: { name: string; shape: number[]; values: Float32Array }[],
  metadata?: Record<string, string>,
): Uint8Array {
  const header: Record<string, unknown> = Object.create(null); // a tensor may be named "__proto__"
  if (metadata && Object.keys(metadata).length) header.__metadata__ = metadata;
  let offset = 0;
  const names = new Set<string>(["__metadata__"]);
  for (const t of list) {
    if (names.has(t.name)) throw new BitrlError(`safetensors: duplicate or reserved tensor name '${t.name}'`);
    const count = t.shape.reduce((a, b) => a * b, 1);
    if (count !== t.values.length)
      throw new BitrlError(`safetensors: tensor '${t.name}' has ${t.values.length} values for shape [${t.shape}]`);
    names.add(t.name);
    header[t.name] = { dtype: "F32", shape: t.shape, data_offsets: [offset, offset + 4 * count] };
    offset += 4 * count;
  }
  let json = JSON.stringify(header);
  const raw = new TextEncoder().encode(json);
  json += " ".repeat((8 - (raw.length % 8)) % 8);
  const head = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + head.length + offset);
  const v = new DataView(out.buffer);
  v.setBigUint64(0, BigInt(head.length), true);
  out.set(head, 8);
  let at = 8 + head.length;
  for (const t of list) {
    for (let i = 0; i < t.values.length; i++) v.setFloat32(at + 4 * i, t.values[i], true);
    at += 4 * t.values.length;
  }
  return out;
}
