// Lookup-table ternary kernels (the idea of bitnet.cpp's TL kernels, written for a wasm interpreter): for each
// group of 4 (i2) or 5 (t3) int8 activations, a table holds the group's dot product with every possible packed
// weight byte, so one byte load + one table load replace 4 or 5 decode-multiply-adds. Tables are built once per
// input vector (lut_build_*) and reused across row blocks; |entry| <= 5 * 128 fits i16.
import { checkDim, checkRange, trap } from "./check";
import { packedRowBytes } from "./plain";

/** Table bytes per group: i2 has 256 entries (codes 3 = +2 are invalid input), t3 has 243 entries. */
export const I2_TABLE_BYTES: i32 = 256 * 2;
export const T3_TABLE_BYTES: i32 = 243 * 2;
/** A t3 byte 243..255 (invalid, rejected by blob readers) reads up to this far past the last table. */
export const T3_TABLE_SLACK: i32 = 255 * 2 + 2 - T3_TABLE_BYTES;

// Activation c of x (i8), or 0 past the end: the last group of a row is padded with zero activations.
// @ts-ignore: decorator
@inline function act(x: i32, c: i32, cols: i32): i32 {
  return c < cols ? <i32>load<i8>(<usize>(x + c)) : 0;
}

/** lut i16[ceil(cols/4)][256]: entry b of group g = sum_j (((b >> 2j) & 3) - 1) * x[4g + j]. x i8[cols]. */
export function lut_build_i2(x: i32, cols: i32, lut: i32): void {
  checkDim(cols, "lut_build_i2: cols must be 1..2^24");
  const groups = packedRowBytes(cols, 4);
  checkRange(x, <u64>cols, "lut_build_i2: x or lut range outside memory");
  checkRange(lut, <u64>groups * I2_TABLE_BYTES, "lut_build_i2: x or lut range outside memory");
  let p = <usize>lut;
  for (let g = 0; g < groups; g++) {
    const c = 4 * g;
    const x0 = act(x, c, cols), x1 = act(x, c + 1, cols), x2 = act(x, c + 2, cols), x3 = act(x, c + 3, cols);
    // entries in byte order: code of weight 3 outermost, weight 0 innermost
    for (let a3 = -x3, k3 = 0; k3 < 4; k3++, a3 += x3) {
      for (let a2 = a3 - x2, k2 = 0; k2 < 4; k2++, a2 += x2) {
        for (let a1 = a2 - x1, k1 = 0; k1 < 4; k1++, a1 += x1) {
          store<i16>(p, a1 - x0);
          store<i16>(p, a1, 2);
          store<i16>(p, a1 + x0, 4);
          store<i16>(p, a1 + 2 * x0, 6);
          p += 8;
        }
      }
    }
  }
}

/** lut i16[ceil(cols/5)][243]: entry b = sum_j (trit_j(b) - 1) * x[5g + j], trit_j(b) = (b / 3^j) % 3. */
export function lut_build_t3(x: i32, cols: i32, lut: i32): void {
  checkDim(cols, "lut_build_t3: cols must be 1..2^24");
  const groups = packedRowBytes(cols, 5);
  checkRange(x, <u64>cols, "lut_build_t3: x or lut range outside memory");
  checkRange(lut, <u64>groups * T3_TABLE_BYTES, "lut_build_t3: x or lut range outside memory");
  let p = <usize>lut;
  for (let g = 0; g < groups; g++) {
    const c = 5 * g;
    const x0 = act(x, c, cols), x1 = act(x, c + 1, cols), x2 = act(x, c + 2, cols);
    const x3 = act(x, c + 3, cols), x4 = act(x, c + 4, cols);
    for (let a4 = -x4, k4 = 0; k4 < 3; k4++, a4 += x4) {
      for (let a3 = a4 - x3, k3 = 0; k3 < 3; k3++, a3 += x3) {
        for (let a2 = a3 - x2, k2 = 0; k2 < 3; k2++, a2 += x2) {
          for (let a1 = a2 - x1, k1 = 0; k1 < 3; k1++, a1 += x1) {
            store<i16>(p, a1 - x0);
            store<i16>(p, a1, 2);
            store<i16>(p, a1 + x0, 4);
            p += 6;
          }
        }
      }
    }
  }
}

// Shared entry checks of the two LUT matvecs. Row r of w starts at w + r * stride (stride >= groups lets a
// caller run a column block of a wider matrix); lut covers `groups` tables.
function checkLutMatvec(w: i32, lut: i32, out: i32, rows: i32, groups: i32, stride: i32, lutBytes: u64, message: string): void {
  if (stride < groups) trap(message);
  checkRange(w, <u64>(rows - 1) * <u64>stride + <u64>groups, message);
  checkRange(lut, lutBytes, message);
  checkRange(out, <u64>rows * 4, message);
}

/**
 * out[r] (i32) = (accumulate ? out[r] : 0) + sum_g lut[g][w[r][g]]. w u8 rows of i2 bytes (ceil(cols/4) used,
 * `stride` apart), lut from lut_build_i2 over the same cols. Equals matvec_i2 when stride = ceil(cols/4).
 */
export function matvec_i2_lut(w: i32, lut: i32, out: i32, rows: i32, cols: i32, stride: i32, accumulate: i32): void {
  checkDim(rows, "matvec_i2_lut: rows must be 1..2^24");
  checkDim(cols, "matvec_i2_lut: cols must be 1..2^24");
  const groups = packedRowBytes(cols, 4);
  checkLutMatvec(w, lut, out, rows, groups, stride, <u64>groups * I2_TABLE_BYTES,
    "matvec_i2_lut: stride < ceil(cols/4), or w, lut or out range outside memory");
  const octs = groups & ~7;
  for (let r = 0; r < rows; r++) {
    let wp = <usize>(w + r * stride);
    const wEnd8 = wp + <usize>octs;
    const wEnd = wp + <usize>groups;
    let lp = <usize>lut;
    const op = <usize>(out + 4 * r);
    let acc: i32 = accumulate ? load<i32>(op) : 0;
    // two u32 loads = 8 packed bytes = 32 weights; byte k indexes table k (2 bytes per entry). A do-while
    // compiles to one br_if per iteration (a while loop adds an if and a br).
    if (wp < wEnd8) {
      do {
        const v = load<u32>(wp);
        const u = load<u32>(wp, 4);
        acc += <i32>load<i16>(lp + ((v << 1) & 0x1fe))
          + <i32>load<i16>(lp + ((v >> 7) & 0x1fe), 512)
          + <i32>load<i16>(lp + ((v >> 15) & 0x1fe), 1024)
          + <i32>load<i16>(lp + ((v >> 23) & 0x1fe), 1536)
          + <i32>load<i16>(lp + ((u << 1) & 0x1fe), 2048)
          + <i32>load<i16>(lp + ((u >> 7) & 0x1fe), 2560)
          + <i32>load<i16>(lp + ((u >> 15) & 0x1fe), 3072)
          + <i32>load<i16>(lp + ((u >> 23) & 0x1fe), 3584);
        wp += 8;
        lp += 8 * 512;
      } while (wp < wEnd8);
    }
    while (wp < wEnd) {
      acc += <i32>load<i16>(lp + (<usize>load<u8>(wp) << 1));
      wp += 1;
      lp += 512;
    }
    store<i32>(op, acc);
  }
}

/**
 * out[r] (i32) = (accumulate ? out[r] : 0) + sum_g lut[g][w[r][g]]. w u8 rows of t3 bytes (ceil(cols/5) used,
 * `stride` apart), lut from lut_build_t3 over the same cols. Equals matvec_t3 when stride = ceil(cols/5).
 */
export function matvec_t3_lut(w: i32, lut: i32, out: i32, rows: i32, cols: i32, stride: i32, accumulate: i32): void {
  checkDim(rows, "matvec_t3_lut: rows must be 1..2^24");
  checkDim(cols, "matvec_t3_lut: cols must be 1..2^24");
  const groups = packedRowBytes(cols, 5);
  checkLutMatvec(w, lut, out, rows, groups, stride, <u64>groups * T3_TABLE_BYTES + T3_TABLE_SLACK,
    "matvec_t3_lut: stride < ceil(cols/5), or w, lut or out range outside memory");
  const octs = groups & ~7;
  for (let r = 0; r < rows; r++) {
    let wp = <usize>(w + r * stride);
    const wEnd8 = wp + <usize>octs;
    const wEnd = wp + <usize>groups;
    let lp = <usize>lut;
    const op = <usize>(out + 4 * r);
    let acc: i32 = accumulate ? load<i32>(op) : 0;
    // two u32 loads = 8 packed bytes = 40 weights; byte k indexes table k (2 bytes per entry). A do-while
    // compiles to one br_if per iteration (a while loop adds an if and a br).
    if (wp < wEnd8) {
      do {
        const v = load<u32>(wp);
        const u = load<u32>(wp, 4);
        acc += <i32>load<i16>(lp + ((v << 1) & 0x1fe))
          + <i32>load<i16>(lp + ((v >> 7) & 0x1fe), 486)
          + <i32>load<i16>(lp + ((v >> 15) & 0x1fe), 972)
          + <i32>load<i16>(lp + ((v >> 23) & 0x1fe), 1458)
          + <i32>load<i16>(lp + ((u << 1) & 0x1fe), 1944)
          + <i32>load<i16>(lp + ((u >> 7) & 0x1fe), 2430)
          + <i32>load<i16>(lp + ((u >> 15) & 0x1fe), 2916)
          + <i32>load<i16>(lp + ((u >> 23) & 0x1fe), 3402);
        wp += 8;
        lp += 8 * 486;
      } while (wp < wEnd8);
    }
    while (wp < wEnd) {
      acc += <i32>load<i16>(lp + (<usize>load<u8>(wp) << 1));
      wp += 1;
      lp += 486;
    }
    store<i32>(op, acc);
  }
}
