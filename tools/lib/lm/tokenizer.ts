// The language models' tokenizers. Trained here: bytes. Token t is byte t (vocab 256), so any text round-trips, no vocabulary file
// has to ship, and the board decodes tokens with no table. Text is encoded as Latin-1 (the corpus is ASCII); bytes
// >= 0x80 decode back as the same Latin-1 characters. The separator between documents is byte 0x1e (record
// separator), which a prompt never contains.
import { BitrlError } from "../util/errors.ts";
import type { Blob } from "../format/types.ts";

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

/** A language model's blob says so: its metadata names this tokenizer (lmBlob writes it). */
export function isLanguageModel(blob: Blob): boolean {
  return (blob.meta as Record<string, unknown>)?.tokenizer === TOKENIZER;
}

/** Envs whose observations have text, and how many sentences it has (the LM reads each: assembly/rl/features.ts). */
export const TEXT_SENTENCES: Partial<Record<string, number>> = { keydoor: 3 };

// ---- A vocabulary imported with a model (a llama GGUF's SentencePiece tokens: lm/gguf-llama.ts) ----

export const VOCAB_TOKENIZER = "vocab";

/** meta.tokenizer of an imported model: the token strings, their SentencePiece types (1 normal, 2 unknown, 3 control,
 *  4 user-defined, 6 byte), the BOS id and whether a space is put before the text. */
export interface VocabTokenizerMeta {
  kind: typeof VOCAB_TOKENIZER;
  tokens: string[];
  types: number[];
  bos?: number;
  addSpacePrefix: boolean;
}

export interface Tokenizer {
  name: string;
  /** the ids of a prompt (an imported vocabulary starts with its BOS token) */
  encode(text: string): Int32Array;
  decode(tokens: ArrayLike<number>): string;
}

const SPACE = "\u2581"; // SentencePiece's word boundary
const BYTE_TOKEN = /^<0x([0-9A-Fa-f]{2})>$/;

/** Encoding by the longest vocabulary entry at each point (SentencePiece's merges are not in a GGUF, so this can
 *  differ from its segmentation; every id is a real token), bytes with no entry through <0xNN> tokens. */
function vocabTokenizer(m: VocabTokenizerMeta): Tokenizer {
  const ids = new Map<string, number>();
  const byteIds = new Map<number, number>();
  let longest = 1;
  m.tokens.forEach((t, i) => {
    const type = m.types[i];
    const b = BYTE_TOKEN.exec(t);
    if (type === 6 && b) byteIds.set(parseInt(b[1], 16), i);
    else if ((type === 1 || type === 4) && !ids.has(t)) {
      ids.set(t, i);
      longest = Math.max(longest, t.length);
    }
  });
  return {
    name: "vocab",
    encode(text) {
      const s = (m.addSpacePrefix ? SPACE : "") + text.replaceAll(" ", SPACE);
      const out: number[] = m.bos !== undefined ? [m.bos] : [];
      for (let i = 0; i < s.length;) {
        let n = Math.min(longest, s.length - i);
        for (; n > 0 && !ids.has(s.slice(i, i + n)); n--);
        if (n > 0) {
          out.push(ids.get(s.slice(i, i + n))!);
          i += n;
          continue;
        }
        const ch = String.fromCodePoint(s.codePointAt(i)!);
        for (const byte of new TextEncoder().encode(ch)) {
          const id = byteIds.get(byte);
          if (id === undefined)
            throw new BitrlError(`tokenizer: '${ch}' at ${i} is not in the model's vocabulary (no <0x..> byte tokens)`);
          out.push(id);
        }
        i += ch.length;
      }
      return Int32Array.from(out);
    },
    decode(tokens) {
      const bytes: number[] = [];
      const enc = new TextEncoder();
      for (let i = 0; i < tokens.length; i++) {
        const t = m.tokens[tokens[i]] ?? "";
        const type = m.types[tokens[i]];
        const b = BYTE_TOKEN.exec(t);
        if (type === 6 && b) bytes.push(parseInt(b[1], 16));
        else if (type !== 3) bytes.push(...enc.encode(t.replaceAll(SPACE, " ")));
      }
      return new TextDecoder().decode(Uint8Array.from(bytes));
    },
  };
}

/** The tokenizer a language model's blob names, or null when it is not a language model. */
export function tokenizerOf(blob: Blob): Tokenizer | null {
  const t = (blob.meta as Record<string, unknown>)?.tokenizer;
  if (t === TOKENIZER) return { name: TOKENIZER, encode: encodeBytes, decode: decodeBytes };
  const v = t as VocabTokenizerMeta | undefined;
  if (v?.kind === VOCAB_TOKENIZER && Array.isArray(v.tokens) && Array.isArray(v.types)) return vocabTokenizer(v);
  return null;
}
