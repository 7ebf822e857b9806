// The Node wasm host (tools/lib/runtime/wasm.ts): host imports per docs/abi.md, arena helpers, golden-file parsing.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { BitrlError } from "../../tools/lib/util/errors.ts";
import {
  BLOB_DST_OUT_OF_MEMORY,
  BLOB_NONE,
  BLOB_OK,
  BLOB_OUT_OF_RANGE,
  agentImports,
  loadAgent,
  readArena,
  writeArena,
  type HostState,
} from "../../tools/lib/runtime/wasm.ts";
import { compareGolden, parseGoldenFile } from "../../tools/lib/runtime/golden.ts";

const isBitrlError = (re: RegExp) => (e: unknown) => e instanceof BitrlError && re.test((e as Error).message);

function hostWith(blob: Uint8Array | undefined, memBytes = 64) {
  const state: HostState = { blob, memory: { buffer: new ArrayBuffer(memBytes) }, logs: [] };
  return { state, imp: agentImports(state).bitrl as Record<string, (...a: number[]) => number> };
}

test("should copy blob bytes with blob_read and report its size", () => {
  const { state, imp } = hostWith(Uint8Array.of(1, 2, 3, 4, 5, 6));
  assert.is(imp.blob_size(), 6);
  assert.is(imp.blob_read(2, 10, 3), BLOB_OK);
  assert.equal(Array.from(new Uint8Array(state.memory!.buffer, 9, 5)), [0, 3, 4, 5, 0]);
  assert.is(imp.blob_read(6, 0, 0), BLOB_OK, "an empty read at the end is fine");
});

test("should return the documented blob_read error codes and copy nothing", () => {
  const { state, imp } = hostWith(Uint8Array.of(9, 9, 9, 9));
  assert.is(imp.blob_read(3, 0, 2), BLOB_OUT_OF_RANGE);
  assert.is(imp.blob_read(-1, 0, 1), BLOB_OUT_OF_RANGE, "offsets are u32: -1 is 4 GiB");
  assert.is(imp.blob_read(0, 63, 2), BLOB_DST_OUT_OF_MEMORY);
  assert.is(imp.blob_read(0, -4, 2), BLOB_DST_OUT_OF_MEMORY);
  assert.ok(new Uint8Array(state.memory!.buffer).every((b) => b === 0));
  const none = hostWith(undefined);
  assert.is(none.imp.blob_read(0, 0, 1), BLOB_NONE);
  assert.is(none.imp.blob_size(), 0);
});

test("should pass log text to the callback and a rising ns clock", () => {
  const seen: string[] = [];
  const { state, imp } = hostWith(undefined);
  state.log = (t) => seen.push(t);
  new Uint8Array(state.memory!.buffer).set(new TextEncoder().encode("héllo"), 8);
  imp.log(8, 6);
  assert.equal(seen, ["héllo"]);
  assert.equal(state.logs, ["héllo"]);
  const clock = agentImports(state).bitrl.clock as () => bigint;
  const a = clock(),
    b = clock();
  assert.is(typeof a, "bigint");
  assert.ok(b >= a);
});

test("should load both builds with an arena inside memory and guard arena access", () => {
  for (const b of ["release", "debug"] as const) {
    const mod = loadAgent(b);
    assert.ok(mod.ioBase > 0 && mod.ioBase % 16 === 0, `io_base ${mod.ioBase} 16-aligned`);
    assert.ok(mod.ioSize >= 32 * 1024 && mod.ioBase + mod.ioSize <= mod.memory.buffer.byteLength);
    writeArena(mod, mod.ioSize - 3, Uint8Array.of(7, 8, 9));
    assert.equal(Array.from(readArena(mod, mod.ioSize - 3, 3)), [7, 8, 9]);
    assert.throws(
      () => writeArena(mod, mod.ioSize - 2, Uint8Array.of(1, 2, 3)),
      isBitrlError(/outside the \d+-byte I\/O arena/),
    );
    assert.throws(() => readArena(mod, -1, 1), isBitrlError(/outside/));
  }
});

test("should capture an abort's message in logs when a kernel traps", () => {
  const lines: string[] = [];
  const mod = loadAgent("release", { log: (t) => lines.push(t) });
  assert.throws(() => mod.fn.matvec_i8(mod.ioBase, mod.ioBase, mod.ioBase, -1, 4), /unreachable/);
  assert.match(lines[0], /^abort: matvec_i8: rows must be/);
});

test("should reject malformed golden files with the case named", () => {
  const good = {
    name: "c",
    fn: "matvec_i8",
    inputs: [{ at: 0, hex: "01" }],
    args: [{ io: 0 }, 1],
    output: { at: 16, len: 1 },
    expect: "02",
    compare: "exact",
  };
  assert.is(parseGoldenFile({ version: 1, cases: [good] }).cases.length, 1);
  assert.throws(() => parseGoldenFile({ version: 2, cases: [] }), isBitrlError(/version/));
  assert.throws(
    () => parseGoldenFile({ version: 1, cases: [{ ...good, expect: "0203" }] }),
    isBitrlError(/case 0 'c': expect must be 1 bytes/),
  );
  assert.throws(
    () => parseGoldenFile({ version: 1, cases: [{ ...good, args: [{ io: -1 }] }] }),
    isBitrlError(/bad args/),
  );
  assert.throws(() => parseGoldenFile({ version: 1, cases: [{ ...good, compare: "close" }] }), isBitrlError(/compare/));
});

test("should compare f32 outputs within abs + rel tolerance", () => {
  const f = (...v: number[]) => new Uint8Array(Float32Array.from(v).buffer);
  const tol = { f32_abs: 1e-6, f32_rel: 1e-3 };
  assert.is(compareGolden(tol, f(1.0005, 0), f(1, 0)), "");
  assert.match(compareGolden(tol, f(1.002, 0), f(1, 0)), /f32 0/);
  assert.match(compareGolden(tol, f(NaN), f(1)), /f32 0/);
  assert.match(compareGolden("exact", Uint8Array.of(1, 2), Uint8Array.of(1, 3)), /byte 1/);
});

test.run();
