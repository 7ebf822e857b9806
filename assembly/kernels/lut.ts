// Lookup-table ternary kernels (the idea of bitnet.cpp's TL kernels, written for a wasm interpreter): for each
// group of 4 (i2) or 5 (t3) int8 activations, a table holds the group's dot product with every possible packed
// weight byte, so one byte load + one table load replace 4 or 5 decode-multiply-adds. Tables are built once per
// input vector (lut_build_*) and reused across row blocks; entries are sums plus LUT_BIAS, in [0, 2048] (i16).
import { checkDim, checkRange, trap } from "./check";
import { packedRowBytes } from "./plain";
import { LUT_FAST } from "../io";

/** Table bytes per group: i2 has 256 entries (codes 3 = +2 are invalid input), t3 has 243 entries. */
export const I2_TABLE_BYTES: i32 = 256 * 2;
export const T3_TABLE_BYTES: i32 = 243 * 2;
/** A t3 byte 243..255 (invalid, rejected by blob readers) reads up to this far past the last table. */
export const T3_TABLE_SLACK: i32 = 255 * 2 + 2 - T3_TABLE_BYTES;

/** Groups the unrolled fast paths handle (i2: 64 * 512 bytes = the whole 32 KiB region; t3: 64 * 486 + 26). */
export const FAST_MAX_GROUPS: i32 = 64;

/** Added to every table entry (and subtracted once per group by the matvecs): entries stay >= 0, see the builds. */
export const LUT_BIAS: i32 = 1024;

// Two i16 table entries (lo at the lower address) as one little-endian i32; both are in [0, 2048].
// @ts-ignore: decorator
@inline function pair(lo: i32, hi: i32): i32 {
  return lo | (hi << 16);
}

// Activation c of x (i8), or 0 past the end: the last group of a row is padded with zero activations.
// @ts-ignore: decorator
@inline function act(x: i32, c: i32, cols: i32): i32 {
  return c < cols ? <i32>load<i8>(<usize>(x + c)) : 0;
}

/**
 * lut i16[ceil(cols/4)][256]: entry b of group g = LUT_BIAS + sum_j (((b >> 2j) & 3) - 1) * x[4g + j], x i8[cols]
 * (x = 0 past cols). The bias keeps every entry in [0, 2048], so the build can add one packed pair of entries to
 * a packed sum (s * 0x10001) in one i32 without a carry between the halves: 8 i32 stores per 16 entries.
 */
export function lut_build_i2(x: i32, cols: i32, lut: i32): void {
  checkDim(cols, "lut_build_i2: cols must be 1..2^24");
  const groups = packedRowBytes(cols, 4);
  checkRange(x, <u64>cols, "lut_build_i2: x or lut range outside memory");
  checkRange(lut, <u64>groups * I2_TABLE_BYTES, "lut_build_i2: x or lut range outside memory");
  let p = <usize>lut;
  for (let g = 0; g < groups; g++) {
    const c = 4 * g;
    const x0 = act(x, c, cols), x1 = act(x, c + 1, cols), x2 = act(x, c + 2, cols), x3 = act(x, c + 3, cols);
    // a 16-entry block (codes of weights 0 and 1 vary) relative to its sum over weights 2 and 3, as 8 pairs
    const r0 = LUT_BIAS - x1, r1 = LUT_BIAS, r2 = LUT_BIAS + x1, r3 = r2 + x1;
    const k0 = pair(r0 - x0, r0), k1 = pair(r0 + x0, r0 + 2 * x0), k2 = pair(r1 - x0, r1), k3 = pair(r1 + x0, r1 + 2 * x0);
    const k4 = pair(r2 - x0, r2), k5 = pair(r2 + x0, r2 + 2 * x0), k6 = pair(r3 - x0, r3), k7 = pair(r3 + x0, r3 + 2 * x0);
    const px2 = x2 * 0x10001, px3 = x3 * 0x10001;
    // blocks in byte order: weight 3's code outermost
    for (let s3 = -px3, k = 0; k < 4; k++, s3 += px3) {
      for (let s2 = s3 - px2, j = 0; j < 4; j++, s2 += px2) {
        store<i32>(p, s2 + k0); store<i32>(p, s2 + k1, 4); store<i32>(p, s2 + k2, 8); store<i32>(p, s2 + k3, 12);
        store<i32>(p, s2 + k4, 16); store<i32>(p, s2 + k5, 20); store<i32>(p, s2 + k6, 24); store<i32>(p, s2 + k7, 28);
        p += 32;
      }
    }
  }
}

/**
 * lut i16[ceil(cols/5)][243]: entry b of group g = LUT_BIAS + sum_j (trit_j(b) - 1) * x[5g + j],
 * trit_j(b) = (b / 3^j) % 3 (x = 0 past cols). Built as 9 blocks of 27 entries (trits 0..2 vary), each 13 packed
 * pairs (i32 stores, 2-byte aligned) and one i16.
 */
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
    // q[t1 + 3 t2] = LUT_BIAS + (t1 - 1) x1 + (t2 - 1) x2; block entry i = q[i / 3] + (i % 3 - 1) x0
    const q0 = LUT_BIAS - x1 - x2, q1 = LUT_BIAS - x2, q2 = LUT_BIAS + x1 - x2, q3 = LUT_BIAS - x1, q4 = LUT_BIAS;
    const q5 = LUT_BIAS + x1, q6 = LUT_BIAS - x1 + x2, q7 = LUT_BIAS + x2, q8 = LUT_BIAS + x1 + x2;
    const k0 = pair(q0 - x0, q0), k1 = pair(q0 + x0, q1 - x0), k2 = pair(q1, q1 + x0);
    const k3 = pair(q2 - x0, q2), k4 = pair(q2 + x0, q3 - x0), k5 = pair(q3, q3 + x0);
    const k6 = pair(q4 - x0, q4), k7 = pair(q4 + x0, q5 - x0), k8 = pair(q5, q5 + x0);
    const k9 = pair(q6 - x0, q6), k10 = pair(q6 + x0, q7 - x0), k11 = pair(q7, q7 + x0);
    const k12 = pair(q8 - x0, q8);
    const px3 = x3 * 0x10001, px4 = x4 * 0x10001;
    for (let s4 = -px4, k = 0; k < 3; k++, s4 += px4) {
      for (let s = s4 - px3, j = 0; j < 3; j++, s += px3) {
        store<i32>(p, s + k0, 0); store<i32>(p, s + k1, 4); store<i32>(p, s + k2, 8); store<i32>(p, s + k3, 12);
        store<i32>(p, s + k4, 16); store<i32>(p, s + k5, 20); store<i32>(p, s + k6, 24); store<i32>(p, s + k7, 28);
        store<i32>(p, s + k8, 32); store<i32>(p, s + k9, 36); store<i32>(p, s + k10, 40); store<i32>(p, s + k11, 44);
        store<i32>(p, s + k12, 48);
        store<i16>(p, s + q8 + x0, 52); // entry 26, the low half of the packed sum
        p += 54;
      }
    }
  }
}

// Fast path of matvecI2Lut: the tables sit at the constant LUT_FAST, so a table load needs no pointer arithmetic
// (its offset is an immediate), and a row is unrolled: a switch on the number of whole quads of groups enters at
// the last quad and falls through to quad 0 (no loop counter). One u32 load fetches a quad's 4 packed bytes; each
// byte is a shift and a mask (cheaper than a byte load in wasm3, whose loads carry a bounds check). The 0..3
// groups after the last quad go first, through a second switch. Per-row work is kept to a few operations
// (pointer bumps, select instead of a branch), since rows are short. groups <= 64, rows >= 1.
function matvecI2LutFast(w: i32, out: i32, rows: i32, groups: i32, stride: i32, accumulate: i32): void {
  const quads = groups >> 2;
  const tail = <usize>(groups & ~3);
  const tailTable = LUT_FAST + tail * 512; // the tables of the 0..3 groups after the last quad
  const unbias = groups * LUT_BIAS;
  let wp = <usize>w;
  let op = <usize>out;
  const end = op + <usize>(4 * rows);
  do {
    let acc: i32 = select<i32>(load<i32>(op), 0, accumulate) - unbias;
    switch (groups & 3) {
      case 3: acc += <i32>load<i16>(tailTable + (<usize>load<u8>(wp + tail, 2) << 1), 1024);
      case 2: acc += <i32>load<i16>(tailTable + (<usize>load<u8>(wp + tail, 1) << 1), 512);
      case 1: acc += <i32>load<i16>(tailTable + (<usize>load<u8>(wp + tail) << 1));
    }
    let v: u32;
    switch (quads) {
      case 16: v = load<u32>(wp, 60);
        acc += <i32>load<i16>(<usize>((v << 1) & 0x1fe), LUT_FAST + 30720);
        acc += <i32>load<i16>(<usize>((v >> 7) & 0x1fe), LUT_FAST + 31232);
        acc += <i32>load<i16>(<usize>((v >> 15) & 0x1fe), LUT_FAST + 31744);
        acc += <i32>load<i16>(<usize>((v >> 23) & 0x1fe), LUT_FAST + 32256);
      case 15: v = load<u32>(wp, 56);
        acc += <i32>load<i16>(<usize>((v << 1) & 0x1fe), LUT_FAST + 28672);
        acc += <i32>load<i16>(<usize>((v >> 7) & 0x1fe), LUT_FAST + 29184);
        acc += <i32>load<i16>(<usize>((v >> 15) & 0x1fe), LUT_FAST + 29696);
        acc += <i32>load<i16>(<usize>((v >> 23) & 0x1fe), LUT_FAST + 30208);
      case 14: v = load<u32>(wp, 52);
        acc += <i32>load<i16>(<usize>((v << 1) & 0x1fe), LUT_FAST + 26624);
        acc += <i32>load<i16>(<usize>((v >> 7) & 0x1fe), LUT_FAST + 27136);
        acc += <i32>load<i16>(<usize>((v >> 15) & 0x1fe), LUT_FAST + 27648);
        acc += <i32>load<i16>(<usize>((v >> 23) & 0x1fe), LUT_FAST + 28160);
      case 13: v = load<u32>(wp, 48);
        acc += <i32>load<i16>(<usize>((v << 1) & 0x1fe), LUT_FAST + 24576);
        acc += <i32>load<i16>(<usize>((v >> 7) & 0x1fe), LUT_FAST + 25088);
        acc += <i32>load<i16>(<usize>((v >> 15) & 0x1fe), LUT_FAST + 25600);
        acc += <i32>load<i16>(<usize>((v >> 23) & 0x1fe), LUT_FAST + 26112);
      case 12: v = load<u32>(wp, 44);
        acc += <i32>load<i16>(<usize>((v << 1) & 0x1fe), LUT_FAST + 22528);
        acc += <i32>load<i16>(<usize>((v >> 7) & 0x1fe), LUT_FAST + 23040);
        acc += <i32>load<i16>(<usize>((v >> 15) & 0x1fe), LUT_FAST + 23552);
        acc += <i32>load<i16>(<usize>((v >> 23) & 0x1fe), LUT_FAST + 24064);
      case 11: v = load<u32>(wp, 40);
        acc += <i32>load<i16>(<usize>((v << 1) & 0x1fe), LUT_FAST + 20480);
        acc += <i32>load<i16>(<usize>((v >> 7) & 0x1fe), LUT_FAST + 20992);
        acc += <i32>load<i16>(<usize>((v >> 15) & 0x1fe), LUT_FAST + 21504);
        acc += <i32>load<i16>(<usize>((v >> 23) & 0x1fe), LUT_FAST + 22016);
      case 10: v = load<u32>(wp, 36);
        acc += <i32>load<i16>(<usize>((v << 1) & 0x1fe), LUT_FAST + 18432);
        acc += <i32>load<i16>(<usize>((v >> 7) & 0x1fe), LUT_FAST + 18944);
        acc += <i32>load<i16>(<usize>((v >> 15) & 0x1fe), LUT_FAST + 19456);
        acc += <i32>load<i16>(<usize>((v >> 23) & 0x1fe), LUT_FAST + 19968);
      case 9: v = load<u32>(wp, 32);
        acc += <i32>load<i16>(<usize>((v << 1) & 0x1fe), LUT_FAST + 16384);
        acc += <i32>load<i16>(<usize>((v >> 7) & 0x1fe), LUT_FAST + 16896);
        acc += <i32>load<i16>(<usize>((v >> 15) & 0x1fe), LUT_FAST + 17408);
        acc += <i32>load<i16>(<usize>((v >> 23) & 0x1fe), LUT_FAST + 17920);
      case 8: v = load<u32>(wp, 28);
        acc += <i32>load<i16>(<usize>((v << 1) & 0x1fe), LUT_FAST + 14336);
        acc += <i32>load<i16>(<usize>((v >> 7) & 0x1fe), LUT_FAST + 14848);
        acc += <i32>load<i16>(<usize>((v >> 15) & 0x1fe), LUT_FAST + 15360);
        acc += <i32>load<i16>(<usize>((v >> 23) & 0x1fe), LUT_FAST + 15872);
      case 7: v = load<u32>(wp, 24);
        acc += <i32>load<i16>(<usize>((v << 1) & 0x1fe), LUT_FAST + 12288);
        acc += <i32>load<i16>(<usize>((v >> 7) & 0x1fe), LUT_FAST + 12800);
        acc += <i32>load<i16>(<usize>((v >> 15) & 0x1fe), LUT_FAST + 13312);
        acc += <i32>load<i16>(<usize>((v >> 23) & 0x1fe), LUT_FAST + 13824);
      case 6: v = load<u32>(wp, 20);
        acc += <i32>load<i16>(<usize>((v << 1) & 0x1fe), LUT_FAST + 10240);
        acc += <i32>load<i16>(<usize>((v >> 7) & 0x1fe), LUT_FAST + 10752);
        acc += <i32>load<i16>(<usize>((v >> 15) & 0x1fe), LUT_FAST + 11264);
        acc += <i32>load<i16>(<usize>((v >> 23) & 0x1fe), LUT_FAST + 11776);
      case 5: v = load<u32>(wp, 16);
        acc += <i32>load<i16>(<usize>((v << 1) & 0x1fe), LUT_FAST + 8192);
        acc += <i32>load<i16>(<usize>((v >> 7) & 0x1fe), LUT_FAST + 8704);
        acc += <i32>load<i16>(<usize>((v >> 15) & 0x1fe), LUT_FAST + 9216);
        acc += <i32>load<i16>(<usize>((v >> 23) & 0x1fe), LUT_FAST + 9728);
      case 4: v = load<u32>(wp, 12);
        acc += <i32>load<i16>(<usize>((v << 1) & 0x1fe), LUT_FAST + 6144);
        acc += <i32>load<i16>(<usize>((v >> 7) & 0x1fe), LUT_FAST + 6656);
        acc += <i32>load<i16>(<usize>((v >> 15) & 0x1fe), LUT_FAST + 7168);
        acc += <i32>load<i16>(<usize>((v >> 23) & 0x1fe), LUT_FAST + 7680);
      case 3: v = load<u32>(wp, 8);
        acc += <i32>load<i16>(<usize>((v << 1) & 0x1fe), LUT_FAST + 4096);
        acc += <i32>load<i16>(<usize>((v >> 7) & 0x1fe), LUT_FAST + 4608);
        acc += <i32>load<i16>(<usize>((v >> 15) & 0x1fe), LUT_FAST + 5120);
        acc += <i32>load<i16>(<usize>((v >> 23) & 0x1fe), LUT_FAST + 5632);
      case 2: v = load<u32>(wp, 4);
        acc += <i32>load<i16>(<usize>((v << 1) & 0x1fe), LUT_FAST + 2048);
        acc += <i32>load<i16>(<usize>((v >> 7) & 0x1fe), LUT_FAST + 2560);
        acc += <i32>load<i16>(<usize>((v >> 15) & 0x1fe), LUT_FAST + 3072);
        acc += <i32>load<i16>(<usize>((v >> 23) & 0x1fe), LUT_FAST + 3584);
      case 1: v = load<u32>(wp, 0);
        acc += <i32>load<i16>(<usize>((v << 1) & 0x1fe), LUT_FAST + 0);
        acc += <i32>load<i16>(<usize>((v >> 7) & 0x1fe), LUT_FAST + 512);
        acc += <i32>load<i16>(<usize>((v >> 15) & 0x1fe), LUT_FAST + 1024);
        acc += <i32>load<i16>(<usize>((v >> 23) & 0x1fe), LUT_FAST + 1536);
    }
    store<i32>(op, acc);
    wp += <usize>stride;
    op += 4;
  } while (op < end);
}

// Fast path of matvecT3Lut: the tables sit at the constant LUT_FAST, so a table load needs no pointer arithmetic
// (its offset is an immediate), and a row is unrolled: a switch on the number of whole quads of groups enters at
// the last quad and falls through to quad 0 (no loop counter). One u32 load fetches a quad's 4 packed bytes; each
// byte is a shift and a mask (cheaper than a byte load in wasm3, whose loads carry a bounds check). The 0..3
// groups after the last quad go first, through a second switch. Per-row work is kept to a few operations
// (pointer bumps, select instead of a branch), since rows are short. groups <= 64, rows >= 1.
function matvecT3LutFast(w: i32, out: i32, rows: i32, groups: i32, stride: i32, accumulate: i32): void {
  const quads = groups >> 2;
  const tail = <usize>(groups & ~3);
  const tailTable = LUT_FAST + tail * 486; // the tables of the 0..3 groups after the last quad
  const unbias = groups * LUT_BIAS;
  let wp = <usize>w;
  let op = <usize>out;
  const end = op + <usize>(4 * rows);
  do {
    let acc: i32 = select<i32>(load<i32>(op), 0, accumulate) - unbias;
    switch (groups & 3) {
      case 3: acc += <i32>load<i16>(tailTable + (<usize>load<u8>(wp + tail, 2) << 1), 972);
      case 2: acc += <i32>load<i16>(tailTable + (<usize>load<u8>(wp + tail, 1) << 1), 486);
      case 1: acc += <i32>load<i16>(tailTable + (<usize>load<u8>(wp + tail) << 1));
    }
    let v: u32;
    switch (quads) {
      case 16: v = load<u32>(wp, 60);
        acc += <i32>load<i16>(<usize>((v << 1) & 0x1fe), LUT_FAST + 29160);
        acc += <i32>load<i16>(<usize>((v >> 7) & 0x1fe), LUT_FAST + 29646);
        acc += <i32>load<i16>(<usize>((v >> 15) & 0x1fe), LUT_FAST + 30132);
        acc += <i32>load<i16>(<usize>((v >> 23) & 0x1fe), LUT_FAST + 30618);
      case 15: v = load<u32>(wp, 56);
        acc += <i32>load<i16>(<usize>((v << 1) & 0x1fe), LUT_FAST + 27216);
        acc += <i32>load<i16>(<usize>((v >> 7) & 0x1fe), LUT_FAST + 27702);
        acc += <i32>load<i16>(<usize>((v >> 15) & 0x1fe), LUT_FAST + 28188);
        acc += <i32>load<i16>(<usize>((v >> 23) & 0x1fe), LUT_FAST + 28674);
      case 14: v = load<u32>(wp, 52);
        acc += <i32>load<i16>(<usize>((v << 1) & 0x1fe), LUT_FAST + 25272);
        acc += <i32>load<i16>(<usize>((v >> 7) & 0x1fe), LUT_FAST + 25758);
        acc += <i32>load<i16>(<usize>((v >> 15) & 0x1fe), LUT_FAST + 26244);
        acc += <i32>load<i16>(<usize>((v >> 23) & 0x1fe), LUT_FAST + 26730);
      case 13: v = load<u32>(wp, 48);
        acc += <i32>load<i16>(<usize>((v << 1) & 0x1fe), LUT_FAST + 23328);
        acc += <i32>load<i16>(<usize>((v >> 7) & 0x1fe), LUT_FAST + 23814);
        acc += <i32>load<i16>(<usize>((v >> 15) & 0x1fe), LUT_FAST + 24300);
        acc += <i32>load<i16>(<usize>((v >> 23) & 0x1fe), LUT_FAST + 24786);
      case 12: v = load<u32>(wp, 44);
        acc += <i32>load<i16>(<usize>((v << 1) & 0x1fe), LUT_FAST + 21384);
        acc += <i32>load<i16>(<usize>((v >> 7) & 0x1fe), LUT_FAST + 21870);
        acc += <i32>load<i16>(<usize>((v >> 15) & 0x1fe), LUT_FAST + 22356);
        acc += <i32>load<i16>(<usize>((v >> 23) & 0x1fe), LUT_FAST + 22842);
      case 11: v = load<u32>(wp, 40);
        acc += <i32>load<i16>(<usize>((v << 1) & 0x1fe), LUT_FAST + 19440);
        acc += <i32>load<i16>(<usize>((v >> 7) & 0x1fe), LUT_FAST + 19926);
        acc += <i32>load<i16>(<usize>((v >> 15) & 0x1fe), LUT_FAST + 20412);
        acc += <i32>load<i16>(<usize>((v >> 23) & 0x1fe), LUT_FAST + 20898);
      case 10: v = load<u32>(wp, 36);
        acc += <i32>load<i16>(<usize>((v << 1) & 0x1fe), LUT_FAST + 17496);
        acc += <i32>load<i16>(<usize>((v >> 7) & 0x1fe), LUT_FAST + 17982);
        acc += <i32>load<i16>(<usize>((v >> 15) & 0x1fe), LUT_FAST + 18468);
        acc += <i32>load<i16>(<usize>((v >> 23) & 0x1fe), LUT_FAST + 18954);
      case 9: v = load<u32>(wp, 32);
        acc += <i32>load<i16>(<usize>((v << 1) & 0x1fe), LUT_FAST + 15552);
        acc += <i32>load<i16>(<usize>((v >> 7) & 0x1fe), LUT_FAST + 16038);
        acc += <i32>load<i16>(<usize>((v >> 15) & 0x1fe), LUT_FAST + 16524);
        acc += <i32>load<i16>(<usize>((v >> 23) & 0x1fe), LUT_FAST + 17010);
      case 8: v = load<u32>(wp, 28);
        acc += <i32>load<i16>(<usize>((v << 1) & 0x1fe), LUT_FAST + 13608);
        acc += <i32>load<i16>(<usize>((v >> 7) & 0x1fe), LUT_FAST + 14094);
        acc += <i32>load<i16>(<usize>((v >> 15) & 0x1fe), LUT_FAST + 14580);
        acc += <i32>load<i16>(<usize>((v >> 23) & 0x1fe), LUT_FAST + 15066);
      case 7: v = load<u32>(wp, 24);
        acc += <i32>load<i16>(<usize>((v << 1) & 0x1fe), LUT_FAST + 11664);
        acc += <i32>load<i16>(<usize>((v >> 7) & 0x1fe), LUT_FAST + 12150);
        acc += <i32>load<i16>(<usize>((v >> 15) & 0x1fe), LUT_FAST + 12636);
        acc += <i32>load<i16>(<usize>((v >> 23) & 0x1fe), LUT_FAST + 13122);
      case 6: v = load<u32>(wp, 20);
        acc += <i32>load<i16>(<usize>((v << 1) & 0x1fe), LUT_FAST + 9720);
        acc += <i32>load<i16>(<usize>((v >> 7) & 0x1fe), LUT_FAST + 10206);
        acc += <i32>load<i16>(<usize>((v >> 15) & 0x1fe), LUT_FAST + 10692);
        acc += <i32>load<i16>(<usize>((v >> 23) & 0x1fe), LUT_FAST + 11178);
      case 5: v = load<u32>(wp, 16);
        acc += <i32>load<i16>(<usize>((v << 1) & 0x1fe), LUT_FAST + 7776);
        acc += <i32>load<i16>(<usize>((v >> 7) & 0x1fe), LUT_FAST + 8262);
        acc += <i32>load<i16>(<usize>((v >> 15) & 0x1fe), LUT_FAST + 8748);
        acc += <i32>load<i16>(<usize>((v >> 23) & 0x1fe), LUT_FAST + 9234);
      case 4: v = load<u32>(wp, 12);
        acc += <i32>load<i16>(<usize>((v << 1) & 0x1fe), LUT_FAST + 5832);
        acc += <i32>load<i16>(<usize>((v >> 7) & 0x1fe), LUT_FAST + 6318);
        acc += <i32>load<i16>(<usize>((v >> 15) & 0x1fe), LUT_FAST + 6804);
        acc += <i32>load<i16>(<usize>((v >> 23) & 0x1fe), LUT_FAST + 7290);
      case 3: v = load<u32>(wp, 8);
        acc += <i32>load<i16>(<usize>((v << 1) & 0x1fe), LUT_FAST + 3888);
        acc += <i32>load<i16>(<usize>((v >> 7) & 0x1fe), LUT_FAST + 4374);
        acc += <i32>load<i16>(<usize>((v >> 15) & 0x1fe), LUT_FAST + 4860);
        acc += <i32>load<i16>(<usize>((v >> 23) & 0x1fe), LUT_FAST + 5346);
      case 2: v = load<u32>(wp, 4);
        acc += <i32>load<i16>(<usize>((v << 1) & 0x1fe), LUT_FAST + 1944);
        acc += <i32>load<i16>(<usize>((v >> 7) & 0x1fe), LUT_FAST + 2430);
        acc += <i32>load<i16>(<usize>((v >> 15) & 0x1fe), LUT_FAST + 2916);
        acc += <i32>load<i16>(<usize>((v >> 23) & 0x1fe), LUT_FAST + 3402);
      case 1: v = load<u32>(wp, 0);
        acc += <i32>load<i16>(<usize>((v << 1) & 0x1fe), LUT_FAST + 0);
        acc += <i32>load<i16>(<usize>((v >> 7) & 0x1fe), LUT_FAST + 486);
        acc += <i32>load<i16>(<usize>((v >> 15) & 0x1fe), LUT_FAST + 972);
        acc += <i32>load<i16>(<usize>((v >> 23) & 0x1fe), LUT_FAST + 1458);
    }
    store<i32>(op, acc);
    wp += <usize>stride;
    op += 4;
  } while (op < end);
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
 * out[r] (i32) = (accumulate ? out[r] : 0) + sum_g (lut[g][w[r][g]] - LUT_BIAS). w u8 rows of i2 bytes (ceil(cols/4) used,
 * `stride` apart), lut from lut_build_i2 over the same cols. Equals matvec_i2 when stride = ceil(cols/4).
 */
export function matvec_i2_lut(w: i32, lut: i32, out: i32, rows: i32, cols: i32, stride: i32, accumulate: i32): void {
  checkDim(rows, "matvec_i2_lut: rows must be 1..2^24");
  checkDim(cols, "matvec_i2_lut: cols must be 1..2^24");
  const groups = packedRowBytes(cols, 4);
  checkLutMatvec(w, lut, out, rows, groups, stride, <u64>groups * I2_TABLE_BYTES,
    "matvec_i2_lut: stride < ceil(cols/4), or w, lut or out range outside memory");
  if (<usize>lut == LUT_FAST && groups <= FAST_MAX_GROUPS) {
    matvecI2LutFast(w, out, rows, groups, stride, accumulate);
    return;
  }
  const octs = groups & ~7;
  const unbias = groups * LUT_BIAS;
  for (let r = 0; r < rows; r++) {
    let wp = <usize>(w + r * stride);
    const wEnd8 = wp + <usize>octs;
    const wEnd = wp + <usize>groups;
    let lp = <usize>lut;
    const op = <usize>(out + 4 * r);
    let acc: i32 = (accumulate ? load<i32>(op) : 0) - unbias;
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
 * out[r] (i32) = (accumulate ? out[r] : 0) + sum_g (lut[g][w[r][g]] - LUT_BIAS). w u8 rows of t3 bytes (ceil(cols/5) used,
 * `stride` apart), lut from lut_build_t3 over the same cols. Equals matvec_t3 when stride = ceil(cols/5).
 */
export function matvec_t3_lut(w: i32, lut: i32, out: i32, rows: i32, cols: i32, stride: i32, accumulate: i32): void {
  checkDim(rows, "matvec_t3_lut: rows must be 1..2^24");
  checkDim(cols, "matvec_t3_lut: cols must be 1..2^24");
  const groups = packedRowBytes(cols, 5);
  checkLutMatvec(w, lut, out, rows, groups, stride, <u64>groups * T3_TABLE_BYTES + T3_TABLE_SLACK,
    "matvec_t3_lut: stride < ceil(cols/5), or w, lut or out range outside memory");
  if (<usize>lut == LUT_FAST && groups <= FAST_MAX_GROUPS) {
    matvecT3LutFast(w, out, rows, groups, stride, accumulate);
    return;
  }
  const octs = groups & ~7;
  const unbias = groups * LUT_BIAS;
  for (let r = 0; r < rows; r++) {
    let wp = <usize>(w + r * stride);
    const wEnd8 = wp + <usize>octs;
    const wEnd = wp + <usize>groups;
    let lp = <usize>lut;
    const op = <usize>(out + 4 * r);
    let acc: i32 = (accumulate ? load<i32>(op) : 0) - unbias;
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
