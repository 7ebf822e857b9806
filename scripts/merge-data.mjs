// Merges a wasm module's active data segments, zero-filling the gaps between them. AssemblyScript emits one segment
// per static object (~370 for the agent), and wasm3 keeps a 20-byte record per segment in its heap for the module's
// life: 7 KB of a 256 KiB board's RAM (docs/firmware.md). Merged, they cost ~2 KB of zeros in the module's bytes
// (flash) instead. A gap wider than MAX_GAP (the 48 KiB I/O arena, which has no data) is not filled: the segments on
// either side stay apart, one record more rather than the gap's zeros in every image (the AOT build embeds them too).
// The initial memory is the same byte for byte (later segments win where they overlap, as instantiation applies them
// in order). Modules with passive segments or non-constant offsets are returned unchanged.

/** The widest run of zeros filled between two segments. */
export const MAX_GAP = 4096;

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

/** The module's sections and its active data segments ({ offset, bytes }, none without a data section), or null when
 *  a segment is passive, in another memory or at a non-constant offset (nothing this script merges). */
function readModule(bytes) {
  const sections = [];
  for (let p = 8; p < bytes.length;) {
    const id = bytes[p];
    const [size, start] = readU32(bytes, p + 1);
    sections.push({ id, head: p, start, end: start + size });
    p = start + size;
  }
  const segments = [];
  const data = sections.find((s) => s.id === DATA);
  if (!data) return { sections, segments };
  let [count, p] = readU32(bytes, data.start);
  for (let i = 0; i < count; i++) {
    const [flags, q] = readU32(bytes, p);
    if (flags !== 0 || bytes[q] !== 0x41) return null; // passive, another memory or a global offset
    const [offset, r] = readS32(bytes, q + 1);
    if (bytes[r] !== 0x0b) return null;
    const [size, s] = readU32(bytes, r + 1);
    segments.push({ offset: offset >>> 0, bytes: bytes.subarray(s, s + size) });
    p = s + size;
  }
  return { sections, segments };
}

/** The module's active data segments as [offset, length] pairs (null: it has passive or non-constant ones). */
export function dataSegments(bytes) {
  const m = readModule(bytes);
  return m && m.segments.map((s) => [s.offset, s.bytes.length]);
}

/** The module with its data section's segments merged into as few as the gaps allow (Uint8Array; the input when
 *  there is nothing to do). */
export function mergeDataSegments(bytes) {
  const m = readModule(bytes);
  if (!m) return bytes; // keep as is
  const { sections, segments } = m;
  // runs of segments no more than MAX_GAP apart (overlapping ones always share a run), by address
  const runs = [];
  for (const s of [...segments].sort((a, b) => a.offset - b.offset)) {
    const last = runs[runs.length - 1];
    if (last && s.offset <= last.hi + MAX_GAP) last.hi = Math.max(last.hi, s.offset + s.bytes.length);
    else runs.push({ lo: s.offset, hi: s.offset + s.bytes.length });
  }
  if (runs.length === segments.length) return bytes; // every segment alone in its run: nothing to merge
  const images = runs.map((run) => new Uint8Array(run.hi - run.lo));
  for (const s of segments) {
    const k = runs.findIndex((run) => s.offset >= run.lo && s.offset < run.hi);
    images[k].set(s.bytes, s.offset - runs[k].lo); // in the original order: later segments win
  }
  const body = [...u32Leb(runs.length)];
  const payload = [];
  runs.forEach((run, k) => {
    payload.push(Uint8Array.of(0, 0x41, ...s32Leb(run.lo | 0), 0x0b, ...u32Leb(images[k].length)), images[k]);
  });
  const size = body.length + payload.reduce((n, b) => n + b.length, 0);
  const parts = [bytes.subarray(0, 8)];
  for (const s of sections) {
    if (s.id === DATA) parts.push(Uint8Array.of(DATA, ...u32Leb(size), ...body), ...payload);
    else if (s.id === DATA_COUNT)
      parts.push(Uint8Array.of(DATA_COUNT, ...u32Leb(u32Leb(runs.length).length), ...u32Leb(runs.length)));
    else parts.push(bytes.subarray(s.head, s.end));
  }
  return new Uint8Array(Buffer.concat(parts));
}
