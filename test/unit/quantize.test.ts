// Tests of the BitNet b1.58 quantizers (tools/lib/format/quantize.ts) against hand-computed values.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { ABSMEAN_EPS, roundHalfEven, ternarize } from "../../tools/lib/format/quantize.ts";
// the quantizers as the package exports them
import * as bitrl from "../../tools/lib/index.ts";

const f32 = Math.fround;

test("should round ties to even and everything else to nearest", () => {
  const cases: [number, number][] = [
    [0.5, 0],
    [1.5, 2],
    [2.5, 2],
    [3.5, 4],
    [-0.5, 0],
    [-1.5, -2],
    [-2.5, -2],
    [-3.5, -4],
    [0.49999999999999994, 0],
    [2.4999999, 2],
    [2.5000001, 3],
    [-2.5000001, -3],
    [7, 7],
    [-7, -7],
    [1e20, 1e20],
  ];
  for (const [x, want] of cases)
    assert.ok(roundHalfEven(x) === want, `roundHalfEven(${x}) = ${roundHalfEven(x)}, want ${want}`);
});

test("should agree with a floor-based definition on random halves and non-halves", () => {
  let s = 7;
  const rnd = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const ref = (x: number) => {
    const f = Math.floor(x);
    const d = x - f;
    return d < 0.5 ? f : d > 0.5 ? f + 1 : f % 2 === 0 ? f : f + 1;
  };
  for (let i = 0; i < 20000; i++) {
    const x = i % 2 ? (rnd() - 0.5) * 600 : Math.floor((rnd() - 0.5) * 600) + 0.5;
    assert.ok(roundHalfEven(x) === ref(x), `x = ${x}`);
  }
});

test("should compute gamma as the f32 mean of |w|", () => {
  assert.is(bitrl.absmeanScale([1, -2, 3, -4]), 2.5);
  assert.is(bitrl.absmeanScale([0.1, 0.2]), f32(0.15000000000000002));
  assert.is(bitrl.absmeanScale(new Float32Array([1, 2, 3, 4]), 2, 4), 3.5);
  assert.is(bitrl.absmeanScale([]), 0);
});

test("should quantize an all-zero tensor to zeros thanks to eps (no NaN)", () => {
  const { q, scales } = bitrl.quantizeTernary(new Float32Array(12), 3, 4, "tensor");
  assert.equal([...q], new Array(12).fill(0));
  assert.equal([...scales], [0]);
  const rows = bitrl.quantizeTernary(new Float32Array(12), 3, 4, "row");
  assert.equal([...rows.scales], [0, 0, 0]);
  assert.is(ternarize(0, 0), 0);
  assert.is(ABSMEAN_EPS, 1e-5);
});

test("should round w / (gamma + eps) half to even and clamp to [-1, 1]", () => {
  const g = 0.25;
  assert.is(ternarize(0.5 * (g + ABSMEAN_EPS), g), 0); // exactly 0.5: tie to 0
  assert.is(ternarize(-0.5 * (g + ABSMEAN_EPS), g) + 0, 0);
  assert.is(ternarize(1.5 * (g + ABSMEAN_EPS), g), 1); // tie to 2, clamped
  assert.is(ternarize(0.51 * g, g), 1);
  assert.is(ternarize(-0.51 * g, g), -1);
  assert.is(ternarize(-100, g), -1);
  assert.is(ternarize(0.49 * g, g), 0);
});

test("should give different codes per row than per tensor when row magnitudes differ", () => {
  const w = new Float32Array([1, 1, 1, 1, 0.01, 0.02, -0.03, 0]);
  const t = bitrl.quantizeTernary(w, 2, 4, "tensor");
  assert.equal([...t.scales], [f32((4 + 0.01 + 0.02 + 0.03) / 8)].map(f32));
  assert.equal([...t.q], [1, 1, 1, 1, 0, 0, 0, 0]);
  const r = bitrl.quantizeTernary(w, 2, 4, "row");
  assert.equal([...r.scales], [1, f32((f32(0.01) + f32(0.02) + f32(0.03)) / 4)]);
  assert.equal([...r.q], [1, 1, 1, 1, 1, 1, -1, 0]); // 0.01/0.015 = 0.67 -> 1; -0.03/0.015 = -2 -> -1
  assert.equal([...bitrl.dequantize(r.q, r.scales, 2, 4)], [1, 1, 1, 1, r.scales[1], r.scales[1], -r.scales[1], 0]);
});

test("should quantize int8 by absmax / 127 with ties to even", () => {
  const { q, scales } = bitrl.quantizeInt8(new Float32Array([127, -63.5, 0.5, 1.5, -127]), 1, 5, "tensor");
  assert.equal([...scales], [1]);
  assert.equal([...q], [127, -64, 0, 2, -127]);
  const z = bitrl.quantizeInt8(new Float32Array(4), 2, 2, "row");
  assert.equal([...z.q], [0, 0, 0, 0]);
  assert.equal([...z.scales], [0, 0]);
  const r = bitrl.quantizeInt8(new Float32Array([2, -1, 0.5, 0.25]), 2, 2, "row");
  assert.equal([...r.scales], [f32(2 / 127), f32(0.5 / 127)]);
  assert.equal([...r.q], [127, -64, 127, 64]); // -1 / (2/127) = -63.5000... in f64 of the f32 scale
});

test("should quantize activations per token in f32 (hand-computed)", () => {
  // amax 4 -> s = 31.75; x*s = 31.75, -63.5, 15.875, 127 -> 32, -64 (tie to even), 16, 127
  const a = bitrl.quantizeActivations(new Float32Array([1, -2, 0.5, 4]));
  assert.is(a.scale, 31.75);
  assert.equal([...a.q], [32, -64, 16, 127]);
  // amax 3 -> s = f32(127/3) = 42.33333206...; 3*s = 126.99999618 -> f32 127.0 -> 127; 1*s -> 42
  const b = bitrl.quantizeActivations(new Float32Array([3, 1, -1.5]));
  assert.is(b.scale, f32(127 / 3));
  // -1.5 * s = -63.49999809265137 in f64, exactly halfway between two f32s: f32() gives -63.5, a tie -> -64.
  // (Rounding the f64 product directly would give -63: this is why every step is in f32.)
  assert.equal([...b.q], [127, 42, -64]);
  const z = bitrl.quantizeActivations(new Float32Array(5));
  assert.is(z.scale, 0);
  assert.equal([...z.q], [0, 0, 0, 0, 0]);
});

test("should scale a BitLinear accumulator in f32 and give 0 when s is 0", () => {
  assert.is(bitrl.bitLinearScale(100, 0.5, 31.75), f32(100 * f32(0.5 / 31.75)));
  assert.is(bitrl.bitLinearScale(-7, 1, 1), -7);
  assert.is(bitrl.bitLinearScale(123, 0.5, 0), 0);
});

test.run();
