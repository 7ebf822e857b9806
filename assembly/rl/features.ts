// Features the head sees for a token sequence: the frozen backbone's (assembly/model/backbone.ts), or with
// backbone "none" a fixed positional one-hot (a real, weak baseline: F = tokens * vocab, 1 at pos * vocab + id).

export const BACKBONE_NONE: i32 = 0;
export const BACKBONE_BLOB: i32 = 1;

let mode: i32 = BACKBONE_NONE;
let vocab: i32 = 0;
let featureSize: i32 = 0;

/** Selects the feature source; returns the feature size, or < 0 when the backbone cannot be used. */
export function featuresInit(backbone: i32, tokens: i32, envVocab: i32): i32 {
  mode = backbone;
  vocab = envVocab;
  if (backbone == BACKBONE_NONE) {
    featureSize = tokens * envVocab;
    return featureSize;
  }
  return -1; // the backbone runtime is not in this build yet
}

/** out f32[featureSize] for tokens i32[n]. */
export function featuresOf(tokens: usize, n: i32, out: usize): void {
  memory.fill(out, 0, <usize>featureSize << 2);
  for (let p = 0; p < n; p++) {
    const t = load<i32>(tokens + (<usize>p << 2));
    if (t >= 0 && t < vocab) store<f32>(out + (<usize>(p * vocab + t) << 2), 1.0);
  }
}
