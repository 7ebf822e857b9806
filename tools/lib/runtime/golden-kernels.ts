// The golden vectors of test/golden/kernels.json: a case for every kernel export, computed by the TypeScript
// reference (tools/lib/reference/kernels.ts) from a fixed seed. Written by scripts/gen-golden.ts.
// Each case is self-contained (schema in docs/abi.md): inputs at arena offsets, args, one output range.
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import * as ref from "../reference/kernels.ts";
import { packTernary, rowBytes, type TernaryPacking } from "../format/ternary-packing.ts";
import { bytesOf } from "./wasm.ts";
import { toHex, type GoldenArg, type GoldenCase, type GoldenCompare, type GoldenFile } from "./golden.ts";
import { randInt, randomF32, randomInt8, randomTernary, seededRandom, type Rand } from "../util/seeded-random.ts";
import { repoRoot } from "../util/paths.ts";
import { writeFileAtomic } from "../util/files.ts";

export const GOLDEN_SEED = 0x5eed1;
/** Largest arena extent (inputs, scratch, output) of any case: the board's arena must hold this much. */
export const MAX_CASE_BYTES = 32 * 1024;
/** Arena offset of the fast-LUT region (assembly/io.ts LUT_FAST_OFFSET): tables there take the unrolled path. */
export const LUT_FAST_OFFSET = 16 * 1024;
/** Tolerance of float-path cases (rmsnorm_f32, matvec_f32): each f32 within abs + rel * |expected|. */
export const F32_TOLERANCE: GoldenCompare = { f32_abs: 1e-6, f32_rel: 1e-5 };

type XKind = "random" | "min" | "max" | "zero";
const activations = (rand: Rand, cols: number, kind: XKind): Int8Array =>
  kind === "random"
    ? randomInt8(rand, cols)
    : new Int8Array(cols).fill(kind === "min" ? -128 : kind === "max" ? 127 : 0);

/** Lays out one case in the arena: each buffer 16-byte aligned, offsets relative to io_base(). */
export class CaseBuilder {
  inputs: { at: number; hex: string }[] = [];
  end = 0;
  /** Places bytes at the next aligned offset, or at a fixed one (past everything laid out so far). */
  put(bytes: Uint8Array, at = (this.end + 15) & ~15): { io: number } {
    if (at < this.end) throw new Error(`golden layout: offset ${at} overlaps earlier buffers (end ${this.end})`);
    this.inputs.push({ at, hex: toHex(bytes) });
    this.end = at + bytes.length;
    return { io: at };
  }
  reserve(len: number): { io: number } {
    const at = (this.end + 15) & ~15;
    this.end = at + len;
    return { io: at };
  }
  done(
    name: string,
    fn: string,
    args: GoldenArg[],
    out: { io: number },
    expect: Uint8Array,
    compare: GoldenCompare = "exact",
  ): GoldenCase {
    if (this.end > MAX_CASE_BYTES)
      throw new Error(`golden case '${name}' needs ${this.end} arena bytes > ${MAX_CASE_BYTES}`);
    return {
      name,
      fn,
      inputs: this.inputs,
      args,
      output: { at: out.io, len: expect.length },
      expect: toHex(expect),
      compare,
    };
  }
}

const ternaryWeights = (rand: Rand, rows: number, cols: number, kind: XKind): Int8Array =>
  kind === "min"
    ? new Int8Array(rows * cols).fill(-1)
    : kind === "max"
      ? new Int8Array(rows * cols).fill(1)
      : randomTernary(rand, rows * cols);

function plainTernaryCase(rand: Rand, p: TernaryPacking, rows: number, cols: number, kind: XKind): GoldenCase {
  const b = new CaseBuilder();
  const w = packTernary(ternaryWeights(rand, rows, cols, kind), rows, cols, p);
  const x = activations(rand, cols, kind);
  const args = [b.put(w), b.put(bytesOf(x))];
  const out = b.reserve(4 * rows);
  const want = p === "i2" ? ref.matvec_i2(w, x, rows, cols) : ref.matvec_t3(w, x, rows, cols);
  return b.done(
    `matvec_${p} ${rows}x${cols} ${kind}`,
    `matvec_${p}`,
    [...args, out, rows, cols],
    out,
    bytesOf(want),
    "exact",
  );
}

function lutBuildCase(rand: Rand, p: TernaryPacking, cols: number, kind: XKind): GoldenCase {
  const b = new CaseBuilder();
  const x = activations(rand, cols, kind);
  const xa = b.put(bytesOf(x));
  const lut = p === "i2" ? ref.lut_build_i2(x, cols) : ref.lut_build_t3(x, cols);
  const out = b.reserve(lut.byteLength);
  return b.done(`lut_build_${p} ${cols} ${kind}`, `lut_build_${p}`, [xa, cols, out], out, bytesOf(lut), "exact");
}

function lutMatvecCase(
  rand: Rand,
  p: TernaryPacking,
  rows: number,
  cols: number,
  kind: XKind,
  extraStride: number,
  accumulate: boolean,
  fast = false,
): GoldenCase {
  const b = new CaseBuilder();
  const groups = rowBytes(p, cols);
  const stride = groups + extraStride;
  // a wider packed matrix whose first `cols` columns are the block: the extra bytes per row are valid codes
  const wide = packTernary(
    ternaryWeights(rand, rows, stride * (p === "i2" ? 4 : 5), kind),
    rows,
    stride * (p === "i2" ? 4 : 5),
    p,
  );
  const w = wide.subarray(0, (rows - 1) * stride + groups);
  const x = activations(rand, cols, kind);
  const lut = p === "i2" ? ref.lut_build_i2(x, cols) : ref.lut_build_t3(x, cols);
  const init = accumulate ? Int32Array.from({ length: rows }, () => randInt(rand, -100000, 100000)) : undefined;
  const wa = b.put(w);
  const out = init ? b.put(bytesOf(init)) : b.reserve(4 * rows);
  // fast: the tables at the fast-LUT region, read by the unrolled path; otherwise right after the other buffers
  const la = fast ? b.put(bytesOf(lut), LUT_FAST_OFFSET) : b.put(bytesOf(lut));
  // the block's packed bytes must be exactly the columns' codes: only when cols fills its last byte, or no extra
  if (extraStride > 0 && cols % (p === "i2" ? 4 : 5) !== 0) throw new Error("column block must end on a byte");
  const want =
    p === "i2"
      ? ref.matvec_i2_lut(w, lut, rows, cols, stride, init)
      : ref.matvec_t3_lut(w, lut, rows, cols, stride, init);
  const name = `matvec_${p}_lut ${rows}x${cols} ${kind}${extraStride ? ` stride ${stride}` : ""}${accumulate ? " accumulate" : ""}${fast ? " fast" : ""}`;
  return b.done(
    name,
    `matvec_${p}_lut`,
    [wa, la, out, rows, cols, stride, accumulate ? 1 : 0],
    out,
    bytesOf(want),
    "exact",
  );
}

function i8Case(rand: Rand, rows: number, cols: number, kind: XKind): GoldenCase {
  const b = new CaseBuilder();
  const w =
    kind === "random"
      ? randomInt8(rand, rows * cols, -127, 127)
      : new Int8Array(rows * cols).fill(kind === "zero" ? 0 : -127);
  const x = activations(rand, cols, kind);
  const args = [b.put(bytesOf(w)), b.put(bytesOf(x))];
  const out = b.reserve(4 * rows);
  return b.done(
    `matvec_i8 ${rows}x${cols} ${kind}`,
    "matvec_i8",
    [...args, out, rows, cols],
    out,
    bytesOf(ref.matvec_i8(w, x, rows, cols)),
    "exact",
  );
}

function f32Case(rand: Rand, rows: number, cols: number): GoldenCase {
  const b = new CaseBuilder();
  const w = randomF32(rand, rows * cols, 0.5),
    x = randomF32(rand, cols, 2);
  const args = [b.put(bytesOf(w)), b.put(bytesOf(x))];
  const out = b.reserve(4 * rows);
  return b.done(
    `matvec_f32 ${rows}x${cols}`,
    "matvec_f32",
    [...args, out, rows, cols],
    out,
    bytesOf(ref.matvec_f32(w, x, rows, cols)),
    F32_TOLERANCE,
  );
}

function rmsnormCase(rand: Rand, n: number, scale: number): GoldenCase {
  const b = new CaseBuilder();
  const x = randomF32(rand, n, scale),
    weight = randomF32(rand, n, 1);
  const args = [b.put(bytesOf(x)), b.put(bytesOf(weight))];
  const out = b.reserve(4 * n);
  return b.done(
    `rmsnorm_f32 ${n} scale ${scale}`,
    "rmsnorm_f32",
    [...args, out, n],
    out,
    bytesOf(ref.rmsnorm_f32(x, weight)),
    F32_TOLERANCE,
  );
}

function quantizeCase(name: string, x: Float32Array): GoldenCase {
  const b = new CaseBuilder();
  const n = x.length;
  const xa = b.put(bytesOf(x));
  // output: q i8[n], zero padding to 4 bytes (written as an input so the case needs no cleared arena), scale f32
  const padded = (n + 3) & ~3;
  const out = b.put(new Uint8Array(padded));
  const { q, scale } = ref.quantize_act(x);
  const expect = new Uint8Array(padded + 4);
  expect.set(bytesOf(q));
  new DataView(expect.buffer).setFloat32(padded, scale, true);
  b.reserve(4);
  return b.done(`quantize_act ${name}`, "quantize_act", [xa, n, out, { io: out.io + padded }], out, expect, "exact");
}

function bitlinearCase(
  rand: Rand,
  p: TernaryPacking | "i8",
  rows: number,
  cols: number,
  perRow: boolean,
  zero = false,
): GoldenCase {
  const b = new CaseBuilder();
  const w =
    p === "i8"
      ? new Uint8Array(randomInt8(rand, rows * cols, -127, 127).buffer)
      : packTernary(randomTernary(rand, rows * cols), rows, cols, p);
  const scales = Float32Array.from({ length: perRow ? rows : 1 }, () => 0.01 + rand() * 0.2);
  const x = zero ? new Float32Array(cols) : randomF32(rand, cols, 3);
  const args = [b.put(w), b.put(bytesOf(scales)), scales.length, b.put(bytesOf(x))];
  const out = b.reserve(4 * rows);
  const scratch = b.reserve(ref.bitlinearScratchBytes(p, cols));
  const want = (p === "i2" ? ref.bitlinear_i2 : p === "t3" ? ref.bitlinear_t3 : ref.bitlinear_i8)(
    w,
    scales,
    x,
    rows,
    cols,
  );
  const name = `bitlinear_${p} ${rows}x${cols} ${perRow ? "per-row" : "per-tensor"}${zero ? " zero input" : ""}`;
  // exact: every step after the integer dot product is one correctly rounded IEEE f32 operation
  return b.done(name, `bitlinear_${p}`, [...args, out, rows, cols, scratch], out, bytesOf(want), "exact");
}

/** Every golden case, in file order. */
export function goldenCases(seed = GOLDEN_SEED): GoldenCase[] {
  const rand = seededRandom(seed);
  const cases: GoldenCase[] = [];
  for (const p of ["i2", "t3"] as const) {
    const odd = p === "i2" ? [3, 4] : [4, 5];
    for (const [rows, cols, kind] of [
      [1, 1, "random"],
      [1, 7, "random"],
      [3, odd[0], "random"],
      [3, odd[1], "random"],
      [16, 37, "random"],
      [7, 23, "min"],
      [7, 23, "max"],
      [5, 41, "zero"],
      [4, 64, "random"],
      [32, 100, "random"],
      [1, 256, "min"],
    ] as [number, number, XKind][]) {
      cases.push(plainTernaryCase(rand, p, rows, cols, kind));
    }
    for (const [cols, kind] of [
      [1, "random"],
      [6, "random"],
      [13, "min"],
      [13, "max"],
      [37, "random"],
    ] as [number, XKind][]) {
      cases.push(lutBuildCase(rand, p, cols, kind));
    }
    const block = p === "i2" ? 20 : 25; // a column block ending on a byte
    for (const [rows, cols, kind, extra, acc] of [
      [1, 1, "random", 0, false],
      [3, odd[0], "random", 0, false],
      [16, 37, "random", 0, false],
      [6, 23, "min", 0, false],
      [6, 23, "max", 0, false],
      [9, block, "random", 3, true],
      [32, 64, "random", 0, false],
    ] as [number, number, XKind, number, boolean][]) {
      cases.push(lutMatvecCase(rand, p, rows, cols, kind, extra, acc));
    }
    // the unrolled path: whole quads of groups, a tail of 1..3 groups, fewer than 4 groups, column blocks
    for (const [rows, cols, kind, extra, acc] of [
      [16, 37, "random", 0, false],
      [3, odd[0] * 3, "random", 0, false],
      [6, 23, "min", 0, false],
      [4, p === "i2" ? 76 : 90, "random", 0, false],
      [9, block, "random", 3, true],
      [2, p === "i2" ? 32 : 40, "max", 0, false],
    ] as [number, number, XKind, number, boolean][]) {
      cases.push(lutMatvecCase(rand, p, rows, cols, kind, extra, acc, true));
    }
  }
  for (const [rows, cols, kind] of [
    [1, 1, "random"],
    [5, 17, "random"],
    [16, 64, "random"],
    [3, 300, "min"],
    [2, 9, "zero"],
  ] as [number, number, XKind][]) {
    cases.push(i8Case(rand, rows, cols, kind));
  }
  for (const [rows, cols] of [
    [1, 1],
    [7, 33],
    [16, 64],
  ])
    cases.push(f32Case(rand, rows, cols));
  for (const [n, scale] of [
    [1, 1],
    [7, 1],
    [64, 1],
    [64, 1000],
    [33, 0.001],
  ])
    cases.push(rmsnormCase(rand, n, scale));
  cases.push(quantizeCase("1 value", Float32Array.of(-0.75)));
  cases.push(quantizeCase("ties to even", Float32Array.of(0.5, 1.5, 2.5, -0.5, -2.5, 126.5, 127)));
  cases.push(quantizeCase("all zero", new Float32Array(9)));
  cases.push(quantizeCase("33 random", randomF32(rand, 33, 4)));
  cases.push(quantizeCase("64 random large", randomF32(rand, 64, 1e4)));
  for (const p of ["i2", "t3"] as const) {
    cases.push(bitlinearCase(rand, p, 1, 1, false));
    cases.push(bitlinearCase(rand, p, 16, 37, false));
    cases.push(bitlinearCase(rand, p, 16, 37, true));
    cases.push(bitlinearCase(rand, p, 8, 64, true));
    cases.push(bitlinearCase(rand, p, 4, 13, true, true));
  }
  // the int8 layer (appended: the cases above keep their random draws)
  cases.push(bitlinearCase(rand, "i8", 1, 1, false));
  cases.push(bitlinearCase(rand, "i8", 7, 37, true));
  cases.push(bitlinearCase(rand, "i8", 4, 13, false, true));
  return cases;
}

export const GOLDEN_KERNELS_PATH = join(repoRoot, "test", "golden", "kernels.json");

/** Writes the kernels' golden file. */
export function writeGolden(path = GOLDEN_KERNELS_PATH): GoldenFile {
  return writeGoldenFile(path, goldenCases());
}

/** Writes a golden file (one case a line) via a temp file and rename: a crash never leaves a half-written file. */
export function writeGoldenFile(path: string, cases: GoldenCase[]): GoldenFile {
  const file: GoldenFile = { version: 1, cases };
  const text = JSON.stringify(file, null, 0).replace(/\{"name"/g, '\n{"name"') + "\n";
  mkdirSync(dirname(path), { recursive: true });
  writeFileAtomic(path, text);
  return file;
}
