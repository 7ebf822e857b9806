// Tests of the ternary packings (tools/lib/format/ternary-packing.ts) byte by byte, and exact round trips through whole blobs.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { decodeBlob, encodeBlob } from "../../tools/lib/format/blob.ts";
import { BitrlError } from "../../tools/lib/util/errors.ts";
import { packTernary, rowBytes, unpackTernary, type TernaryPacking } from "../../tools/lib/format/ternary-packing.ts";
import { dequantize, quantizeTernary } from "../../tools/lib/format/quantize.ts";
import { ternaryCodes, ternaryTensor, tensorValues } from "../../tools/lib/format/blob-tensors.ts";
import type { BlobTensor } from "../../tools/lib/format/types.ts";
import { seededRandom as rng } from "../../tools/lib/util/seeded-random.ts";

const PACKINGS: TernaryPacking[] = ["i2", "t3"];

const randomTrits = (n: number, r: () => number) => Int8Array.from({ length: n }, () => Math.floor(r() * 3) - 1);

test("should lay out i2 codes LSB first, 4 per byte, padding code 1", () => {
  assert.equal([...packTernary(Int8Array.from([-1, 0, 1, 1]), 1, 4, "i2")], [0 | (1 << 2) | (2 << 4) | (2 << 6)]);
  assert.equal([...packTernary(Int8Array.from([1]), 1, 1, "i2")], [2 | (1 << 2) | (1 << 4) | (1 << 6)]);
  assert.equal(
    [...packTernary(Int8Array.from([1, -1, 0, 0, 0]), 1, 5, "i2")],
    [2 | (0 << 2) | (1 << 4) | (1 << 6), 0x55],
  );
});

test("should lay out t3 trits as sum (w+1) * 3^j, padding trit 1", () => {
  assert.equal([...packTernary(Int8Array.from([-1, 0, 1, 1, 0]), 1, 5, "t3")], [0 + 1 * 3 + 2 * 9 + 2 * 27 + 1 * 81]);
  assert.equal([...packTernary(Int8Array.from([1]), 1, 1, "t3")], [2 + 3 + 9 + 27 + 81]);
  assert.equal([...packTernary(Int8Array.from([1, 1, 1, 1, 1, -1]), 1, 6, "t3")], [242, 0 + 3 + 9 + 27 + 81]);
});

test("should start every row on a byte boundary", () => {
  for (const p of PACKINGS) {
    const q = Int8Array.from([1, 1, 1, -1, -1, -1]); // (2, 3)
    const b = packTernary(q, 2, 3, p);
    assert.is(b.length, 2 * rowBytes(p, 3));
    assert.equal([...b.subarray(rowBytes(p, 3))], [...packTernary(Int8Array.from([-1, -1, -1]), 1, 3, p)]);
  }
});

test("should map every valid byte to itself through unpack and pack", () => {
  for (let byte = 0; byte < 256; byte++) {
    const validI2 = [0, 2, 4, 6].every((k) => ((byte >> k) & 3) !== 3);
    for (const [p, valid] of [
      ["i2", validI2],
      ["t3", byte <= 242],
    ] as [TernaryPacking, boolean][]) {
      const cols = p === "i2" ? 4 : 5;
      if (!valid) {
        assert.throws(
          () => unpackTernary(Uint8Array.of(byte), 1, cols, p),
          (e: unknown) => e instanceof BitrlError,
        );
        continue;
      }
      assert.equal([...packTernary(unpackTernary(Uint8Array.of(byte), 1, cols, p), 1, cols, p)], [byte]);
    }
  }
});

test("should reject nonzero padding, invalid codes and wrong lengths with BitrlError", () => {
  const bad = (b: number[], cols: number, p: TernaryPacking, re: RegExp) =>
    assert.throws(
      () => unpackTernary(Uint8Array.from(b), 1, cols, p),
      (e: unknown) => e instanceof BitrlError && re.test((e as Error).message),
    );
  assert.equal([...unpackTernary(Uint8Array.of(0x56), 1, 1, "i2")], [1]); // codes 2,1,1,1: valid with cols 1
  bad([2 | (0 << 2) | (1 << 4) | (1 << 6)], 1, "i2", /nonzero padding/);
  bad([0xff], 4, "i2", /code 3/);
  bad([243], 5, "t3", /243 > 242/);
  bad([2 + 0 * 3 + 9 + 27 + 81], 1, "t3", /nonzero padding/);
  bad([1, 2], 4, "i2", /2 bytes/);
});

test("should round trip every length 1..64, several rows, both packings", () => {
  const r = rng(1);
  for (const p of PACKINGS) {
    for (let cols = 1; cols <= 64; cols++) {
      for (const rows of [1, 3]) {
        const q = randomTrits(rows * cols, r);
        const b = packTernary(q, rows, cols, p);
        assert.is(b.length, rows * Math.ceil(cols / (p === "i2" ? 4 : 5)));
        assert.equal(unpackTernary(b, rows, cols, p), q, `${p} ${rows}x${cols}`);
      }
    }
  }
});

test("should round trip large matrices exactly", () => {
  const r = rng(2);
  for (const p of PACKINGS) {
    for (const [rows, cols] of [
      [257, 1031],
      [1, 100003],
      [1024, 256],
    ]) {
      const q = randomTrits(rows * cols, r);
      assert.ok(
        unpackTernary(packTernary(q, rows, cols, p), rows, cols, p).every((v, i) => v === q[i]),
        `${p} ${rows}x${cols}`,
      );
    }
  }
});

test("should round trip quantized tensors through a whole blob, lengths 1..64, per row and per tensor", () => {
  const r = rng(3);
  for (const packing of PACKINGS) {
    for (const scale of ["tensor", "row"] as const) {
      const tensors: BlobTensor[] = [];
      const expect: { rows: number; cols: number; q: Int8Array; scales: Float32Array }[] = [];
      for (let cols = 1; cols <= 64; cols++) {
        const rows = 1 + (cols % 4);
        const w = Float32Array.from({ length: rows * cols }, () => (r() - 0.5) * 3);
        tensors.push(ternaryTensor(`w${cols}`, rows, cols, w, { packing, scale }));
        expect.push({ rows, cols, ...quantizeTernary(w, rows, cols, scale) });
      }
      const back = decodeBlob(encodeBlob({ version: 1, meta: {}, tensors }));
      back.tensors.forEach((t, i) => {
        const { rows, cols, q, scales } = expect[i];
        assert.equal(ternaryCodes(t), q, `${packing}/${scale} ${t.name}`);
        assert.equal(tensorValues(t), dequantize(q, scales, rows, cols));
        assert.is(t.scales.length, scale === "row" && rows > 1 ? rows : 1);
      });
    }
  }
});

test("should round trip a large quantized tensor through a blob, per row", () => {
  const r = rng(4);
  const w = Float32Array.from({ length: 300 * 777 }, () => r() - 0.5);
  for (const packing of PACKINGS) {
    const t = decodeBlob(
      encodeBlob({ version: 1, meta: {}, tensors: [ternaryTensor("big", 300, 777, w, { packing, scale: "row" })] }),
    ).tensors[0];
    const { q, scales } = quantizeTernary(w, 300, 777, "row");
    assert.equal(ternaryCodes(t), q);
    assert.equal(t.scales, scales);
  }
});

test.run();
