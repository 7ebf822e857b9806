// ggml's ternary blocks (TQ1_0, TQ2_0) <-> ternary values and f16 block scales, exactly. Pure, no I/O.
// Block layouts as ggml defines them (ggml-common.h, ggml-quants.c):
//   TQ2_0 (66 bytes / 256 weights): qs[64] then f16 d. Weight k: half g = k >> 7, within it l = (k >> 5) & 3 and
//     m = k & 31; code (w + 1) in bits 2l..2l+1 of qs[32g + m].
//   TQ1_0 (54 bytes / 256 weights): qs[48], qh[4], then f16 d. A byte holds 5 trits (qh: 4) as a base-3 fixed-point
//     fraction: v = sum_n t_n * 3^(4-n) (t_0 most significant), byte = ceil(v * 256 / 243). Trit n is read back
//     as ((byte * 3^n) mod 256) * 3 >> 8. Weights 0..159: trit k >> 5 of qs[k & 31]; 160..239: trit (k-160) >> 4
//     of qs[32 + ((k-160) & 15)]; 240..255: trit (k-240) >> 2 of qh[(k-240) & 3] (qh keeps its 5th trit 0).
import { BitrlError } from "../../util/errors.ts";
import { GGML } from "./container.ts";

export const QK = 256; // weights per TQ block (ggml's QK_K)
export const TQ1_BLOCK_BYTES = 54;
export const TQ2_BLOCK_BYTES = 66;

const POW3 = [1, 3, 9, 27, 81, 243];

/** ggml's TQ1_0 trit read: trit n (0 = most significant) of a fixed-point byte. */
export function tq1Trit(byte: number, n: number): number {
  return (((byte * POW3[n]) & 0xff) * 3) >> 8;
}

/** The byte ggml's quantizer writes for trits t (5 of them, or 4 for qh: then shifted up one trit). */
export function tq1Byte(trits: readonly number[]): number {
  let v = 0;
  for (const t of trits) v = v * 3 + t;
  if (trits.length === 4) v *= 3;
  return Math.floor((v * 256 + 242) / 243);
}

/** [byte, trit] position of weight k (0..255) inside a TQ1_0 block; byte 48..51 is qh. */
function tq1Position(k: number): [number, number] {
  if (k < 160) return [k & 31, k >> 5];
  if (k < 240) return [32 + ((k - 160) & 15), (k - 160) >> 4];
  return [48 + ((k - 240) & 3), (k - 240) >> 2];
}
const TQ1_POS = Array.from({ length: QK }, (_, k) => tq1Position(k));

/** Canonical byte -> trits table, so decoding can reject bytes ggml's quantizer never writes. */
const TQ1_CANON5 = new Int16Array(256).fill(-1);
const TQ1_CANON4 = new Int16Array(256).fill(-1);
for (let v = 0; v < 243; v++) {
  const t = [4, 3, 2, 1, 0].map((p) => Math.floor(v / POW3[p]) % 3);
  TQ1_CANON5[tq1Byte(t)] = v;
  if (v % 3 === 0) TQ1_CANON4[tq1Byte(t.slice(0, 4))] = v;
}

export interface TernaryBlocks {
  /** (nblocks * 256) values in {-1, 0, 1}, in ggml's element order */
  q: Int8Array;
  /** (nblocks) f16 bit patterns of the block scales d */
  d: Uint16Array;
}

/** Decodes TQ1_0 or TQ2_0 blocks. Rejects what ggml's quantizer never writes (TQ2_0 code 3, non-canonical TQ1_0 bytes). */
export function decodeTernaryBlocks(
  type: typeof GGML.TQ1_0 | typeof GGML.TQ2_0,
  data: Uint8Array,
  what = "tensor",
): TernaryBlocks {
  const size = type === GGML.TQ1_0 ? TQ1_BLOCK_BYTES : TQ2_BLOCK_BYTES;
  if (data.length % size !== 0)
    throw new BitrlError(`${what}: ${data.length} bytes is not a whole number of ${size}-byte blocks`);
  const nb = data.length / size;
  const q = new Int8Array(nb * QK);
  const d = new Uint16Array(nb);
  for (let b = 0; b < nb; b++) {
    const at = b * size;
    d[b] = data[at + size - 2] | (data[at + size - 1] << 8);
    const out = b * QK;
    if (type === GGML.TQ2_0) {
      for (let k = 0; k < QK; k++) {
        const code = (data[at + ((k >> 7) << 5) + (k & 31)] >> (((k >> 5) & 3) * 2)) & 3;
        if (code === 3) throw new BitrlError(`${what}: TQ2_0 code 3 (not ternary) in block ${b}, weight ${k}`);
        q[out + k] = code - 1;
      }
    } else {
      for (let i = 0; i < 52; i++) {
        const byte = data[at + i];
        if ((i < 48 ? TQ1_CANON5 : TQ1_CANON4)[byte] < 0) {
          throw new BitrlError(
            `${what}: TQ1_0 byte ${byte} at block ${b}, ${i < 48 ? `qs[${i}]` : `qh[${i - 48}]`} is not one ggml's quantizer writes`,
          );
        }
      }
      for (let k = 0; k < QK; k++) {
        const [i, n] = TQ1_POS[k];
        q[out + k] = tq1Trit(data[at + i], n) - 1;
      }
    }
  }
  return { q, d };
}

/** Encodes (nblocks * 256) ternary values with one f16 scale (bits) per block, as ggml's quantizer lays them out. */
export function encodeTernaryBlocks(
  type: typeof GGML.TQ1_0 | typeof GGML.TQ2_0,
  q: Int8Array,
  d: Uint16Array,
): Uint8Array {
  const size = type === GGML.TQ1_0 ? TQ1_BLOCK_BYTES : TQ2_BLOCK_BYTES;
  if (q.length !== d.length * QK)
    throw new BitrlError(`encodeTernaryBlocks: ${q.length} values for ${d.length} blocks`);
  const out = new Uint8Array(d.length * size);
  const trits: number[][] = Array.from({ length: 52 }, () => []);
  for (let b = 0; b < d.length; b++) {
    const at = b * size;
    if (type === GGML.TQ2_0) {
      for (let k = 0; k < QK; k++) out[at + ((k >> 7) << 5) + (k & 31)] |= (q[b * QK + k] + 1) << (((k >> 5) & 3) * 2);
    } else {
      for (const t of trits) t.length = 0;
      // Trits are placed in order n = 0, 1, ... for every byte, so appending keeps the most significant first.
      for (let k = 0; k < QK; k++) trits[TQ1_POS[k][0]][TQ1_POS[k][1]] = q[b * QK + k] + 1;
      for (let i = 0; i < 52; i++) out[at + i] = tq1Byte(trits[i]);
    }
    out[at + size - 2] = d[b] & 0xff;
    out[at + size - 1] = d[b] >> 8;
  }
  return out;
}

/** True when ternary block b (256 values of q) is all zeros. */
export function isZeroBlock(q: Int8Array, b: number): boolean {
  for (let k = b * QK; k < (b + 1) * QK; k++) if (q[k] !== 0) return false;
  return true;
}
