// Token-packed t3 kernels (assembly/kernels/small.ts) and quantize_act_bits: golden vectors in both wasm builds
// and on the emulated Cortex-M4, twins against the plain reference, wasm against the reference and against the
// existing LUT kernels on random shapes, traps; the shipped backbones still give the twin's features bit for bit.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import * as ref from "../../tools/lib/reference/kernels.ts";
import * as small from "../../tools/lib/reference/small-kernels.ts";
import { packTernary, rowBytes } from "../../tools/lib/format/ternary-packing.ts";
import { encodeBlob } from "../../tools/lib/format/blob.ts";
import { readBlobFile } from "../../tools/lib/format/blob-file.ts";
import {
  backboneFeatures,
  backboneFromBlob,
  backboneTensors,
  featureSize,
  type BackboneConfig,
} from "../../tools/lib/reference/backbone.ts";
import { exportWeights, initParams } from "../../tools/lib/train/model.ts";
import { bytesOf, loadAgent, type AgentModule } from "../../tools/lib/runtime/wasm.ts";
import { loadGoldenFile, runGoldenCase } from "../../tools/lib/runtime/golden.ts";
import { assertConformanceOn } from "../fixtures/board-checks.ts";
import { repoRoot } from "../../tools/lib/board/toolchain.ts";
import { GOLDEN_SMALL_PATH, goldenSmallCases } from "../../tools/lib/runtime/golden-small-kernels.ts";
import { randInt, randomF32, randomInt8, randomTernary, seededRandom } from "../../tools/lib/util/seeded-random.ts";

const golden = loadGoldenFile(GOLDEN_SMALL_PATH);
const mods = { release: loadAgent("release"), debug: loadAgent("debug") };
const FAST = 16 * 1024; // arena offset of lut_fast_base()

test("should match the checked-in golden file when regenerated (the generator is deterministic)", () => {
  assert.equal(goldenSmallCases(), golden.cases);
});

test("should give the plain matvec_t3 result per token through the twins' tables", () => {
  const rand = seededRandom(21);
  for (let i = 0; i < 40; i++) {
    const rows = randInt(rand, 1, 12),
      cols = randInt(rand, 1, 195),
      ntok = randInt(rand, 1, 4),
      xs = cols + randInt(rand, 0, 3);
    const w = packTernary(randomTernary(rand, rows * cols), rows, cols, "t3");
    const x = randomInt8(rand, (ntok - 1) * xs + cols);
    const acc = small.matvec_t3x4_lut(w, small.lut_build_t3x4(x, xs, ntok, cols), rows, cols);
    const groups = rowBytes("t3", cols);
    for (let k = 0; k < ntok; k++) {
      const want = ref.matvec_t3(w, x.subarray(k * xs, k * xs + cols), rows, cols);
      assert.equal(
        Array.from({ length: rows }, (_, r) => acc[r * 4 + k] - groups * small.T3X4_BIAS),
        Array.from(want),
        `${rows}x${cols} token ${k}`,
      );
    }
    for (let k = ntok; k < 4; k++) for (let r = 0; r < rows; r++) assert.is(acc[r * 4 + k], groups * small.T3X4_BIAS);
  }
});

test("should refuse more groups than a lane can sum in the twin", () => {
  const w = new Uint8Array(40).fill(242); // every trit 2 (+1)
  const x = new Int8Array(200).fill(127);
  assert.throws(() => small.matvec_t3x4_lut(w, small.lut_build_t3x4(x, 200, 1, 200), 1, 200), /cols|shape/);
});

for (const b of ["release", "debug"] as const) {
  const mod = mods[b];
  test(`should pass every small-kernels golden case (${b})`, () => {
    for (const c of golden.cases) {
      const r = runGoldenCase(mod, c);
      assert.ok(r.ok, `${c.name}: ${r.detail}`);
    }
  });

  test(`should equal matvec_t3 and matvec_t3_lut per token on random shapes, odd widths and extreme inputs (${b})`, () => {
    const rand = seededRandom(b === "release" ? 3 : 4);
    const mem = () => new Uint8Array(mod.memory.buffer);
    const base = mod.ioBase;
    for (let i = 0; i < 60; i++) {
      const rows = i < 4 ? [1, 160, 40, 120][i] : randInt(rand, 1, 64);
      const cols = i < 4 ? [1, 40, 120, 195][i] : randInt(rand, 1, 195);
      const ntok = randInt(rand, 1, 4),
        xs = cols + randInt(rand, 0, 5);
      const mode = i % 3; // random, every t3 byte value, extremes (-128 / 127 against all -1 / +1)
      const q = mode === 2 ? new Int8Array(rows * cols).fill(i % 2 ? 1 : -1) : randomTernary(rand, rows * cols);
      const w = packTernary(q, rows, cols, "t3");
      if (mode === 1) for (let j = 0; j < w.length; j++) w[j] = (j * 7 + i) % 243;
      const x =
        mode === 2
          ? new Int8Array((ntok - 1) * xs + cols).fill(i % 4 < 2 ? -128 : 127)
          : randomInt8(rand, (ntok - 1) * xs + cols);
      const wAt = 0,
        xAt = 8192,
        outAt = 9216,
        accAt = 12288,
        lutAt = 14336;
      mem().set(w, base + wAt);
      mem().set(bytesOf(x), base + xAt);
      mod.fn.matvec_t3x4(base + wAt, base + xAt, xs, ntok, base + outAt, rows, cols, base + accAt);
      const got = new Int32Array(mod.memory.buffer.slice(base + outAt, base + outAt + 4 * ntok * rows));
      const groups = rowBytes("t3", cols);
      for (let k = 0; k < ntok; k++) {
        const xk = x.subarray(k * xs, k * xs + cols);
        const want = Array.from(ref.matvec_t3(w, xk, rows, cols));
        assert.equal(
          Array.from(got.subarray(k * rows, (k + 1) * rows)),
          want,
          `${rows}x${cols} ntok ${ntok} token ${k} vs reference`,
        );
        // the existing LUT kernels on the same input (tables at a general address)
        mem().set(bytesOf(xk), base + xAt);
        mod.fn.lut_build_t3(base + xAt, cols, base + lutAt);
        mod.fn.matvec_t3_lut(base + wAt, base + lutAt, base + outAt, rows, cols, groups, 0);
        const lut = new Int32Array(mod.memory.buffer.slice(base + outAt, base + outAt + 4 * rows));
        assert.equal(Array.from(lut), want, `${rows}x${cols} token ${k} vs matvec_t3_lut`);
        mem().set(bytesOf(x), base + xAt);
      }
    }
  });

  test(`should give the same sums on the unrolled path and the general path, with and without accumulate (${b})`, () => {
    const rand = seededRandom(b === "release" ? 5 : 6);
    const base = mod.ioBase;
    for (const [rows, cols, stride] of [
      [1, 1, 1],
      [7, 13, 3],
      [33, 40, 8],
      [10, 80, 20],
      [3, 100, 20],
      [2, 195, 39],
    ]) {
      const w = packTernary(randomTernary(rand, rows * stride * 5), rows, stride * 5, "t3");
      const x = randomInt8(rand, 4 * cols);
      const lut = small.lut_build_t3x4(x, cols, 4, cols);
      const init = small.matvec_t3x4_lut(w, lut, rows, Math.min(cols, 10), stride); // a partial sum to add to
      const want = small.matvec_t3x4_lut(w, lut, rows, cols, stride, init);
      const fast = rowBytes("t3", cols) <= 16;
      // general: tables at io_base (up to 39 tables = 75.8 KB do not fit the arena; 20 = 38.9 KB do)
      const placements = fast ? [FAST, 0] : cols <= 100 ? [0] : [];
      for (const at of placements) {
        new Uint8Array(mod.memory.buffer).set(bytesOf(lut), base + at);
        const wAt = at === 0 ? 40000 : 0,
          accAt = wAt + 4096;
        new Uint8Array(mod.memory.buffer).set(w, base + wAt);
        new Uint8Array(mod.memory.buffer).set(bytesOf(init), base + accAt);
        mod.fn.matvec_t3x4_lut(base + wAt, base + at, base + accAt, rows, cols, stride, 1);
        const got = new Uint16Array(mod.memory.buffer.slice(base + accAt, base + accAt + 8 * rows));
        assert.equal(Array.from(got), Array.from(want), `${rows}x${cols} lut at ${at} accumulate`);
        mod.fn.matvec_t3x4_lut(base + wAt, base + at, base + accAt, rows, cols, stride, 0);
        const fresh = new Uint16Array(mod.memory.buffer.slice(base + accAt, base + accAt + 8 * rows));
        assert.equal(
          Array.from(fresh),
          Array.from(small.matvec_t3x4_lut(w, lut, rows, cols, stride)),
          `${rows}x${cols} lut at ${at}`,
        );
      }
    }
  });

  test(`should give the full tables' sums through the split tables, on both paths, and matvec_t3 per token (${b})`, () => {
    const rand = seededRandom(b === "release" ? 7 : 8);
    const base = mod.ioBase;
    for (let i = 0; i < 40; i++) {
      const rows = i < 3 ? [40, 1, 100][i] : randInt(rand, 1, 60);
      const cols = i < 3 ? [120, 1, 160][i] : randInt(rand, 1, 160);
      const ntok = randInt(rand, 1, 4),
        xs = cols + randInt(rand, 0, 4),
        extra = randInt(rand, 0, 2);
      const groups = rowBytes("t3", cols),
        stride = groups + extra;
      const w = packTernary(randomTernary(rand, rows * stride * 5), rows, stride * 5, "t3");
      if (i % 4 === 1) for (let j = 0; j < w.length; j++) w[j] = (j * 11 + i) % 243; // every byte value
      const x =
        i % 4 === 2
          ? new Int8Array((ntok - 1) * xs + cols).fill(i % 8 < 4 ? -128 : 127)
          : randomInt8(rand, (ntok - 1) * xs + cols);
      const want = small.matvec_t3x4_lut(w, small.lut_build_t3x4(x, xs, ntok, cols), rows, cols, stride);
      const mem = new Uint8Array(mod.memory.buffer);
      const wAt = 12288,
        xAt = 0,
        accAt = 10240;
      mem.set(w, base + wAt);
      mem.set(bytesOf(x), base + xAt);
      for (const lutAt of [FAST, 1024]) {
        // unrolled path, general path
        mod.fn.lut_build_t3x4s(base + xAt, xs, ntok, cols, base + lutAt);
        mod.fn.matvec_t3x4s_lut(base + wAt, base + lutAt, base + accAt, rows, cols, stride, 0);
        const got = new Uint16Array(mod.memory.buffer.slice(base + accAt, base + accAt + 8 * rows));
        assert.equal(
          Array.from(got),
          Array.from(want),
          `${rows}x${cols} stride ${stride} ntok ${ntok} lut at ${lutAt}`,
        );
      }
      if (extra === 0) {
        mod.fn.matvec_t3x4s(base + wAt, base + xAt, xs, ntok, base + 8192, rows, cols, base + accAt);
        const out = new Int32Array(mod.memory.buffer.slice(base + 8192, base + 8192 + 4 * ntok * rows));
        for (let k = 0; k < ntok; k++) {
          assert.equal(
            Array.from(out.subarray(k * rows, (k + 1) * rows)),
            Array.from(ref.matvec_t3(w, x.subarray(k * xs, k * xs + cols), rows, cols)),
            `matvec_t3x4s ${rows}x${cols} token ${k}`,
          );
        }
      }
    }
  });

  test(`should build the same tables from interleaved activations as from token rows (${b})`, () => {
    const rand = seededRandom(b === "release" ? 10 : 11);
    const base = mod.ioBase;
    for (let i = 0; i < 30; i++) {
      const cols = i < 2 ? [120, 1][i] : randInt(rand, 1, 160),
        ntok = randInt(rand, 1, 4);
      const x = i % 5 === 2 ? new Int8Array(ntok * cols).fill(i % 2 ? -128 : 127) : randomInt8(rand, ntok * cols);
      const x4 = small.packX4(x, cols, ntok, cols);
      new Uint8Array(mod.memory.buffer).set(bytesOf(x4), base);
      const groups = rowBytes("t3", cols);
      if (groups <= 16) {
        mod.fn.lut_build_t3x4_x4(base, cols, base + FAST);
        const got = new Uint8Array(mod.memory.buffer.slice(base + FAST, base + FAST + groups * 1944));
        assert.equal(got, bytesOf(small.lut_build_t3x4(x, cols, ntok, cols)), `full ${cols} cols ${ntok} tokens`);
      }
      mod.fn.lut_build_t3x4s_x4(base, cols, base + 4096);
      const split = new Uint8Array(mod.memory.buffer.slice(base + 4096, base + 4096 + 9216));
      const want = bytesOf(small.lut_build_t3x4s(x, cols, ntok, cols));
      // compare the written part: 27-entry tables of the used groups, then the 9-entry ones
      assert.equal(split.subarray(0, 216 * groups), want.subarray(0, 216 * groups), `split t27 ${cols} cols`);
      assert.equal(
        split.subarray(6912, 6912 + 72 * groups),
        want.subarray(6912, 6912 + 72 * groups),
        `split t9 ${cols} cols`,
      );
    }
  });

  test(`should quantize exactly as quantize_act, NaN, infinities, -0 and denormals included (${b})`, () => {
    const rand = seededRandom(9);
    const base = mod.ioBase;
    const specials = [NaN, -NaN, Infinity, -Infinity, 0, -0, 1e-45, -1e-40, 3.4e38, -3.4e38, 1e-36, -3.8e-37, 3.7e-37];
    for (let i = 0; i < 80; i++) {
      const n = randInt(rand, 1, 130);
      const x = randomF32(rand, n, i % 2 ? 1e-3 : 5);
      if (i % 4 === 0)
        for (let j = 0; j < 3; j++) x[randInt(rand, 0, n - 1)] = specials[randInt(rand, 0, specials.length - 1)];
      if (i % 10 === 1) x.fill(0);
      if (i % 10 === 3) x.forEach((v, j) => (x[j] = v * 1e-37)); // max|x| near 127 / FLT_MAX: s finite or +inf
      const run = (fn: string) => {
        new Uint8Array(mod.memory.buffer).set(bytesOf(x), base);
        mod.fn[fn](base, n, base + 1024, base + 2048);
        return (
          new Uint8Array(mod.memory.buffer.slice(base + 1024, base + 1024 + n)).join(",") +
          "|" +
          new Uint8Array(mod.memory.buffer.slice(base + 2048, base + 2052)).join(",")
        );
      };
      assert.is(run("quantize_act_bits"), run("quantize_act"), `case ${i}: ${Array.from(x.subarray(0, 6))}`);
      new Uint8Array(mod.memory.buffer).set(bytesOf(x), base);
      mod.fn.quantize_act_x4(base, n, base + 4096, base + 2048);
      const lanes = new Uint16Array(mod.memory.buffer.slice(base + 4096, base + 4096 + 8 * n));
      const q = Array.from({ length: n }, (_, j) => (lanes[4 * j] - 128) & 255).join(",");
      const scale = new Uint8Array(mod.memory.buffer.slice(base + 2048, base + 2052)).join(",");
      assert.is(q + "|" + scale, run("quantize_act"), `x4 case ${i}`);
    }
  });

  test(`should trap on bad shapes and ranges with a named reason (${b})`, () => {
    const base = mod.ioBase,
      end = mod.memory.buffer.byteLength;
    const bad: [string, number[]][] = [
      ["matvec_t3x4", [base, base + 1024, 200, 1, base + 2048, 2, 200, base + 4096]], // 40 groups > 39: lanes could carry
      ["matvec_t3x4", [base, base + 1024, 40, 5, base + 2048, 2, 40, base + 4096]], // 5 tokens
      ["matvec_t3x4", [base, base + 1024, 40, 4, end - 16, 2, 40, base + 4096]], // out past memory
      ["lut_build_t3x4", [base, 4, 2, 5, base + 1024]], // xs < cols
      ["lut_build_t3x4", [base, 5, 0, 5, base + 1024]], // no tokens
      ["lut_build_t3x4", [base, 5, 1, 40, end - 1000]], // tables past memory
      ["matvec_t3x4_lut", [base, base + 1024, base + 2048, 2, 10, 1, 0]], // stride < bytes per row
      ["matvec_t3x4_lut", [base, base + 1024, end - 8, 2, 10, 2, 0]], // acc past memory
      ["quantize_act_bits", [base, 4, base, end - 2]],
      ["lut_build_t3x4s", [base, 165, 1, 165, base + 1024]], // 33 groups > 32
      ["lut_build_t3x4s_x4", [base, 165, base + 1024]], // 33 groups > 32
      ["lut_build_t3x4_x4", [end - 100, 40, base + 1024]], // x4 past memory
      ["quantize_act_x4", [base, 10, end - 40, base]], // x4 past memory
      ["lut_build_t3x4s", [base, 40, 4, 40, end - 9000]], // tables past memory
      ["matvec_t3x4s_lut", [base, base + 1024, base + 2048, 2, 10, 1, 0]], // stride < bytes per row
      ["matvec_t3x4s", [base, base + 1024, 165, 1, base + 2048, 2, 165, base + 4096]], // cols > 160
    ];
    for (const [name, args] of bad) {
      const before = mod.logs.length;
      assert.throws(() => mod.fn[name](...args), /unreachable/, `${name} ${args} should trap`);
      assert.match(mod.logs[before] ?? "", name, `${name} should log why`);
    }
  });
}

test("should give the twin's features bit for bit for every shipped backbone (V8, release)", () => {
  const files = readdirSync(join(repoRoot, "models")).filter((f) => /-backbone-.*\.bitrl$/.test(f));
  assert.ok(files.length >= 8);
  const mod: AgentModule = mods.release;
  for (const f of files) {
    const blob = readBlobFile(join(repoRoot, "models", f));
    const w = backboneFromBlob(blob);
    mod.setBlob(encodeBlob(blob));
    assert.is(mod.fn.backbone_load(), 0, f);
    const size = featureSize(w.config);
    const rand = seededRandom(f.length);
    for (let i = 0; i < 3; i++) {
      const n = randInt(rand, 1, w.config.ctx);
      const tokens = Array.from({ length: n }, () => randInt(rand, 0, w.config.vocab - 1));
      new Int32Array(mod.memory.buffer, mod.ioBase + 256, n).set(tokens);
      assert.is(mod.fn.backbone_features(mod.ioBase + 256, n, mod.ioBase + 1024), size);
      const got = new Uint8Array(mod.memory.buffer.slice(mod.ioBase + 1024, mod.ioBase + 1024 + size * 4));
      assert.equal(got, bytesOf(backboneFeatures(w, tokens, n)), `${f} tokens ${tokens}`);
    }
  }
});

for (const b of ["release", "debug"] as const) {
  test(`should give the twin's features with per-row scales, all-zero inputs (s = 0) and 1..16 tokens (${b})`, () => {
    const mod = mods[b];
    for (const kind of ["ternary", "binary"] as const) {
      const c: BackboneConfig = { kind, vocab: 9, ctx: 16, dim: 20, layers: 2, heads: 2, ffn: 33, featTokens: 16 };
      const w = exportWeights(c, initParams(c, 13));
      const rand = seededRandom(17);
      for (const L of w.layers)
        for (const m of [L.wqkvo, L.up, L.down])
          if (m.type !== "f32") m.scales = Float32Array.from({ length: m.rows }, () => 0.01 + rand()); // per-row gamma
      if (w.emb.type !== "f32") w.emb.q.fill(0, 0, c.dim); // token 0 embeds to zeros: its activations quantize with s = 0
      mod.setBlob(encodeBlob({ version: 1, meta: {}, tensors: backboneTensors(w) }));
      assert.is(mod.fn.backbone_load(), 0, `${kind}: ${mod.logs.join("; ")}`);
      const size = featureSize(c);
      for (const tokens of [
        [0],
        [0, 0, 0, 0, 0],
        [0, 3, 0, 8, 1],
        Array.from({ length: 16 }, (_, i) => (i * 5) % 9),
        [4, 4, 4, 4, 4, 4, 4],
      ]) {
        new Int32Array(mod.memory.buffer, mod.ioBase + 256, tokens.length).set(tokens);
        assert.is(mod.fn.backbone_features(mod.ioBase + 256, tokens.length, mod.ioBase + 1024), size);
        const got = new Uint8Array(mod.memory.buffer.slice(mod.ioBase + 1024, mod.ioBase + 1024 + size * 4));
        assert.equal(got, bytesOf(backboneFeatures(w, tokens, tokens.length)), `${kind} tokens ${tokens}`);
      }
    }
  });
}

test("should pass every small-kernels golden case in wasm3 on the emulated Cortex-M4 (qemu-m4)", async () => {
  await assertConformanceOn("qemu-m4", [golden], { timeoutMs: 20000 });
});

test.run();
