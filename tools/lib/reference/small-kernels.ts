// TypeScript twins of the token-packed t3 kernels (assembly/kernels/small.ts), same names and the same bytes: a
// table entry is 4 u16 lanes (token k in lane k, the little-endian halves of the wasm's i64). Pure: no I/O.
import { BitrlError } from "../errors.ts";
import { rowBytes } from "../pack.ts";
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

/**
 * lut u16[ceil(cols/5)][243][4]: lane k of entry b of group g = T3X4_BIAS + sum_j (trit_j(b) - 1) * x[k * xs + 5g + j],
 * trit_j(b) = floor(b / 3^j) % 3; x = 0 past cols and for lanes k >= ntok.
 */
export function lut_build_t3x4(x: Int8Array, xs: number, ntok: number, cols: number): Uint16Array {
  check("lut_build_t3x4", Number.isInteger(cols) && cols >= 1 && ntok >= 1 && ntok <= T3X4_TOKENS && xs >= cols, `cols ${cols}, ntok ${ntok}, xs ${xs}: need cols >= 1, ntok 1..4, xs >= cols`);
  check("lut_build_t3x4", x.length >= (ntok - 1) * xs + cols, `x has ${x.length} elements, needs ${(ntok - 1) * xs + cols}`);
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
export function matvec_t3x4_lut(w: Uint8Array, lut: Uint16Array, rows: number, cols: number, stride = rowBytes("t3", cols), acc?: Uint16Array): Uint16Array {
  const groups = rowBytes("t3", cols);
  check("matvec_t3x4_lut", rows >= 1 && groups <= T3X4_MAX_GROUPS && stride >= groups, `shape ${rows}x${cols}, stride ${stride}`);
  check("matvec_t3x4_lut", w.length >= (rows - 1) * stride + groups && lut.length >= groups * T3X4_ENTRIES * T3X4_TOKENS, "w or lut too short");
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
}

/** out i32[ntok][rows]: row k = matvec_t3(w, x[k * xs ..][0, cols)), for ntok 1..4 and cols <= 195. */
export function matvec_t3x4(w: Uint8Array, x: Int8Array, xs: number, ntok: number, rows: number, cols: number): Int32Array {
  check("matvec_t3x4", ntok >= 1 && ntok <= T3X4_TOKENS && cols >= 1 && rowBytes("t3", cols) <= T3X4_MAX_GROUPS && xs >= cols, `ntok ${ntok}, cols ${cols}, xs ${xs}`);
  const out = new Int32Array(ntok * rows);
  for (let k = 0; k < ntok; k++) out.set(matvec_t3(w, x.subarray(k * xs, k * xs + cols), rows, cols), k * rows);
  return out;
}

/** quantize_act_bits: the same result as quantize_act (only the wasm's way of finding max |x| differs). */
export const quantize_act_bits = quantize_act;
