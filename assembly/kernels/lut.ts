// Lookup-table ternary kernels (the idea of bitnet.cpp's TL kernels, written for a wasm interpreter): for each
// group of 4 (i2) or 5 (t3) int8 activations, a table holds the group's dot product with every possible packed
// weight byte, so one byte load + one table load replace 4 or 5 decode-multiply-adds. Tables are built once per
// input vector (lut_build_*) and reused across row blocks; |entry| <= 5 * 128 fits i16.
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
    // entries in byte order (weight 3 outermost); 16 entries per iteration (weights 0 and 1 unrolled)
    for (let a3 = -x3, k3 = 0; k3 < 4; k3++, a3 += x3) {
      for (let a2 = a3 - x2, k2 = 0; k2 < 4; k2++, a2 += x2) {
        const c0 = a2 - x1, c2 = a2 + x1, c3 = c2 + x1;
        store<i16>(p, c0 - x0, 0); store<i16>(p, c0, 2); store<i16>(p, c0 + x0, 4); store<i16>(p, c0 + 2 * x0, 6);
        store<i16>(p, a2 - x0, 8); store<i16>(p, a2, 10); store<i16>(p, a2 + x0, 12); store<i16>(p, a2 + 2 * x0, 14);
        store<i16>(p, c2 - x0, 16); store<i16>(p, c2, 18); store<i16>(p, c2 + x0, 20); store<i16>(p, c2 + 2 * x0, 22);
        store<i16>(p, c3 - x0, 24); store<i16>(p, c3, 26); store<i16>(p, c3 + x0, 28); store<i16>(p, c3 + 2 * x0, 30);
        p += 32;
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
    // 27 entries per iteration (trits 0..2 unrolled): fewer loop steps per store in an interpreter
    for (let a4 = -x4, k4 = 0; k4 < 3; k4++, a4 += x4) {
      for (let a3 = a4 - x3, k3 = 0; k3 < 3; k3++, a3 += x3) {
        const b0 = a3 - x2, b2 = a3 + x2;
        const c0 = b0 - x1, c2 = b0 + x1, c3 = a3 - x1, c5 = a3 + x1, c6 = b2 - x1, c8 = b2 + x1;
        store<i16>(p, c0 - x0, 0); store<i16>(p, c0, 2); store<i16>(p, c0 + x0, 4);
        store<i16>(p, b0 - x0, 6); store<i16>(p, b0, 8); store<i16>(p, b0 + x0, 10);
        store<i16>(p, c2 - x0, 12); store<i16>(p, c2, 14); store<i16>(p, c2 + x0, 16);
        store<i16>(p, c3 - x0, 18); store<i16>(p, c3, 20); store<i16>(p, c3 + x0, 22);
        store<i16>(p, a3 - x0, 24); store<i16>(p, a3, 26); store<i16>(p, a3 + x0, 28);
        store<i16>(p, c5 - x0, 30); store<i16>(p, c5, 32); store<i16>(p, c5 + x0, 34);
        store<i16>(p, c6 - x0, 36); store<i16>(p, c6, 38); store<i16>(p, c6 + x0, 40);
        store<i16>(p, b2 - x0, 42); store<i16>(p, b2, 44); store<i16>(p, b2 + x0, 46);
        store<i16>(p, c8 - x0, 48); store<i16>(p, c8, 50); store<i16>(p, c8 + x0, 52);
        p += 54;
      }
    }
  }
}

// Fast path of matvecI2Lut: the tables sit at the constant LUT_FAST, so a table load needs no pointer arithmetic
// (its offset is an immediate), and the row is unrolled: the switch enters at the row's last whole quad of groups
// and falls through to quad 0. One u32 load fetches a quad's 4 packed bytes; each byte is a shift and a mask
// (cheaper than a byte load in wasm3, whose loads carry a bounds check). The 0..3 groups past the last quad take
// the general form first. groups <= 64.
function matvecI2LutFast(w: i32, out: i32, rows: i32, groups: i32, stride: i32, accumulate: i32): void {
  const quads = groups >> 2;
  const tail = groups & ~3;
  for (let r = 0; r < rows; r++) {
    const wp = <usize>(w + r * stride);
    const op = <usize>(out + 4 * r);
    let acc: i32 = accumulate ? load<i32>(op) : 0;
    for (let g = tail; g < groups; g++) acc += <i32>load<i16>(LUT_FAST + <usize>(g * 512) + (<usize>load<u8>(wp + <usize>g) << 1));
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
  }
}

// Fast path of matvecT3Lut: the tables sit at the constant LUT_FAST, so a table load needs no pointer arithmetic
// (its offset is an immediate), and the row is unrolled: the switch enters at the row's last whole quad of groups
// and falls through to quad 0. One u32 load fetches a quad's 4 packed bytes; each byte is a shift and a mask
// (cheaper than a byte load in wasm3, whose loads carry a bounds check). The 0..3 groups past the last quad take
// the general form first. groups <= 64.
function matvecT3LutFast(w: i32, out: i32, rows: i32, groups: i32, stride: i32, accumulate: i32): void {
  const quads = groups >> 2;
  const tail = groups & ~3;
  for (let r = 0; r < rows; r++) {
    const wp = <usize>(w + r * stride);
    const op = <usize>(out + 4 * r);
    let acc: i32 = accumulate ? load<i32>(op) : 0;
    for (let g = tail; g < groups; g++) acc += <i32>load<i16>(LUT_FAST + <usize>(g * 486) + (<usize>load<u8>(wp + <usize>g) << 1));
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
  if (<usize>lut == LUT_FAST && groups <= FAST_MAX_GROUPS) {
    matvecI2LutFast(w, out, rows, groups, stride, accumulate);
    return;
  }
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
  if (<usize>lut == LUT_FAST && groups <= FAST_MAX_GROUPS) {
    matvecT3LutFast(w, out, rows, groups, stride, accumulate);
    return;
  }
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
