// scripts/merge-data.mjs: data segments merged, with the same initial memory (wasm3 keeps a record per segment in the
// board's heap), gaps wider than MAX_GAP left unfilled, and the built agent modules already merged.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { MAX_GAP, dataSegments, mergeDataSegments } from "../../scripts/merge-data.mjs";
import { repoRoot } from "../../tools/lib/util/paths.ts";

/** A module with one exported page of memory and these active segments [offset, bytes]. */
function moduleWith(segments: [number, number[]][]): Uint8Array {
  const leb = (v: number) => {
    const out = [];
    do {
      out.push((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
      v >>>= 7;
    } while (v);
    return out;
  };
  const section = (id: number, body: number[]) => [id, ...leb(body.length), ...body];
  const data = [segments.length, ...segments.flatMap(([o, b]) => [0, 0x41, ...leb(o), 0x0b, ...leb(b.length), ...b])];
  return Uint8Array.from([
    0x00,
    0x61,
    0x73,
    0x6d,
    1,
    0,
    0,
    0,
    ...section(5, [1, 0, 1]), // memory: one page
    ...section(7, [1, 3, 0x6d, 0x65, 0x6d, 2, 0]), // export "mem"
    ...section(11, data),
  ]);
}

// no DOM lib in this project's tsconfig: the two WebAssembly calls this test needs
const WA = (
  globalThis as unknown as {
    WebAssembly: {
      Instance: new (m: unknown) => { exports: { mem: { buffer: ArrayBuffer } } };
      Module: new (b: Uint8Array) => unknown;
    };
  }
).WebAssembly;
const memoryOf = (bytes: Uint8Array) => new Uint8Array(new WA.Instance(new WA.Module(bytes)).exports.mem.buffer);

test("should give the same initial memory from one segment, later segments winning where they overlap", () => {
  const original = moduleWith([
    [200, [1, 2, 3]],
    [10, [9, 9, 9, 9]],
    [12, [7]],
    [300, Array.from({ length: 200 }, (_, i) => i)],
  ]);
  const merged = mergeDataSegments(original);
  assert.is.not(merged, original);
  assert.equal(memoryOf(merged), memoryOf(original));
  assert.is(memoryOf(merged)[12], 7);
  assert.is(mergeDataSegments(merged), merged, "one segment: nothing left to merge");
});

test("should keep segments more than MAX_GAP apart as separate segments, the same initial memory", () => {
  // offsets whose one-byte LEB128 would read as negative (64..127) are avoided: moduleWith writes them unsigned
  const far = 205 + MAX_GAP + 1; // the first run ends at 205
  const original = moduleWith([
    [200, [1, 2, 3]],
    [204, [4]],
    [far, [5, 6]],
    [far + 10, [7]],
  ]);
  const merged = mergeDataSegments(original);
  assert.equal(dataSegments(merged), [
    [200, 5],
    [far, 11],
  ]);
  assert.equal(memoryOf(merged), memoryOf(original));
  assert.is(mergeDataSegments(merged), merged, "runs already one segment each");
  const near = moduleWith([
    [200, [1, 2, 3]],
    [200 + 3 + MAX_GAP, [9]],
  ]);
  assert.equal(dataSegments(mergeDataSegments(near)), [[200, 3 + MAX_GAP + 1]], "a gap of MAX_GAP bytes is filled");
});

test("should leave a module with at most one segment unchanged", () => {
  const one = moduleWith([[64, [5, 6]]]);
  assert.is(mergeDataSegments(one), one);
});

test("should have merged the built agent modules (npm run build)", () => {
  for (const f of ["agent.wasm", "agent.debug.wasm"]) {
    const bytes = new Uint8Array(readFileSync(join(repoRoot, "build", f)));
    assert.equal(mergeDataSegments(bytes), bytes, f);
  }
});

test.run();
