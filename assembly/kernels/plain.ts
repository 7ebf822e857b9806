// Plain matrix-vector kernels: decode each weight, int32 accumulate (ternary, int8) or f32 (baseline).
// out[r] = sum_c W[r][c] * x[c]. Reference twins: tools/lib/reference/kernels.ts (same names).
import { checkDim, checkRange, trap } from "./check";

/** Bytes of one packed ternary row: ceil(cols / perByte). */
// @ts-ignore: decorator
@inline export function packedRowBytes(cols: i32, perByte: i32): i32 {
  return (cols + perByte - 1) / perByte;
}

// Messages are literals: a concatenated string would allocate on every call, and the stub heap never frees.
function checkMatvec(w: i32, wBytes: u64, x: i32, xBytes: u64, out: i32, rows: i32, message: string): void {
  checkRange(w, wBytes, message);
  checkRange(x, xBytes, message);
  checkRange(out, <u64>rows * 4, message);
}

/**
 * i2 ternary: w u8[rows][ceil(cols/4)] (code = weight + 1, 2 bits, first weight in the low bits),
 * x i8[cols], out i32[rows].
 */
export function matvec_i2(w: i32, x: i32, out: i32, rows: i32, cols: i32): void {
  checkDim(rows, "matvec_i2: rows must be 1..2^24");
  checkDim(cols, "matvec_i2: cols must be 1..2^24");
  const stride = packedRowBytes(cols, 4);
  checkMatvec(w, <u64>rows * stride, x, <u64>cols, out, rows, "matvec_i2: w, x or out range outside memory");
  const full = cols >> 2; // whole bytes; the last partial byte's padding codes are never read
  const tail = cols & 3;
  for (let r = 0; r < rows; r++) {
    let wp = <usize>(w + r * stride);
    let xp = <usize>x;
    let acc: i32 = 0;
    for (let b = 0; b < full; b++) {
      const byte = <i32>load<u8>(wp);
      acc += ((byte & 3) - 1) * <i32>load<i8>(xp);
      acc += (((byte >> 2) & 3) - 1) * <i32>load<i8>(xp, 1);
      acc += (((byte >> 4) & 3) - 1) * <i32>load<i8>(xp, 2);
      acc += ((byte >> 6) - 1) * <i32>load<i8>(xp, 3);
      wp += 1;
      xp += 4;
    }
    if (tail) {
      const byte = <i32>load<u8>(wp);
      for (let j = 0; j < tail; j++) acc += (((byte >> (2 * j)) & 3) - 1) * <i32>load<i8>(xp + j);
    }
    store<i32>(<usize>(out + 4 * r), acc);
  }
}

/**
 * t3 ternary: w u8[rows][ceil(cols/5)] (byte = sum_j (w_j + 1) * 3^j, first weight least significant),
 * x i8[cols], out i32[rows].
 */
export function matvec_t3(w: i32, x: i32, out: i32, rows: i32, cols: i32): void {
  checkDim(rows, "matvec_t3: rows must be 1..2^24");
  checkDim(cols, "matvec_t3: cols must be 1..2^24");
  const stride = packedRowBytes(cols, 5);
  checkMatvec(w, <u64>rows * stride, x, <u64>cols, out, rows, "matvec_t3: w, x or out range outside memory");
  const full = cols / 5;
  const tail = cols - full * 5;
  for (let r = 0; r < rows; r++) {
    let wp = <usize>(w + r * stride);
    let xp = <usize>x;
    let acc: i32 = 0;
    for (let b = 0; b < full; b++) {
      let byte = <u32>load<u8>(wp);
      for (let j = 0; j < 5; j++) {
        const next = byte / 3;
        acc += (<i32>(byte - next * 3) - 1) * <i32>load<i8>(xp + j);
        byte = next;
      }
      wp += 1;
      xp += 5;
    }
    if (tail) {
      let byte = <u32>load<u8>(wp);
      for (let j = 0; j < tail; j++) {
        const next = byte / 3;
        acc += (<i32>(byte - next * 3) - 1) * <i32>load<i8>(xp + j);
        byte = next;
      }
    }
    store<i32>(<usize>(out + 4 * r), acc);
  }
}

/**
 * int8 weights: w i8[rows][cols], x i8[cols], out i32[rows]. Engineered as the ternary LUT kernels are (for a fair
 * baseline): two rows per pass share each activation load, four columns per step with immediate load offsets.
 */
export function matvec_i8(w: i32, x: i32, out: i32, rows: i32, cols: i32): void {
  checkDim(rows, "matvec_i8: rows must be 1..2^24");
  checkDim(cols, "matvec_i8: cols must be 1..2^24");
  checkMatvec(w, <u64>rows * cols, x, <u64>cols, out, rows, "matvec_i8: w, x or out range outside memory");
  matvecI8(<usize>w, <usize>x, <usize>out, rows, cols);
}

// Four int8 products of weight word p with activation word u, byte by byte, summed in byte order. Inlined: where one
// word meets several others, the optimiser unpacks it once.
// @ts-ignore: decorator
@inline export function dotWords(p: u32, u: u32): i32 {
  return (
    <i32>(<i8>p) * <i32>(<i8>u) +
    <i32>(<i8>(p >> 8)) * <i32>(<i8>(u >> 8)) +
    <i32>(<i8>(p >> 16)) * <i32>(<i8>(u >> 16)) +
    ((<i32>p) >> 24) * ((<i32>u) >> 24)
  );
}

/** matvec_i8 without entry checks (callers check). */
export function matvecI8(w: usize, x: usize, out: usize, rows: i32, cols: i32): void {
  const quadEnd = x + <usize>(cols & ~3),
    xEnd = x + <usize>cols;
  let wp = w;
  let op = out;
  for (let r = 0; r + 1 < rows; r += 2) {
    const wq = wp + <usize>cols;
    let xp = <usize>x;
    let a: i32 = 0,
      b: i32 = 0;
    while (xp < quadEnd) {
      const xv = load<u32>(xp);
      a += dotWords(load<u32>(wp), xv);
      b += dotWords(load<u32>(wp + <usize>cols), xv);
      wp += 4;
      xp += 4;
    }
    while (xp < xEnd) {
      const xc = <i32>load<i8>(xp);
      a += <i32>load<i8>(wp) * xc;
      b += <i32>load<i8>(wp + <usize>cols) * xc;
      wp += 1;
      xp += 1;
    }
    store<i32>(op, a);
    store<i32>(op, b, 4);
    wp = wq + <usize>cols;
    op += 8;
  }
  if (rows & 1) {
    let xp = x;
    let a: i32 = 0;
    while (xp < xEnd) {
      a += <i32>load<i8>(wp) * <i32>load<i8>(xp);
      wp += 1;
      xp += 1;
    }
    store<i32>(op, a);
  }
}

/** matvecI8 for n tokens: token t's x i8[cols] at x + t xs, its sums i32[rows] at acc + 4 t accs (strides in
 *  elements; x and acc apart). Tokens go in pairs through matvecI8Pair (each weight word loaded and unpacked once
 *  for both), an odd last one alone; integer sums wrap as before, so the values are matvecI8's. */
export function matvecI8Tokens(w: usize, x: usize, xs: i32, acc: usize, accs: i32, rows: i32, cols: i32, n: i32): void {
  const ab = <usize>(accs * 4);
  let t = 0;
  for (; t + 3 < n; t += 4) matvecI8Quad(w, x + <usize>(t * xs), <usize>xs, acc + <usize>t * ab, ab, rows, cols);
  for (; t + 1 < n; t += 2) {
    const xt = x + <usize>(t * xs),
      at = acc + <usize>t * ab;
    matvecI8Pair(w, xt, xt + <usize>xs, at, at + ab, rows, cols);
  }
  if (t < n) matvecI8(w, x + <usize>(t * xs), acc + <usize>t * ab, rows, cols);
}

// Four tokens (x, x + xs, ... into o, o + ob, ...) and two rows per pass, four columns a step: each weight word
// loaded and unpacked once for four tokens. Odd last row: the four tokens, one row.
function matvecI8Quad(w: usize, x: usize, xs: usize, o: usize, ob: usize, rows: i32, cols: i32): void {
  const quad = <usize>(cols & ~3),
    end = <usize>cols;
  const x1 = x + xs,
    x2 = x1 + xs,
    x3 = x2 + xs;
  let wp = w;
  let r = 0;
  for (; r + 1 < rows; r += 2) {
    const wq = wp + <usize>cols;
    let a0 = 0,
      a1 = 0,
      a2 = 0,
      a3 = 0,
      b0 = 0,
      b1 = 0,
      b2 = 0,
      b3 = 0;
    let c: usize = 0;
    for (; c < quad; c += 4) {
      const p = load<u32>(wp + c),
        q = load<u32>(wq + c);
      let u = load<u32>(x + c);
      a0 += dotWords(p, u);
      b0 += dotWords(q, u);
      u = load<u32>(x1 + c);
      a1 += dotWords(p, u);
      b1 += dotWords(q, u);
      u = load<u32>(x2 + c);
      a2 += dotWords(p, u);
      b2 += dotWords(q, u);
      u = load<u32>(x3 + c);
      a3 += dotWords(p, u);
      b3 += dotWords(q, u);
    }
    for (; c < end; c++) {
      const p = <i32>load<i8>(wp + c),
        q = <i32>load<i8>(wq + c);
      const u0 = <i32>load<i8>(x + c),
        u1 = <i32>load<i8>(x1 + c),
        u2 = <i32>load<i8>(x2 + c),
        u3 = <i32>load<i8>(x3 + c);
      a0 += p * u0;
      a1 += p * u1;
      a2 += p * u2;
      a3 += p * u3;
      b0 += q * u0;
      b1 += q * u1;
      b2 += q * u2;
      b3 += q * u3;
    }
    const oo = o + <usize>(r << 2);
    store<i32>(oo, a0);
    store<i32>(oo, b0, 4);
    store<i32>(oo + ob, a1);
    store<i32>(oo + ob, b1, 4);
    store<i32>(oo + 2 * ob, a2);
    store<i32>(oo + 2 * ob, b2, 4);
    store<i32>(oo + 3 * ob, a3);
    store<i32>(oo + 3 * ob, b3, 4);
    wp = wq + <usize>cols;
  }
  if (r < rows) {
    let a0 = 0,
      a1 = 0,
      a2 = 0,
      a3 = 0;
    for (let c: usize = 0; c < end; c++) {
      const p = <i32>load<i8>(wp + c);
      a0 += p * <i32>load<i8>(x + c);
      a1 += p * <i32>load<i8>(x1 + c);
      a2 += p * <i32>load<i8>(x2 + c);
      a3 += p * <i32>load<i8>(x3 + c);
    }
    const oo = o + <usize>(r << 2);
    store<i32>(oo, a0);
    store<i32>(oo + ob, a1);
    store<i32>(oo + 2 * ob, a2);
    store<i32>(oo + 3 * ob, a3);
  }
}

// Two tokens (x0, x1 into o0, o1) and two rows per pass, four columns a step: each weight and activation word loaded
// and unpacked once for two multiply-adds. Odd last row: both tokens, one row.
function matvecI8Pair(w: usize, x0: usize, x1: usize, o0: usize, o1: usize, rows: i32, cols: i32): void {
  const quad = <usize>(cols & ~3),
    end = <usize>cols;
  let wp = w;
  let r = 0;
  for (; r + 1 < rows; r += 2) {
    const wq = wp + <usize>cols;
    let a0 = 0,
      a1 = 0,
      b0 = 0,
      b1 = 0;
    let c: usize = 0;
    for (; c < quad; c += 4) {
      const u = load<u32>(x0 + c),
        v = load<u32>(x1 + c);
      const p = load<u32>(wp + c),
        q = load<u32>(wq + c);
      a0 += dotWords(p, u);
      a1 += dotWords(p, v);
      b0 += dotWords(q, u);
      b1 += dotWords(q, v);
    }
    for (; c < end; c++) {
      const u = <i32>load<i8>(x0 + c),
        v = <i32>load<i8>(x1 + c);
      const p = <i32>load<i8>(wp + c),
        q = <i32>load<i8>(wq + c);
      a0 += p * u;
      a1 += p * v;
      b0 += q * u;
      b1 += q * v;
    }
    const o = <usize>(r << 2);
    store<i32>(o0 + o, a0);
    store<i32>(o0 + o, b0, 4);
    store<i32>(o1 + o, a1);
    store<i32>(o1 + o, b1, 4);
    wp = wq + <usize>cols;
  }
  if (r < rows) {
    let a0 = 0,
      a1 = 0;
    for (let c: usize = 0; c < end; c++) {
      const p = <i32>load<i8>(wp + c);
      a0 += p * <i32>load<i8>(x0 + c);
      a1 += p * <i32>load<i8>(x1 + c);
    }
    store<i32>(o0 + <usize>(r << 2), a0);
    store<i32>(o1 + <usize>(r << 2), a1);
  }
}

/** What matvecF32 does with each row's sum v at y: store it, add it (the residual stream: y + v), or store ReLU(v)^2
 *  (v > 0 and not NaN, an integer test on its bits; +0 otherwise). */
export const F32_STORE: i32 = 0;
export const F32_ADD: i32 = 1;
export const F32_RELU2: i32 = 2;

// @ts-ignore: decorator
@inline export function putF32(p: usize, v: f32, mode: i32): void {
  if (mode == F32_STORE) store<f32>(p, v);
  else if (mode == F32_ADD) store<f32>(p, load<f32>(p) + v);
  else store<f32>(p, reinterpret<u32>(v) - 1 < 0x7f800000 ? v * v : 0);
}

/**
 * fp32 baseline: w f32[rows][cols], x f32[cols], out f32[rows]; each row summed in f32 in column order. Engineered
 * as matvec_i8: two rows per pass share each activation load, four columns per step.
 */
export function matvec_f32(w: i32, x: i32, out: i32, rows: i32, cols: i32): void {
  checkDim(rows, "matvec_f32: rows must be 1..2^24");
  checkDim(cols, "matvec_f32: cols must be 1..2^24");
  checkMatvec(w, <u64>rows * cols * 4, x, <u64>cols * 4, out, rows, "matvec_f32: w, x or out range outside memory");
  matvecF32(<usize>w, <usize>x, <usize>out, rows, cols, F32_STORE);
}

/** matvec_f32 without entry checks (callers check), each row's sum put at out by `mode` (F32_STORE, F32_ADD,
 *  F32_RELU2): the fp32 forward's projections with their residual add or ReLU^2 in the same pass. */
export function matvecF32(w: usize, x: usize, out: usize, rows: i32, cols: i32, mode: i32): void {
  const rowBytes = <usize>cols * 4;
  const quadEnd = x + <usize>(cols & ~3) * 4,
    xEnd = x + rowBytes;
  let wp = w;
  let op = out;
  for (let r = 0; r + 1 < rows; r += 2) {
    const wq = wp + rowBytes;
    let xp = x;
    let a: f32 = 0,
      b: f32 = 0;
    while (xp < quadEnd) {
      const x0 = load<f32>(xp),
        x1 = load<f32>(xp, 4),
        x2 = load<f32>(xp, 8),
        x3 = load<f32>(xp, 12);
      // one add at a time: the order of a row's sum is part of the result
      a += load<f32>(wp) * x0;
      a += load<f32>(wp, 4) * x1;
      a += load<f32>(wp, 8) * x2;
      a += load<f32>(wp, 12) * x3;
      b += load<f32>(wp + rowBytes) * x0;
      b += load<f32>(wp + rowBytes, 4) * x1;
      b += load<f32>(wp + rowBytes, 8) * x2;
      b += load<f32>(wp + rowBytes, 12) * x3;
      wp += 16;
      xp += 16;
    }
    while (xp < xEnd) {
      const xc = load<f32>(xp);
      a += load<f32>(wp) * xc;
      b += load<f32>(wp + rowBytes) * xc;
      wp += 4;
      xp += 4;
    }
    putF32(op, a, mode);
    putF32(op + 4, b, mode);
    wp = wq + rowBytes;
    op += 8;
  }
  if (rows & 1) {
    let xp = x;
    let a: f32 = 0;
    while (xp < xEnd) {
      a += load<f32>(wp) * load<f32>(xp);
      wp += 4;
      xp += 4;
    }
    putF32(op, a, mode);
  }
}

/** matvecF32 for n tokens: token t's x at x + 4 t xs, its outputs at y + 4 t ys (strides in floats; x and y apart).
 *  Tokens go four at a time through matvecF32Quad (each weight loaded once for the four, as the ternary tables
 *  serve four tokens), then a pair through matvecF32Pair, an odd last one alone; every (token, row) sum keeps its
 *  column order, so the results are matvecF32's bit for bit. */
export function matvecF32Tokens(
  w: usize,
  x: usize,
  xs: i32,
  y: usize,
  ys: i32,
  rows: i32,
  cols: i32,
  n: i32,
  mode: i32,
): void {
  const xb = <usize>(xs * 4),
    yb = <usize>(ys * 4);
  let t = 0;
  for (; t + 3 < n; t += 4) matvecF32Quad(w, x + <usize>t * xb, xb, y + <usize>t * yb, yb, rows, cols, mode);
  for (; t + 1 < n; t += 2) {
    const xt = x + <usize>t * xb,
      yt = y + <usize>t * yb;
    matvecF32Pair(w, xt, xt + xb, yt, yt + yb, rows, cols, mode);
  }
  if (t < n) matvecF32(w, x + <usize>t * xb, y + <usize>t * yb, rows, cols, mode);
}

// Four tokens (x, x + xb, ... into y, y + yb, ...) and two rows per pass: each weight loaded once for four
// multiply-adds, each activation once for two (the C kernel's shape). Odd last row: the four tokens, one row.
function matvecF32Quad(w: usize, x: usize, xb: usize, y: usize, yb: usize, rows: i32, cols: i32, mode: i32): void {
  const rowBytes = <usize>cols * 4;
  const x1 = x + xb,
    x2 = x1 + xb,
    x3 = x2 + xb;
  let wp = w;
  let r = 0;
  for (; r + 1 < rows; r += 2) {
    let a0: f32 = 0,
      a1: f32 = 0,
      a2: f32 = 0,
      a3: f32 = 0,
      b0: f32 = 0,
      b1: f32 = 0,
      b2: f32 = 0,
      b3: f32 = 0;
    for (let c: usize = 0; c < rowBytes; c += 4) {
      const wa = load<f32>(wp + c),
        wb = load<f32>(wp + rowBytes + c);
      const u0 = load<f32>(x + c),
        u1 = load<f32>(x1 + c),
        u2 = load<f32>(x2 + c),
        u3 = load<f32>(x3 + c);
      a0 += wa * u0;
      a1 += wa * u1;
      a2 += wa * u2;
      a3 += wa * u3;
      b0 += wb * u0;
      b1 += wb * u1;
      b2 += wb * u2;
      b3 += wb * u3;
    }
    const o = y + <usize>(r << 2);
    putF32(o, a0, mode);
    putF32(o + 4, b0, mode);
    putF32(o + yb, a1, mode);
    putF32(o + yb + 4, b1, mode);
    putF32(o + 2 * yb, a2, mode);
    putF32(o + 2 * yb + 4, b2, mode);
    putF32(o + 3 * yb, a3, mode);
    putF32(o + 3 * yb + 4, b3, mode);
    wp += 2 * rowBytes;
  }
  if (r < rows) {
    let a0: f32 = 0,
      a1: f32 = 0,
      a2: f32 = 0,
      a3: f32 = 0;
    for (let c: usize = 0; c < rowBytes; c += 4) {
      const wa = load<f32>(wp + c);
      a0 += wa * load<f32>(x + c);
      a1 += wa * load<f32>(x1 + c);
      a2 += wa * load<f32>(x2 + c);
      a3 += wa * load<f32>(x3 + c);
    }
    const o = y + <usize>(r << 2);
    putF32(o, a0, mode);
    putF32(o + yb, a1, mode);
    putF32(o + 2 * yb, a2, mode);
    putF32(o + 3 * yb, a3, mode);
  }
}

// Two tokens (x0, x1 into y0, y1) and two rows per pass: each weight and each activation loaded once for two
// multiply-adds (matvecF32 loads each weight once per token). Odd last row: both tokens, one row.
function matvecF32Pair(w: usize, x0: usize, x1: usize, y0: usize, y1: usize, rows: i32, cols: i32, mode: i32): void {
  const rowBytes = <usize>cols * 4;
  let wp = w;
  let r = 0;
  for (; r + 1 < rows; r += 2) {
    let a0: f32 = 0,
      a1: f32 = 0,
      b0: f32 = 0,
      b1: f32 = 0;
    for (let c: usize = 0; c < rowBytes; c += 4) {
      const u = load<f32>(x0 + c),
        v = load<f32>(x1 + c);
      const wa = load<f32>(wp + c),
        wb = load<f32>(wp + rowBytes + c);
      a0 += wa * u;
      a1 += wa * v;
      b0 += wb * u;
      b1 += wb * v;
    }
    const o = <usize>(r << 2);
    putF32(y0 + o, a0, mode);
    putF32(y0 + o + 4, b0, mode);
    putF32(y1 + o, a1, mode);
    putF32(y1 + o + 4, b1, mode);
    wp += 2 * rowBytes;
  }
  if (r < rows) {
    let a0: f32 = 0,
      a1: f32 = 0;
    for (let c: usize = 0; c < rowBytes; c += 4) {
      const wa = load<f32>(wp + c);
      a0 += wa * load<f32>(x0 + c);
      a1 += wa * load<f32>(x1 + c);
    }
    putF32(y0 + <usize>(r << 2), a0, mode);
    putF32(y1 + <usize>(r << 2), a1, mode);
  }
}

/**
 * The RL head's layers: y[r] = b[r] + w[r] . x for f32 rows w[rows][cols], x f32[cols], each sum starting from its
 * bias and adding the products in column order (the head's order; matvecF32 starts from 0 and has no bias), then
 * with `relu` ReLU (v > 0, else +0; NaN gives +0). Two rows per pass share each activation load. Unchecked.
 */
export function affineF32(w: usize, b: usize, x: usize, y: usize, rows: i32, cols: i32, relu: i32): void {
  const rowBytes = <usize>cols * 4;
  let wp = w;
  let r = 0;
  for (; r + 1 < rows; r += 2) {
    const o = <usize>(r << 2);
    let s = load<f32>(b + o),
      t = load<f32>(b + o, 4);
    for (let c: usize = 0; c < rowBytes; c += 4) {
      const v = load<f32>(x + c);
      s += load<f32>(wp + c) * v;
      t += load<f32>(wp + rowBytes + c) * v;
    }
    if (relu != 0) {
      if (!(s > 0)) s = 0;
      if (!(t > 0)) t = 0;
    }
    store<f32>(y + o, s);
    store<f32>(y + o, t, 4);
    wp += 2 * rowBytes;
  }
  if (r < rows) {
    const o = <usize>(r << 2);
    let s = load<f32>(b + o);
    for (let c: usize = 0; c < rowBytes; c += 4) s += load<f32>(wp + c) * load<f32>(x + c);
    if (relu != 0 && !(s > 0)) s = 0;
    store<f32>(y + o, s);
  }
}
