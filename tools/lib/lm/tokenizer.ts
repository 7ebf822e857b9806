// The language models' tokenizer: bytes. Token t is byte t (vocab 256), so any text round-trips, no vocabulary file
// has to ship, and the board decodes tokens with no table. Text is encoded as Latin-1 (the corpus is ASCII); bytes
// >= 0x80 decode back as the same Latin-1 characters. The separator between documents is byte 0x1e (record
// separator), which a prompt never contains.
import { BitrlError } from "../util/errors.ts";

export const BYTE_VOCAB = 256;
export const SEPARATOR = 0x1e;
export const TOKENIZER = "bytes";

/** Token ids of a text: one per character, which must be Latin-1 (code points 0..255). */
export function encodeBytes(text: string): Int32Array {
  const out = new Int32Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 255)
      throw new BitrlError(`tokenizer 'bytes': character '${text[i]}' (U+${c.toString(16)}) at ${i} is not Latin-1`);
    out[i] = c;
  }
  return out;
}

/** The text of byte tokens (the separator shown as a newline). */
export function decodeBytes(tokens: ArrayLike<number>): string {
  let s = "";
  for (let i = 0; i < tokens.length; i++) s += tokens[i] === SEPARATOR ? "\n" : String.fromCharCode(tokens[i] & 255);
  return s;
}
