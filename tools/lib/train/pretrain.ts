// Backbone pretraining: next-token prediction on env transcripts, QAT for the quantized kinds (fp32 latent
// weights, straight-through estimator), Adam; deterministic from the seed. Returns weights ready for a blob.
import { BitrlError } from "../util/errors.ts";
import type { Blob } from "../format/types.ts";
import {
  backboneHidden,
  backboneTensors,
  validateConfig,
  LIMITS,
  type Limits,
  type BackboneConfig,
  type BackboneKind,
  type BackboneWeights,
  dequantizedRows,
} from "../reference/backbone.ts";
import type { AgentModule } from "../runtime/wasm.ts";
import { Adam, ADAM_DEFAULTS, lrAt } from "./adam.ts";
import {
  effectiveWeights,
  isExactQat,
  exportWeights,
  initParams,
  lossAndGrad,
  paramArrays,
  zerosLike,
  type Params,
  type QatMode,
} from "./model.ts";
import { rng } from "./rng.ts";
import { envInfo, playTranscripts, windows, type EnvInfo, type TranscriptPlay } from "./transcripts.ts";

/** Every setting of a pretraining run (saved in the blob's metadata). */
export interface PretrainOptions {
  kind: BackboneKind;
  /** optimizer steps */
  steps: number;
  /** fixes initialisation, batches and the transcripts' policy randomness */
  seed: number;
  /** windows per step */
  batch: number;
  /** peak Adam step size (warm-up, then cosine to 10%) */
  lr: number;
  dim: number;
  layers: number;
  heads: number;
  ffn: number;
  /** window length in tokens (also the model's context) */
  ctx: number;
  /** episodes of transcripts for training (validation uses a quarter as many, other seeds) */
  episodes: number;
  /** who plays the transcripts (transcripts.ts); default "mixed" */
  play?: TranscriptPlay;
  /** how QAT fakes the integer forward (model.ts); default "exact" */
  qat?: QatMode;
}

/** Optimizer steps of the shipped backbones per env, the same for every kind of that env (so retention compares like
 *  with like): cartpole's ternary backbone at 600 steps left the RL head with weak features (retention 0.83 over 10
 *  seeds), at 1800 its policies reach fp32's returns; acrobot and mountaincar (random play only) take cartpole's
 *  1800, untuned; keydoor, frozenlake and textroom keep the default (scripts/build-models.ts, scripts/qat-seeds.ts). */
const SHIPPED_STEPS: Record<string, number> = { cartpole: 1800, acrobot: 1800, mountaincar: 1800 };
export const shippedSteps = (env: string): number => SHIPPED_STEPS[env] ?? PRETRAIN_DEFAULTS.steps;

export const PRETRAIN_DEFAULTS: Omit<PretrainOptions, "kind"> = {
  steps: 600,
  seed: 1,
  batch: 16,
  lr: 4e-3,
  dim: 40,
  layers: 2,
  heads: 2,
  ffn: 120,
  ctx: 16,
  episodes: 400,
};

export interface PretrainLog {
  step: number;
  /** mean next-token cross-entropy (nats) of the step's batch, QAT forward */
  loss: number;
}

export interface PretrainResult {
  config: BackboneConfig;
  weights: BackboneWeights;
  log: PretrainLog[];
  /** validation cross-entropy (nats/token) of the QAT forward in f64 */
  validLoss: number;
  /** validation cross-entropy of the exported, quantized model run by the reference forward (what ships) */
  validLossExported: number;
  /** loss of predicting uniformly over the vocabulary, for scale: ln(vocab) */
  uniformLoss: number;
  trainWindows: number;
  validWindows: number;
}

/** Trains on prepared windows (pure: no I/O); `onStep` sees each step's loss. */
export function pretrainOnWindows(
  config: BackboneConfig,
  train: Int32Array[],
  valid: Int32Array[],
  o: PretrainOptions,
  onStep?: (step: number, loss: number) => void,
  limits: Limits = LIMITS,
): PretrainResult {
  validateConfig(config, limits);
  if (train.length === 0) throw new BitrlError("pretrain: no training windows (more --episodes?)");
  const params: Params = initParams(config, o.seed);
  const arrays = paramArrays(params);
  const adam = new Adam(arrays, { ...ADAM_DEFAULTS, lr: o.lr });
  const r = rng(o.seed ^ 0xba7c4);
  const log: PretrainLog[] = [];
  for (let s = 0; s < o.steps; s++) {
    const batch = Array.from({ length: o.batch }, () => train[r.below(train.length)]);
    const grad = zerosLike(params);
    const loss = lossAndGrad(config, params, effectiveWeights(config, params, o.qat), batch, grad);
    if (!Number.isFinite(loss)) throw new BitrlError(`pretrain: loss is ${loss} at step ${s} (lower --lr?)`);
    adam.step(arrays, paramArrays(grad), lrAt(s, o.steps, o.lr));
    log.push({ step: s, loss });
    onStep?.(s, loss);
  }
  const weights = exportWeights(config, params);
  const validLossExported = exportedLoss(weights, valid);
  // exact QAT's forward is the exported model's (train.test.ts checks the two losses equal to the bit): one pass
  const validLoss = isExactQat(config.kind, o.qat)
    ? validLossExported
    : valid.length
      ? lossAndGrad(config, params, effectiveWeights(config, params, o.qat), valid, null)
      : NaN;
  return {
    config,
    weights,
    log,
    validLoss,
    validLossExported,
    uniformLoss: Math.log(config.vocab),
    trainWindows: train.length,
    validWindows: valid.length,
  };
}

/** Next-token cross-entropy of the shipped model: reference forward, logits = hidden . dequantized embedding. */
export function exportedLoss(w: BackboneWeights, valid: Int32Array[]): number {
  if (valid.length === 0) return NaN;
  const { vocab: V, dim: D } = w.config;
  const E = dequantizedRows(w.emb);
  let total = 0,
    count = 0;
  for (const seq of valid) {
    const h = backboneHidden(w, seq, seq.length);
    for (let t = 0; t + 1 < seq.length; t++) {
      const logits = new Float64Array(V);
      let mx = -Infinity;
      for (let v = 0; v < V; v++) {
        let acc = 0;
        for (let i = 0; i < D; i++) acc += h[t * D + i] * E[v * D + i];
        logits[v] = acc;
        mx = Math.max(mx, acc);
      }
      let sum = 0;
      for (let v = 0; v < V; v++) sum += Math.exp(logits[v] - mx);
      total += Math.log(sum) + mx - logits[seq[t + 1]];
      count++;
    }
  }
  return total / count;
}

/** The model config pretraining builds for an env. */
export function configFor(env: EnvInfo, o: PretrainOptions): BackboneConfig {
  return validateConfig({
    kind: o.kind,
    vocab: env.obsVocab + env.actions,
    ctx: o.ctx,
    dim: o.dim,
    layers: o.layers,
    heads: o.heads,
    ffn: o.ffn,
    featTokens: env.tokens,
  });
}

/** Plays transcripts of `envName` through the module, then trains. Validation episodes use seeds far from training's. */
export function pretrainBackbone(
  mod: AgentModule,
  envName: string,
  o: PretrainOptions,
  onStep?: (step: number, loss: number) => void,
): PretrainResult & { env: EnvInfo; terminatedEpisodes: number } {
  const env = envInfo(mod, envName);
  const config = configFor(env, o);
  const play = o.play ?? "mixed";
  const tr = playTranscripts(mod, env, o.episodes, o.seed * 100003, play);
  const va = playTranscripts(mod, env, Math.max(4, o.episodes >> 2), o.seed * 100003 + 50_000_000, play);
  const valid = windows(va.stream, va.starts, o.ctx)
    .filter((_, i) => i % 8 === 0)
    .slice(0, 64);
  const res = pretrainOnWindows(config, windows(tr.stream, tr.starts, o.ctx), valid, o, onStep);
  return { ...res, env, terminatedEpisodes: tr.terminated };
}

/** The metadata's record of the QAT mode: "exact" for the quantized kinds trained so; nothing for fp32 (no fakes)
 *  and for "approx", so backbones trained before exact QAT rebuild to the same bytes with --qat approx. */
export const qatMeta = (o: PretrainOptions): { qat?: QatMode } => (isExactQat(o.kind, o.qat) ? { qat: "exact" } : {});

/** The blob of a pretrained backbone; the metadata records the run (the device never reads it). */
export function backboneBlob(res: PretrainResult & { env: EnvInfo }, o: PretrainOptions): Blob {
  const r4 = (x: number) => Math.round(x * 1e4) / 1e4;
  return {
    version: 1,
    meta: {
      model: `${res.env.name}-backbone-${o.kind}`,
      env: res.env.name,
      kind: o.kind,
      steps: o.steps,
      seed: o.seed,
      ...(o.play === "random" ? { play: "random" } : {}), // the shipped (mixed) backbones' bytes stay as they were
      ...qatMeta(o),
      valid_loss: r4(res.validLossExported),
      uniform_loss: r4(res.uniformLoss),
    },
    tensors: backboneTensors(res.weights),
  };
}
