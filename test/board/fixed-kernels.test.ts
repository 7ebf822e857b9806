// The integer forward's fixed-point kernels (assembly/kernels/fixed.ts) and the bound kernels (bound.ts): golden
// vectors in both wasm builds with either kernel binding, in wasm3 on the emulated Cortex-M4, and with the kernel
// imports bound to C kernels (wasm3+native) on the native host build and on the emulated Cortex-M4; the twin's
// multipliers against exact arithmetic; the exp2 table against its formula.
import { test } from "uvu";
import * as assert from "uvu/assert";
import * as fx from "../../tools/lib/reference/fixed.ts";
import { loadAgent } from "../../tools/lib/runtime/wasm.ts";
import { loadGoldenFile, runGoldenCase } from "../../tools/lib/runtime/golden.ts";
import { assertConformanceOn } from "../fixtures/board-checks.ts";
import { GOLDEN_FIXED_PATH, goldenFixedCases } from "../../tools/lib/runtime/golden-fixed-kernels.ts";
import { seededRandom } from "../../tools/lib/util/seeded-random.ts";
import { repoRoot } from "../../tools/lib/util/paths.ts";
import { join } from "node:path";

const golden = loadGoldenFile(GOLDEN_FIXED_PATH);
const kernelsGolden = loadGoldenFile(join(repoRoot, "test", "golden", "kernels.json"));
const smallGolden = loadGoldenFile(join(repoRoot, "test", "golden", "small-kernels.json"));

test("should match the checked-in golden file when regenerated (the generator is deterministic)", () => {
  assert.equal(goldenFixedCases(), golden.cases);
});

for (const [b, kernels] of [
  ["release", "imports"],
  ["debug", "imports"],
  ["release", "own"],
  ["debug", "own"],
  ["aot", "own"],
] as const) {
  test(`should pass every fixed-kernels golden case (${b}, kernels ${kernels === "own" ? "called directly" : "through the imports"})`, () => {
    const mod = loadAgent(b, { kernels });
    for (const c of golden.cases) {
      const r = runGoldenCase(mod, c);
      assert.ok(r.ok, `${c.name}: ${r.detail}`);
    }
  });
}

// The AOT module (build/agent.aot.wasm) runs its indexed loops for bases up to 96 KiB (assembly/kernels/indexed.ts)
// and its pointer forms above: the golden cases above, in the I/O arena, take the indexed ones; the same cases with
// the arena moved above 96 KiB take the pointer ones, and both must give the golden bytes.
const IX_BASE = 96 * 1024;
test("should run the AOT module's golden cases in its indexed loops (arena below 96 KiB) and in its pointer forms (above)", () => {
  const mod = loadAgent("aot", { kernels: "own" });
  assert.ok(mod.ioBase + mod.ioSize <= IX_BASE, `the I/O arena ends at ${mod.ioBase + mod.ioSize}`);
  const high = { ...mod, ioBase: IX_BASE + 4096 };
  const pages = Math.ceil((high.ioBase + mod.ioSize - mod.memory.buffer.byteLength) / 65536);
  if (pages > 0) assert.ok(mod.memory.grow && mod.memory.grow(pages) >= 0, "memory.grow");
  for (const c of golden.cases) {
    const r = runGoldenCase(high, c);
    assert.ok(r.ok, `${c.name} above 96 KiB: ${r.detail}`);
  }
});

test("should give multipliers within half a unit of the 15-bit mantissa", () => {
  const rand = seededRandom(5);
  for (let i = 0; i < 2000; i++) {
    const v = Math.floor(rand() * 2 ** Math.floor(rand() * 50)) + 1;
    const f = fx.fxFromU64(v, 7);
    assert.ok((f & 0xffff) >= 1 << 14 && (f & 0xffff) < 1 << 15, `mantissa of ${v}`);
    assert.ok(Math.abs(fx.fxValue(f) - v / 128) <= (v / 128) * 2 ** -15, `${v}: ${fx.fxValue(f)}`);
    const r = fx.fxRsqrt(v);
    assert.ok(Math.abs(fx.fxValue(r) * Math.sqrt(v) - 1) < 2 ** -13, `rsqrt ${v}: ${fx.fxValue(r) * Math.sqrt(v)}`);
    const g = fx.fxFromU64(Math.floor(rand() * 2 ** 30) + 1, -3);
    assert.ok(Math.abs(fx.fxValue(fx.fxMul(f, g)) / (fx.fxValue(f) * fx.fxValue(g)) - 1) < 2 ** -14, "product");
  }
  assert.is(fx.fxMul(0, fx.fxFromU64(5, 0)), 0);
});

test("should quantize like absmax int8: |q| <= 127, q within 1 of 127 x / max|x|", () => {
  const rand = seededRandom(9);
  for (let i = 0; i < 300; i++) {
    const n = 1 + Math.floor(rand() * 60);
    const span = 2 ** Math.floor(rand() * 31);
    const x = Int32Array.from({ length: n }, () => Math.round((rand() - 0.5) * span));
    const q = new Int8Array(n);
    const f = fx.quantI32(x, 0, n, 4, q);
    const amax = x.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    for (let j = 0; j < n; j++) {
      assert.ok(Math.abs(q[j]) <= 127);
      if (amax) assert.ok(Math.abs(q[j] - (127 * x[j]) / amax) <= 1, `${x[j]} / ${amax}: ${q[j]}`);
    }
    if (amax) assert.ok(Math.abs(fx.fxValue(f) / (amax / 16 / 127) - 1) < 2 ** -13, "one q unit is max|x| / 127");
    else assert.is(f, 0);
  }
});

test("should round the exp2 table to the nearest 2^15 * 2^(-f / 256)", () => {
  assert.is(fx.EXP2[0], 32768);
  for (let i = 0; i < 256; i++) assert.ok(Math.abs(fx.EXP2[i] - 32768 * 2 ** (-i / 256)) <= 0.5, `entry ${i}`);
});

test("should pass every fixed-kernels golden case in wasm3 on the emulated Cortex-M4 (qemu-m4)", async () => {
  await assertConformanceOn("qemu-m4", [golden], { timeoutMs: 20000 });
});

test("should pass every golden case with the kernel imports bound to C kernels (wasm3+native) on the native host build", async () => {
  await assertConformanceOn("host", [kernelsGolden, smallGolden, golden], { backend: "wasm3+native" });
});

test("should pass every fixed-kernels golden case with C kernels (wasm3+native) on the emulated Cortex-M4 (qemu-m4)", async () => {
  await assertConformanceOn("qemu-m4", [golden], { backend: "wasm3+native", timeoutMs: 20000 });
});

test.run();
