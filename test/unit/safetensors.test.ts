// Tests of the safetensors reader/writer (tools/lib/format/safetensors.ts): dtypes, round trips, strict header checks.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { BitrlError } from "../../tools/lib/util/errors.ts";
import { encodeSafetensors, readSafetensors, readSafetensorsMetadata } from "../../tools/lib/format/safetensors.ts";
import { assertBitrlError } from "../fixtures/bitrl-error.ts";

/** A safetensors file from a header object and raw buffer bytes. */
function file(header: unknown, buffer: number[] | Uint8Array, rawHeader?: string): Uint8Array {
  const json = new TextEncoder().encode(rawHeader ?? JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + buffer.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(buffer, 8 + json.length);
  return out;
}

const u16le = (xs: number[]) => xs.flatMap((x) => [x & 0xff, x >> 8]);

function rejects(bytes: Uint8Array, re: RegExp) {
  assertBitrlError(() => readSafetensors(bytes), re);
}

test("should round trip F32 tensors, metadata and odd names", () => {
  const list = [
    { name: "a.weight", shape: [2, 3], values: Float32Array.of(1, -2, 3.5, 0, -0, 1e-30) },
    { name: "__proto__", shape: [1], values: Float32Array.of(Math.PI) },
    { name: "scalar", shape: [], values: Float32Array.of(7) },
  ];
  const bytes = encodeSafetensors(list, { format: "pt" });
  const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  assert.is(n % 8, 0);
  const back = readSafetensors(bytes);
  assert.equal(
    back.map((t) => t.name),
    ["a.weight", "__proto__", "scalar"],
  );
  back.forEach((t, i) => {
    assert.is(t.dtype, "F32");
    assert.equal(t.shape, list[i].shape);
    assert.equal(t.values, list[i].values);
  });
  assert.equal(readSafetensorsMetadata(bytes), { format: "pt" });
});

test("should convert F16 exactly, including subnormals and infinities", () => {
  const bits = [0x3c00, 0xc000, 0x7bff, 0x0001, 0x0400, 0x7c00, 0xfc00, 0x3555, 0x8000];
  const t = readSafetensors(file({ h: { dtype: "F16", shape: [9], data_offsets: [0, 18] } }, u16le(bits)))[0];
  assert.equal([...t.values], [1, -2, 65504, 2 ** -24, 2 ** -14, Infinity, -Infinity, Math.fround(0.333251953125), -0]);
  assert.ok(
    Number.isNaN(
      readSafetensors(file({ h: { dtype: "F16", shape: [1], data_offsets: [0, 2] } }, u16le([0x7e00])))[0].values[0],
    ),
  );
});

test("should convert BF16 as the top half of an f32", () => {
  const t = readSafetensors(
    file({ b: { dtype: "BF16", shape: [2, 2], data_offsets: [0, 8] } }, u16le([0x3f80, 0xc040, 0x4049, 0x0000])),
  )[0];
  assert.equal([...t.values], [1, -3, Math.fround(3.140625), 0]);
  assert.equal(t.shape, [2, 2]);
});

test("should return tensors in buffer order whatever the header order", () => {
  const bytes = file(
    { z: { dtype: "F32", shape: [1], data_offsets: [0, 4] }, a: { dtype: "F32", shape: [1], data_offsets: [4, 8] } },
    [0, 0, 128, 63, 0, 0, 0, 64],
  );
  assert.equal(
    readSafetensors(bytes).map((t) => [t.name, t.values[0]]),
    [
      ["z", 1],
      ["a", 2],
    ],
  );
});

test("should reject malformed files with a named reason", () => {
  const ok = { x: { dtype: "F32", shape: [2], data_offsets: [0, 8] } };
  rejects(new Uint8Array(5), /too short/);
  rejects(
    new TextEncoder().encode("PK\u0003\u0004 this is a zip file, not safetensors"),
    /header length \d+ (is out of range|runs past)/,
  );
  rejects(file(ok, new Uint8Array(8)).subarray(0, 20), /runs past the end/);
  rejects(file(null, new Uint8Array(8), "[1,2]   "), /does not start with '\{'/);
  rejects(file(null, [], '{"a": '), /not valid UTF-8 JSON/);
  rejects(
    file(null, [], '{"\xff": 1}'.replace("\xff", "\u00ff")).map((b, i) => (i === 10 ? 0xff : b)),
    /not valid UTF-8 JSON/,
  );
  rejects(
    file({ x: { dtype: "I64", shape: [1], data_offsets: [0, 8] } }, new Uint8Array(8)),
    /tensor 'x': unsupported dtype I64 \(bitrl reads F32, F16, BF16\)/,
  );
  rejects(file({ x: { dtype: "toString", shape: [1], data_offsets: [0, 8] } }, new Uint8Array(8)), /unsupported dtype/);
  rejects(file({ x: { shape: [1], data_offsets: [0, 4] } }, new Uint8Array(4)), /dtype missing/);
  rejects(file({ x: { dtype: "F32", shape: [-1], data_offsets: [0, 4] } }, new Uint8Array(4)), /shape is not a list/);
  rejects(file({ x: { dtype: "F32", shape: [2], data_offsets: [0] } }, new Uint8Array(8)), /data_offsets is not/);
  rejects(
    file({ x: { dtype: "F32", shape: [3], data_offsets: [0, 8] } }, new Uint8Array(8)),
    /8 bytes for F32 \[3\], needs 12/,
  );
  rejects(
    file({ x: { dtype: "F32", shape: [2], data_offsets: [0, 8] } }, new Uint8Array(4)),
    /outside the 4-byte buffer/,
  );
  rejects(
    file(
      { x: { dtype: "F32", shape: [2], data_offsets: [0, 8] }, y: { dtype: "F32", shape: [1], data_offsets: [4, 8] } },
      new Uint8Array(8),
    ),
    /overlaps/,
  );
  rejects(
    file({ x: { dtype: "F32", shape: [1], data_offsets: [4, 8] } }, new Uint8Array(8)),
    /bytes \[0, 4\) of the buffer belong to no tensor/,
  );
  rejects(file(ok, new Uint8Array(12)), /bytes \[8, 12\) .* \(trailing data\?\)/);
  rejects(file({ __metadata__: { a: 1 } }, []), /__metadata__ 'a' is not a string/);
  rejects(file({ x: [1] }, []), /tensor 'x': entry is not an object/);
});

test("should refuse to write inconsistent tensors", () => {
  assert.throws(
    () => encodeSafetensors([{ name: "a", shape: [2], values: Float32Array.of(1) }]),
    /1 values for shape \[2\]/,
  );
  assert.throws(
    () =>
      encodeSafetensors([
        { name: "a", shape: [1], values: Float32Array.of(1) },
        { name: "a", shape: [1], values: Float32Array.of(1) },
      ]),
    /duplicate/,
  );
});

test("should read or throw BitrlError for 3000 mutated files (seeded), nothing else", () => {
  const base = encodeSafetensors(
    [
      { name: "w", shape: [3, 4], values: Float32Array.from({ length: 12 }, (_, i) => i - 5.5) },
      { name: "b", shape: [2], values: Float32Array.of(1, 2) },
    ],
    { format: "pt" },
  );
  let s = 42;
  const r = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  let read = 0;
  for (let i = 0; i < 3000; i++) {
    let b = base.slice();
    const what = i % 4;
    if (what === 0) b[Math.floor(r() * b.length)] ^= 1 << Math.floor(r() * 8);
    else if (what === 1)
      b[8 + Math.floor(r() * (b.length - 8))] = '{}[],:"0123456789eE-'.charCodeAt(Math.floor(r() * 22));
    else if (what === 2) b = b.slice(0, Math.floor(r() * b.length));
    else new DataView(b.buffer).setBigUint64(0, BigInt(Math.floor(r() * 200)), true);
    try {
      readSafetensors(b);
      read++;
    } catch (e) {
      if (!(e instanceof BitrlError)) assert.unreachable(`case ${i}: ${(e as Error).name}: ${(e as Error).message}`);
    }
  }
  assert.ok(read > 0 && read < 3000, `${read} of 3000 read`);
});

test.run();
