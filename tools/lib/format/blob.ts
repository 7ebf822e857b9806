// The .bitrl model blob, pure encode/decode (byte layout and every reader rule in docs/format.md).
// decodeBlob trusts nothing: each field is checked before it is used, and any bad input is a BitrlError.
import { crc32 } from "../util/crc32.ts";
import { BitrlError } from "../util/errors.ts";
import { unpackTernary, rowBytes } from "./ternary-packing.ts";
import type { Blob, BlobTensor, Packing } from "./types.ts";

export const BLOB_MAGIC = [0x42, 0x54, 0x52, 0x4c]; // "BTRL"
export const BLOB_VERSION = 1;
export const HEADER_BYTES = 32;
export const ENTRY_BYTES = 96;
export const NAME_BYTES = 48; // name field; 1..47 bytes of UTF-8 then NULs
export const MAX_TENSORS = 4096;
export const MAX_NUMEL = 2 ** 28;
const TRAILER_BYTES = 4;
const MIN_FILE_BYTES = HEADER_BYTES + TRAILER_BYTES;

/** Packing codes as stored in a table entry (index = code). */
export const PACKING_CODES: readonly Packing[] = ["f32", "i32", "i8", "i2", "t3"];
const SCALE_NONE = 0;
const SCALE_TENSOR = 1;
const SCALE_ROW = 2;

const align = (n: number, a: number) => Math.ceil(n / a) * a;
const hex = (n: number) => "0x" + (n >>> 0).toString(16).padStart(8, "0");
const utf8 = new TextEncoder();
const fail = (msg: string): never => {
  throw new BitrlError(msg);
};

/** Product of the dims, or Infinity as soon as it passes MAX_NUMEL (so huge shapes never overflow). */
function numelOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) {
    n *= d;
    if (n > MAX_NUMEL) return Infinity;
  }
  return n;
}

/** Bytes the packed data of a tensor takes (docs/format.md "Data sizes"). */
export function dataBytesFor(packing: Packing, shape: readonly number[]): number {
  const n = numelOf(shape);
  switch (packing) {
    case "f32":
    case "i32":
      return 4 * n;
    case "i8":
      return n;
    case "i2":
    case "t3":
      return shape[0] * rowBytes(packing, shape[1]);
  }
}

/** Checks a name against the table's rules; returns its UTF-8 bytes. */
function nameBytes(name: string, where: string): Uint8Array {
  if (typeof name !== "string") fail(`${where}: name is not a string`);
  const b = utf8.encode(name);
  if (b.length < 1 || b.length > NAME_BYTES - 1)
    fail(`${where}: name is ${b.length} bytes of UTF-8, must be 1..${NAME_BYTES - 1}`);
  if (b.includes(0)) fail(`${where}: name contains a NUL character`);
  if (new TextDecoder().decode(b) !== name) fail(`${where}: name is not well-formed Unicode (a lone surrogate?)`);
  return b;
}

/** Checks a tensor as a writer sees it (the same rules the reader applies to the bytes). */
function checkTensor(t: BlobTensor, i: number): void {
  const where = `tensor ${i} '${String(t?.name)}'`;
  nameBytes(t.name, where);
  const code = PACKING_CODES.indexOf(t.packing);
  if (code < 0) fail(`${where}: unknown packing '${String(t.packing)}'`);
  const shape = t.shape;
  if (!Array.isArray(shape) || shape.length < 1 || shape.length > 4) fail(`${where}: shape must have 1..4 dims`);
  if (shape.some((d) => !Number.isInteger(d) || d < 1 || d > 0xffffffff))
    fail(`${where}: shape [${shape}] has a dim that is not an integer >= 1`);
  if ((t.packing === "i2" || t.packing === "t3") && shape.length !== 2)
    fail(`${where}: ${t.packing} needs a 2-D shape, got [${shape}]`);
  if (numelOf(shape) > MAX_NUMEL) fail(`${where}: shape [${shape}] has more than 2^28 elements`);
  if (!(t.data instanceof Uint8Array)) fail(`${where}: data is not a Uint8Array`);
  const want = dataBytesFor(t.packing, shape);
  if (t.data.length !== want) fail(`${where}: data is ${t.data.length} bytes, ${t.packing} [${shape}] needs ${want}`);
  if (!(t.scales instanceof Float32Array)) fail(`${where}: scales is not a Float32Array`);
  const n = t.scales.length;
  if (t.packing === "f32" || t.packing === "i32") {
    if (n !== 0) fail(`${where}: ${t.packing} tensors take no scales, got ${n}`);
  } else if (n !== 1 && n !== shape[0]) {
    fail(`${where}: ${n} scales, need 1 (per tensor) or ${shape[0]} (per row)`);
  }
  for (let k = 0; k < n; k++) {
    if (!Number.isFinite(t.scales[k]) || t.scales[k] < 0)
      fail(`${where}: scale ${k} is ${t.scales[k]}, must be finite and >= 0`);
  }
  if (t.packing === "i2" || t.packing === "t3") {
    try {
      unpackTernary(t.data, shape[0], shape[1], t.packing); // never write what a reader rejects
    } catch (err) {
      fail(`${where}: ${(err as Error).message}`);
    }
  }
}

/** Encodes a blob; throws BitrlError when a tensor or the metadata breaks a rule. Deterministic. */
export function encodeBlob(blob: Blob): Uint8Array {
  if (blob.version !== BLOB_VERSION) fail(`cannot write version ${blob.version} (this writer knows ${BLOB_VERSION})`);
  const tensors = blob.tensors;
  if (tensors.length < 1 || tensors.length > MAX_TENSORS)
    fail(`a blob holds 1..${MAX_TENSORS} tensors, got ${tensors.length}`);
  const meta = blob.meta ?? {};
  if (typeof meta !== "object" || meta === null || Array.isArray(meta)) fail("meta must be a JSON object");
  let metaJson = "";
  try {
    metaJson = Object.keys(meta).length ? JSON.stringify(meta) : "";
  } catch (e) {
    fail(`meta is not JSON-serialisable: ${(e as Error).message}`);
  }
  const metaBytes = utf8.encode(metaJson);
  const seen = new Set<string>();
  tensors.forEach((t, i) => {
    checkTensor(t, i);
    if (seen.has(t.name)) fail(`tensor ${i} '${t.name}': duplicate name`);
    seen.add(t.name);
  });

  // Layout: header, meta, table (4-aligned), then each tensor's data and scales (16-aligned), then the CRC.
  const tableOffset = align(HEADER_BYTES + metaBytes.length, 4);
  const dataOffset = align(tableOffset + ENTRY_BYTES * tensors.length, 16);
  let cursor = dataOffset;
  const places = tensors.map((t) => {
    const data = align(cursor, 16);
    cursor = data + t.data.length;
    const scale = t.scales.length ? align(cursor, 16) : 0;
    if (t.scales.length) cursor = scale + 4 * t.scales.length;
    return { data, scale };
  });
  const fileBytes = cursor + TRAILER_BYTES;
  if (fileBytes > 0xffffffff) fail(`blob would be ${fileBytes} bytes, over the 4 GiB limit of the format`);

  const out = new Uint8Array(fileBytes);
  const v = new DataView(out.buffer);
  out.set(BLOB_MAGIC, 0);
  v.setUint16(4, BLOB_VERSION, true);
  v.setUint16(6, HEADER_BYTES, true);
  v.setUint32(8, fileBytes, true);
  v.setUint32(12, tensors.length, true);
  v.setUint32(16, metaBytes.length, true);
  v.setUint32(20, tableOffset, true);
  v.setUint32(24, dataOffset, true);
  out.set(metaBytes, HEADER_BYTES);
  tensors.forEach((t, i) => {
    const e = tableOffset + ENTRY_BYTES * i;
    const { data, scale } = places[i];
    out.set(utf8.encode(t.name), e);
    out[e + 48] = PACKING_CODES.indexOf(t.packing);
    out[e + 49] = t.shape.length;
    out[e + 50] = t.scales.length === 0 ? SCALE_NONE : t.scales.length === 1 ? SCALE_TENSOR : SCALE_ROW;
    t.shape.forEach((d, k) => v.setUint32(e + 52 + 4 * k, d, true));
    v.setUint32(e + 68, data, true);
    v.setUint32(e + 72, t.data.length, true);
    v.setUint32(e + 76, scale, true);
    v.setUint32(e + 80, t.scales.length, true);
    out.set(t.data, data);
    for (let k = 0; k < t.scales.length; k++) v.setFloat32(scale + 4 * k, t.scales[k], true);
    v.setUint32(e + 84, crc32(t.data), true);
    v.setUint32(e + 88, crc32(out.subarray(scale, scale + 4 * t.scales.length)), true);
  });
  v.setUint32(fileBytes - 4, crc32(out.subarray(0, fileBytes - 4)), true);
  return out;
}

interface Header {
  fileBytes: number;
  tensorCount: number;
  metaBytes: number;
  tableOffset: number;
  dataOffset: number;
}

/** Header checks, in the order docs/format.md lists them; the file CRC is verified before the layout fields. */
function readHeader(bytes: Uint8Array, v: DataView): Header {
  if (bytes.length < MIN_FILE_BYTES)
    fail(`file is ${bytes.length} bytes, too short for a bitrl blob (at least ${MIN_FILE_BYTES})`);
  for (let k = 0; k < 4; k++) if (bytes[k] !== BLOB_MAGIC[k]) fail("bad magic (not a bitrl blob)");
  const version = v.getUint16(4, true);
  if (version !== BLOB_VERSION) fail(`unsupported version ${version} (this reader knows ${BLOB_VERSION})`);
  const headerBytes = v.getUint16(6, true);
  if (headerBytes !== HEADER_BYTES) fail(`header_bytes is ${headerBytes}, must be ${HEADER_BYTES}`);
  const fileBytes = v.getUint32(8, true);
  if (fileBytes !== bytes.length) {
    fail(
      `file is ${bytes.length} bytes, header says ${fileBytes} (${bytes.length < fileBytes ? "truncated?" : "trailing bytes?"})`,
    );
  }
  const stored = v.getUint32(fileBytes - 4, true);
  const computed = crc32(bytes.subarray(0, fileBytes - 4));
  if (stored !== computed) fail(`checksum mismatch (file CRC ${hex(stored)}, computed ${hex(computed)})`);
  const h: Header = {
    fileBytes,
    tensorCount: v.getUint32(12, true),
    metaBytes: v.getUint32(16, true),
    tableOffset: v.getUint32(20, true),
    dataOffset: v.getUint32(24, true),
  };
  if (h.tensorCount < 1 || h.tensorCount > MAX_TENSORS)
    fail(`tensor_count is ${h.tensorCount}, must be 1..${MAX_TENSORS}`);
  if (h.tableOffset % 4 !== 0) fail(`table_offset ${h.tableOffset} is not a multiple of 4`);
  if (HEADER_BYTES + h.metaBytes > h.tableOffset)
    fail(`metadata (${h.metaBytes} bytes at 32) runs past table_offset ${h.tableOffset}`);
  if (h.dataOffset % 16 !== 0) fail(`data_offset ${h.dataOffset} is not a multiple of 16`);
  if (h.tableOffset + ENTRY_BYTES * h.tensorCount > h.dataOffset) {
    fail(`tensor table (${h.tensorCount} entries at ${h.tableOffset}) runs past data_offset ${h.dataOffset}`);
  }
  if (h.dataOffset > fileBytes - 4)
    fail(`data_offset ${h.dataOffset} is past the end of the data area (${fileBytes - 4})`);
  const reserved = v.getUint32(28, true);
  if (reserved !== 0) fail(`header reserved field is ${reserved}, must be 0`);
  return h;
}

function readMeta(bytes: Uint8Array, h: Header): Record<string, unknown> {
  if (h.metaBytes === 0) return {};
  let meta: unknown;
  try {
    const text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(
      bytes.subarray(HEADER_BYTES, HEADER_BYTES + h.metaBytes),
    );
    meta = JSON.parse(text);
  } catch (e) {
    fail(`metadata is not valid UTF-8 JSON (${(e as Error).message.split("\n")[0]})`);
  }
  if (typeof meta !== "object" || meta === null || Array.isArray(meta)) fail("metadata is not a JSON object");
  return meta as Record<string, unknown>;
}

/** Decodes and fully validates a blob; any problem is a BitrlError naming it. The result owns copies of the bytes. */
export function decodeBlob(input: Uint8Array): Blob {
  if (!(input instanceof Uint8Array)) fail("blob bytes must be a Uint8Array");
  const bytes = new Uint8Array(input.buffer, input.byteOffset, input.byteLength); // a plain view (a Buffer's slice() would not copy)
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const h = readHeader(bytes, v);
  const meta = readMeta(bytes, h);
  const end = h.fileBytes - TRAILER_BYTES; // the data area is [h.dataOffset, end)
  const names = new Set<string>();
  const ranges: { start: number; end: number; what: string }[] = [];
  const tensors: BlobTensor[] = [];
  const nameDecoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

  for (let i = 0; i < h.tensorCount; i++) {
    const e = h.tableOffset + ENTRY_BYTES * i;
    // Name: 1..47 bytes, then NULs only.
    const field = bytes.subarray(e, e + NAME_BYTES);
    const len = field.indexOf(0);
    if (len < 1) fail(`tensor ${i}: name ${len === 0 ? "is empty" : "is not NUL-terminated within 48 bytes"}`);
    for (let k = len; k < NAME_BYTES; k++)
      if (field[k] !== 0) fail(`tensor ${i}: name field has bytes after its NUL terminator`);
    let name = "";
    try {
      name = nameDecoder.decode(field.subarray(0, len));
    } catch {
      fail(`tensor ${i}: name is not valid UTF-8`);
    }
    const where = `tensor ${i} '${name}'`;
    if (names.has(name)) fail(`${where}: duplicate name`);
    names.add(name);

    const code = bytes[e + 48];
    if (code >= PACKING_CODES.length) fail(`${where}: unknown packing code ${code}`);
    const packing = PACKING_CODES[code];
    const ndim = bytes[e + 49];
    if (ndim < 1 || ndim > 4) fail(`${where}: ndim is ${ndim}, must be 1..4`);
    const ternary = packing === "i2" || packing === "t3";
    if (ternary && ndim !== 2) fail(`${where}: ${packing} needs ndim 2, got ${ndim}`);
    const scaleKind = bytes[e + 50];
    if (packing === "f32" || packing === "i32") {
      if (scaleKind !== SCALE_NONE) fail(`${where}: scale_kind ${scaleKind}, ${packing} tensors need 0 (none)`);
    } else if (scaleKind !== SCALE_TENSOR && scaleKind !== SCALE_ROW) {
      fail(`${where}: scale_kind ${scaleKind}, ${packing} tensors need 1 (per tensor) or 2 (per row)`);
    }
    if (bytes[e + 51] !== 0) fail(`${where}: entry reserved byte is ${bytes[e + 51]}, must be 0`);
    const shape: number[] = [];
    for (let k = 0; k < 4; k++) {
      const d = v.getUint32(e + 52 + 4 * k, true);
      if (k < ndim && d < 1) fail(`${where}: shape[${k}] is 0`);
      if (k >= ndim && d !== 0) fail(`${where}: shape[${k}] is ${d} past ndim ${ndim}, must be 0`);
      if (k < ndim) shape.push(d);
    }
    if (numelOf(shape) > MAX_NUMEL) fail(`${where}: shape [${shape}] has more than 2^28 elements`);

    const dataOff = v.getUint32(e + 68, true);
    const dataLen = v.getUint32(e + 72, true);
    const scaleOff = v.getUint32(e + 76, true);
    const scaleCount = v.getUint32(e + 80, true);
    const wantLen = dataBytesFor(packing, shape);
    if (dataLen !== wantLen) fail(`${where}: data_bytes is ${dataLen}, ${packing} [${shape}] needs ${wantLen}`);
    const wantScales = scaleKind === SCALE_NONE ? 0 : scaleKind === SCALE_TENSOR ? 1 : shape[0];
    if (scaleCount !== wantScales)
      fail(`${where}: scale_count is ${scaleCount}, scale_kind ${scaleKind} needs ${wantScales}`);
    if (v.getUint32(e + 92, true) !== 0) fail(`${where}: entry reserved field is nonzero`);
    if (dataOff % 16 !== 0) fail(`${where}: data_offset ${dataOff} is not a multiple of 16`);
    if (dataOff < h.dataOffset || dataOff + dataLen > end)
      fail(`${where}: data range [${dataOff}, ${dataOff + dataLen}) outside the data area [${h.dataOffset}, ${end})`);
    ranges.push({ start: dataOff, end: dataOff + dataLen, what: `${where} data` });
    const scaleLen = 4 * scaleCount;
    if (scaleCount === 0) {
      if (scaleOff !== 0) fail(`${where}: scale_offset is ${scaleOff} with no scales, must be 0`);
    } else {
      if (scaleOff % 16 !== 0) fail(`${where}: scale_offset ${scaleOff} is not a multiple of 16`);
      if (scaleOff < h.dataOffset || scaleOff + scaleLen > end)
        fail(
          `${where}: scale range [${scaleOff}, ${scaleOff + scaleLen}) outside the data area [${h.dataOffset}, ${end})`,
        );
      ranges.push({ start: scaleOff, end: scaleOff + scaleLen, what: `${where} scales` });
    }

    const data = bytes.slice(dataOff, dataOff + dataLen);
    const dataCrc = v.getUint32(e + 84, true);
    if (crc32(data) !== dataCrc)
      fail(`${where}: data checksum mismatch (stored ${hex(dataCrc)}, computed ${hex(crc32(data))})`);
    const scaleRaw = bytes.subarray(scaleOff, scaleOff + scaleLen);
    const scaleCrc = v.getUint32(e + 88, true);
    if (crc32(scaleRaw) !== scaleCrc)
      fail(`${where}: scale checksum mismatch (stored ${hex(scaleCrc)}, computed ${hex(crc32(scaleRaw))})`);
    const scales = new Float32Array(scaleCount);
    for (let k = 0; k < scaleCount; k++) {
      const s = v.getFloat32(scaleOff + 4 * k, true);
      if (!Number.isFinite(s) || s < 0) fail(`${where}: scale ${k} is ${s}, must be finite and >= 0`);
      scales[k] = s;
    }
    if (ternary) {
      try {
        unpackTernary(data, shape[0], shape[1], packing);
      } catch (err) {
        fail(`${where}: ${(err as Error).message}`);
      }
    }
    tensors.push({ name, shape, packing, data, scales });
  }

  ranges.sort((a, b) => a.start - b.start);
  for (let k = 1; k < ranges.length; k++) {
    if (ranges[k].start < ranges[k - 1].end)
      fail(`${ranges[k].what} [${ranges[k].start}, ${ranges[k].end}) overlaps ${ranges[k - 1].what}`);
  }
  return { version: BLOB_VERSION, meta, tensors };
}

/**
 * Recomputes every checksum of a (possibly corrupt) blob in place, as far as its fields allow, and returns it:
 * data/scale CRCs of table entries whose ranges lie inside the file, then the trailer CRC. Never throws. For
 * tests of readers (TypeScript and C): a corrupted field then reaches the deep checks instead of the file CRC.
 */
export function resealBlob(bytes: Uint8Array): Uint8Array {
  if (bytes.length < MIN_FILE_BYTES) return bytes;
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const count = Math.min(v.getUint32(12, true), MAX_TENSORS);
  const table = v.getUint32(20, true);
  const end = bytes.length - TRAILER_BYTES;
  for (let i = 0; i < count; i++) {
    const e = table + ENTRY_BYTES * i;
    if (e + ENTRY_BYTES > end) break;
    const dOff = v.getUint32(e + 68, true),
      dLen = v.getUint32(e + 72, true);
    const sOff = v.getUint32(e + 76, true),
      sLen = 4 * v.getUint32(e + 80, true);
    if (dOff + dLen <= end) v.setUint32(e + 84, crc32(bytes.subarray(dOff, dOff + dLen)), true);
    if (sOff + sLen <= end) v.setUint32(e + 88, crc32(bytes.subarray(sOff, sOff + sLen)), true);
  }
  v.setUint32(end, crc32(bytes.subarray(0, end)), true);
  return bytes;
}

/** A blob's identity: the CRC-32 of every byte before its 4-byte trailer, which is what the trailer stores (the CRC
 *  of a whole blob is CRC-32's residue constant, the same for every valid blob), as 8 hex digits. Read from the
 *  trailer; decodeBlob has checked it against the bytes. */
export function modelId(bytes: Uint8Array): string {
  if (bytes.length < 4) throw new BitrlError(`a blob of ${bytes.length} bytes has no trailer`);
  return new DataView(bytes.buffer, bytes.byteOffset + bytes.length - 4, 4)
    .getUint32(0, true)
    .toString(16)
    .padStart(8, "0");
}
