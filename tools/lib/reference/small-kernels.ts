// TypeScript twins of the token-packed t3 kernels (assembly/kernels/small.ts), same names and the same bytes: a
// table entry is 4 u16 lanes (token k in lane k, the little-endian halves of the wasm's i64). Pure: no I/O.
import { BitrlError } from "../util/errors.ts";
import { rowBytes } from "../format/ternary-packing.ts";
import { matvec_t3, quantize_act } from "./kernels.ts";

/** Entries per group table, lanes (tokens) per entry, per-lane bias, groups an accumulator may sum. */
export const T3X4_ENTRIES = 243;
export const T3X4_TOKENS = 4;
export const T3X4_BIAS = 1024;
export const T3X4_MAX_GROUPS = 39;
/** Columns per table block of matvec_t3x4 (16 groups, the unrolled path's limit). */
export const T3X4_BLOCK_COLS = 80;

function check(name: string, ok: boolean, what: string): void {
  if (!ok) throw new BitrlError(`${name}: ${what}`);
}

/** A table build's x holds `ntok` token vectors `xs` apart, `cols` values each. */
function checkTokens(name: string, x: Int8Array, xs: number, ntok: number, cols: number): void {
  check(name, x.length >= (ntok - 1) * xs + cols, `x has ${x.length} elements, needs ${(ntok - 1) * xs + cols}`);
}

/** A table matvec: acc u16[rows][4] lanes from rows of t3 bytes `stride` apart (default: packed rows) and `lut`. */
type TableMatvec<Lut> = (
  w: Uint8Array,
  lut: Lut,
  rows: number,
  cols: number,
  stride?: number,
  acc?: Uint16Array,
) => Uint16Array;

/** The t3 bytes (groups) of a table matvec's rows, after checking its shape against `maxGroups`. */
function lutMatvecGroups(name: string, rows: number, cols: number, stride: number, maxGroups: number): number {
  const groups = rowBytes("t3", cols);
  check(name, rows >= 1 && groups <= maxGroups && stride >= groups, `shape ${rows}x${cols}, stride ${stride}`);
  return groups;
}

/**
 * lut u16[ceil(cols/5)][243][4]: lane k of entry b of group g = T3X4_BIAS + sum_j (trit_j(b) - 1) * x[k * xs + 5g + j],
 * trit_j(b) = floor(b / 3^j) % 3; x = 0 past cols and for lanes k >= ntok.
 */
export function lut_build_t3x4(x: Int8Array, xs: number, ntok: number, cols: number): Uint16Array {
  check(
    "lut_build_t3x4",
    Number.isInteger(cols) && cols >= 1 && ntok >= 1 && ntok <= T3X4_TOKENS && xs >= cols,
    `cols ${cols}, ntok ${ntok}, xs ${xs}: need cols >= 1, ntok 1..4, xs >= cols`,
  );
  checkTokens("lut_build_t3x4", x, xs, ntok, cols);
  const groups = rowBytes("t3", cols);
  const lut = new Uint16Array(groups * T3X4_ENTRIES * T3X4_TOKENS);
  for (let g = 0; g < groups; g++) {
    for (let b = 0; b < T3X4_ENTRIES; b++) {
      for (let k = 0; k < T3X4_TOKENS; k++) {
        let v = T3X4_BIAS;
        for (let j = 0, rest = b; j < 5; j++, rest = Math.floor(rest / 3)) {
          const c = 5 * g + j;
          if (k < ntok && c < cols) v += ((rest % 3) - 1) * x[k * xs + c];
        }
        lut[(g * T3X4_ENTRIES + b) * T3X4_TOKENS + k] = v;
      }
    }
  }
  return lut;
}

/**
 * acc u16[rows][4] = (acc ?? 0) + sum_g lut[g][w[r * stride + g]] lane by lane (rows of t3 bytes, `stride` apart).
 * Every lane of the result must stay below 65536 (the wasm's lanes would carry): it throws otherwise.
 */
export const matvec_t3x4_lut: TableMatvec<Uint16Array> = (w, lut, rows, cols, stride = rowBytes("t3", cols), acc) => {
  const groups = lutMatvecGroups("matvec_t3x4_lut", rows, cols, stride, T3X4_MAX_GROUPS);
  check(
    "matvec_t3x4_lut",
    w.length >= (rows - 1) * stride + groups && lut.length >= groups * T3X4_ENTRIES * T3X4_TOKENS,
    "w or lut too short",
  );
  const out = new Uint16Array(rows * T3X4_TOKENS);
  for (let r = 0; r < rows; r++) {
    for (let k = 0; k < T3X4_TOKENS; k++) {
      let v = acc ? acc[r * T3X4_TOKENS + k] : 0;
      for (let g = 0; g < groups; g++) {
        const b = w[r * stride + g];
        check("matvec_t3x4_lut", b < T3X4_ENTRIES, `invalid t3 byte ${b}`);
        v += lut[(g * T3X4_ENTRIES + b) * T3X4_TOKENS + k];
      }
      check("matvec_t3x4_lut", v < 65536, `lane ${k} of row ${r} reaches ${v} (> 65535)`);
      out[r * T3X4_TOKENS + k] = v;
    }
  }
  return out;
};

/** A matvec of `ntok` token vectors `xs` apart in x: out i32[ntok][rows]. */
type TokensMatvec = (w: Uint8Array, x: Int8Array, xs: number, ntok: number, rows: number, cols: number) => Int32Array;

/** out i32[ntok][rows]: row k = matvec_t3(w, x[k * xs ..][0, cols)), for ntok 1..4 and cols <= 195. */
export const matvec_t3x4: TokensMatvec = (w, x, xs, ntok, rows, cols) => {
  check(
    "matvec_t3x4",
    ntok >= 1 && ntok <= T3X4_TOKENS && cols >= 1 && rowBytes("t3", cols) <= T3X4_MAX_GROUPS && xs >= cols,
    `ntok ${ntok}, cols ${cols}, xs ${xs}`,
  );
  const out = new Int32Array(ntok * rows);
  for (let k = 0; k < ntok; k++) out.set(matvec_t3(w, x.subarray(k * xs, k * xs + cols), rows, cols), k * rows);
  return out;
};

/** quantize_act_bits: the same result as quantize_act (only the wasm's way of finding max |x| differs). */
export const quantize_act_bits = quantize_act;

/** Split tables (lut_build_t3x4s): 27-entry tables first, 9-entry tables from this i64 index on; 32 groups. */
export const T3X4S_T9_INDEX = 32 * 27;
export const T3X4S_MAX_GROUPS = 32;
export const T3X4S_ENTRIES = 32 * 36;

/** An entry's i64 from its 4 signed lanes: sum_k lane_k * 2^16k (mod 2^64), as the wasm computes it. */
function packLanes(l: number[]): bigint {
  return BigInt.asIntN(
    64,
    l.reduce((acc, v, k) => acc + (BigInt(v) << BigInt(16 * k)), 0n),
  );
}

/**
 * i64[T3X4S_ENTRIES] (entries of unused groups 0): t27[g][i] at 27 g + i, lanes T3X4_BIAS + sum_{j<3}
 * (trit_j(i) - 1) x[k][5g + j]; t9[g][i] at T3X4S_T9_INDEX + 9 g + i, lanes sum_{j<2} (trit_j(i) - 1) x[k][5g + 3 + j].
 */
export function lut_build_t3x4s(x: Int8Array, xs: number, ntok: number, cols: number): BigInt64Array {
  check(
    "lut_build_t3x4s",
    Number.isInteger(cols) &&
      cols >= 1 &&
      cols <= 5 * T3X4S_MAX_GROUPS &&
      ntok >= 1 &&
      ntok <= T3X4_TOKENS &&
      xs >= cols,
    `cols ${cols}, ntok ${ntok}, xs ${xs}: need cols 1..160, ntok 1..4, xs >= cols`,
  );
  checkTokens("lut_build_t3x4s", x, xs, ntok, cols);
  const out = new BigInt64Array(T3X4S_ENTRIES);
  const at = (k: number, c: number) => (k < ntok && c < cols ? x[k * xs + c] : 0);
  const entry = (g: number, i: number, first: number, n: number, bias: number) =>
    packLanes(
      [0, 1, 2, 3].map((k) => {
        let v = bias;
        for (let j = 0, rest = i; j < n; j++, rest = Math.floor(rest / 3))
          v += ((rest % 3) - 1) * at(k, 5 * g + first + j);
        return v;
      }),
    );
  for (let g = 0; g < rowBytes("t3", cols); g++) {
    for (let i = 0; i < 27; i++) out[27 * g + i] = entry(g, i, 0, 3, T3X4_BIAS);
    for (let i = 0; i < 9; i++) out[T3X4S_T9_INDEX + 9 * g + i] = entry(g, i, 3, 2, 0);
  }
  return out;
}

/** matvec_t3x4_lut over split tables: acc u16[rows][4] lanes (the i64 sums t27[g][b % 27] + t9[g][b / 27]). */
export const matvec_t3x4s_lut: TableMatvec<BigInt64Array> = (
  w,
  lut,
  rows,
  cols,
  stride = rowBytes("t3", cols),
  acc,
) => {
  const groups = lutMatvecGroups("matvec_t3x4s_lut", rows, cols, stride, T3X4S_MAX_GROUPS);
  const out = new Uint16Array(rows * T3X4_TOKENS);
  for (let r = 0; r < rows; r++) {
    let s = acc
      ? BigInt.asUintN(
          64,
          BigInt(acc[4 * r]) |
            (BigInt(acc[4 * r + 1]) << 16n) |
            (BigInt(acc[4 * r + 2]) << 32n) |
            (BigInt(acc[4 * r + 3]) << 48n),
        )
      : 0n;
    for (let g = 0; g < groups; g++) {
      const b = w[r * stride + g];
      check("matvec_t3x4s_lut", b < T3X4_ENTRIES, `invalid t3 byte ${b}`);
      s += lut[27 * g + (b % 27)] + lut[T3X4S_T9_INDEX + 9 * g + Math.floor(b / 27)];
    }
    s = BigInt.asUintN(64, s);
    for (let k = 0; k < T3X4_TOKENS; k++) out[4 * r + k] = Number((s >> BigInt(16 * k)) & 0xffffn);
  }
  return out;
};

/** matvec_t3x4s: the same result as matvec_t3x4 (cols <= 160). */
export const matvec_t3x4s: TokensMatvec = (w, x, xs, ntok, rows, cols) => {
  check("matvec_t3x4s", cols <= 5 * T3X4S_MAX_GROUPS, `cols ${cols} > 160`);
  return matvec_t3x4(w, x, xs, ntok, rows, cols);
};

/** Interleaved activations: x4 u16[5 ceil(cols/5)][4], lane k of column c = x[k][c] + 128; padding columns and
 *  tokens k >= ntok hold 128 (x = 0). */
export function packX4(x: Int8Array, xs: number, ntok: number, cols: number): Uint16Array {
  check(
    "packX4",
    cols >= 1 && ntok >= 1 && ntok <= T3X4_TOKENS && xs >= cols && x.length >= (ntok - 1) * xs + cols,
    `cols ${cols}, ntok ${ntok}, xs ${xs}`,
  );
  const n = 5 * rowBytes("t3", cols);
  const out = new Uint16Array(n * T3X4_TOKENS).fill(128);
  for (let k = 0; k < ntok; k++) for (let c = 0; c < cols; c++) out[c * T3X4_TOKENS + k] = x[k * xs + c] + 128;
  return out;
}

/** The 4 token rows (i8[4][5 ceil(cols/5)]) an interleaved block holds, padding columns included. */
function unpackX4(x4: Uint16Array, cols: number): { x: Int8Array; width: number } {
  const width = 5 * rowBytes("t3", cols);
  check("unpackX4", x4.length >= width * T3X4_TOKENS, `x4 has ${x4.length} lanes, needs ${width * T3X4_TOKENS}`);
  const x = new Int8Array(T3X4_TOKENS * width);
  for (let k = 0; k < T3X4_TOKENS; k++) {
    for (let c = 0; c < width; c++) {
      const v = x4[c * T3X4_TOKENS + k] - 128;
      check("unpackX4", v >= -128 && v <= 127, `lane ${k} of column ${c} is ${v + 128}, outside 0..255`);
      x[k * width + c] = v;
    }
  }
  return { x, width };
}

/** lut_build_t3x4 from interleaved activations (every column of the last group read, padding included). */
export function lut_build_t3x4_x4(x4: Uint16Array, cols: number): Uint16Array {
  const { x, width } = unpackX4(x4, cols);
  return lut_build_t3x4(x, width, T3X4_TOKENS, width);
}

/** lut_build_t3x4s from interleaved activations (every column of the last group read, padding included). */
export function lut_build_t3x4s_x4(x4: Uint16Array, cols: number): BigInt64Array {
  const { x, width } = unpackX4(x4, cols);
  return lut_build_t3x4s(x, width, T3X4_TOKENS, width);
}
