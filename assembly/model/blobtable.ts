// The module's one reader of the loaded blob (docs/format.md), used by the backbone and the agent: header and table
// entries are read one at a time through the blob_read import into a small buffer, so the blob itself never has to
// sit in linear memory. It owns the packing codes. The host or firmware has checked the CRCs before.
import { blobRead, blobSize } from "../host";

export const PACK_F32: i32 = 0;
export const PACK_I32: i32 = 1;
export const PACK_I8: i32 = 2;
export const PACK_I2: i32 = 3;
export const PACK_T3: i32 = 4;

const ENTRY_BYTES: u32 = 96;
const NAME_BYTES: i32 = 48;

// u8[96]: the header (32 bytes) or one table entry
const entry: usize = memory.data(96, 16);

let tensorCount: u32 = 0;
let tableOffset: u32 = 0;

/** Reads and checks the header; 0 ok, < 0 error (no blob, bad magic or version, table outside the blob). */
export function tableOpen(): i32 {
  const size = blobSize();
  if (size < 36) return -1;
  if (blobRead(0, entry, 32) != 0) return -1;
  if (load<u32>(entry) != 0x4c525442) return -2; // "BTRL"
  if (load<u16>(entry, 4) != 1) return -2;
  tensorCount = load<u32>(entry, 12);
  tableOffset = load<u32>(entry, 20);
  if (tensorCount < 1 || tensorCount > 4096) return -2;
  if (<u64>tableOffset + <u64>tensorCount * ENTRY_BYTES > <u64>size) return -2;
  return 0;
}

/** True when the entry's NUL-padded name equals prefix, then (if layer >= 0) the digit, ".", suffix. */
function nameIs(prefix: string, layer: i32, suffix: string): bool {
  let p: usize = 0; // usize: no cast around p++ (a formatter would drop its parentheses)
  for (let i = 0; i < prefix.length; i++) if (<i32>load<u8>(entry + p++) != prefix.charCodeAt(i)) return false;
  if (layer >= 0) {
    if (layer >= 10 && <i32>load<u8>(entry + p++) != 48 + layer / 10) return false; // layers 10..99: two digits
    if (<i32>load<u8>(entry + p++) != 48 + (layer % 10)) return false;
    if (<i32>load<u8>(entry + p++) != 46) return false;
    for (let i = 0; i < suffix.length; i++) if (<i32>load<u8>(entry + p++) != suffix.charCodeAt(i)) return false;
  }
  return p < <usize>NAME_BYTES && load<u8>(entry + p) == 0;
}

/**
 * Finds the tensor named prefix (or "prefix<layer>.suffix", layer 0..99) and leaves its entry in the buffer;
 * true when found. The entry fields are then read with the accessors below.
 */
export function tableFind(prefix: string, layer: i32, suffix: string): bool {
  for (let i: u32 = 0; i < tensorCount; i++) {
    if (blobRead(tableOffset + i * ENTRY_BYTES, entry, ENTRY_BYTES) != 0) return false;
    if (nameIs(prefix, layer, suffix)) return true;
  }
  return false;
}

export function entryPacking(): i32 {
  return <i32>load<u8>(entry, 48);
}
export function entryNdim(): i32 {
  return <i32>load<u8>(entry, 49);
}
export function entryShape(i: i32): i32 {
  return <i32>load<u32>(entry + 52 + <usize>(4 * i));
}
export function entryDataOffset(): u32 {
  return load<u32>(entry, 68);
}
export function entryDataBytes(): u32 {
  return load<u32>(entry, 72);
}
export function entryScaleOffset(): u32 {
  return load<u32>(entry, 76);
}
export function entryScaleCount(): u32 {
  return load<u32>(entry, 80);
}

/** True when the entry's data and scale ranges lie inside the blob. */
export function entryInBlob(): bool {
  const size = <u64>blobSize();
  return (
    <u64>entryDataOffset() + <u64>entryDataBytes() <= size &&
    <u64>entryScaleOffset() + <u64>entryScaleCount() * 4 <= size
  );
}

/** Elements of the current entry (product of its shape), or -1 when its rank is not 1..4 or it is implausibly large. */
export function entryNumel(): i32 {
  const ndim = entryNdim();
  if (ndim < 1 || ndim > 4) return -1;
  let numel: u64 = 1;
  for (let d = 0; d < ndim; d++) numel *= <u64>entryShape(d);
  return numel > 0x10000000 ? -1 : <i32>numel;
}

/** Opens the table and finds the tensor named exactly `name` with a sane shape and ranges inside the blob. */
export function tableLookup(name: string): bool {
  return tableOpen() == 0 && tableFind(name, -1, "") && entryNumel() >= 0 && entryInBlob();
}

/** Reads the first `len` bytes of the current entry's data to `dst`; false when they are not there. */
export function entryRead(dst: usize, len: u32): bool {
  return len <= entryDataBytes() && blobRead(entryDataOffset(), dst, len) == 0;
}
