// The model.config tensor (docs/format.md): i32[10] = [version 1, kind, vocab, ctx, dim, layers, heads, ffn,
// featTokens, kvHeads (0: as heads; grouped KV heads, language models only)], read and checked once for both runtimes that take it, the agent backbone (backbone.ts, small
// limits) and the language model (assembly/lm/lm.ts, LM limits). Messages are built only on failure.
import { blobRead } from "../host";
import * as table from "./blobtable";

/** model.config kinds */
export const KIND_FP32: i32 = 0;
export const KIND_INT8: i32 = 1;
export const KIND_TERNARY: i32 = 2;
export const KIND_BINARY: i32 = 3;

export const CFG_KIND: i32 = 1;
export const CFG_VOCAB: i32 = 2;
export const CFG_CTX: i32 = 3;
export const CFG_DIM: i32 = 4;
export const CFG_LAYERS: i32 = 5;
export const CFG_HEADS: i32 = 6;
export const CFG_FFN: i32 = 7;
export const CFG_FEAT: i32 = 8;
export const CFG_KV_HEADS: i32 = 9;

/** Why a field is out of range ("" when in): "model.config: dim 64 outside 2..48". */
function range(cfg: usize, field: i32, name: string, lo: i32, hi: i32): string {
  const v = load<i32>(cfg + <usize>(field << 2));
  if (v >= lo && v <= hi) return "";
  return "model.config: " + name + " " + v.toString() + " outside " + lo.toString() + ".." + hi.toString();
}

/**
 * Finds model.config and reads it into cfg (u8[40]); checks the version, the kind (minKind..3) and every size against
 * the limits; kvHeads 0 or, when grouped: true, a divisor of heads. Returns "" when good, else the reason; *code
 * (i32 at codeOut) -3 missing, -4 bad.
 */
export function readConfig(
  cfg: usize,
  minKind: i32,
  maxVocab: i32,
  maxCtx: i32,
  maxDim: i32,
  maxLayers: i32,
  maxHeads: i32,
  maxFfn: i32,
  codeOut: usize,
  grouped: bool,
): string {
  store<i32>(codeOut, -3);
  if (!table.tableFind("model.config", -1, "")) return "blob has no 'model.config' tensor";
  store<i32>(codeOut, -4);
  if (
    table.entryPacking() != table.PACK_I32 ||
    table.entryNdim() != 1 ||
    table.entryShape(0) != 10 ||
    table.entryDataBytes() != 40
  )
    return "model.config must be i32[10]";
  if (!table.entryInBlob() || blobRead(table.entryDataOffset(), cfg, 40) != 0) return "cannot read model.config";
  if (load<i32>(cfg) != 1) return "model.config version " + load<i32>(cfg).toString() + " (this runtime knows 1)";
  const kind = load<i32>(cfg, 4);
  if (kind < minKind || kind > 3) return "model.config: unknown kind " + kind.toString();
  let why = range(cfg, CFG_VOCAB, "vocab", 2, maxVocab);
  if (why.length == 0) why = range(cfg, CFG_CTX, "ctx", 1, maxCtx);
  if (why.length == 0) why = range(cfg, CFG_DIM, "dim", 2, maxDim);
  if (why.length == 0) why = range(cfg, CFG_LAYERS, "layers", 1, maxLayers);
  if (why.length == 0) why = range(cfg, CFG_HEADS, "heads", 1, maxHeads);
  if (why.length == 0) why = range(cfg, CFG_FFN, "ffn", 1, maxFfn);
  if (why.length == 0) why = range(cfg, CFG_FEAT, "featTokens", 1, load<i32>(cfg, CFG_CTX * 4));
  if (why.length > 0) return why;
  const dim = load<i32>(cfg, CFG_DIM * 4),
    heads = load<i32>(cfg, CFG_HEADS * 4);
  if (dim % heads != 0 || (dim / heads) % 2 != 0) return "model.config: dim / heads must be an even integer";
  const kv = load<i32>(cfg, CFG_KV_HEADS * 4);
  // grouped KV heads: language models only; kvHeads divides heads
  if (kv != 0 && (!grouped || kv < 0 || kv > heads || heads % kv != 0)) return "model.config: kvHeads " + kv.toString();
  store<i32>(codeOut, 0);
  return "";
}

/** "tok_emb" (layer < 0: the name itself) or "layers.<l>.<suffix>": a tensor's name for messages. */
export function tensorName(layer: i32, suffix: string): string {
  return layer < 0 ? suffix : "layers." + layer.toString() + "." + suffix;
}
export function missingTensor(name: string): string {
  return "missing tensor '" + name + "'";
}
export function badTensor(name: string): string {
  return "tensor '" + name + "': wrong shape, packing, scales or range";
}
