// Fuzzing the GGUF reader and converter: 6,000 corrupt files from a fixed seed; each is either read (and then
// converted and written back without trouble) or rejected with a BitrlError. Nothing else may escape.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { encodeBlob } from "../../tools/lib/format/blob.ts";
import { BitrlError } from "../../tools/lib/util/errors.ts";
import { GGML, parseGguf, writeGguf, type GgufValue } from "../../tools/lib/format/gguf/container.ts";
import { blobToGgufBytes } from "../../tools/lib/format/gguf/export.ts";
import { ggufToBlob } from "../../tools/lib/format/gguf/import.ts";
import { encodeTernaryBlocks } from "../../tools/lib/format/gguf/tq.ts";
import { seededRandom as rng } from "../../tools/lib/util/seeded-random.ts";

const CASES = 6000;

/** Two small valid files: one shaped like llama.cpp's, one written by bitrl's exporter (with bitrl.* records). */
function bases(): Uint8Array[] {
  const q = Int8Array.from({ length: 2 * 256 }, (_, i) => ((i * 5 + (i >> 3)) % 3) - 1);
  const llama = writeGguf({
    kv: new Map<string, GgufValue>([
      ["general.architecture", { type: "string", value: "bitnet" }],
      ["general.alignment", { type: "u32", value: 32 }],
      [
        "a.list",
        {
          type: "array",
          itemType: "u32",
          items: [
            { type: "u32", value: 1 },
            { type: "u32", value: 2 },
          ],
        },
      ],
      [
        "a.nest",
        {
          type: "array",
          itemType: "array",
          items: [{ type: "array", itemType: "string", items: [{ type: "string", value: "x" }] }],
        },
      ],
      ["a.big", { type: "i64", value: -5n }],
    ]),
    tensors: [
      {
        name: "t1",
        dims: [256, 2],
        type: GGML.TQ1_0,
        data: encodeTernaryBlocks(GGML.TQ1_0, q, Uint16Array.from([0x2c00, 0x2c00])),
      },
      {
        name: "t2",
        dims: [512],
        type: GGML.TQ2_0,
        data: encodeTernaryBlocks(GGML.TQ2_0, q, Uint16Array.from([0x3c00, 0x3c00])),
      },
      { name: "h", dims: [2, 2], type: GGML.F16, data: new Uint8Array([0, 0x3c, 0, 0xbc, 0, 0, 1, 0]) },
      { name: "b", dims: [2], type: GGML.BF16, data: new Uint8Array([0x80, 0x3f, 0, 0]) },
      { name: "i", dims: [1], type: GGML.I32, data: new Uint8Array([9, 0, 0, 0]) },
    ],
  });
  const exported = blobToGgufBytes(ggufToBlob(parseGguf(llama)), { ternaryType: "tq1_0" }).bytes;
  return [llama, exported];
}

const INTERESTING = [
  0n,
  1n,
  2n,
  3n,
  4n,
  31n,
  32n,
  33n,
  63n,
  64n,
  255n,
  256n,
  0x7fffffffn,
  0xffffffffn,
  1n << 32n,
  1n << 53n,
  (1n << 63n) - 1n,
  (1n << 64n) - 1n,
];

function mutate(base: Uint8Array, r: () => number): Uint8Array {
  const pick = (n: number) => Math.floor(r() * n);
  let b = base.slice();
  const kind = pick(6);
  if (kind === 0) {
    for (let i = 0, n = 1 + pick(4); i < n; i++) b[pick(b.length)] = pick(256);
  } else if (kind === 1) {
    b = b.slice(0, pick(b.length));
  } else if (kind === 2) {
    // A count, length, dim or offset replaced by an interesting u64 (most of them sit in the first few hundred bytes).
    const at = pick(Math.min(b.length - 8, 400));
    new DataView(b.buffer).setBigUint64(at, INTERESTING[pick(INTERESTING.length)], true);
  } else if (kind === 3) {
    // A type id (value type or ggml type) replaced.
    const at = pick(Math.min(b.length - 4, 400));
    new DataView(b.buffer).setUint32(at, r() < 0.8 ? pick(41) : 0xffffffff, true);
  } else if (kind === 4) {
    const at = pick(b.length);
    const len = 1 + pick(16);
    b = Uint8Array.from([...b.subarray(0, at), ...b.subarray(at + len)]);
  } else {
    const at = pick(b.length);
    const len = 1 + pick(16);
    b = Uint8Array.from([...b.subarray(0, at), ...b.subarray(at, at + len), ...b.subarray(at)]);
  }
  return b;
}

test(`should read or reject with a BitrlError each of ${CASES} corrupt GGUF files`, () => {
  const r = rng(0xb17_6606);
  const files = bases();
  let accepted = 0;
  let rejected = 0;
  const started = Date.now();
  for (let i = 0; i < CASES; i++) {
    const bytes = mutate(files[i % files.length], r);
    try {
      const blob = ggufToBlob(parseGguf(bytes));
      encodeBlob(blob); // what it produced is a valid blob
      blobToGgufBytes(blob, { oddRows: "f32" }); // and it can be written back
      accepted++;
    } catch (e) {
      if (!(e instanceof BitrlError)) {
        assert.unreachable(`case ${i}: ${(e as Error).name}: ${(e as Error).message}`);
      }
      assert.ok(
        (e as Error).message.length > 0 && !(e as Error).message.includes("\n"),
        `case ${i}: message is one line`,
      );
      rejected++;
    }
  }
  assert.is(accepted + rejected, CASES);
  // Both outcomes occur: corrupt tensor data often still decodes, corrupt structure never does.
  assert.ok(accepted > 100, `accepted ${accepted}`);
  assert.ok(rejected > CASES / 2, `rejected ${rejected}`);
  assert.ok(Date.now() - started < 15_000, `took ${Date.now() - started} ms`);
});

test.run();
