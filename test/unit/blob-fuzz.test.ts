// Fuzzes decodeBlob with mutated valid blobs (fixed seed): every case must decode to a Blob that re-encodes and
// decodes to itself, or throw BitrlError. Anything else (RangeError, TypeError, a hang) is a reader bug.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { decodeBlob, encodeBlob, resealBlob } from "../../tools/lib/format/blob.ts";
import { crc32 } from "../../tools/lib/util/crc32.ts";
import { BitrlError } from "../../tools/lib/util/errors.ts";
import { int8Tensor, ternaryTensor } from "../../tools/lib/format/blob-tensors.ts";
import type { Blob } from "../../tools/lib/format/types.ts";
import { seededRandom as rng } from "../../tools/lib/util/seeded-random.ts";
import { everyPackingBlob, vals } from "../fixtures/sample-blobs.ts";

const CASES = 20000;

/** Small valid blobs covering every packing, both scale layouts, with and without metadata. */
const BASES: Uint8Array[] = [
  everyPackingBlob({ name: "fuzz", n: 1 }),
  { version: 1, meta: {}, tensors: [ternaryTensor("w", 4, 5, vals(20, 5), { packing: "t3", scale: "row" })] },
  {
    version: 1,
    meta: { x: "é" },
    tensors: [
      int8Tensor("e", [2, 2], vals(4, 6), "row"),
      ternaryTensor("q", 1, 3, vals(3, 7), { packing: "i2", scale: "tensor" }),
    ],
  },
].map((b: Blob) => encodeBlob(b));

const FIELD_VALUES = (r: () => number, old: number, len: number) => {
  const picks = [
    0,
    1,
    2,
    3,
    4,
    15,
    16,
    17,
    32,
    48,
    96,
    old + 1,
    old - 1,
    old + 4,
    old - 4,
    old + 16,
    old - 16,
    old * 2,
    len,
    len - 4,
    len - 16,
    len + 16,
    0x7fffffff,
    0x80000000,
    0xfffffff0,
    0xffffffff,
    2 ** 28,
    Math.floor(r() * 2 ** 32),
  ];
  return picks[Math.floor(r() * picks.length)] >>> 0;
};

function mutate(base: Uint8Array, r: () => number): { bytes: Uint8Array; kind: string } {
  let b = base.slice();
  const dv = () => new DataView(b.buffer, b.byteOffset, b.byteLength);
  const edits = 1 + Math.floor(r() * 3);
  const kinds: string[] = [];
  for (let k = 0; k < edits; k++) {
    const what = Math.floor(r() * 7);
    if (what === 0) {
      kinds.push("bitflip");
      const i = Math.floor(r() * b.length);
      b[i] ^= 1 << Math.floor(r() * 8);
    } else if (what === 1) {
      kinds.push("byteset");
      b[Math.floor(r() * b.length)] = [0, 0xff, 0x80, 3, 242, 243, Math.floor(r() * 256)][Math.floor(r() * 7)];
    } else if (what === 2) {
      kinds.push("truncate");
      b = b.slice(0, Math.floor(r() * b.length));
    } else if (what === 3) {
      kinds.push("extend");
      const more = new Uint8Array(b.length + 1 + Math.floor(r() * 40));
      more.set(b);
      for (let i = b.length; i < more.length; i++) more[i] = r() < 0.5 ? 0 : Math.floor(r() * 256);
      b = more;
    } else if (what === 4 && b.length >= 32) {
      kinds.push("header-field");
      const at = 8 + 4 * Math.floor(r() * 6); // file_bytes, tensor_count, meta_bytes, table_offset, data_offset, reserved
      dv().setUint32(at, FIELD_VALUES(r, dv().getUint32(at, true), b.length), true);
    } else if (what === 5 && b.length >= 32) {
      kinds.push("table-field");
      const table = dv().getUint32(20, true);
      const count = Math.max(1, Math.min(dv().getUint32(12, true), 8));
      const e = table + 96 * Math.floor(r() * count);
      const field = [48, 49, 50, 51, 52, 56, 60, 64, 68, 72, 76, 80, 92][Math.floor(r() * 13)];
      if (e + 96 > b.length) continue;
      if (field < 52) b[e + field] = [0, 1, 2, 3, 4, 5, 255, Math.floor(r() * 256)][Math.floor(r() * 8)];
      else dv().setUint32(e + field, FIELD_VALUES(r, dv().getUint32(e + field, true), b.length), true);
    } else {
      kinds.push("data-byte");
      const data = b.length >= 28 ? dv().getUint32(24, true) : 0;
      if (data < b.length) b[data + Math.floor(r() * (b.length - data))] = Math.floor(r() * 256);
    }
  }
  // Length edits: usually make the header agree with the new length, so range checks (not the size check) see them.
  if (b.length !== base.length && b.length >= 12 && r() < 0.7) dv().setUint32(8, b.length, true);
  // CRCs: all recomputed (the edit reaches the deep checks), only the file CRC (tensor CRCs stale), or all stale.
  const mode = r();
  if (mode < 0.5) resealBlob(b);
  else if (mode < 0.75 && b.length >= 4) dv().setUint32(b.length - 4, crc32(b.subarray(0, b.length - 4)), true);
  return {
    bytes: b,
    kind: kinds.join("+") + (mode < 0.5 ? " (resealed)" : mode < 0.75 ? " (file CRC only)" : " (stale CRCs)"),
  };
}

test(`should decode or throw BitrlError for ${CASES} mutated blobs (seeded), nothing else`, () => {
  const r = rng(20261123);
  const outcomes: Record<string, number> = {};
  const start = Date.now();
  for (let i = 0; i < CASES; i++) {
    const base = BASES[i % BASES.length];
    const { bytes, kind } = mutate(base, r);
    let blob: Blob;
    try {
      blob = decodeBlob(bytes);
    } catch (e) {
      if (!(e instanceof BitrlError))
        assert.unreachable(`case ${i} (${kind}): ${(e as Error)?.name}: ${(e as Error)?.message}`);
      const reason = (e as Error).message
        .replace(/^tensor \d+( '[^']*')?: /, "")
        .split(/[\d'(\[]/)[0]
        .trim();
      outcomes[reason] = (outcomes[reason] ?? 0) + 1;
      continue;
    }
    outcomes.decoded = (outcomes.decoded ?? 0) + 1;
    const again = encodeBlob(blob); // a decoded blob must be writable
    assert.equal(decodeBlob(again), blob, `case ${i} (${kind}): re-encode round trip`);
  }
  const secs = (Date.now() - start) / 1000;
  assert.ok(secs < 20, `fuzz took ${secs.toFixed(1)} s`);
  // The mutations must exercise many distinct rejections, not just the file checksum.
  const reasons = Object.keys(outcomes).filter((k) => k !== "decoded");
  assert.ok(reasons.length >= 25, `only ${reasons.length} distinct rejections: ${reasons.join(" | ")}`);
  assert.ok((outcomes.decoded ?? 0) > 0, "no mutated blob decoded (e.g. metadata or data edits that stay valid)");
  if (process.env.BITRL_FUZZ_STATS)
    console.error(
      Object.entries(outcomes).sort((a, b) => b[1] - a[1]),
      `${secs.toFixed(2)} s`,
    );
});

test("should give the same outcome for the same seed", () => {
  const run = () => {
    const r = rng(99);
    return Array.from({ length: 300 }, (_, i) => {
      try {
        decodeBlob(mutate(BASES[i % BASES.length], r).bytes);
        return "ok";
      } catch (e) {
        return (e as Error).message;
      }
    });
  };
  assert.equal(run(), run());
});

test.run();
