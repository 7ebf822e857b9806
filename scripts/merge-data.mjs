// Merges a wasm module's active data segments into one, zero-filling the gaps between them. AssemblyScript emits
// one segment per static object (~370 for the agent), and wasm3 keeps a 20-byte record per segment in its heap for
// the module's life: 7 KB of a 256 KiB board's RAM (docs/firmware.md). One segment costs ~2 KB of zeros in the
// module's bytes (flash) instead. The initial memory is the same byte for byte (later segments win where they
// overlap, as instantiation applies them in order). Modules with passive segments or non-constant offsets are
// returned unchanged.

/** Reads a LEB128 at p: [value, next p]; `signed` reads an i32 (the i32.const immediate of a segment offset). */
function readLeb(b, p, signed = false) {
  let v = 0,
    shift = 0,
    byte;
  do {
    byte = b[p++];
    v += (byte & 0x7f) * 2 ** shift;
    shift += 7;
  } while (byte & 0x80);
  if (!signed) return [v, p];
  return [(byte & 0x40 ? v - 2 ** shift : v) | 0, p];
}
const readU32 = (b, p) => readLeb(b, p);
const readS32 = (b, p) => readLeb(b, p, true);

function u32Leb(v) {
  const out = [];
  do {
    let byte = v & 0x7f;
    v >>>= 7;
    if (v) byte |= 0x80;
    out.push(byte);
  } while (v);
  return out;
}

function s32Leb(v) {
  const out = [];
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    if ((v === 0 && !(byte & 0x40)) || (v === -1 && byte & 0x40)) return [...out, byte];
    out.push(byte | 0x80);
  }
}

const DATA = 11,
  DATA_COUNT = 12;

/** The module with its data section's segments merged into one (Uint8Array; the input when there is nothing to do). */
export function mergeDataSegments(bytes) {
  const sections = [];
  for (let p = 8; p < bytes.length;) {
    const id = bytes[p];
    const [size, start] = readU32(bytes, p + 1);
    sections.push({ id, head: p, start, end: start + size });
    p = start + size;
  }
  const data = sections.find((s) => s.id === DATA);
  if (!data) return bytes;
  const segments = [];
  let [count, p] = readU32(bytes, data.start);
  for (let i = 0; i < count; i++) {
    const [flags, q] = readU32(bytes, p);
    if (flags !== 0 || bytes[q] !== 0x41) return bytes; // passive, another memory or a global offset: keep as is
    const [offset, r] = readS32(bytes, q + 1);
    if (bytes[r] !== 0x0b) return bytes;
    const [size, s] = readU32(bytes, r + 1);
    segments.push({ offset: offset >>> 0, bytes: bytes.subarray(s, s + size) });
    p = s + size;
  }
  if (segments.length <= 1) return bytes;
  const lo = Math.min(...segments.map((s) => s.offset));
  const hi = Math.max(...segments.map((s) => s.offset + s.bytes.length));
  const image = new Uint8Array(hi - lo);
  for (const s of segments) image.set(s.bytes, s.offset - lo);
  const body = [...u32Leb(1), 0, 0x41, ...s32Leb(lo | 0), 0x0b, ...u32Leb(image.length)];
  const parts = [bytes.subarray(0, 8)];
  for (const s of sections) {
    if (s.id === DATA) parts.push(Uint8Array.of(DATA, ...u32Leb(body.length + image.length), ...body), image);
    else if (s.id === DATA_COUNT)
      parts.push(Uint8Array.of(DATA_COUNT, 1, 1)); // one segment now
    else parts.push(bytes.subarray(s.head, s.end));
  }
  return new Uint8Array(Buffer.concat(parts));
}
