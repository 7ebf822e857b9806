// Kernels: golden vectors in both wasm builds, reference twins against naive float math, LUT == plain, traps.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { statSync } from "node:fs";
import * as ref from "../../tools/lib/reference/kernels.ts";
import { packTernary, rowBytes, unpackTernary } from "../../tools/lib/format/ternary-packing.ts";
import { quantizeActivations, quantizeTernary } from "../../tools/lib/format/quantize.ts";
import { BitrlError } from "../../tools/lib/util/errors.ts";
import { bytesOf, loadAgent, readArena, writeArena, type AgentModule } from "../../tools/lib/runtime/wasm.ts";
import { loadGoldenFile, runGoldenCase } from "../../tools/lib/runtime/golden.ts";
import {
  GOLDEN_KERNELS_PATH,
  LUT_FAST_OFFSET,
  MAX_CASE_BYTES,
  goldenCases,
} from "../../tools/lib/runtime/golden-kernels.ts";
import { randInt, randomF32, randomInt8, randomTernary, seededRandom } from "../../tools/lib/util/seeded-random.ts";

const builds = ["release", "debug"] as const;
const mods: Record<string, AgentModule> = Object.fromEntries(builds.map((b) => [b, loadAgent(b)]));
const golden = loadGoldenFile(GOLDEN_KERNELS_PATH);

const KERNELS = [
  "matvec_i2",
  "matvec_t3",
  "matvec_i2_lut",
  "matvec_t3_lut",
  "lut_build_i2",
  "lut_build_t3",
  "matvec_i8",
  "matvec_f32",
  "rmsnorm_f32",
  "quantize_act",
  "bitlinear_i2",
  "bitlinear_t3",
];

for (const b of builds) {
  test(`should pass every golden case in the ${b} build`, () => {
    const failed = golden.cases.map((c) => ({ c, r: runGoldenCase(mods[b], c) })).filter(({ r }) => !r.ok);
    assert.equal(
      failed.map(({ c, r }) => `${c.name}: ${r.detail}`),
      [],
    );
  });
}

test("should keep the golden file in step with the reference and within its size budgets", () => {
  const fresh = goldenCases();
  assert.equal(golden.cases.length, fresh.length);
  golden.cases.forEach((c, i) =>
    assert.equal(c, fresh[i], `case ${c.name} differs: regenerate with scripts/gen-golden.ts`),
  );
  assert.ok(statSync(GOLDEN_KERNELS_PATH).size < 300_000, "kernels.json must stay under 300 KB");
  for (const c of golden.cases) {
    const ends = [c.output.at + c.output.len, ...c.inputs.map((x) => x.at + x.hex.length / 2)];
    assert.ok(Math.max(...ends) <= MAX_CASE_BYTES, `${c.name} spans more than ${MAX_CASE_BYTES} bytes`);
  }
  for (const k of KERNELS)
    assert.ok(
      golden.cases.some((c) => c.fn === k),
      `no golden case for ${k}`,
    );
});

test("should detect a wrong expected value (the golden runner can fail)", () => {
  const c = golden.cases.find((x) => x.fn === "matvec_t3_lut" && x.output.len >= 8)!;
  const flipped = (parseInt(c.expect.slice(0, 2), 16) ^ 1).toString(16).padStart(2, "0");
  const r = runGoldenCase(mods.release, { ...c, expect: flipped + c.expect.slice(2) });
  assert.not.ok(r.ok);
  assert.match(r.detail, /byte 0/);
});

test("should agree with a naive dequantized float computation (reference twins)", () => {
  const rand = seededRandom(11);
  for (let t = 0; t < 12; t++) {
    const rows = randInt(rand, 1, 9),
      cols = randInt(rand, 1, 70);
    const wf = randomF32(rand, rows * cols, 0.3),
      x = randomF32(rand, cols, 2);
    const perRow = t % 2 === 1;
    const { q, scales } = quantizeTernary(wf, rows, cols, perRow ? "row" : "tensor");
    const xa = quantizeActivations(x);
    for (const p of ["i2", "t3"] as const) {
      const w = packTernary(q, rows, cols, p);
      const y = p === "i2" ? ref.bitlinear_i2(w, scales, x, rows, cols) : ref.bitlinear_t3(w, scales, x, rows, cols);
      for (let r = 0; r < rows; r++) {
        let naive = 0; // f64: sum of dequantized weight * dequantized activation
        for (let c = 0; c < cols; c++)
          naive += q[r * cols + c] * scales[perRow ? r : 0] * (xa.scale ? xa.q[c] / xa.scale : 0);
        assert.ok(
          Math.abs(y[r] - naive) <= 1e-5 + 1e-5 * Math.abs(naive),
          `${p} ${rows}x${cols} row ${r}: ${y[r]} vs ${naive}`,
        );
      }
      // integer dot products equal the unpacked ternary dot product, plain and LUT
      const dot = Int32Array.from({ length: rows }, (_, r) => {
        const u = unpackTernary(w, rows, cols, p);
        let s = 0;
        for (let c = 0; c < cols; c++) s += u[r * cols + c] * xa.q[c];
        return s;
      });
      const plain = p === "i2" ? ref.matvec_i2(w, xa.q, rows, cols) : ref.matvec_t3(w, xa.q, rows, cols);
      const lut =
        p === "i2"
          ? ref.matvec_i2_lut(w, ref.lut_build_i2(xa.q, cols), rows, cols)
          : ref.matvec_t3_lut(w, ref.lut_build_t3(xa.q, cols), rows, cols);
      assert.equal(Array.from(plain), Array.from(dot));
      assert.equal(Array.from(lut), Array.from(dot));
    }
    // int8 and fp32 baselines against plain f64 sums
    const w8 = randomInt8(rand, rows * cols, -127, 127),
      x8 = randomInt8(rand, cols);
    const i8 = ref.matvec_i8(w8, x8, rows, cols);
    const f = ref.matvec_f32(wf, x, rows, cols);
    for (let r = 0; r < rows; r++) {
      let s8 = 0,
        sf = 0;
      for (let c = 0; c < cols; c++) {
        s8 += w8[r * cols + c] * x8[c];
        sf += wf[r * cols + c] * x[c];
      }
      assert.is(i8[r], s8);
      assert.ok(Math.abs(f[r] - sf) <= 1e-5 * (1 + Math.abs(sf)), `matvec_f32 row ${r}: ${f[r]} vs ${sf}`);
    }
  }
});

test("should normalise to unit RMS (rmsnorm reference) with unit weights", () => {
  const x = randomF32(seededRandom(3), 50, 7);
  const y = ref.rmsnorm_f32(x, new Float32Array(50).fill(1));
  const rms = Math.sqrt(y.reduce((s, v) => s + v * v, 0) / 50);
  assert.ok(Math.abs(rms - 1) < 1e-4, `rms ${rms}`);
});

// Random packed weights and activations written to the arena; returns arena offsets.
function setupTernary(mod: AgentModule, p: "i2" | "t3", rows: number, cols: number, rand: () => number) {
  const w = packTernary(randomTernary(rand, rows * cols), rows, cols, p);
  const x = randomInt8(rand, cols);
  writeArena(mod, 0, w);
  const xAt = (w.length + 15) & ~15;
  writeArena(mod, xAt, bytesOf(x));
  return { w, x, xAt, lutAt: (xAt + cols + 15) & ~15 };
}

for (const b of builds) {
  test(`should give LUT results equal to the plain kernels on random inputs (${b})`, () => {
    const mod = mods[b],
      base = mod.ioBase,
      rand = seededRandom(21);
    for (let t = 0; t < 30; t++) {
      const p = t % 2 ? "t3" : "i2";
      const rows = randInt(rand, 1, 24),
        cols = randInt(rand, 1, 160);
      const { w, x, xAt, lutAt } = setupTernary(mod, p, rows, cols, rand);
      const lutBytes = rowBytes(p, cols) * (p === "i2" ? 512 : 486);
      const plainAt = lutAt + lutBytes + 32,
        lutOutAt = plainAt + 4 * rows;
      mod.fn[`matvec_${p}`](base, base + xAt, base + plainAt, rows, cols);
      mod.fn[`lut_build_${p}`](base + xAt, cols, base + lutAt);
      mod.fn[`matvec_${p}_lut`](base, base + lutAt, base + lutOutAt, rows, cols, rowBytes(p, cols), 0);
      const plain = new Int32Array(readArena(mod, plainAt, 4 * rows).buffer);
      const viaLut = new Int32Array(readArena(mod, lutOutAt, 4 * rows).buffer);
      const want = p === "i2" ? ref.matvec_i2(w, x, rows, cols) : ref.matvec_t3(w, x, rows, cols);
      assert.equal(Array.from(plain), Array.from(want), `${p} ${rows}x${cols} plain`);
      assert.equal(Array.from(viaLut), Array.from(want), `${p} ${rows}x${cols} lut`);
    }
  });

  test(`should sum column blocks with stride and accumulate to the full matvec (${b})`, () => {
    const mod = mods[b],
      base = mod.ioBase,
      rand = seededRandom(5);
    for (const p of ["i2", "t3"] as const) {
      const per = p === "i2" ? 4 : 5,
        rows = 10,
        cols = 7 * per * 3 + 2; // three blocks of 7 bytes + a ragged tail
      const { w, x, xAt, lutAt } = setupTernary(mod, p, rows, cols, rand);
      const stride = rowBytes(p, cols),
        outAt = 40000;
      for (let c0 = 0, first = 1; c0 < cols; c0 += 7 * per, first = 0) {
        const n = Math.min(7 * per, cols - c0);
        mod.fn[`lut_build_${p}`](base + xAt + c0, n, base + lutAt);
        mod.fn[`matvec_${p}_lut`](base + c0 / per, base + lutAt, base + outAt, rows, n, stride, first ? 0 : 1);
      }
      const got = new Int32Array(readArena(mod, outAt, 4 * rows).buffer);
      const want = p === "i2" ? ref.matvec_i2(w, x, rows, cols) : ref.matvec_t3(w, x, rows, cols);
      assert.equal(Array.from(got), Array.from(want), p);
    }
  });

  test(`should give the unrolled fast path (tables at lut_fast_base) the plain kernels' results (${b})`, () => {
    const mod = mods[b],
      base = mod.ioBase,
      rand = seededRandom(77);
    const fast = mod.fn.lut_fast_base();
    assert.is(fast, base + LUT_FAST_OFFSET, "golden cases put fast tables at this arena offset");
    for (let t = 0; t < 40; t++) {
      const p = t % 2 ? "t3" : "i2",
        per = p === "i2" ? 4 : 5;
      // up to the fast path's 64 groups; every remainder mod 4 of the group count; stride and accumulate sometimes
      const rows = randInt(rand, 1, 12),
        groups = t < 8 ? 1 + (t >> 1) : randInt(rand, 1, 64);
      const cols = groups * per - randInt(rand, 0, per - 1);
      const extra = t % 3 === 0 ? randInt(rand, 1, 5) : 0,
        stride = groups + extra;
      const w = packTernary(randomTernary(rand, rows * stride * per), rows, stride * per, p).subarray(
        0,
        (rows - 1) * stride + groups,
      );
      const block = cols % per === 0 || extra === 0; // a column block must end on a byte
      if (!block) continue;
      const x = randomInt8(rand, cols);
      const init = Int32Array.from({ length: rows }, () => randInt(rand, -1000, 1000));
      writeArena(mod, 0, w);
      const xAt = (w.length + 15) & ~15,
        outAt = (xAt + cols + 15) & ~15;
      writeArena(mod, xAt, bytesOf(x));
      writeArena(mod, outAt, bytesOf(init));
      const accumulate = t % 4 === 1 ? 1 : 0;
      mod.fn[`lut_build_${p}`](base + xAt, cols, fast);
      mod.fn[`matvec_${p}_lut`](base, fast, base + outAt, rows, cols, stride, accumulate);
      const got = new Int32Array(readArena(mod, outAt, 4 * rows).buffer);
      const lut = p === "i2" ? ref.lut_build_i2(x, cols) : ref.lut_build_t3(x, cols);
      const want =
        p === "i2"
          ? ref.matvec_i2_lut(w, lut, rows, cols, stride, accumulate ? init : undefined)
          : ref.matvec_t3_lut(w, lut, rows, cols, stride, accumulate ? init : undefined);
      assert.equal(Array.from(got), Array.from(want), `${p} ${rows}x${cols} stride ${stride} acc ${accumulate}`);
    }
  });

  test(`should trap on bad pointer ranges and shapes (${b})`, () => {
    const mod = mods[b],
      base = mod.ioBase,
      end = mod.memory.buffer.byteLength;
    const bad: [string, number[]][] = [
      ["matvec_t3", [end - 4, base, base, 4, 37]], // weights run past memory
      ["matvec_i2", [base, -16, base + 1024, 1, 8]], // negative pointer
      ["matvec_i8", [base, base, end - 8, 3, 4]], // output past memory
      ["matvec_f32", [base, base, base, 0, 4]], // zero rows
      ["matvec_t3_lut", [base, base + 1024, base + 2048, 2, 10, 1, 0]], // stride < bytes per row
      ["matvec_i2_lut", [base, end - 600, base, 1, 8, 2, 0]], // two tables do not fit
      ["lut_build_t3", [base, 5, end - 100]],
      ["rmsnorm_f32", [base, base, end - 4, 2]],
      ["quantize_act", [base, 4, base, end - 2]],
      ["bitlinear_t3", [base, base + 64, 2, base + 128, base + 256, 3, 5, base + 512]], // 2 scales for 3 rows
      ["bitlinear_i2", [base, base + 64, 1, base + 128, base + 256, 3, 64, end - 100]], // scratch too small
    ];
    for (const [name, args] of bad) {
      const before = mod.logs.length;
      assert.throws(() => mod.fn[name](...args), /unreachable/, `${name} should trap`);
      assert.match(mod.logs[before] ?? "", name, `${name} should log why`);
    }
  });
}

test("should reject bad shapes and short buffers in the reference with BitrlError", () => {
  assert.throws(
    () => ref.matvec_t3(new Uint8Array(2), new Int8Array(11), 1, 11),
    (e: unknown) => e instanceof BitrlError && /w has 2/.test((e as Error).message),
  );
  assert.throws(
    () => ref.matvec_i2(new Uint8Array(2), new Int8Array(3), 0, 3),
    (e: unknown) => e instanceof BitrlError,
  );
  assert.throws(() => ref.matvec_t3_lut(new Uint8Array([250]), new Int16Array(243), 1, 5), /byte 250/);
  assert.throws(() => ref.bitlinear_t3(new Uint8Array(3), new Float32Array(2), new Float32Array(5), 3, 5), /2 scales/);
});

test.run();
