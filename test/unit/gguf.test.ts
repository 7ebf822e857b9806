// GGUF container and ggml ternary blocks: blocks built by hand from the ggml layout, a file built byte by byte
// from the GGUF spec, every value type, and the errors a bad file gets.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { BitrlError } from "../../tools/lib/util/errors.ts";
import { GGML, parseGguf, writeGguf, type GgufValue } from "../../tools/lib/format/gguf/container.ts";
import { decodeTernaryBlocks, encodeTernaryBlocks, tq1Byte, tq1Trit } from "../../tools/lib/format/gguf/tq.ts";
import { bf16ToF32, f16ToF32, f32ToBf16, f32ToF16 } from "../../tools/lib/format/floats.ts";
import { assertBitrlError } from "../fixtures/bitrl-error.ts";

/** 256 ternary weights with every value in every position class, (256) in {-1, 0, 1}. */
function pattern(seed: number): number[] {
  return Array.from({ length: 256 }, (_, k) => ((k * 7 + (k >> 4) + seed) % 3) - 1);
}

test("should decode a TQ2_0 block built by hand from ggml's layout", () => {
  const w = pattern(1);
  // block_tq2_0 = qs[64] then f16 d. Byte i: half g = i / 32, m = i % 32; its 2-bit field l (bits 2l..2l+1)
  // holds weight 128 g + 32 l + m as code w + 1.
  const block = new Uint8Array(66);
  for (let i = 0; i < 64; i++) {
    const g = Math.floor(i / 32),
      m = i % 32;
    block[i] =
      w[128 * g + m] +
      1 +
      (w[128 * g + 32 + m] + 1) * 4 +
      (w[128 * g + 64 + m] + 1) * 16 +
      (w[128 * g + 96 + m] + 1) * 64;
  }
  block[64] = 0x00; // d = 0x3800 = 0.5, little-endian
  block[65] = 0x38;
  const { q, d } = decodeTernaryBlocks(GGML.TQ2_0, block);
  assert.equal(Array.from(q), w);
  assert.equal(Array.from(d), [0x3800]);
  assert.is(f16ToF32(d[0]), 0.5);
  assert.equal(encodeTernaryBlocks(GGML.TQ2_0, q, d), block);
});

test("should decode a TQ1_0 block built by hand, trit by trit", () => {
  const w = pattern(2);
  const fixedPoint = (v: number) => Math.ceil((v * 256) / 243); // ggml stores v / 243 as a byte, rounded up
  const block = new Uint8Array(54);
  // qs[0..31]: 5 trits each, weight 32 n + m as trit n (n = 0 most significant).
  for (let m = 0; m < 32; m++) {
    const t = [0, 1, 2, 3, 4].map((n) => w[32 * n + m] + 1);
    block[m] = fixedPoint(t[0] * 81 + t[1] * 27 + t[2] * 9 + t[3] * 3 + t[4]);
  }
  // qs[32..47]: weight 160 + 16 n + m.
  for (let m = 0; m < 16; m++) {
    const t = [0, 1, 2, 3, 4].map((n) => w[160 + 16 * n + m] + 1);
    block[32 + m] = fixedPoint(t[0] * 81 + t[1] * 27 + t[2] * 9 + t[3] * 3 + t[4]);
  }
  // qh[0..3]: 4 trits, weight 240 + 4 n + j, shifted up one trit (the 5th is 0).
  for (let j = 0; j < 4; j++) {
    const t = [0, 1, 2, 3].map((n) => w[240 + 4 * n + j] + 1);
    block[48 + j] = fixedPoint((t[0] * 27 + t[1] * 9 + t[2] * 3 + t[3]) * 3);
  }
  block[52] = 0x55; // d = 0x3555 = f16(1/3)
  block[53] = 0x35;
  const { q, d } = decodeTernaryBlocks(GGML.TQ1_0, block);
  assert.equal(Array.from(q), w);
  assert.equal(Array.from(d), [0x3555]);
  assert.equal(encodeTernaryBlocks(GGML.TQ1_0, q, d), block);
});

test("should decode blocks quantized by gguf-py, llama.cpp's own Python package", () => {
  // Reference data, produced once by gguf 0.19.0 from PyPI (gguf.quants.quantize of q * f16(0.0371) for the
  // digits below) and checked in as bytes: an implementation of the same layout written by the ggml authors.
  const digits =
    "2122122000022012020120102021111112222112102021001001212221110110200022202110121010220122210210012112211100111000121112111111122011100120122002001201102212122100102201001221110121002022112110120021202012012101122101022121122220120012221021222021122102000021";
  const tq1 =
    "e293e8eaa8dfe03d310c48aef1325fab2bb41789e82da752fb2ccc8b657a795f9423c6ba4c594d4284e0eb7f8b6725a1c84cea75c028";
  const tq2 =
    "a6494a8aa9666648241058425a241102548260654a9469686a54466551858511850169982005628095aa4a14a45680949926a05149908a6a259629161621a468c028";
  const w = Array.from(digits, (c) => Number(c) - 1);
  for (const [type, hex] of [
    [GGML.TQ1_0, tq1],
    [GGML.TQ2_0, tq2],
  ] as const) {
    const bytes = Uint8Array.from(Buffer.from(hex, "hex"));
    const { q, d } = decodeTernaryBlocks(type, bytes);
    assert.equal(Array.from(q), w);
    assert.is(f16ToF32(d[0]), 0.037109375);
    assert.equal(encodeTernaryBlocks(type, q, d), bytes);
  }
});

test("should read ggml's fixed-point trits of known bytes", () => {
  // trits (2, 0, 1, 2, 1): v = 162 + 0 + 9 + 6 + 1 = 178; ceil(178 * 256 / 243) = 188.
  assert.is(tq1Byte([2, 0, 1, 2, 1]), 188);
  assert.equal(
    [0, 1, 2, 3, 4].map((n) => tq1Trit(188, n)),
    [2, 0, 1, 2, 1],
  );
  // An all-zero block: qs bytes 128 (v = 121), qh bytes 127 (v = 120).
  const zero = encodeTernaryBlocks(GGML.TQ1_0, new Int8Array(256), new Uint16Array(1));
  assert.equal(Array.from(zero.subarray(0, 48)), new Array(48).fill(128));
  assert.equal(Array.from(zero.subarray(48, 52)), [127, 127, 127, 127]);
});

test("should encode and decode every 5-trit and 4-trit group", () => {
  for (let v = 0; v < 243; v++) {
    const t = [81, 27, 9, 3, 1].map((p) => Math.floor(v / p) % 3);
    assert.equal(
      [0, 1, 2, 3, 4].map((n) => tq1Trit(tq1Byte(t), n)),
      t,
      `5 trits ${t}`,
    );
    if (v < 81) {
      const t4 = t.slice(1);
      const b = tq1Byte(t4);
      assert.equal(
        [0, 1, 2, 3, 4].map((n) => tq1Trit(b, n)),
        [...t4, 0],
        `4 trits ${t4}`,
      );
    }
  }
});

test("should reject a TQ2_0 code 3 and a TQ1_0 byte ggml never writes", () => {
  const b2 = encodeTernaryBlocks(GGML.TQ2_0, new Int8Array(256), new Uint16Array(1));
  b2[5] |= 0x0c;
  assert.throws(
    () => decodeTernaryBlocks(GGML.TQ2_0, b2),
    (e: Error) => e instanceof BitrlError && /code 3/.test(e.message),
  );
  const b1 = encodeTernaryBlocks(GGML.TQ1_0, new Int8Array(256), new Uint16Array(1));
  b1[3] = 1; // ceil(v * 256 / 243) is never 1
  assert.throws(
    () => decodeTernaryBlocks(GGML.TQ1_0, b1),
    (e: Error) => e instanceof BitrlError && /qs\[3\]/.test(e.message),
  );
});

test("should convert half floats exactly and round to nearest even", () => {
  assert.is(f16ToF32(0x3c00), 1);
  assert.is(f16ToF32(0x7bff), 65504);
  assert.is(f16ToF32(0x0001), 2 ** -24);
  assert.is(f16ToF32(0xc000), -2);
  assert.is(f32ToF16(1 / 3), 0x3555);
  assert.is(f32ToF16(1 + 2 ** -11), 0x3c00); // tie: to even
  assert.is(f32ToF16(1 + 3 * 2 ** -11), 0x3c02); // tie: to even (up)
  assert.is(f32ToF16(65520), 0x7c00); // rounds past the largest finite half
  assert.is(f32ToF16(2 ** -25), 0); // tie with zero: to even
  assert.is(f32ToF16(1.5 * 2 ** -25), 1);
  for (let h = 0; h < 0x10000; h++) {
    if ((h & 0x7c00) === 0x7c00 && h & 0x3ff) continue; // NaN payloads
    if (f32ToF16(f16ToF32(h)) !== h) assert.unreachable(`half 0x${h.toString(16)} does not round-trip`);
  }
  assert.is(bf16ToF32(0x3f80), 1);
  assert.is(f32ToBf16(1 + 2 ** -8), 0x3f80); // tie: to even
  assert.is(f32ToBf16(1 + 3 * 2 ** -8), 0x3f82);
});

test("should parse a file built byte by byte from the GGUF spec", () => {
  const parts: number[] = [];
  const u32 = (v: number) => parts.push(v & 255, (v >> 8) & 255, (v >> 16) & 255, (v >>> 24) & 255);
  const u64 = (v: number) => {
    u32(v);
    u32(0);
  };
  const str = (s: string) => {
    u64(s.length);
    for (const c of s) parts.push(c.charCodeAt(0));
  };
  parts.push(0x47, 0x47, 0x55, 0x46); // "GGUF"
  u32(3); // version
  u64(1); // tensor count
  u64(2); // kv count
  str("general.architecture");
  u32(8);
  str("llama");
  str("general.alignment");
  u32(4);
  u32(64);
  str("w");
  u32(2);
  u64(2);
  u64(3);
  u32(0);
  u64(0); // F32 [2, 3] at data offset 0
  while (parts.length % 64) parts.push(0);
  const dataAt = parts.length;
  for (let i = 0; i < 6; i++) u32(new Uint32Array(new Float32Array([i + 0.5]).buffer)[0]);
  const f = parseGguf(new Uint8Array(parts));
  assert.is(f.version, 3);
  assert.equal(f.kv.get("general.architecture"), { type: "string", value: "llama" });
  assert.equal(f.kv.get("general.alignment"), { type: "u32", value: 64 });
  assert.is(f.tensors.length, 1);
  assert.equal(f.tensors[0].dims, [2, 3]);
  assert.is(f.tensors[0].type, GGML.F32);
  assert.is(f.tensors[0].data.byteOffset, dataAt);
  assert.equal(Array.from(new Float32Array(f.tensors[0].data.slice().buffer)), [0.5, 1.5, 2.5, 3.5, 4.5, 5.5]);
});

test("should write and read back every metadata value type", () => {
  const kv = new Map<string, GgufValue>([
    ["a.u8", { type: "u8", value: 255 }],
    ["a.i8", { type: "i8", value: -128 }],
    ["a.u16", { type: "u16", value: 65535 }],
    ["a.i16", { type: "i16", value: -32768 }],
    ["a.u32", { type: "u32", value: 0xffffffff }],
    ["a.i32", { type: "i32", value: -0x80000000 }],
    ["a.f32", { type: "f32", value: Math.fround(0.1) }],
    ["a.f64", { type: "f64", value: 0.1 }],
    ["a.u64", { type: "u64", value: 0xffffffffffffffffn }],
    ["a.i64", { type: "i64", value: -(1n << 63n) }],
    ["a.bool", { type: "bool", value: true }],
    ["a.str", { type: "string", value: "ternäry ✓" }],
    [
      "a.arr",
      {
        type: "array",
        itemType: "array",
        items: [
          {
            type: "array",
            itemType: "string",
            items: [
              { type: "string", value: "x" },
              { type: "string", value: "" },
            ],
          },
          { type: "array", itemType: "string", items: [] },
        ],
      },
    ],
    ["general.alignment", { type: "u32", value: 16 }],
  ]);
  const tensors = [
    { name: "a", dims: [3], type: GGML.F32, data: new Uint8Array(12).fill(1) },
    {
      name: "b",
      dims: [256, 2],
      type: GGML.TQ2_0,
      data: encodeTernaryBlocks(GGML.TQ2_0, new Int8Array(512), new Uint16Array(2)),
    },
  ];
  const bytes = writeGguf({ kv, tensors });
  const f = parseGguf(bytes);
  assert.equal([...f.kv], [...kv]);
  assert.equal(
    f.tensors.map((t) => [t.name, t.dims, t.type, Array.from(t.data)]),
    tensors.map((t) => [t.name, t.dims, t.type, Array.from(t.data)]),
  );
  for (const t of f.tensors) assert.is((t.data.byteOffset - f.tensors[0].data.byteOffset) % 16, 0);
});

/** A small valid file to corrupt. */
function sample(): Uint8Array {
  return writeGguf({
    kv: new Map<string, GgufValue>([["general.architecture", { type: "string", value: "bitrl" }]]),
    tensors: [
      {
        name: "w",
        dims: [256, 1],
        type: GGML.TQ2_0,
        data: encodeTernaryBlocks(GGML.TQ2_0, new Int8Array(256), new Uint16Array(1)),
      },
    ],
  });
}

function rejects(bytes: Uint8Array, re: RegExp) {
  assertBitrlError(() => parseGguf(bytes), re);
}

test("should read version 2 files, whose layout is version 3's", () => {
  const b = sample();
  b[4] = 2;
  const f = parseGguf(b);
  assert.is(f.version, 2);
  assert.equal(
    f.tensors.map((t) => t.name),
    ["w"],
  );
});

test("should name the problem in a bad header", () => {
  const b = sample();
  rejects(new Uint8Array([1, 2, 3]), /bad magic/);
  rejects(
    Uint8Array.from(b, (x, i) => (i === 0 ? 0x48 : x)),
    /bad magic/,
  );
  rejects(
    Uint8Array.from(b, (x, i) => (i === 4 ? 7 : x)),
    /unsupported GGUF version 7/,
  );
  rejects(
    Uint8Array.from(b, (x, i) => (i === 15 ? 0x7f : x)),
    /tensor count \d+ is too large/,
  );
  rejects(
    Uint8Array.from(b, (x, i) => (i === 23 ? 0x10 : x)),
    /metadata count \d+ is too large/,
  );
  for (let n = 4; n < b.length - 64; n++) rejects(b.subarray(0, n), /truncated|too large|runs past the end/);
  rejects(b.subarray(0, b.length - 70), /runs past the end of the file \(\d+ bytes; truncated\?\)/);
});

test("should name the problem in bad metadata and tensor infos", () => {
  const kvFile = (kv: Map<string, GgufValue>) => writeGguf({ kv, tensors: [] });
  /** index just after the first occurrence of `key` in the file */
  const after = (b: Uint8Array, key: string) => Buffer.from(b).indexOf(key) + key.length;
  const align = kvFile(new Map([["general.alignment", { type: "u32", value: 32 }]]));
  align[after(align, "general.alignment") + 4] = 24;
  rejects(align, /alignment 24 is not a power of two/);
  const alignType = kvFile(new Map([["general.alignment", { type: "u32", value: 32 }]]));
  alignType[after(alignType, "general.alignment")] = 5; // now an i32
  rejects(alignType, /alignment must be a u32, got i32/);
  const badType = kvFile(new Map([["k", { type: "u8", value: 1 }]]));
  badType[after(badType, "k")] = 13; // the value type after the key
  rejects(badType, /unknown GGUF value type 13/);
  const badBool = kvFile(new Map([["k", { type: "bool", value: true }]]));
  badBool[after(badBool, "k") + 4] = 2;
  rejects(badBool, /bool byte 2/);
  const longString = kvFile(new Map([["k", { type: "string", value: "abc" }]]));
  longString[after(longString, "k") + 4] = 200;
  rejects(longString, /length 200 is too large/);
  const dup = kvFile(
    new Map([
      ["kk", { type: "u8", value: 1 }],
      ["kj", { type: "u8", value: 1 }],
    ]),
  );
  dup[after(dup, "kj") - 1] = "k".charCodeAt(0);
  rejects(dup, /duplicate metadata key 'kk'/);
  const deep = kvFile(new Map([["k", { type: "u32", value: 1 }]]));
  deep[after(deep, "k")] = 9; // now an array of type 1 (i8, the old value) whose count is in the zero padding:
  deep.fill(0xff, after(deep, "k") + 8, after(deep, "k") + 16); // make it huge
  rejects(deep, /array length \d+ is too large/);

  const withType = (type: number) => {
    const b = sample();
    b[after(b, "w") + 4 + 16] = type; // after name: n_dims u32, two u64 dims, then the type
    return b;
  };
  rejects(withType(12), /unsupported ggml type 12 \(q4_K\)/);
  rejects(withType(99), /unsupported ggml type 99 \(unknown\)/);
  const odd = writeGguf({
    kv: new Map(),
    tensors: [{ name: "f", dims: [3], type: GGML.F32, data: new Uint8Array(12) }],
  });
  odd[after(odd, "f") + 4 + 8 + 4] = 4; // offset 4: not aligned
  rejects(odd, /offset 4 is not a multiple of the alignment 32/);
  assert.throws(
    () =>
      writeGguf({ kv: new Map(), tensors: [{ name: "t", dims: [100, 2], type: GGML.TQ1_0, data: new Uint8Array(0) }] }),
    (e: Error) => e instanceof BitrlError && /row length 100 is not a multiple of 256/.test(e.message),
  );
});

test.run();
