// The golden vectors of test/golden/fixed-kernels.json: the integer forward's fixed-point kernels
// (assembly/kernels/fixed.ts: quant_i32, norm_quant, rescale_t3, softmax_exp2, fx_ops) and every bound kernel
// (assembly/kernels/bound.ts, the fp32 forward's f32_* included), computed by their TypeScript twins
// (tools/lib/reference/fixed.ts, kernels.ts, backbone.ts) from a fixed seed. Same schema as kernels.json (docs/abi.md).
// Written by scripts/gen-golden-fixed.ts.
import { join } from "node:path";
import { repoRoot } from "../util/paths.ts";
import * as fx from "../reference/fixed.ts";
import * as small from "../reference/small-kernels.ts";
import { attentionInt } from "../reference/attention.ts";
import { ropeAttentionF32, ropeTable } from "../reference/backbone.ts";
import { affine_f32, matvec_f32, matvec_i8, rmsnorm_f32 } from "../reference/kernels.ts";
import { packTernary, rowBytes } from "../format/ternary-packing.ts";
import { bytesOf } from "./wasm.ts";
import type { GoldenCase, GoldenFile } from "./golden.ts";
import { CaseBuilder, LUT_FAST_OFFSET, writeGoldenFile } from "./golden-kernels.ts";
import { randInt, randomTernary, seededRandom, type Rand } from "../util/seeded-random.ts";

export const GOLDEN_FIXED_SEED = 0xf1ed;
export const GOLDEN_FIXED_PATH = join(repoRoot, "test", "golden", "fixed-kernels.json");

const randomI32 = (rand: Rand, n: number, lo: number, hi: number) =>
  Int32Array.from({ length: n }, () => randInt(rand, lo, hi));
/** A multiplier with a random mantissa in [2^14, 2^15) and exponent e. */
const randomFx = (rand: Rand, e: number) => (e << 16) | randInt(rand, 1 << 14, (1 << 15) - 1);

/** int8 (or t3 lanes, lane 0 of 4; the other lanes must stay) then the multiplier, one output range. */
function quantCase(
  name: string,
  x: Int32Array,
  qin: number,
  lanes: boolean,
  gains?: { g: Int32Array; gs: number },
): GoldenCase {
  const b = new CaseBuilder();
  const n = x.length;
  const xa = b.put(bytesOf(x));
  const ga = gains ? b.put(bytesOf(gains.g)) : undefined;
  const q = new Int8Array(n);
  const f = gains ? fx.normQuant(x, 0, gains.g, 0, gains.gs, n, q) : fx.quantI32(x, 0, n, qin, q);
  const qBytes = lanes ? 8 * n : (n + 3) & ~3;
  const before = new Uint8Array(qBytes);
  if (lanes) new Uint16Array(before.buffer).forEach((_, i, a) => (a[i] = 1000 + i));
  const expect = new Uint8Array(qBytes + 4);
  expect.set(before);
  const dv = new DataView(expect.buffer);
  for (let i = 0; i < n; i++) {
    if (lanes) dv.setUint16(8 * i, q[i] + 128, true);
    else dv.setInt8(i, q[i]);
  }
  dv.setInt32(qBytes, f, true);
  const out = b.put(before);
  b.reserve(4);
  const fxAt = { io: out.io + qBytes };
  if (gains)
    return b.done(
      `norm_quant ${name}${lanes ? " lanes" : ""}`,
      "norm_quant",
      [xa, ga!, gains.gs, n, out, lanes ? 1 : 0, fxAt],
      out,
      expect,
      "exact",
    );
  return b.done(
    `quant_i32 ${name}${lanes ? " lanes" : ""}`,
    "quant_i32",
    [xa, n, qin, out, lanes ? 1 : 0, fxAt],
    out,
    expect,
    "exact",
  );
}

function rescaleCase(name: string, acc: Int32Array, f: number, mode: number, y0: Int32Array): GoldenCase {
  const b = new CaseBuilder();
  const rows = acc.length;
  const unbias = 16 * 1024; // lanes hold acc + unbias in 0..65535
  const u = new Uint16Array(4 * rows).map((_, i) => 3000 + i); // lanes 1..3: other tokens, not read
  for (let r = 0; r < rows; r++) u[4 * r] = acc[r] + unbias;
  const aa = b.put(bytesOf(u));
  const y = b.put(bytesOf(y0));
  const want = y0.slice();
  for (let r = 0; r < rows; r++) {
    if (mode === fx.FX_ADD) fx.emit(want, r, fx.rescaleOne(acc[r], f, fx.XQ), mode);
    else want[r] = mode === fx.FX_RELU2 ? Math.max(acc[r], 0) ** 2 : acc[r];
  }
  return b.done(
    `rescale_t3 ${name} mode ${mode}`,
    "rescale_t3",
    [aa, unbias, rows, f, y, mode],
    y,
    bytesOf(want),
    "exact",
  );
}

function softmaxCase(name: string, z: Int32Array): GoldenCase {
  const b = new CaseBuilder();
  const za = b.put(bytesOf(z));
  const p = new Int32Array(z.length);
  fx.softmaxExp2(z, z.length, p);
  const out = b.put(new Uint8Array(4 * z.length));
  return b.done(`softmax_exp2 ${name}`, "softmax_exp2", [za, z.length, out], out, bytesOf(p), "exact");
}

function fxOpsCase(name: string, a: Uint32Array, bv: Uint32Array): GoldenCase {
  const b = new CaseBuilder();
  const n = a.length;
  const aa = b.put(bytesOf(a)),
    ba = b.put(bytesOf(bv));
  const want = new Int32Array(3 * n);
  for (let i = 0; i < n; i++) {
    const fa = fx.fxFromF32Bits(a[i]);
    want[i] = fa;
    want[n + i] = fx.fxMul(fa, fx.fxFromU64(bv[i], 20));
    want[2 * n + i] = fx.fxRsqrt(bv[i] + 1);
  }
  const out = b.put(new Uint8Array(12 * n));
  return b.done(`fx_ops ${name}`, "fx_ops", [aa, ba, n, out], out, bytesOf(want), "exact");
}

/** The backbone's bound t3 product (t3_matvec_x4 -> k_t3_matvec, assembly/kernels/bound.ts): interleaved
 *  activations with every lane random (padding columns and absent tokens too: the kernel reads them), rows `extra`
 *  bytes wider than the groups, the acc range filled with a marker first. */
function t3MatvecCase(rand: Rand, rows: number, cols: number, extra: number, extreme: boolean): GoldenCase {
  const b = new CaseBuilder();
  const groups = rowBytes("t3", cols),
    stride = groups + extra;
  const trits = extreme ? new Int8Array(rows * stride * 5).fill(-1) : randomTernary(rand, rows * stride * 5);
  const w = packTernary(trits, rows, stride * 5, "t3").subarray(0, (rows - 1) * stride + groups);
  const x4 = Uint16Array.from({ length: 20 * groups }, () => (extreme ? 0 : randInt(rand, 0, 255)));
  const want = small.matvec_t3x4_lut(w, small.lut_build_t3x4_x4(x4, cols), rows, cols, stride);
  const xa = b.put(bytesOf(x4)),
    wa = b.put(w);
  const acc = b.put(new Uint8Array(8 * rows).fill(0xa5));
  if (b.end > LUT_FAST_OFFSET) throw new Error("t3_matvec_x4 case must stay below the table region it overwrites");
  return b.done(
    `t3_matvec_x4 ${rows}x${cols}${extra ? ` stride ${stride}` : ""}${extreme ? " extreme" : ""}`,
    "t3_matvec_x4",
    [xa, cols, wa, rows, stride, acc],
    acc,
    bytesOf(want),
    "exact",
  );
}

/** The bound attention (attention_i32 -> k_attention): n of P tokens, width D, H heads, raw q|k|v of up to 2^16
 *  (as the backbone's t3 outputs), token multipliers 2^-(e + 15)..; expected: the output o, then the new multipliers
 *  (one range: mult follows o). qk8 and sc are scratch. */
function attentionCase(rand: Rand, n: number, P: number, D: number, H: number, span: number): GoldenCase {
  const b = new CaseBuilder();
  const hd = D / H;
  const qkv = randomI32(rand, n * 3 * D, -span, span);
  const rope = Int32Array.from(ropeTable(P, hd), (v) => Math.round(Math.fround(v * 4096)));
  const raw = Array.from({ length: n }, () => randomFx(rand, randInt(rand, 18, 30)));
  const scoreFx = fx.fxFromF32Bits(fx.f32Bits(Math.fround(Math.LOG2E / Math.fround(Math.sqrt(hd)))));
  const want = new Int32Array(n * D + n);
  const rawAfter = raw.slice();
  attentionInt(qkv.slice(), n, D, H, rope, rawAfter, want, scoreFx);
  want.set(rawAfter, n * D);
  const qa = b.put(bytesOf(qkv)),
    ra = b.put(bytesOf(rope));
  const qk8 = b.reserve(2 * P * D + 8 * P * H),
    sc = b.reserve(8 * P);
  const outAndMult = new Int32Array(n * D + n).fill(0x5a5a5a5a);
  outAndMult.set(raw, n * D);
  const out = b.put(bytesOf(outAndMult));
  const mult = { io: out.io + 4 * n * D };
  return b.done(
    `attention_i32 ${n}/${P} tokens dim ${D} heads ${H} span ${span}`,
    "attention_i32",
    [qa, n, D, H, ra, mult, qk8, sc, out, scoreFx, P],
    out,
    bytesOf(want),
    "exact",
  );
}

/** The features (norm_f32 -> k_norm_f32): f32 RMSNorm of integer x with gains G and shift gs. */
function normF32Case(name: string, x: Int32Array, g: Int32Array, gs: number): GoldenCase {
  const b = new CaseBuilder();
  const n = x.length;
  const want = new Float32Array(n);
  fx.normF32(x, 0, g, 0, gs, n, want, 0);
  const xa = b.put(bytesOf(x)),
    ga = b.put(bytesOf(g));
  const out = b.put(new Uint8Array(4 * n).fill(0xa5));
  return b.done(`norm_f32 ${name}`, "norm_f32", [xa, ga, gs, n, out], out, bytesOf(want), "exact");
}

const f32 = Math.fround;
const randomF32s = (rand: Rand, n: number, span: number) =>
  Float32Array.from({ length: n }, () => f32((rand() * 2 - 1) * span));

/** The fp32 projection (f32_linear -> k_baseline linear) of n tokens (x rows xs floats apart, outputs ys apart; the
 *  gaps hold 0xa5 bytes that must be neither read into a sum nor written): rows summed in column order, put by mode
 *  (0 store, 1 add to y, 2 ReLU^2), exact in f32. */
function f32LinearCase(
  rand: Rand,
  rows: number,
  cols: number,
  mode: number,
  span = 1,
  misalign = 0,
  n = 1,
  pad = 0,
): GoldenCase {
  const b = new CaseBuilder();
  const xs = cols + pad,
    ys = rows + pad;
  const w = randomF32s(rand, rows * cols, span);
  const x = new Float32Array(n * xs),
    y0 = new Float32Array(n * ys);
  new Uint8Array(x.buffer).fill(0xa5);
  new Uint8Array(y0.buffer).fill(0xa5);
  for (let t = 0; t < n; t++) x.set(randomF32s(rand, cols, 1), t * xs);
  for (let t = 0; t < n; t++) y0.set(randomF32s(rand, rows, 4), t * ys);
  const want = y0.slice();
  for (let t = 0; t < n; t++) {
    const v = matvec_f32(w, x.subarray(t * xs, t * xs + cols), rows, cols);
    for (let r = 0; r < rows; r++) {
      const s = v[r],
        at = t * ys + r;
      want[at] = mode === 0 ? s : mode === 1 ? f32(y0[at] + s) : s > 0 ? f32(s * s) : 0;
    }
  }
  // misalign: w and x a few bytes off word boundaries (wasm allows it; the C twin takes its byte-wise path)
  const wa = b.put(bytesOf(w), misalign ? 16 + misalign : undefined),
    xa = b.put(bytesOf(x), misalign ? ((b.end + 15) & ~15) + misalign : undefined),
    ya = b.put(bytesOf(y0));
  const tag = `${span === 1 ? "" : ` span ${span}`}${misalign ? ` misaligned by ${misalign}` : ""}`;
  const tokens = n === 1 && pad === 0 ? "" : ` ${n} tokens${pad ? ` strides +${pad}` : ""}`;
  return b.done(
    `f32_linear ${rows}x${cols}${tokens} mode ${mode}${tag}`,
    "f32_linear",
    [wa, xa, xs, ya, ys, rows, cols, n, mode],
    ya,
    bytesOf(want),
    "exact",
  );
}

/** The RL head's layer (f32_affine -> k_baseline affine): every sum from its bias in column order, ReLU'd when relu;
 *  y starts as 0xa5 bytes (every row written). */
function f32AffineCase(rand: Rand, rows: number, cols: number, relu: boolean, span = 1, misalign = 0): GoldenCase {
  const b = new CaseBuilder();
  const w = randomF32s(rand, rows * cols, span),
    bias = randomF32s(rand, rows, 2),
    x = randomF32s(rand, cols, 1);
  const wa = b.put(bytesOf(w), misalign ? 16 + misalign : undefined),
    ba = b.put(bytesOf(bias)),
    xa = b.put(bytesOf(x), misalign ? ((b.end + 15) & ~15) + misalign : undefined),
    ya = b.put(new Uint8Array(4 * rows).fill(0xa5));
  const tag = `${span === 1 ? "" : ` span ${span}`}${misalign ? ` misaligned by ${misalign}` : ""}`;
  return b.done(
    `f32_affine ${rows}x${cols}${relu ? " relu" : ""}${tag}`,
    "f32_affine",
    [wa, ba, xa, ya, rows, cols, relu ? 1 : 0],
    ya,
    bytesOf(affine_f32(w, bias, x, rows, cols, relu)),
    "exact",
  );
}

/** The fp32 norm (f32_rmsnorm -> k_baseline RMSNorm). */
function f32RmsnormCase(name: string, x: Float32Array, g: Float32Array): GoldenCase {
  const b = new CaseBuilder();
  const xa = b.put(bytesOf(x)),
    ga = b.put(bytesOf(g));
  const out = b.put(new Uint8Array(4 * x.length).fill(0xa5));
  return b.done(
    `f32_rmsnorm ${name}`,
    "f32_rmsnorm",
    [xa, ga, out, x.length],
    out,
    bytesOf(rmsnorm_f32(x, g)),
    "exact",
  );
}

/** The fp32 attention (f32_attention -> k_baseline attention): RoPE on q and k, causal softmax attention. */
function f32AttentionCase(rand: Rand, n: number, D: number, H: number, span: number): GoldenCase {
  const b = new CaseBuilder();
  const qkv = randomF32s(rand, n * 3 * D, span);
  const rope = ropeTable(n, D / H);
  const qa = b.put(bytesOf(qkv)),
    ra = b.put(bytesOf(rope)),
    sc = b.reserve(4 * n);
  const out = b.put(new Uint8Array(4 * n * D).fill(0xa5));
  const want = new Float32Array(n * D);
  ropeAttentionF32(qkv.slice(), n, D, H, rope, want);
  return b.done(
    `f32_attention n ${n} D ${D} H ${H}`,
    "f32_attention",
    [qa, n, D, H, ra, sc, out],
    out,
    bytesOf(want),
    "exact",
  );
}

/** int8's projection (i8_matvec -> k_baseline int8 matvec) of n tokens (x rows xs bytes apart, sums accs i32 apart;
 *  the gaps hold 0xa5 bytes that must be neither read nor written): i32 dot products of i8 rows and i8 vectors. */
function i8MatvecCase(rand: Rand, rows: number, cols: number, extreme: boolean, n = 1, pad = 0): GoldenCase {
  const b = new CaseBuilder();
  const i8s = (k: number) =>
    Int8Array.from({ length: k }, () => (extreme ? (rand() < 0.5 ? -128 : 127) : randInt(rand, -128, 127)));
  const xs = cols + pad,
    accs = rows + pad;
  const w = i8s(rows * cols);
  const x = new Int8Array(n * xs).fill(-91); // 0xa5
  for (let t = 0; t < n; t++) x.set(i8s(cols), t * xs);
  const wa = b.put(bytesOf(w)),
    xa = b.put(bytesOf(x));
  const acc = b.put(new Uint8Array(4 * n * accs).fill(0xa5));
  const want = new Uint8Array(4 * n * accs).fill(0xa5);
  for (let t = 0; t < n; t++)
    want.set(bytesOf(matvec_i8(w, x.subarray(t * xs, t * xs + cols), rows, cols)), 4 * t * accs);
  const tokens = n === 1 && pad === 0 ? "" : ` ${n} tokens${pad ? ` strides +${pad}` : ""}`;
  return b.done(
    `i8_matvec ${rows}x${cols}${tokens}${extreme ? " extremes" : ""}`,
    "i8_matvec",
    [wa, xa, xs, acc, accs, rows, cols, n],
    acc,
    want,
    "exact",
  );
}

/** int8's outputs (i8_rows -> k_baseline int8 rows): per-row multipliers, the product in 64 bits, put by mode. */
function i8RowsCase(rand: Rand, rows: number, mode: number, perRow: boolean): GoldenCase {
  const b = new CaseBuilder();
  const acc = randomI32(rand, rows, -(1 << 21), 1 << 21);
  const a = randomFx(rand, randInt(rand, 20, 36)),
    f1 = randomFx(rand, randInt(rand, 28, 44));
  const scales = Int32Array.from({ length: rows }, () => randomFx(rand, randInt(rand, 4, 14)));
  const y0 = randomI32(rand, rows, -fx.XMAX, fx.XMAX);
  const want = y0.slice();
  for (let r = 0; r < rows; r++) {
    const f = perRow ? fx.fxMul(a, scales[r]) : f1;
    fx.emit(want, r, fx.mulShift64(acc[r], f, mode === fx.FX_ADD ? fx.XQ : 8), mode);
  }
  const aa = b.put(bytesOf(acc)),
    sa = b.put(bytesOf(scales)),
    ya = b.put(bytesOf(y0));
  return b.done(
    `i8_rows ${rows} rows mode ${mode}${perRow ? " per-row scales" : ""}`,
    "i8_rows",
    [aa, rows, a, f1, perRow ? sa : 0, ya, mode],
    ya,
    bytesOf(want),
    "exact",
  );
}

/** Row scales to multipliers (scales_fx -> k_baseline op 5), in place. */
function scalesFxCase(name: string, bits: Uint32Array): GoldenCase {
  const b = new CaseBuilder();
  const p = b.put(bytesOf(bits));
  const want = Int32Array.from(bits, (v) => fx.fxFromF32Bits(v));
  return b.done(`scales_fx ${name}`, "scales_fx", [p, bits.length], p, bytesOf(want), "exact");
}

/** Every case, in file order. */
export function goldenFixedCases(seed = GOLDEN_FIXED_SEED): GoldenCase[] {
  const rand = seededRandom(seed);
  const cases: GoldenCase[] = [];
  for (const lanes of [false, true]) {
    cases.push(quantCase("random 40 q20", randomI32(rand, 40, -(1 << 24), 1 << 24), 20, lanes));
    cases.push(quantCase("random 120 q16 (ReLU^2 hidden)", randomI32(rand, 120, 0, 46340 * 46340), 16, lanes));
    cases.push(quantCase("small 20 q8 (amax < 2^15)", randomI32(rand, 20, -300, 300), 8, lanes));
    cases.push(quantCase("one value", Int32Array.of(-1), 0, lanes));
    cases.push(quantCase("zeros", new Int32Array(7), 12, lanes));
    cases.push(quantCase("i32 extremes", Int32Array.of(-(2 ** 31), 2 ** 31 - 1, 0, 1, -1, 2 ** 30), 20, lanes));
    cases.push(
      quantCase("norm random 40", randomI32(rand, 40, -fx.XMAX, fx.XMAX), 0, lanes, {
        g: randomI32(rand, 40, -fx.GMAX, fx.GMAX),
        gs: 8,
      }),
    );
    cases.push(
      quantCase("norm small x, gs 20", randomI32(rand, 16, -3, 3), 0, lanes, {
        g: randomI32(rand, 16, 100, 511),
        gs: 20,
      }),
    );
    cases.push(
      quantCase(
        "norm saturated x",
        Int32Array.from({ length: 48 }, (_, i) => (i % 2 ? fx.XMAX : -fx.XMAX)),
        0,
        lanes,
        { g: new Int32Array(48).fill(fx.GMAX), gs: 0 },
      ),
    );
    cases.push(
      quantCase("norm zeros", new Int32Array(8), 0, lanes, { g: randomI32(rand, 8, -fx.GMAX, fx.GMAX), gs: 5 }),
    );
  }
  for (const mode of [fx.FX_ADD, fx.FX_RAW, fx.FX_RELU2, fx.FX_ADD]) {
    const rows = randInt(rand, 1, 60);
    const y0 = randomI32(rand, rows, -fx.XMAX, fx.XMAX);
    cases.push(
      rescaleCase(
        `random ${rows} rows`,
        randomI32(rand, rows, -16256, 16256),
        randomFx(rand, randInt(rand, 16, 40)),
        mode,
        y0,
      ),
    );
  }
  cases.push(
    rescaleCase(
      "shift clamped to 1 (saturating)",
      randomI32(rand, 9, -16256, 16256),
      randomFx(rand, 3),
      fx.FX_ADD,
      new Int32Array(9).fill(fx.XMAX - 5),
    ),
  );
  cases.push(
    rescaleCase(
      "shift beyond 31 (adds 0)",
      randomI32(rand, 9, -16256, 16256),
      randomFx(rand, 60),
      fx.FX_ADD,
      new Int32Array(9).fill(77),
    ),
  );
  cases.push(rescaleCase("zero multiplier", Int32Array.of(5, -5, 16000), 0, fx.FX_ADD, Int32Array.of(1, -1, 0)));
  cases.push(rescaleCase("extremes", Int32Array.of(16256, -16256, 1, 0, -1), 0, fx.FX_RELU2, new Int32Array(5)));
  cases.push(softmaxCase("one key", Int32Array.of(123)));
  cases.push(softmaxCase("random 16", randomI32(rand, 16, -3000, 3000)));
  cases.push(softmaxCase("equal 5", new Int32Array(5).fill(-77)));
  cases.push(softmaxCase("far apart (exp2 underflow)", Int32Array.of(0, -3839, -3840, -1 << 24, 1 << 24, 4000)));
  cases.push(
    softmaxCase(
      "every table entry",
      Int32Array.from({ length: 16 }, (_, j) => -j * 241),
    ),
  );
  const bitsOf = (...v: number[]) => Uint32Array.from(v, (x) => fx.f32Bits(x));
  cases.push(
    fxOpsCase(
      "specials",
      bitsOf(0, -0, 1, -1, 1e-40, Infinity, NaN, 3.4e38, 1.2e-38, 1 / 127, 0.99999994, 1.9999999),
      Uint32Array.of(0, 1, 2, 3, 2 ** 28, 2 ** 30 - 1, 2 ** 32 - 2, 2 ** 32 - 1, 12345, 65535, 65536, 2 ** 29),
    ),
  );
  cases.push(
    fxOpsCase(
      "random",
      Uint32Array.from({ length: 40 }, () => fx.f32Bits((rand() + 0.01) * 2 ** randInt(rand, -40, 40))),
      Uint32Array.from({ length: 40 }, () => Math.floor(rand() * 2 ** randInt(rand, 1, 32))),
    ),
  );
  // the bound t3 product, from a stream of its own (the cases above keep their bytes)
  const tr = seededRandom(seed + 1);
  for (const [rows, cols, extra] of [
    [40, 40, 0],
    [120, 40, 0],
    [40, 120, 0],
    [160, 40, 3],
    [100, 160, 0],
    [101, 160, 0],
    [1, 1, 0],
    [7, 37, 2],
    [60, 195, 0],
    [130, 195, 1],
  ]) {
    cases.push(t3MatvecCase(tr, rows, cols, extra, false));
  }
  cases.push(t3MatvecCase(tr, 120, 195, 0, true));
  cases.push(t3MatvecCase(tr, 20, 195, 0, true));
  // the bound attention, from a stream of its own
  const ar = seededRandom(seed + 2);
  for (const [n, P, D, H, span] of [
    [1, 1, 8, 2, 1000],
    [4, 4, 48, 4, 1 << 16],
    [3, 4, 48, 2, 1 << 16],
    [16, 16, 32, 4, 1 << 12],
    [5, 8, 24, 1, 50],
  ]) {
    cases.push(attentionCase(ar, n, P, D, H, span));
  }
  cases.push(normF32Case("random 48", randomI32(ar, 48, -fx.XMAX, fx.XMAX), randomI32(ar, 48, -fx.GMAX, fx.GMAX), 9));
  cases.push(normF32Case("small x, gs 20", randomI32(ar, 16, -3, 3), randomI32(ar, 16, 100, 511), 20));
  cases.push(
    normF32Case(
      "saturated",
      Int32Array.from({ length: 32 }, (_, i) => (i % 3 ? fx.XMAX : -fx.XMAX)),
      new Int32Array(32).fill(fx.GMAX),
      0,
    ),
  );
  cases.push(normF32Case("zeros", new Int32Array(8), randomI32(ar, 8, -fx.GMAX, fx.GMAX), 4));
  // the fp32 forward's bound kernels, from a stream of their own
  const fr = seededRandom(seed + 3);
  for (const [rows, cols, mode] of [
    [40, 40, 0],
    [41, 40, 1],
    [120, 40, 2],
    [40, 120, 1],
    [1, 1, 0],
    [7, 37, 2],
    [160, 40, 0],
  ])
    cases.push(f32LinearCase(fr, rows, cols, mode));
  // weights near f32's largest: sums past its range give +-inf (finite products, so never inf - inf = NaN)
  for (const mode of [0, 1, 2]) cases.push(f32LinearCase(fr, 6, 9, mode, 3e38));
  cases.push(f32LinearCase(fr, 5, 13, 1, 1, 2));
  // several tokens through one call (a C kernel batches up to 4 per pass over the weights): 2..6 tokens, padded
  // strides, a misaligned case, an odd row count; a stream of their own so the cases above keep their bytes
  const br = seededRandom(seed + 7);
  for (const [rows, cols, mode, n, pad, misalign] of [
    [40, 40, 0, 4, 0, 0],
    [41, 40, 1, 3, 2, 0],
    [120, 40, 2, 4, 0, 0],
    [40, 120, 1, 4, 0, 0],
    [7, 37, 2, 5, 3, 0],
    [5, 13, 1, 6, 1, 2],
    [3, 9, 0, 2, 0, 0],
  ])
    cases.push(f32LinearCase(br, rows, cols, mode, 1, misalign, n, pad));
  cases.push(f32RmsnormCase("random 40", randomF32s(fr, 40, 3), randomF32s(fr, 40, 2)));
  cases.push(f32RmsnormCase("random 120", randomF32s(fr, 120, 50), randomF32s(fr, 120, 1)));
  cases.push(f32RmsnormCase("one value", Float32Array.of(-0.75), Float32Array.of(1.5)));
  cases.push(f32RmsnormCase("zeros (eps only)", new Float32Array(8), randomF32s(fr, 8, 1)));
  cases.push(f32RmsnormCase("tiny", randomF32s(fr, 16, 1e-20), randomF32s(fr, 16, 1)));
  for (const [n, D, H, span] of [
    [1, 8, 2, 1],
    [4, 40, 2, 3],
    [5, 48, 4, 2],
    [3, 24, 1, 10],
    [16, 32, 4, 1],
  ])
    cases.push(f32AttentionCase(fr, n, D, H, span));
  // int8's bound projection and outputs, from a stream of their own
  const ir = seededRandom(seed + 4);
  for (const [rows, cols] of [
    [40, 40],
    [41, 120],
    [1, 1],
    [7, 37],
    [160, 40],
  ])
    cases.push(i8MatvecCase(ir, rows, cols, false));
  cases.push(i8MatvecCase(ir, 9, 123, true));
  // several tokens through one call (four per pass over the weights, then two, then one), a stream of their own so
  // the cases above and below keep their bytes
  const nr = seededRandom(seed + 8);
  for (const [rows, cols, n, pad, extreme] of [
    [40, 40, 4, 0, 0],
    [41, 120, 3, 2, 0],
    [7, 37, 5, 3, 0],
    [9, 123, 2, 1, 1],
    [1, 1, 2, 0, 0],
    [9, 123, 4, 1, 1],
    [41, 40, 6, 0, 0],
  ])
    cases.push(i8MatvecCase(nr, rows, cols, extreme === 1, n, pad));
  for (const mode of [fx.FX_ADD, fx.FX_RAW, fx.FX_RELU2])
    for (const perRow of [false, true]) cases.push(i8RowsCase(ir, randInt(ir, 1, 60), mode, perRow));
  cases.push(
    scalesFxCase(
      "random 120",
      Uint32Array.from({ length: 120 }, () => fx.f32Bits((ir() + 0.001) * 2 ** randInt(ir, -30, 10))),
    ),
  );
  cases.push(
    scalesFxCase(
      "specials",
      Uint32Array.from([0, -0, 1e-40, Infinity, -Infinity, NaN, -0.5, 3.4e38, 1.2e-38], fx.f32Bits),
    ),
  );
  // the RL head's layer (k_baseline op 6), a stream of its own so the cases above keep their bytes: a cartpole head's
  // logits and value (160 features), a hidden layer with ReLU, odd shapes, overflow to infinities, misaligned operands
  const hr = seededRandom(seed + 9);
  for (const [rows, cols, relu, span, misalign] of [
    [2, 160, 0, 1, 0],
    [1, 160, 0, 1, 0],
    [32, 40, 1, 1, 0],
    [3, 7, 1, 1, 0],
    [1, 1, 0, 1, 0],
    [5, 13, 0, 3e38, 0],
    [4, 9, 1, 1, 2],
  ])
    cases.push(f32AffineCase(hr, rows, cols, relu === 1, span, misalign));
  // odd lengths (the quantizers take two values a pass, then the last one alone), with their own stream so the
  // cases above keep their bytes
  const odd = seededRandom(seed + 1);
  for (const lanes of [false, true]) {
    cases.push(
      quantCase("norm random 7 (odd)", randomI32(odd, 7, -fx.XMAX, fx.XMAX), 0, lanes, {
        g: randomI32(odd, 7, -fx.GMAX, fx.GMAX),
        gs: 8,
      }),
    );
    cases.push(quantCase("norm one value", Int32Array.of(-12345), 0, lanes, { g: Int32Array.of(300), gs: 3 }));
    cases.push(quantCase("random 21 q12 (odd)", randomI32(odd, 21, -(1 << 20), 1 << 20), 12, lanes));
  }
  return cases;
}

export function writeGoldenFixed(path = GOLDEN_FIXED_PATH): GoldenFile {
  return writeGoldenFile(path, goldenFixedCases());
}
