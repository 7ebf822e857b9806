// Features the head sees for a token sequence: the frozen backbone's (assembly/model/backbone.ts), or with
// backbone "none" a fixed positional one-hot (a real, weak baseline: F = tokens * vocab, 1 at pos * vocab + id).
import { backboneContext, backboneFeatures, backboneFeatureSize, backboneLoad, backboneVocab } from "../model/backbone";

export const BACKBONE_NONE: i32 = 0;
export const BACKBONE_BLOB: i32 = 1;

let mode: i32 = BACKBONE_NONE;
let vocab: i32 = 0;
let featureSize: i32 = 0;

/**
 * Selects the feature source for an env with `tokens` tokens per observation over `envVocab` ids; loads the
 * backbone from the blob when asked. Returns the feature size; -1 backbone failed to load (it logged why),
 * -2 its vocabulary or context is too small for the env (every token id and count is then safe to pass blindly).
 */
export function featuresInit(backbone: i32, tokens: i32, envVocab: i32): i32 {
  mode = backbone;
  vocab = envVocab;
  if (backbone == BACKBONE_NONE) {
    featureSize = tokens * envVocab;
    return featureSize;
  }
  if (backboneLoad() != 0) return -1;
  if (backboneVocab() < envVocab || backboneContext() < tokens) return -2;
  featureSize = backboneFeatureSize();
  return featureSize;
}

/** out f32[featureSize] for tokens i32[n] (ids < the env's vocabulary). */
export function featuresOf(tokens: usize, n: i32, out: usize): void {
  if (mode == BACKBONE_BLOB) {
    backboneFeatures(tokens, n, out);
    return;
  }
  memory.fill(out, 0, (<usize>featureSize) << 2);
  for (let p = 0; p < n; p++) {
    const t = load<i32>(tokens + ((<usize>p) << 2));
    if (t >= 0 && t < vocab) store<f32>(out + ((<usize>(p * vocab + t)) << 2), 1.0);
  }
}
