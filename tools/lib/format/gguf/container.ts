// GGUF v3 (and v2) container: parse bytes into metadata + tensors and write them back. Pure, no I/O.
// Layout (little-endian): "GGUF", u32 version, u64 tensor_count, u64 kv_count, kv pairs, tensor infos, padding to
// the alignment, tensor data. Every count, length and offset is checked against the bytes that remain before it
// is used, so a corrupt file is a BitrlError, never a huge allocation, a hang or an out-of-range read.
import { BitrlError } from "../../util/errors.ts";

/** ggml type ids (ggml.h `enum ggml_type`) of the tensor types bitrl reads and writes. */
export const GGML = { F32: 0, F16: 1, I32: 26, BF16: 30, TQ1_0: 34, TQ2_0: 35 } as const;
export type GgmlType = (typeof GGML)[keyof typeof GGML];

/** Names of every ggml type id, for error messages about the ones bitrl does not support. */
const GGML_NAMES: Record<number, string> = {
  0: "f32",
  1: "f16",
  2: "q4_0",
  3: "q4_1",
  6: "q5_0",
  7: "q5_1",
  8: "q8_0",
  9: "q8_1",
  10: "q2_K",
  11: "q3_K",
  12: "q4_K",
  13: "q5_K",
  14: "q6_K",
  15: "q8_K",
  16: "iq2_xxs",
  17: "iq2_xs",
  18: "iq3_xxs",
  19: "iq1_s",
  20: "iq4_nl",
  21: "iq3_s",
  22: "iq2_s",
  23: "iq4_xs",
  24: "i8",
  25: "i16",
  26: "i32",
  27: "i64",
  28: "f64",
  29: "iq1_m",
  30: "bf16",
  34: "tq1_0",
  35: "tq2_0",
  39: "mxfp4",
};

/** Weights per block and bytes per block of each supported type (ggml's type traits). */
export const GGML_BLOCK: Record<GgmlType, { weights: number; bytes: number }> = {
  0: { weights: 1, bytes: 4 },
  1: { weights: 1, bytes: 2 },
  26: { weights: 1, bytes: 4 },
  30: { weights: 1, bytes: 2 },
  34: { weights: 256, bytes: 54 }, // block_tq1_0: qs[48], qh[4], f16 d
  35: { weights: 256, bytes: 66 }, // block_tq2_0: qs[64], f16 d
};

/** A file-supplied name or key quoted for a one-line message: control characters escaped, long ones cut. */
export function shown(s: string): string {
  const esc = s.replace(/[\x00-\x1f\x7f\u2028\u2029]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
  return `'${esc.length > 80 ? esc.slice(0, 80) + "..." : esc}'`;
}

/** "name (id)" of a ggml type id, known or not. */
export function ggmlTypeName(type: number): string {
  return GGML_NAMES[type] ?? "unknown";
}

export function isSupportedGgmlType(type: number): type is GgmlType {
  return Object.prototype.hasOwnProperty.call(GGML_BLOCK, type);
}

/** GGUF metadata value types (gguf.h `enum gguf_type`), by id. */
const VALUE_TYPES = [
  "u8",
  "i8",
  "u16",
  "i16",
  "u32",
  "i32",
  "f32",
  "bool",
  "string",
  "array",
  "u64",
  "i64",
  "f64",
] as const;
export type GgufValueType = (typeof VALUE_TYPES)[number];
export const isGgufValueType = (name: string): name is GgufValueType =>
  (VALUE_TYPES as readonly string[]).includes(name);
type NumberType = "u8" | "i8" | "u16" | "i16" | "u32" | "i32" | "f32" | "f64";

export type GgufValue =
  | { type: NumberType; value: number }
  | { type: "u64" | "i64"; value: bigint }
  | { type: "bool"; value: boolean }
  | { type: "string"; value: string }
  | { type: "array"; itemType: GgufValueType; items: GgufValue[] };

export interface GgufTensor {
  /** UTF-8, 1..63 bytes (ggml's GGML_MAX_NAME is 64 with the NUL), unique in the file */
  name: string;
  /** ggml order: dims[0] is the contiguous (row) length; a (rows, cols) matrix is [cols, rows]; 1..4 dims */
  dims: number[];
  type: GgmlType;
  /** the tensor's bytes exactly as stored (a view into the parsed buffer when read) */
  data: Uint8Array;
}

export interface GgufFile {
  /** 3 when written; 2 or 3 when read */
  version: number;
  /** key -> value in file order; keys are unique */
  kv: Map<string, GgufValue>;
  tensors: GgufTensor[];
}

export const GGUF_DEFAULT_ALIGNMENT = 32;
const MAGIC = 0x46554747; // "GGUF" read as a little-endian u32
const MAX_NAME_BYTES = 63;
const MAX_KEY_BYTES = 65535;
const MAX_ARRAY_DEPTH = 8;

/** Bytes a tensor of `type` with `dims` takes; throws when dims[0] is not a whole number of blocks. */
export function ggmlTensorBytes(name: string, type: GgmlType, dims: number[]): number {
  const { weights, bytes } = GGML_BLOCK[type];
  if (dims[0] % weights !== 0) {
    throw new BitrlError(
      `tensor ${shown(name)}: row length ${dims[0]} is not a multiple of ${weights} (${ggmlTypeName(type)} blocks)`,
    );
  }
  let n = (dims[0] / weights) * bytes;
  for (let i = 1; i < dims.length; i++) n *= dims[i];
  return n;
}

/** The `general.alignment` of a metadata map (default 32); must be a u32 power of two. */
export function ggufAlignment(kv: Map<string, GgufValue>): number {
  const v = kv.get("general.alignment");
  if (v === undefined) return GGUF_DEFAULT_ALIGNMENT;
  if (v.type !== "u32") throw new BitrlError(`general.alignment must be a u32, got ${v.type}`);
  const a = v.value;
  if (a < 1 || (a & (a - 1)) !== 0) throw new BitrlError(`general.alignment ${a} is not a power of two`);
  return a;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });
const utf8Encoder = new TextEncoder();

/** GGUF's fixed-size numbers: bytes each and the DataView accessor that reads and writes them (get/set + name). */
const NUMBERS = {
  u8: [1, "Uint8"],
  i8: [1, "Int8"],
  u16: [2, "Uint16"],
  i16: [2, "Int16"],
  u32: [4, "Uint32"],
  i32: [4, "Int32"],
  f32: [4, "Float32"],
  f64: [8, "Float64"],
  u64: [8, "BigUint64"],
  i64: [8, "BigInt64"],
} as const;
type FixedType = keyof typeof NUMBERS;
type FixedValue<K extends FixedType> = K extends "u64" | "i64" ? bigint : number;
const isFixedType = (t: GgufValueType): t is FixedType => Object.hasOwn(NUMBERS, t);

/** A bounds-checked little-endian cursor; every read names what it was reading when it runs out. */
class Cursor {
  pos = 0;
  private view: DataView;
  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  get left(): number {
    return this.bytes.length - this.pos;
  }
  need(n: number, what: string): void {
    if (n > this.left)
      throw new BitrlError(`truncated GGUF: ${what} needs ${n} bytes at offset ${this.pos}, ${this.left} left`);
  }
  /** Reads one little-endian number of GGUF type `type`. */
  num<K extends FixedType>(type: K, what: string): FixedValue<K> {
    const [size, accessor] = NUMBERS[type];
    this.need(size, what);
    const v = (this.view[`get${accessor}`] as (at: number, littleEndian: boolean) => FixedValue<K>).call(
      this.view,
      this.pos,
      true,
    );
    this.pos += size;
    return v;
  }
  /** A u64 that must be <= max (so it also fits a JS number exactly). */
  count(what: string, max: number): number {
    const v = this.num("u64", what);
    if (v > BigInt(max)) throw new BitrlError(`${what} ${v} is too large (at most ${max} fit in the bytes left)`);
    return Number(v);
  }
  string(what: string, maxBytes: number): string {
    const n = this.count(`${what} length`, Math.min(maxBytes, Math.max(0, this.left - 8)));
    this.need(n, what);
    const raw = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    try {
      return utf8.decode(raw);
    } catch {
      throw new BitrlError(`${what} is not valid UTF-8`);
    }
  }
}

/** Smallest encoded size of one array item of `type`, so a count can be checked before any allocation. */
function minItemBytes(type: GgufValueType): number {
  switch (type) {
    case "u8":
    case "i8":
    case "bool":
      return 1;
    case "u16":
    case "i16":
      return 2;
    case "u32":
    case "i32":
    case "f32":
      return 4;
    case "u64":
    case "i64":
    case "f64":
    case "string":
      return 8;
    case "array":
      return 12;
  }
}

function valueType(id: number, what: string): GgufValueType {
  const t = VALUE_TYPES[id];
  if (t === undefined) throw new BitrlError(`${what}: unknown GGUF value type ${id}`);
  return t;
}

function readValue(c: Cursor, type: GgufValueType, what: string, depth: number): GgufValue {
  if (isFixedType(type)) return { type, value: c.num(type, what) } as GgufValue;
  switch (type) {
    case "bool": {
      const b = c.num("u8", what);
      if (b > 1) throw new BitrlError(`${what}: bool byte ${b} is neither 0 nor 1`);
      return { type, value: b === 1 };
    }
    case "string":
      return { type, value: c.string(what, Number.MAX_SAFE_INTEGER) };
    case "array": {
      if (depth >= MAX_ARRAY_DEPTH) throw new BitrlError(`${what}: arrays nested deeper than ${MAX_ARRAY_DEPTH}`);
      const itemType = valueType(c.num("u32", `${what} array type`), what);
      const n = c.count(`${what} array length`, Math.floor(Math.max(0, c.left - 8) / minItemBytes(itemType)));
      const items: GgufValue[] = [];
      for (let i = 0; i < n; i++) items.push(readValue(c, itemType, what, depth + 1));
      return { type, itemType, items };
    }
  }
}

/** Parses a GGUF v2/v3 file. Tensor data are views into `bytes` (copy them if `bytes` will change). */
export function parseGguf(bytes: Uint8Array): GgufFile {
  const c = new Cursor(bytes);
  if (bytes.length < 4 || c.num("u32", "magic") !== MAGIC) throw new BitrlError("bad magic (not a GGUF file)");
  const version = c.num("u32", "version");
  if (version !== 2 && version !== 3)
    throw new BitrlError(`unsupported GGUF version ${version} (this reader knows 2 and 3)`);
  // Minimum encoded sizes: a tensor info is >= 8 + 1 + 4 + 8 + 4 + 8 bytes, a kv pair >= 8 + 1 + 4 + 1.
  const tensorCount = c.count("tensor count", Math.floor(Math.max(0, c.left - 8) / 33));
  const kvCount = c.count("metadata count", Math.floor(c.left / 14));

  const kv = new Map<string, GgufValue>();
  for (let i = 0; i < kvCount; i++) {
    const key = c.string(`metadata key ${i}`, MAX_KEY_BYTES);
    if (key.length === 0) throw new BitrlError(`metadata key ${i} is empty`);
    if (kv.has(key)) throw new BitrlError(`duplicate metadata key ${shown(key)}`);
    const type = valueType(c.num("u32", `metadata ${shown(key)} type`), `metadata ${shown(key)}`);
    kv.set(key, readValue(c, type, `metadata ${shown(key)}`, 0));
  }
  const alignment = ggufAlignment(kv);

  interface Info {
    name: string;
    dims: number[];
    type: GgmlType;
    offset: number;
    size: number;
  }
  const infos: Info[] = [];
  const names = new Set<string>();
  for (let i = 0; i < tensorCount; i++) {
    const name = c.string(`tensor ${i} name`, MAX_NAME_BYTES);
    if (name.length === 0) throw new BitrlError(`tensor ${i} has an empty name`);
    if (names.has(name)) throw new BitrlError(`duplicate tensor name ${shown(name)}`);
    names.add(name);
    const nDims = c.num("u32", `tensor ${shown(name)} n_dims`);
    if (nDims < 1 || nDims > 4) throw new BitrlError(`tensor ${shown(name)}: n_dims ${nDims} (must be 1..4)`);
    const dims: number[] = [];
    let numel = 1n;
    for (let d = 0; d < nDims; d++) {
      const n = c.num("u64", `tensor ${shown(name)} dim ${d}`);
      if (n < 1n) throw new BitrlError(`tensor ${shown(name)}: dim ${d} is 0`);
      numel *= n;
      // Any tensor bigger than the whole file cannot be valid; this also keeps every product an exact number.
      if (numel > BigInt(bytes.length) * 8n)
        throw new BitrlError(`tensor ${shown(name)}: ${numel} elements cannot fit in a ${bytes.length}-byte file`);
      dims.push(Number(n));
    }
    const typeId = c.num("u32", `tensor ${shown(name)} type`);
    if (!isSupportedGgmlType(typeId))
      throw new BitrlError(`tensor ${shown(name)}: unsupported ggml type ${typeId} (${ggmlTypeName(typeId)})`);
    const offset = c.num("u64", `tensor ${shown(name)} offset`);
    if (offset > BigInt(bytes.length))
      throw new BitrlError(`tensor ${shown(name)}: offset ${offset} is beyond the end of the file`);
    if (offset % BigInt(alignment) !== 0n)
      throw new BitrlError(`tensor ${shown(name)}: offset ${offset} is not a multiple of the alignment ${alignment}`);
    infos.push({ name, dims, type: typeId, offset: Number(offset), size: ggmlTensorBytes(name, typeId, dims) });
  }

  const dataStart = Math.ceil(c.pos / alignment) * alignment;
  if (tensorCount > 0 && dataStart > bytes.length)
    throw new BitrlError(`truncated GGUF: tensor data would start at ${dataStart}, file is ${bytes.length} bytes`);
  const tensors: GgufTensor[] = [];
  const ranges: [number, number, string][] = [];
  for (const t of infos) {
    const start = dataStart + t.offset;
    const end = start + t.size;
    if (end > bytes.length) {
      throw new BitrlError(
        `tensor ${shown(t.name)}: data [${start}, ${end}) runs past the end of the file (${bytes.length} bytes; truncated?)`,
      );
    }
    ranges.push([start, end, t.name]);
    tensors.push({ name: t.name, dims: t.dims, type: t.type, data: bytes.subarray(start, end) });
  }
  ranges.sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < ranges.length; i++) {
    if (ranges[i][0] < ranges[i - 1][1])
      throw new BitrlError(`tensors ${shown(ranges[i - 1][2])} and ${shown(ranges[i][2])} overlap`);
  }
  return { version, kv, tensors };
}

/** Growable little-endian byte writer. */
class Writer {
  private buf = new Uint8Array(1024);
  private view = new DataView(this.buf.buffer);
  pos = 0;
  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }
  /** Writes one little-endian number of GGUF type `type`. */
  num<K extends FixedType>(type: K, v: FixedValue<K>): void {
    const [size, accessor] = NUMBERS[type];
    this.room(size);
    (this.view[`set${accessor}`] as (at: number, v: FixedValue<K>, littleEndian: boolean) => void).call(
      this.view,
      this.pos,
      v,
      true,
    );
    this.pos += size;
  }
  bytes(b: Uint8Array) {
    this.room(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }
  string(s: string) {
    const b = utf8Encoder.encode(s);
    this.num("u64", BigInt(b.length));
    this.bytes(b);
  }
  pad(alignment: number) {
    const n = (alignment - (this.pos % alignment)) % alignment;
    this.room(n);
    this.pos += n;
  }
  result(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }
}

const INT_RANGE: Record<string, [number, number]> = {
  u8: [0, 0xff],
  i8: [-0x80, 0x7f],
  u16: [0, 0xffff],
  i16: [-0x8000, 0x7fff],
  u32: [0, 0xffffffff],
  i32: [-0x80000000, 0x7fffffff],
};

function writeValue(w: Writer, v: GgufValue, what: string): void {
  switch (v.type) {
    case "u8":
    case "i8":
    case "u16":
    case "i16":
    case "u32":
    case "i32": {
      const [lo, hi] = INT_RANGE[v.type];
      if (!Number.isInteger(v.value) || v.value < lo || v.value > hi)
        throw new BitrlError(`${what}: ${v.value} is not a ${v.type}`);
      w.num(v.type, v.value);
      return;
    }
    case "f32":
    case "f64":
      w.num(v.type, v.value);
      return;
    case "u64":
      if (v.value < 0n || v.value > 0xffffffffffffffffn) throw new BitrlError(`${what}: ${v.value} is not a u64`);
      w.num("u64", v.value);
      return;
    case "i64":
      if (v.value < -(1n << 63n) || v.value >= 1n << 63n) throw new BitrlError(`${what}: ${v.value} is not an i64`);
      w.num("i64", v.value);
      return;
    case "bool":
      w.num("u8", v.value ? 1 : 0);
      return;
    case "string":
      w.string(v.value);
      return;
    case "array":
      w.num("u32", VALUE_TYPES.indexOf(v.itemType));
      w.num("u64", BigInt(v.items.length));
      for (const item of v.items) {
        if (item.type !== v.itemType) throw new BitrlError(`${what}: array of ${v.itemType} holds a ${item.type}`);
        writeValue(w, item, what);
      }
      return;
  }
}

/**
 * Serializes a GGUF v3 file: metadata in map order, tensor infos, then each tensor's data at the next multiple of
 * `general.alignment` (default 32), the last one padded too (as ggml writes it).
 */
export function writeGguf(file: Pick<GgufFile, "kv" | "tensors">): Uint8Array {
  const alignment = ggufAlignment(file.kv);
  const w = new Writer();
  w.num("u32", MAGIC);
  w.num("u32", 3);
  w.num("u64", BigInt(file.tensors.length));
  w.num("u64", BigInt(file.kv.size));
  for (const [key, value] of file.kv) {
    if (key.length === 0 || utf8Encoder.encode(key).length > MAX_KEY_BYTES)
      throw new BitrlError(`metadata key ${shown(key)} must be 1..${MAX_KEY_BYTES} bytes`);
    w.string(key);
    w.num("u32", VALUE_TYPES.indexOf(value.type));
    writeValue(w, value, `metadata ${shown(key)}`);
  }
  const names = new Set<string>();
  let offset = 0;
  for (const t of file.tensors) {
    const nameBytes = utf8Encoder.encode(t.name).length;
    if (nameBytes < 1 || nameBytes > MAX_NAME_BYTES)
      throw new BitrlError(`tensor name ${shown(t.name)} must be 1..${MAX_NAME_BYTES} bytes`);
    if (names.has(t.name)) throw new BitrlError(`duplicate tensor name ${shown(t.name)}`);
    names.add(t.name);
    if (t.dims.length < 1 || t.dims.length > 4 || t.dims.some((d) => !Number.isInteger(d) || d < 1)) {
      throw new BitrlError(`tensor ${shown(t.name)}: dims [${t.dims.join(", ")}] must be 1..4 integers >= 1`);
    }
    if (!isSupportedGgmlType(t.type))
      throw new BitrlError(`tensor ${shown(t.name)}: unsupported ggml type ${t.type} (${ggmlTypeName(t.type)})`);
    const size = ggmlTensorBytes(t.name, t.type, t.dims);
    if (t.data.length !== size)
      throw new BitrlError(`tensor ${shown(t.name)}: ${t.data.length} data bytes, its type and dims need ${size}`);
    w.string(t.name);
    w.num("u32", t.dims.length);
    for (const d of t.dims) w.num("u64", BigInt(d));
    w.num("u32", t.type);
    w.num("u64", BigInt(offset));
    offset += Math.ceil(size / alignment) * alignment;
  }
  w.pad(alignment);
  for (const t of file.tensors) {
    w.bytes(t.data);
    w.pad(alignment);
  }
  return w.result();
}
