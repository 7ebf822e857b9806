// Pretraining a language model on text (the corpus of corpus.ts, byte tokens): the backbone trainer of
// tools/lib/train (QAT for the quantized kinds) on random windows of the training stream, validated on fixed
// windows of held-out fortunes. The config is checked against the LM runtime's limits, not the agent backbone's.
import type { Blob } from "../format/types.ts";
import { backboneTensors, LM_LIMITS, validateConfig, type BackboneConfig } from "../reference/backbone.ts";
import { pretrainOnWindows, qatMeta, type PretrainOptions, type PretrainResult } from "../train/pretrain.ts";
import { rng } from "../train/rng.ts";
import { randomWindows, splitCorpus, strideWindows } from "./corpus.ts";
import { BYTE_VOCAB, TOKENIZER } from "./tokenizer.ts";

/** Validation windows (fixed: the first this many of the held-out stream, one window length apart). */
const VALID_WINDOWS = 48;

export function lmConfig(o: PretrainOptions): BackboneConfig {
  return validateConfig(
    {
      kind: o.kind,
      vocab: BYTE_VOCAB,
      ctx: o.ctx,
      dim: o.dim,
      layers: o.layers,
      heads: o.heads,
      ffn: o.ffn,
      featTokens: o.ctx,
    },
    LM_LIMITS,
  );
}

/** Trains a byte-level LM on the fortunes (deterministic from o.seed). */
export function pretrainText(
  fortunes: string[],
  o: PretrainOptions,
  onStep?: (step: number, loss: number) => void,
): PretrainResult & { corpusTokens: number } {
  const config = lmConfig(o);
  const corpus = splitCorpus(fortunes);
  const r = rng(o.seed ^ 0x7e47);
  const train = randomWindows(corpus.train, o.ctx, o.steps * o.batch, (n) => r.below(n));
  const valid = strideWindows(corpus.valid, o.ctx, o.ctx, VALID_WINDOWS);
  return { ...pretrainOnWindows(config, train, valid, o, onStep, LM_LIMITS), corpusTokens: corpus.train.length };
}

/** The blob of a text LM; the metadata records the run and the tokenizer. */
export function lmBlob(res: PretrainResult, o: PretrainOptions, corpus: string): Blob {
  const r4 = (x: number) => Math.round(x * 1e4) / 1e4;
  return {
    version: 1,
    meta: {
      model: `lm-${o.kind}`,
      kind: o.kind,
      tokenizer: TOKENIZER,
      corpus,
      steps: o.steps,
      batch: o.batch,
      lr: o.lr,
      seed: o.seed,
      ...qatMeta(o),
      valid_loss: r4(res.validLossExported),
      valid_loss_qat: r4(res.validLoss),
      uniform_loss: r4(res.uniformLoss),
    },
    tensors: backboneTensors(res.weights),
  };
}
