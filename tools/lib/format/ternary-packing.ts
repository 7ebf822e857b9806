// Ternary packings (byte layout in docs/format.md): each row of a (rows, cols) matrix is packed on its own and
// starts on a byte boundary, padded at its end with zero weights.
//   i2: 4 weights per byte, code = w + 1 in 2 bits, weight j of a group in bits 2j..2j+1 (LSB first).
//   t3: 5 weights per byte, byte = sum_j (w_j + 1) * 3^j, j = 0..4 (so 0..242).
import { BitrlError } from "../util/errors.ts";

export type TernaryPacking = "i2" | "t3";

export const WEIGHTS_PER_BYTE: Record<TernaryPacking, number> = { i2: 4, t3: 5 };

/** Bytes one packed row of `cols` weights takes. */
export function rowBytes(packing: TernaryPacking, cols: number): number {
  return Math.ceil(cols / WEIGHTS_PER_BYTE[packing]);
}

/** Packs (rows, cols) ternary values {-1, 0, 1} into rows * rowBytes(packing, cols) bytes. */
export function packTernary(q: Int8Array, rows: number, cols: number, packing: TernaryPacking): Uint8Array {
  if (q.length !== rows * cols) throw new BitrlError(`packTernary: ${q.length} values for shape (${rows}, ${cols})`);
  const per = WEIGHTS_PER_BYTE[packing];
  const stride = rowBytes(packing, cols);
  const out = new Uint8Array(rows * stride);
  for (let r = 0; r < rows; r++) {
    for (let b = 0; b < stride; b++) {
      let byte = 0;
      for (let j = per - 1; j >= 0; j--) {
        const c = b * per + j;
        const w = c < cols ? q[r * cols + c] : 0;
        if (w < -1 || w > 1) throw new BitrlError(`packTernary: value ${w} at (${r}, ${c}) is not ternary`);
        byte = packing === "i2" ? (byte << 2) | (w + 1) : byte * 3 + (w + 1);
      }
      out[r * stride + b] = byte;
    }
  }
  return out;
}

/**
 * Unpacks to (rows, cols) values in {-1, 0, 1}. Rejects what a packer never writes: an i2 code 3, a t3 byte
 * above 242, or a padding weight that is not zero.
 */
export function unpackTernary(bytes: Uint8Array, rows: number, cols: number, packing: TernaryPacking): Int8Array {
  const per = WEIGHTS_PER_BYTE[packing];
  const stride = rowBytes(packing, cols);
  if (bytes.length !== rows * stride) {
    throw new BitrlError(`${packing} data is ${bytes.length} bytes, shape (${rows}, ${cols}) needs ${rows * stride}`);
  }
  const q = new Int8Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let b = 0; b < stride; b++) {
      let byte = bytes[r * stride + b];
      if (packing === "t3" && byte > 242) throw new BitrlError(`t3 byte ${byte} > 242 at row ${r}, byte ${b}`);
      for (let j = 0; j < per; j++) {
        const code = packing === "i2" ? byte & 3 : byte % 3;
        byte = packing === "i2" ? byte >> 2 : (byte - code) / 3;
        if (code === 3) throw new BitrlError(`i2 code 3 (invalid) at row ${r}, byte ${b}`);
        const c = b * per + j;
        if (c < cols) q[r * cols + c] = code - 1;
        else if (code !== 1) throw new BitrlError(`nonzero padding weight at row ${r}, byte ${b}`);
      }
    }
  }
  return q;
}
