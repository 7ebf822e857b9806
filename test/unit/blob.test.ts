// Tests of the .bitrl blob (tools/lib/format/blob.ts): layout, round trips, and each reader rule of docs/format.md.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { decodeBlob, encodeBlob, resealBlob } from "../../tools/lib/format/blob.ts";
import { crc32 } from "../../tools/lib/util/crc32.ts";
import { BitrlError } from "../../tools/lib/util/errors.ts";
import { f32Tensor, i32Tensor, inspectBlob, int8Tensor, ternaryTensor, tensorValues } from "../../tools/lib/index.ts";
import type { Blob } from "../../tools/lib/format/types.ts";
import { assertBitrlError } from "../fixtures/bitrl-error.ts";

const w = (n: number, k = 1) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * k + 1));

/** Four tensors, one of each kind, with metadata. Table at 32 + meta (4-aligned), 96 bytes per entry. */
function sample(): Blob {
  return {
    version: 1,
    meta: { model: "test", dims: [2, 3] },
    tensors: [
      ternaryTensor("layers.0.wq", 3, 7, w(21), { packing: "i2", scale: "tensor" }),
      ternaryTensor("layers.0.wk", 4, 11, w(44, 2), { packing: "t3", scale: "row" }),
      int8Tensor("embed", [5, 2], w(10, 3), "row"),
      f32Tensor("norm", [6], w(6, 4)),
      i32Tensor("config", [2, 2], [1, -2, 2147483647, -2147483648]),
    ],
  };
}

const u32 = (b: Uint8Array, at: number) => new DataView(b.buffer, b.byteOffset).getUint32(at, true);
const setU32 = (b: Uint8Array, at: number, x: number) =>
  new DataView(b.buffer, b.byteOffset).setUint32(at, x >>> 0, true);
const entry = (b: Uint8Array, i: number) => u32(b, 20) + 96 * i;

function rejects(bytes: Uint8Array, re: RegExp) {
  assertBitrlError(() => decodeBlob(bytes), re);
}

/** Edits a copy of the sample's bytes, then recomputes every CRC so the edit reaches the deep checks. */
function edited(edit: (b: Uint8Array) => void): Uint8Array {
  const b = encodeBlob(sample());
  edit(b);
  return resealBlob(b);
}

test("should round trip every packing and the metadata", () => {
  const blob = sample();
  const back = decodeBlob(encodeBlob(blob));
  assert.equal(back, blob);
  assert.equal([...tensorValues(back.tensors[4])], [1, -2, 2 ** 31, -(2 ** 31)]); // i32 -> nearest f32
  assert.equal(tensorValues(back.tensors[3]), w(6, 4));
});

test("should write the documented header, aligned items and CRCs", () => {
  const b = encodeBlob(sample());
  assert.equal([...b.subarray(0, 4)], [0x42, 0x54, 0x52, 0x4c]);
  assert.is(new DataView(b.buffer).getUint16(4, true), 1);
  assert.is(new DataView(b.buffer).getUint16(6, true), 32);
  assert.is(u32(b, 8), b.length);
  assert.is(u32(b, 12), 5);
  const metaBytes = u32(b, 16);
  assert.is(new TextDecoder().decode(b.subarray(32, 32 + metaBytes)), '{"model":"test","dims":[2,3]}');
  assert.is(u32(b, 20), Math.ceil((32 + metaBytes) / 4) * 4);
  assert.is(u32(b, 24) % 16, 0);
  assert.is(u32(b, b.length - 4), crc32(b.subarray(0, b.length - 4)));
  for (let i = 0; i < 5; i++) {
    const e = entry(b, i);
    assert.is(u32(b, e + 68) % 16, 0);
    assert.is(u32(b, e + 84), crc32(b.subarray(u32(b, e + 68), u32(b, e + 68) + u32(b, e + 72))));
  }
  assert.equal([...b.subarray(entry(b, 1) + 48, entry(b, 1) + 52)], [4, 2, 2, 0]); // t3, 2-D, per row
  assert.is(u32(b, entry(b, 1) + 80), 4);
  assert.equal([...b.subarray(entry(b, 4) + 48, entry(b, 4) + 52)], [1, 2, 0, 0]); // i32, 2-D, no scales
  assert.is(u32(b, entry(b, 4) + 76), 0);
});

test("should encode empty metadata as 0 bytes and be deterministic", () => {
  const blob = { version: 1, meta: {}, tensors: [f32Tensor("x", [1], Float32Array.of(2))] };
  const b = encodeBlob(blob);
  assert.is(u32(b, 16), 0);
  assert.is(u32(b, 20), 32);
  assert.equal(encodeBlob(blob), b);
  assert.equal(decodeBlob(b), blob);
});

test("should decode a view into a larger buffer", () => {
  const b = encodeBlob(sample());
  const big = new Uint8Array(b.length + 13);
  big.set(b, 5);
  assert.equal(decodeBlob(big.subarray(5, 5 + b.length)), sample());
});

test("should return plain Uint8Array copies when given a Node Buffer", () => {
  const buf = Buffer.from(encodeBlob(sample()));
  const back = decodeBlob(buf);
  assert.equal(back, sample());
  assert.is(back.tensors[0].data.constructor, Uint8Array);
  buf.fill(0);
  assert.equal(back, sample());
});

test("should reject header problems by name", () => {
  rejects(new Uint8Array(10), /10 bytes, too short/);
  rejects(
    edited((b) => (b[0] = 0x41)),
    /bad magic/,
  );
  rejects(
    edited((b) => (b[4] = 7)),
    /unsupported version 7 \(this reader knows 1\)/,
  );
  rejects(
    edited((b) => (b[6] = 33)),
    /header_bytes is 33/,
  );
  const b = encodeBlob(sample());
  rejects(b.subarray(0, b.length - 9), /header says \d+ \(truncated\?\)/);
  const longer = new Uint8Array(b.length + 4);
  longer.set(b);
  rejects(longer, /trailing bytes/);
  const flipped = b.slice();
  flipped[100] ^= 4;
  rejects(flipped, /checksum mismatch \(file CRC 0x[0-9a-f]{8}, computed 0x[0-9a-f]{8}\)/);
  rejects(
    edited((b) => setU32(b, 12, 0)),
    /tensor_count is 0/,
  );
  rejects(
    edited((b) => setU32(b, 12, 5000)),
    /tensor_count is 5000/,
  );
  rejects(
    edited((b) => setU32(b, 20, u32(b, 20) + 2)),
    /table_offset \d+ is not a multiple of 4/,
  );
  rejects(
    edited((b) => setU32(b, 16, 400)),
    /metadata .* runs past table_offset/,
  );
  rejects(
    edited((b) => setU32(b, 24, u32(b, 24) - 16)),
    /tensor table .* runs past data_offset/,
  );
  rejects(
    edited((b) => setU32(b, 24, u32(b, 24) + 8)),
    /data_offset \d+ is not a multiple of 16/,
  );
  rejects(
    edited((b) => setU32(b, 28, 1)),
    /header reserved field is 1/,
  );
  rejects(
    edited((b) => (b[32] = 0x5b)),
    /metadata is not valid UTF-8 JSON/,
  );
  rejects(
    edited((b) => (b[33] = 0xff)),
    /metadata is not valid UTF-8 JSON/,
  );
});

test("should reject metadata that is JSON but not an object", () => {
  const b = encodeBlob({ version: 1, meta: { a: 1 }, tensors: [f32Tensor("x", [1], Float32Array.of(2))] });
  b.set(new TextEncoder().encode("[1,2,3]"), 32); // same 7 bytes as {"a":1}
  rejects(resealBlob(b), /metadata is not a JSON object/);
});

test("should reject name problems by name", () => {
  rejects(
    edited((b) => b.fill(0, entry(b, 0), entry(b, 0) + 48)),
    /tensor 0: name is empty/,
  );
  rejects(
    edited((b) => b.fill(0x61, entry(b, 0), entry(b, 0) + 48)),
    /tensor 0: name is not NUL-terminated/,
  );
  rejects(
    edited((b) => (b[entry(b, 0) + 47] = 1)),
    /tensor 0: name field has bytes after its NUL/,
  );
  rejects(
    edited((b) => (b[entry(b, 2)] = 0xc3)),
    /tensor 2: name is not valid UTF-8/,
  );
  rejects(
    edited((b) => b.copyWithin(entry(b, 1), entry(b, 0), entry(b, 0) + 48)),
    /tensor 1 'layers.0.wq': duplicate name/,
  );
});

test("should reject entry fields by name", () => {
  rejects(
    edited((b) => (b[entry(b, 0) + 48] = 9)),
    /tensor 0 'layers.0.wq': unknown packing code 9/,
  );
  rejects(
    edited((b) => (b[entry(b, 0) + 49] = 0)),
    /ndim is 0/,
  );
  rejects(
    edited((b) => (b[entry(b, 0) + 49] = 3)),
    /i2 needs ndim 2, got 3/,
  );
  rejects(
    edited((b) => (b[entry(b, 3) + 50] = 1)),
    /scale_kind 1, f32 tensors need 0/,
  );
  rejects(
    edited((b) => (b[entry(b, 2) + 50] = 0)),
    /scale_kind 0, i8 tensors need 1 .* or 2/,
  );
  rejects(
    edited((b) => (b[entry(b, 0) + 51] = 1)),
    /entry reserved byte is 1/,
  );
  rejects(
    edited((b) => setU32(b, entry(b, 0) + 52, 0)),
    /shape\[0\] is 0/,
  );
  rejects(
    edited((b) => setU32(b, entry(b, 0) + 60, 1)),
    /shape\[2\] is 1 past ndim 2/,
  );
  rejects(
    edited((b) => setU32(b, entry(b, 0) + 52, 4)),
    /data_bytes is 6, i2 \[4,7\] needs 8/,
  );
  rejects(
    edited((b) => {
      setU32(b, entry(b, 3) + 52, 2 ** 15);
      b[entry(b, 3) + 49] = 2;
      setU32(b, entry(b, 3) + 56, 2 ** 14);
    }),
    /more than 2\^28/,
  );
  rejects(
    edited((b) => setU32(b, entry(b, 0) + 80, 2)),
    /scale_count is 2, scale_kind 1 needs 1/,
  );
  rejects(
    edited((b) => setU32(b, entry(b, 0) + 92, 5)),
    /entry reserved field is nonzero/,
  );
});

test("should reject ranges outside the data area, misaligned or overlapping", () => {
  rejects(
    edited((b) => setU32(b, entry(b, 3) + 68, (b.length - 20) & ~15)),
    /tensor 3 'norm': data range \[\d+, \d+\) outside the data area/,
  );
  rejects(
    edited((b) => setU32(b, entry(b, 3) + 68, 0xfffffff0)),
    /tensor 3 'norm': data range .* outside the data area/,
  );
  rejects(
    edited((b) => setU32(b, entry(b, 3) + 68, 16)),
    /data range .* outside the data area/,
  ); // below data_offset
  rejects(
    edited((b) => setU32(b, entry(b, 3) + 68, u32(b, entry(b, 3) + 68) + 4)),
    /data_offset \d+ is not a multiple of 16/,
  );
  rejects(
    edited((b) => setU32(b, entry(b, 0) + 76, 0xfffffff0)),
    /scale range .* outside the data area/,
  );
  rejects(
    edited((b) => setU32(b, entry(b, 0) + 76, u32(b, entry(b, 0) + 76) + 4)),
    /scale_offset \d+ is not a multiple of 16/,
  );
  rejects(
    edited((b) => setU32(b, entry(b, 3) + 76, 16)),
    /scale_offset is 16 with no scales/,
  );
  rejects(
    edited((b) => setU32(b, entry(b, 3) + 68, u32(b, entry(b, 2) + 68))),
    /overlaps/,
  );
  rejects(
    edited((b) => setU32(b, entry(b, 0) + 76, u32(b, entry(b, 0) + 68))),
    /overlaps/,
  );
});

test("should reject stale tensor CRCs, bad scales and invalid ternary codes", () => {
  const b = encodeBlob(sample());
  b[u32(b, entry(b, 3) + 68)] ^= 1;
  setU32(b, b.length - 4, crc32(b.subarray(0, b.length - 4))); // only the file CRC fixed
  rejects(b, /tensor 3 'norm': data checksum mismatch/);
  const c = encodeBlob(sample());
  c[u32(c, entry(c, 0) + 76)] ^= 1;
  setU32(c, c.length - 4, crc32(c.subarray(0, c.length - 4)));
  rejects(c, /tensor 0 'layers.0.wq': scale checksum mismatch/);
  rejects(
    edited((b) => setU32(b, u32(b, entry(b, 0) + 76), 0xbf800000)),
    /scale 0 is -1, must be finite and >= 0/,
  );
  rejects(
    edited((b) => setU32(b, u32(b, entry(b, 1) + 76) + 8, 0x7fc00000)),
    /tensor 1 'layers.0.wk': scale 2 is NaN/,
  );
  rejects(
    edited((b) => (b[u32(b, entry(b, 0) + 68) + 2] = 0xff)),
    /tensor 0 'layers.0.wq': i2 code 3 \(invalid\) at row 1, byte 0/,
  );
  rejects(
    edited((b) => (b[u32(b, entry(b, 1) + 68) + 3] = 250)),
    /tensor 1 'layers.0.wk': t3 byte 250 > 242 at row 1, byte 0/,
  );
  rejects(
    edited((b) => (b[u32(b, entry(b, 0) + 68) + 1] = 0)),
    /nonzero padding weight at row 0, byte 1/,
  );
});

test("should refuse to encode what a reader would reject", () => {
  const bad = (blob: Blob, re: RegExp) =>
    assert.throws(
      () => encodeBlob(blob),
      (e: unknown) => e instanceof BitrlError && re.test((e as Error).message),
    );
  const x = f32Tensor("x", [2], Float32Array.of(1, 2));
  bad({ version: 2, meta: {}, tensors: [x] }, /cannot write version 2/);
  bad({ version: 1, meta: {}, tensors: [] }, /1\.\.4096 tensors/);
  bad({ version: 1, meta: {}, tensors: [x, x] }, /duplicate name/);
  bad({ version: 1, meta: {}, tensors: [{ ...x, name: "" }] }, /name is 0 bytes/);
  bad({ version: 1, meta: {}, tensors: [{ ...x, name: "é".repeat(24) }] }, /name is 48 bytes/);
  bad({ version: 1, meta: {}, tensors: [{ ...x, name: "a\0b" }] }, /NUL/);
  bad({ version: 1, meta: {}, tensors: [{ ...x, name: "a\ud800" }] }, /not well-formed Unicode/);
  bad({ version: 1, meta: {}, tensors: [{ ...x, shape: [3] }] }, /data is 8 bytes, f32 \[3\] needs 12/);
  bad({ version: 1, meta: {}, tensors: [{ ...x, scales: Float32Array.of(1) }] }, /take no scales/);
  const t = ternaryTensor("t", 2, 3, w(6), { packing: "i2", scale: "tensor" });
  bad({ version: 1, meta: {}, tensors: [{ ...t, scales: Float32Array.of(1, 2, 3) }] }, /3 scales, need 1 .* or 2/);
  bad({ version: 1, meta: {}, tensors: [{ ...t, scales: Float32Array.of(-1) }] }, /scale 0 is -1/);
  bad({ version: 1, meta: {}, tensors: [{ ...t, data: Uint8Array.of(0xff, 0x55) }] }, /i2 code 3/);
  bad({ version: 1, meta: {}, tensors: [{ ...t, shape: [6] }] }, /i2 needs a 2-D shape/);
  bad(
    { version: 1, meta: { big: 1n } as unknown as Record<string, unknown>, tensors: [x] },
    /meta is not JSON-serialisable/,
  );
});

test("should report sizes, ratio and bits per weight in inspectBlob", () => {
  const blob: Blob = {
    version: 1,
    meta: {},
    tensors: [ternaryTensor("w", 8, 10, w(80), { packing: "t3", scale: "row" }), f32Tensor("b", [8], w(8))],
  };
  const bytes = encodeBlob(blob);
  const s = inspectBlob(blob, bytes.length);
  assert.is(s.bytes, bytes.length);
  assert.is(s.fp32_bytes, 4 * 88);
  assert.is(s.ratio_vs_fp32, (4 * 88) / bytes.length);
  assert.is(s.bits_per_weight, (8 * (8 * 2 + 4 * 8)) / 80);
  assert.equal(s.tensors[0], {
    name: "w",
    shape: [8, 10],
    packing: "t3",
    bytes: 48,
    scale: "row",
    bits_per_weight: 4.8,
  });
  assert.equal(s.tensors[1].scale, "none");
  assert.is(inspectBlob({ ...blob, tensors: [blob.tensors[1]] }, 100).bits_per_weight, null);
});

test.run();
