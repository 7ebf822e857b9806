// Finds a tensor of the loaded blob by name through blob_read (table layout in docs/format.md), checking the
// entry's ranges against the blob's size before anyone reads data. The host or firmware has checked the CRCs.
import { blobRead, blobSize } from "../host";

const HEADER_BYTES: u32 = 32;
const ENTRY_BYTES: u32 = 96;
const NAME_BYTES: i32 = 48;

// u8[96] scratch for one header or table entry
const entry = memory.data(96, 16);

/** Result of blobFind: where the tensor's data lies and how it is stored. */
export let foundOffset: u32 = 0;
export let foundBytes: u32 = 0;
export let foundPacking: i32 = -1; // 0 f32, 1 i32, 2 i8, 3 i2, 4 t3
export let foundNumel: i32 = 0;

/** Reads `len` blob bytes at `offset` to `dst`; false on any blob_read error. */
export function blobGet(offset: u32, dst: usize, len: u32): bool {
  return blobRead(offset, dst, len) == 0;
}

function nameMatches(name: string): bool {
  if (name.length >= NAME_BYTES) return false;
  for (let i = 0; i < name.length; i++) if (<i32>load<u8>(entry + <usize>i) != name.charCodeAt(i)) return false;
  return load<u8>(entry + <usize>name.length) == 0;
}

/** Looks up `name` (ASCII); true when found with a sane entry (then found* describe it). */
export function blobFind(name: string): bool {
  const size = blobSize();
  if (size < HEADER_BYTES + 4 || !blobGet(0, entry, HEADER_BYTES)) return false;
  if (load<u32>(entry) != 0x4c525442) return false; // "BTRL"
  const count = load<u32>(entry, 12);
  const table = load<u32>(entry, 20);
  if (count > 4096 || <u64>table + <u64>count * ENTRY_BYTES > <u64>size) return false;
  for (let t: u32 = 0; t < count; t++) {
    if (!blobGet(table + t * ENTRY_BYTES, entry, ENTRY_BYTES)) return false;
    if (!nameMatches(name)) continue;
    const ndim = <i32>load<u8>(entry, 49);
    if (ndim < 1 || ndim > 4) return false;
    let numel: u64 = 1;
    for (let d = 0; d < ndim; d++) numel *= <u64>load<u32>(entry + 52 + (<usize>d << 2));
    const offset = load<u32>(entry, 68);
    const bytes = load<u32>(entry, 72);
    if (numel > 0x10000000 || <u64>offset + <u64>bytes > <u64>size) return false;
    foundOffset = offset;
    foundBytes = bytes;
    foundPacking = <i32>load<u8>(entry, 48);
    foundNumel = <i32>numel;
    return true;
  }
  return false;
}
