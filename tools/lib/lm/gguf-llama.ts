// A llama-architecture GGUF (llama.cpp's tensor names and `llama.*` keys, ternary TQ1_0/TQ2_0 weights) -> a bitrl
// language-model blob the LM runtime runs (assembly/lm/lm.ts): q|k|v|o fused into wqkvo (grouped KV heads kept),
// SwiGLU's gate kept, an untied output head kept, the norms gathered, the tokenizer's vocabulary in blob meta.
// The tensors are converted exactly by the GGUF import (format/gguf/import.ts); what cannot be mapped is refused
// with the key's or the tensor's name. Rules and reasons: docs/gguf.md "Llama models".
import { BitrlError } from "../util/errors.ts";
import { parseGguf, shown, type GgufFile, type GgufValue } from "../format/gguf/container.ts";
import { ggufToBlob } from "../format/gguf/import.ts";
import { ternaryCodes, tensorValues } from "../format/blob-tensors.ts";
import { dequantize, quantizeInt8 } from "../format/quantize.ts";
import type { Blob, BlobTensor } from "../format/types.ts";
import {
  backboneTensors,
  kvWidth,
  LM_LIMITS,
  validateConfig,
  type BackboneConfig,
  type BackboneWeights,
  type Matrix,
} from "../reference/backbone.ts";
import { VOCAB_TOKENIZER, type VocabTokenizerMeta } from "./tokenizer.ts";

/** The RMSNorm epsilon and RoPE base the integer forward has (assembly/kernels/fixed.ts, model/prepare.ts). */
const RUNTIME_EPS = 1e-5;
const RUNTIME_ROPE_BASE = 10000;

export const isLlamaGguf = (file: GgufFile) => stringKey(file.kv, "general.architecture") === "llama";

function stringKey(kv: Map<string, GgufValue>, key: string): string | undefined {
  const v = kv.get(key);
  return v?.type === "string" ? v.value : undefined;
}

function numberKey(kv: Map<string, GgufValue>, key: string, required: boolean): number | undefined {
  const v = kv.get(key);
  if (v === undefined) {
    if (required) throw new BitrlError(`llama GGUF: missing key ${shown(key)}`);
    return undefined;
  }
  if (v.type === "string" || v.type === "array" || v.type === "bool")
    throw new BitrlError(`llama GGUF: key ${shown(key)} is a ${v.type}, expected a number`);
  return Number(v.value);
}

/** The model config from the `llama.*` keys; what the runtime cannot do is refused naming the key. */
function llamaConfig(kv: Map<string, GgufValue>, vocab: number): { config: BackboneConfig; fileContext: number } {
  const key = (k: string, required = true) => numberKey(kv, `llama.${k}`, required);
  const dim = key("embedding_length")!,
    heads = key("attention.head_count")!;
  const kvHeads = key("attention.head_count_kv", false) ?? heads;
  const fileContext = key("context_length")!;
  const refuse = (k: string, v: unknown, why: string) => {
    throw new BitrlError(`llama GGUF: llama.${k} = ${v}: ${why}`);
  };
  const ropeDims = key("rope.dimension_count", false);
  if (ropeDims !== undefined && ropeDims !== dim / heads)
    refuse("rope.dimension_count", ropeDims, `the runtime rotates whole heads (${dim / heads} dims)`);
  const base = key("rope.freq_base", false);
  if (base !== undefined && base !== RUNTIME_ROPE_BASE)
    refuse("rope.freq_base", base, `the runtime's RoPE tables use base ${RUNTIME_ROPE_BASE}`);
  const scaling = stringKey(kv, "llama.rope.scaling.type");
  if (scaling !== undefined && scaling !== "none")
    refuse("rope.scaling.type", scaling, "RoPE scaling is not supported");
  const eps = key("attention.layer_norm_rms_epsilon", false);
  if (eps !== undefined && Math.abs(eps - RUNTIME_EPS) > 1e-9)
    refuse("attention.layer_norm_rms_epsilon", eps, "the integer RMSNorm uses 1e-5");
  const config: BackboneConfig = {
    kind: "ternary",
    vocab,
    ctx: Math.min(fileContext, LM_LIMITS.ctx),
    dim,
    layers: key("block_count")!,
    heads,
    ffn: key("feed_forward_length")!,
    featTokens: Math.min(fileContext, LM_LIMITS.ctx),
    ...(kvHeads !== heads && { kvHeads }),
  };
  try {
    validateConfig(config, LM_LIMITS);
  } catch (e) {
    throw new BitrlError(`llama GGUF: ${(e as Error).message} (from the llama.* keys)`);
  }
  return { config, fileContext };
}

/** The vocabulary of a SentencePiece ("llama") tokenizer; other tokenizers are refused by name. */
function llamaTokenizer(kv: Map<string, GgufValue>): VocabTokenizerMeta {
  const model = stringKey(kv, "tokenizer.ggml.model");
  if (model === undefined) throw new BitrlError("llama GGUF: missing key 'tokenizer.ggml.model'");
  if (model !== "llama")
    throw new BitrlError(
      `llama GGUF: tokenizer.ggml.model = ${shown(model)}: only 'llama' (SentencePiece) vocabularies are supported`,
    );
  const list = (k: string) => {
    const v = kv.get(k);
    return v?.type === "array" ? v.items.map((x) => (x.type === "array" ? undefined : x.value)) : undefined;
  };
  const tokens = list("tokenizer.ggml.tokens");
  if (!tokens || !tokens.every((t) => typeof t === "string"))
    throw new BitrlError("llama GGUF: 'tokenizer.ggml.tokens' must be an array of strings");
  const types = list("tokenizer.ggml.token_type")?.map(Number) ?? tokens.map(() => 1);
  if (types.length !== tokens.length)
    throw new BitrlError("llama GGUF: 'tokenizer.ggml.token_type' and 'tokenizer.ggml.tokens' differ in length");
  const addBos = kv.get("tokenizer.ggml.add_bos_token");
  const bos =
    addBos?.type === "bool" && !addBos.value ? undefined : numberKey(kv, "tokenizer.ggml.bos_token_id", false);
  const prefix = kv.get("tokenizer.ggml.add_space_prefix");
  return {
    kind: VOCAB_TOKENIZER,
    tokens: tokens as string[],
    types,
    ...(bos !== undefined && { bos }),
    addSpacePrefix: !(prefix?.type === "bool" && !prefix.value),
  };
}

/** A ternary tensor as a Matrix (exact codes and scales), or a refusal naming it. */
function ternaryMatrix(t: BlobTensor | undefined, name: string, rows: number, cols: number): Matrix {
  if (!t) throw new BitrlError(`llama GGUF: missing tensor ${shown(name)}`);
  if (t.packing !== "t3" && t.packing !== "i2")
    throw new BitrlError(
      `llama GGUF: tensor ${shown(name)} is ${t.packing}: the LM runtime runs ternary weights (TQ1_0 or TQ2_0)`,
    );
  if (t.shape[0] !== rows || t.shape[1] !== cols)
    throw new BitrlError(`llama GGUF: tensor ${shown(name)} is (${t.shape}), the keys imply (${rows},${cols})`);
  return { type: "ternary", rows, cols, q: ternaryCodes(t), scales: t.scales.slice() };
}

/** A float matrix to int8 with one absmax scale per row (the project's quantizeInt8): exact when each row already
 *  is int8 times a scale (its dequantized values are the file's). */
function int8Rows(t: BlobTensor, rows: number, cols: number): { m: Matrix; exact: boolean } {
  const v = tensorValues(t);
  const { q, scales } = quantizeInt8(v, rows, cols, "row");
  const back = dequantize(q, scales, rows, cols);
  return { m: { type: "i8", rows, cols, q, scales }, exact: back.every((x, i) => x === v[i]) };
}

/** Rows of a (heads * hd, cols) projection reordered per head from GGUF's RoPE pairs (2i, 2i + 1) to the
 *  runtime's (i, i + hd/2): an exact relabelling of q and k dimensions (their dot products do not change). */
function ropeHalves(m: Matrix & { type: "ternary" }, heads: number, hd: number): Matrix {
  const q = new Int8Array(m.q.length);
  const perRow = m.scales.length > 1;
  const scales = perRow ? new Float32Array(m.rows) : m.scales.slice();
  for (let h = 0; h < heads; h++) {
    for (let j = 0; j < hd; j++) {
      const from = h * hd + (j < hd / 2 ? 2 * j : 2 * (j - hd / 2) + 1),
        to = h * hd + j;
      q.set(m.q.subarray(from * m.cols, (from + 1) * m.cols), to * m.cols);
      if (perRow) scales[to] = m.scales[from];
    }
  }
  return { ...m, q, scales };
}

/** q, k, v, o stacked by rows, with one scale per row unless all four share one. */
function fuse(parts: Matrix[]): Matrix {
  const ts = parts as (Matrix & { type: "ternary" })[];
  const cols = ts[0].cols,
    rows = ts.reduce((a, m) => a + m.rows, 0);
  const q = new Int8Array(rows * cols);
  let at = 0;
  for (const m of ts) {
    q.set(m.q, at * cols);
    at += m.rows;
  }
  const one = ts.every((m) => m.scales.length === 1 && m.scales[0] === ts[0].scales[0]);
  const scales = one
    ? Float32Array.of(ts[0].scales[0])
    : Float32Array.from(
        ts.flatMap((m) => Array.from({ length: m.rows }, (_, r) => m.scales[m.scales.length > 1 ? r : 0])),
      );
  return { type: "ternary", rows, cols, q, scales };
}

export interface LlamaImport {
  blob: Blob;
  /** what the conversion changed, for the user (an int8 embedding quantized from floats, a context capped) */
  notes: string[];
}

/** A parsed llama GGUF -> an LM blob (ternary kind). */
export function llamaGgufToBlob(file: GgufFile): LlamaImport {
  if (!isLlamaGguf(file))
    throw new BitrlError(
      `general.architecture is ${shown(stringKey(file.kv, "general.architecture") ?? "(missing)")}, not 'llama'`,
    );
  const raw = ggufToBlob(file);
  const byName = new Map(raw.tensors.map((t) => [t.name, t]));
  const used = new Set<string>();
  const take = (name: string) => {
    used.add(name);
    return byName.get(name);
  };
  const notes: string[] = [];
  const embT = take("token_embd.weight");
  if (!embT) throw new BitrlError("llama GGUF: missing tensor 'token_embd.weight'");
  const tokenizer = llamaTokenizer(file.kv);
  const { config: c, fileContext } = llamaConfig(file.kv, embT.shape[0]);
  if (tokenizer.tokens.length !== c.vocab)
    throw new BitrlError(
      `llama GGUF: 'tokenizer.ggml.tokens' has ${tokenizer.tokens.length} tokens, 'token_embd.weight' ${c.vocab} rows`,
    );
  if (fileContext > c.ctx) notes.push(`context ${fileContext} capped at the runtime's ${c.ctx}`);
  const D = c.dim,
    H = c.heads,
    hd = D / H,
    KV = kvWidth(c);
  if (embT.packing !== "f32" || embT.shape.length !== 2 || embT.shape[1] !== D)
    throw new BitrlError(`llama GGUF: 'token_embd.weight' must be a float (vocab, ${D}) tensor`);
  const emb = int8Rows(embT, c.vocab, D);
  if (!emb.exact) notes.push("token_embd.weight quantized to int8 (absmax per row): the runtime's embedding is int8");
  const headT = take("output.weight");
  let head: Matrix | undefined;
  if (headT?.packing === "f32") {
    const h = int8Rows(headT, c.vocab, D);
    if (!h.exact) notes.push("output.weight quantized to int8 (absmax per row)");
    head = h.m;
  } else if (headT) head = ternaryMatrix(headT, "output.weight", c.vocab, D);
  const norm = (name: string) => {
    const t = take(name);
    if (!t) throw new BitrlError(`llama GGUF: missing tensor ${shown(name)}`);
    if (t.packing !== "f32" || t.shape.reduce((a, b) => a * b, 1) !== D)
      throw new BitrlError(`llama GGUF: tensor ${shown(name)} must be ${D} floats`);
    return tensorValues(t);
  };
  const norms = new Float32Array((2 * c.layers + 1) * D);
  const layers: BackboneWeights["layers"] = [];
  for (let l = 0; l < c.layers; l++) {
    const blk = (s: string) => `blk.${l}.${s}.weight`;
    const mat = (s: string, rows: number, cols: number) => ternaryMatrix(take(blk(s)), blk(s), rows, cols);
    norms.set(norm(blk("attn_norm")), 2 * l * D);
    norms.set(norm(blk("ffn_norm")), (2 * l + 1) * D);
    const q = ropeHalves(mat("attn_q", D, D) as Matrix & { type: "ternary" }, H, hd);
    const k = ropeHalves(mat("attn_k", KV, D) as Matrix & { type: "ternary" }, KV / hd, hd);
    layers.push({
      wqkvo: fuse([q, k, mat("attn_v", KV, D), mat("attn_output", D, D)]),
      up: mat("ffn_up", c.ffn, D),
      gate: mat("ffn_gate", c.ffn, D),
      down: mat("ffn_down", D, c.ffn),
    });
  }
  norms.set(norm("output_norm.weight"), 2 * c.layers * D);
  const extra = raw.tensors.find((t) => !used.has(t.name));
  if (extra) throw new BitrlError(`llama GGUF: tensor ${shown(extra.name)} has no place in a bitrl language model`);
  const w: BackboneWeights = { config: c, emb: emb.m, ...(head && { head }), norms, layers };
  const name = stringKey(file.kv, "general.name");
  return {
    blob: {
      version: 1,
      meta: {
        tokenizer,
        architecture: "llama",
        ...(name !== undefined && { name }),
        source: "gguf (llama)",
        ...(notes.length > 0 && { conversion_notes: notes }),
      },
      tensors: backboneTensors(w),
    },
    notes,
  };
}

/** GGUF bytes -> LM blob. */
export const llamaGgufBytesToBlob = (bytes: Uint8Array) => llamaGgufToBlob(parseGguf(bytes));
