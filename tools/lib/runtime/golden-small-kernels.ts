// The golden vectors of test/golden/small-kernels.json: the token-packed t3 kernels (assembly/kernels/small.ts) and
// quantize_act_bits, computed by their TypeScript twins (tools/lib/reference/small-kernels.ts) from a fixed seed.
// Same schema as kernels.json (docs/abi.md). Written by scripts/gen-golden-small.ts.
import { join } from "node:path";
import { repoRoot } from "../util/paths.ts";
import * as ref from "../reference/small-kernels.ts";
import { packTernary, rowBytes } from "../format/ternary-packing.ts";
import { bytesOf } from "./wasm.ts";
import type { GoldenCase, GoldenFile } from "./golden.ts";
import { CaseBuilder, LUT_FAST_OFFSET, writeGoldenFile } from "./golden-kernels.ts";
import { randomF32, randomInt8, randomTernary, seededRandom, type Rand } from "../util/seeded-random.ts";

export const GOLDEN_SMALL_SEED = 0x5a11;
export const GOLDEN_SMALL_PATH = join(repoRoot, "test", "golden", "small-kernels.json");

type XKind = "random" | "min" | "max";

const acts = (rand: Rand, n: number, kind: XKind): Int8Array =>
  kind === "random" ? randomInt8(rand, n) : new Int8Array(n).fill(kind === "min" ? -128 : 127);
const trits = (rand: Rand, n: number, kind: XKind): Int8Array =>
  kind === "random" ? randomTernary(rand, n) : new Int8Array(n).fill(kind === "min" ? 1 : -1); // extreme sums with x

/** lut_build_t3x4, or with `split` lut_build_t3x4s. */
function buildCase(rand: Rand, cols: number, ntok: number, xs: number, kind: XKind, split = false): GoldenCase {
  const b = new CaseBuilder();
  const x = acts(rand, (ntok - 1) * xs + cols, kind);
  const xa = b.put(bytesOf(x));
  const lut = split ? ref.lut_build_t3x4s(x, xs, ntok, cols) : ref.lut_build_t3x4(x, xs, ntok, cols);
  // the output range is written as zeros first, so a kernel that skips entries fails (and split tables' unused
  // groups stay 0)
  const out = b.put(new Uint8Array(lut.byteLength));
  const fn = split ? "lut_build_t3x4s" : "lut_build_t3x4";
  return b.done(`${fn} ${cols} cols ${ntok} tokens xs ${xs} ${kind}`, fn, [xa, xs, ntok, cols, out], out, bytesOf(lut));
}

/** matvec_t3x4_lut over full tables, or with `split` matvec_t3x4s_lut over split tables (same draws either way). */
function lutMatvecCase(
  rand: Rand,
  rows: number,
  cols: number,
  ntok: number,
  kind: XKind,
  extra: number,
  accumulate: boolean,
  fast: boolean,
  split = false,
): GoldenCase {
  const b = new CaseBuilder();
  const groups = rowBytes("t3", cols),
    stride = groups + extra;
  const wide = packTernary(trits(rand, rows * stride * 5, kind), rows, stride * 5, "t3");
  const w = wide.subarray(0, (rows - 1) * stride + groups);
  const x = acts(rand, ntok * cols, kind);
  const lut = split ? ref.lut_build_t3x4s(x, cols, ntok, cols) : ref.lut_build_t3x4(x, cols, ntok, cols);
  // a starting sum as left by an earlier column block (lanes of a real partial sum, so no lane overflows)
  const init = accumulate
    ? ref.matvec_t3x4_lut(
        packTernary(randomTernary(rand, rows * 5), rows, 5, "t3"),
        ref.lut_build_t3x4(acts(rand, 5, kind), 5, 1, 5),
        rows,
        5,
      )
    : undefined;
  const wa = b.put(w);
  const acc = b.put(init ? bytesOf(init) : new Uint8Array(rows * 8));
  const la = fast ? b.put(bytesOf(lut), LUT_FAST_OFFSET) : b.put(bytesOf(lut));
  const want = split
    ? ref.matvec_t3x4s_lut(w, lut as BigInt64Array, rows, cols, stride, init)
    : ref.matvec_t3x4_lut(w, lut as Uint16Array, rows, cols, stride, init);
  const fn = split ? "matvec_t3x4s_lut" : "matvec_t3x4_lut";
  const name = `${fn} ${rows}x${cols} ${ntok} tokens ${kind}${extra ? ` stride ${stride}` : ""}${accumulate ? " accumulate" : ""}${fast ? " fast" : ""}`;
  return b.done(name, fn, [wa, la, acc, rows, cols, stride, accumulate ? 1 : 0], acc, bytesOf(want));
}

function oneShotCase(rand: Rand, rows: number, cols: number, ntok: number, xs: number, kind: XKind): GoldenCase {
  const b = new CaseBuilder();
  const w = packTernary(trits(rand, rows * cols, kind), rows, cols, "t3");
  const x = acts(rand, (ntok - 1) * xs + cols, kind);
  const wa = b.put(w),
    xa = b.put(bytesOf(x));
  const want = ref.matvec_t3x4(w, x, xs, ntok, rows, cols);
  const out = b.put(new Uint8Array(want.byteLength));
  const acc = b.put(new Uint8Array(rows * 8));
  if (b.end > LUT_FAST_OFFSET) throw new Error("matvec_t3x4 case must stay below the fast region it overwrites");
  return b.done(
    `matvec_t3x4 ${rows}x${cols} ${ntok} tokens ${kind}`,
    "matvec_t3x4",
    [wa, xa, xs, ntok, out, rows, cols, acc],
    out,
    bytesOf(want),
  );
}

function splitOneShotCase(rand: Rand, rows: number, cols: number, ntok: number, xs: number, kind: XKind): GoldenCase {
  const c = oneShotCase(rand, rows, cols, ntok, xs, kind);
  return { ...c, name: c.name.replace("matvec_t3x4", "matvec_t3x4s"), fn: "matvec_t3x4s" };
}

function x4BuildCase(rand: Rand, split: boolean, cols: number, ntok: number, kind: XKind): GoldenCase {
  const b = new CaseBuilder();
  const x = acts(rand, ntok * cols, kind);
  const x4 = ref.packX4(x, cols, ntok, cols);
  const xa = b.put(bytesOf(x4));
  const lut = split ? ref.lut_build_t3x4s_x4(x4, cols) : ref.lut_build_t3x4_x4(x4, cols);
  const out = b.put(new Uint8Array(lut.byteLength));
  const fn = split ? "lut_build_t3x4s_x4" : "lut_build_t3x4_x4";
  return b.done(`${fn} ${cols} cols ${ntok} tokens ${kind}`, fn, [xa, cols, out], out, bytesOf(lut));
}

function quantizeX4Case(name: string, x: Float32Array): GoldenCase {
  const b = new CaseBuilder();
  const n = x.length;
  const xa = b.put(bytesOf(x));
  const lanes = new Uint16Array(4 * n).map((_, i) => 1000 + i); // lanes 1..3 must be left alone
  const out = b.put(bytesOf(lanes));
  const { q, scale } = ref.quantize_act_bits(x);
  const want = lanes.slice();
  for (let i = 0; i < n; i++) want[4 * i] = q[i] + 128;
  const expect = new Uint8Array(8 * n + 4);
  expect.set(bytesOf(want));
  new DataView(expect.buffer).setFloat32(8 * n, scale, true);
  b.put(new Uint8Array(4));
  return b.done(`quantize_act_x4 ${name}`, "quantize_act_x4", [xa, n, out, { io: out.io + 8 * n }], out, expect);
}

function quantizeCase(name: string, x: Float32Array): GoldenCase {
  const b = new CaseBuilder();
  const n = x.length,
    padded = (n + 3) & ~3;
  const xa = b.put(bytesOf(x));
  const out = b.put(new Uint8Array(padded + 4));
  const { q, scale } = ref.quantize_act_bits(x);
  const expect = new Uint8Array(padded + 4);
  expect.set(bytesOf(q));
  new DataView(expect.buffer).setFloat32(padded, scale, true);
  return b.done(`quantize_act_bits ${name}`, "quantize_act_bits", [xa, n, out, { io: out.io + padded }], out, expect);
}

/** Every case, in file order. */
export function goldenSmallCases(seed = GOLDEN_SMALL_SEED): GoldenCase[] {
  const rand = seededRandom(seed);
  const cases: GoldenCase[] = [];
  for (const [cols, ntok, xs, kind] of [
    [1, 1, 1, "random"],
    [5, 2, 5, "random"],
    [7, 3, 9, "random"],
    [40, 4, 40, "random"],
    [23, 4, 24, "min"],
    [23, 4, 23, "max"],
    [12, 4, 30, "random"],
    [13, 1, 13, "max"],
  ] as [number, number, number, XKind][]) {
    cases.push(buildCase(rand, cols, ntok, xs, kind));
  }
  for (const [rows, cols, ntok, kind, extra, acc, fast] of [
    [1, 1, 1, "random", 0, false, true],
    [3, 7, 2, "random", 0, false, true],
    [9, 25, 4, "max", 0, false, true],
    [9, 25, 4, "min", 0, true, true],
    [5, 35, 3, "random", 3, true, true],
    [40, 38, 4, "random", 0, false, true],
    [6, 17, 4, "random", 0, false, false],
    [4, 45, 4, "min", 2, true, false],
    [2, 30, 1, "random", 0, false, false],
  ] as [number, number, number, XKind, number, boolean, boolean][]) {
    cases.push(lutMatvecCase(rand, rows, cols, ntok, kind, extra, acc, fast));
  }
  for (const [rows, cols, ntok, xs, kind] of [
    [1, 1, 1, 1, "random"],
    [160, 40, 4, 40, "random"],
    [120, 40, 3, 40, "random"],
    [40, 120, 4, 120, "random"],
    [7, 81, 2, 90, "random"],
    [5, 195, 4, 195, "max"],
    [5, 195, 4, 195, "min"],
    [3, 128, 4, 128, "min"],
  ] as [number, number, number, number, XKind][]) {
    cases.push(oneShotCase(rand, rows, cols, ntok, xs, kind));
  }
  for (const [cols, ntok, xs, kind] of [
    [1, 1, 1, "random"],
    [9, 3, 11, "random"],
    [160, 4, 160, "max"],
    [23, 2, 23, "random"],
  ] as [number, number, number, XKind][]) {
    cases.push(buildCase(rand, cols, ntok, xs, kind, true));
  }
  for (const [rows, cols, ntok, kind, extra, acc, fast] of [
    [1, 1, 1, "random", 0, false, true],
    [3, 7, 2, "random", 0, false, true],
    [40, 120, 4, "random", 0, false, true],
    [9, 160, 4, "max", 0, false, true],
    [9, 160, 4, "min", 0, true, true],
    [5, 35, 3, "random", 3, true, true],
    [6, 17, 4, "random", 0, false, false],
    [4, 160, 4, "min", 2, true, false],
  ] as [number, number, number, XKind, number, boolean, boolean][]) {
    cases.push(lutMatvecCase(rand, rows, cols, ntok, kind, extra, acc, fast, true));
  }
  for (const [rows, cols, ntok, xs, kind] of [
    [1, 1, 1, 1, "random"],
    [40, 40, 4, 40, "random"],
    [40, 120, 4, 120, "random"],
    [7, 81, 2, 90, "random"],
    [5, 160, 4, 160, "max"],
    [5, 160, 4, 160, "min"],
  ] as [number, number, number, number, XKind][]) {
    cases.push(splitOneShotCase(rand, rows, cols, ntok, xs, kind));
  }
  for (const [split, cols, ntok, kind] of [
    [false, 1, 1, "random"],
    [false, 13, 3, "random"],
    [false, 40, 4, "min"],
    [true, 7, 2, "random"],
    [true, 120, 4, "random"],
    [true, 158, 4, "max"],
  ] as [boolean, number, number, XKind][]) {
    cases.push(x4BuildCase(rand, split, cols, ntok, kind));
  }
  cases.push(quantizeX4Case("random 40", randomF32(rand, 40, 3)));
  cases.push(quantizeX4Case("zeros", new Float32Array(6)));
  cases.push(quantizeX4Case("NaN, inf, denormal", Float32Array.of(1.5, NaN, -2.25, 1e-40, -Infinity, 0.5)));
  cases.push(quantizeX4Case("max near 127 / FLT_MAX", Float32Array.of(1e-37, -3.7e-37, 2e-38)));
  cases.push(quantizeCase("random 40", randomF32(rand, 40, 3)));
  cases.push(quantizeCase("random 120", randomF32(rand, 120, 0.01)));
  cases.push(quantizeCase("zeros and -0", Float32Array.of(0, -0, 0, -0, 0)));
  cases.push(quantizeCase("NaN, inf, denormal", Float32Array.of(1.5, NaN, -2.25, 1e-40, -Infinity, 0.5)));
  cases.push(quantizeCase("NaN only max", Float32Array.of(NaN, -3, 2, NaN)));
  cases.push(quantizeCase("denormals", Float32Array.of(1e-42, -3e-41, 2e-45)));
  cases.push(quantizeCase("halves", Float32Array.of(-2, -1.5, -1, -0.5, 0, 0.5, 1, 1.5, 2, 1 / 127)));
  return cases;
}

export function writeGoldenSmall(path = GOLDEN_SMALL_PATH): GoldenFile {
  return writeGoldenFile(path, goldenSmallCases());
}
