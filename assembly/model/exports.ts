// The backbone_* exports: hosts (tests, benches, the study) run the backbone alone. Pointers and tokens come from
// the host, so each is checked before the blind forward runs.
import {
  backboneLoad,
  backboneLoaded,
  backboneFeatures,
  backboneFeatureSize,
  backboneVocab,
  backboneContext,
  backboneMemoryBytes,
} from "./backbone";
import { profileControl, STAGES } from "./profile";
import { inMemory } from "../memory";

/** Loads the backbone from the loaded blob; 0 ok, < 0 error (reason logged). */
export function backbone_load(): i32 {
  return backboneLoad();
}

/** Feature count (featTokens * dim), 0 when no backbone is loaded. */
export function backbone_feature_size(): i32 {
  return backboneFeatureSize();
}

/** Bytes of linear memory the loaded backbone's buffers take. */
export function backbone_memory(): i32 {
  return backboneMemoryBytes();
}

/**
 * Features f32[feature_size] at out for tokens i32[n] at tokens. Returns the feature count; -1 not loaded,
 * -2 n outside 1..ctx, -3 a pointer range outside memory, -4 a token outside 0..vocab-1.
 */
export function backbone_features(tokens: i32, n: i32, out: i32): i32 {
  if (!backboneLoaded()) return -1;
  if (n < 1 || n > backboneContext()) return -2;
  if (!inMemory(tokens, n * 4) || !inMemory(out, backboneFeatureSize() * 4)) return -3;
  const v = backboneVocab();
  for (let t = 0; t < n; t++) {
    const tok = load<i32>(<usize>(tokens + 4 * t));
    if (tok < 0 || tok >= v) return -4;
  }
  backboneFeatures(<usize>tokens, n, <usize>out);
  return backboneFeatureSize();
}

/**
 * Per-stage timing of backbone_features (bench/model.ts; stages in assembly/model/profile.ts): on != 0 resets the
 * counters and switches timing on, 0 switches it off; out != 0 first receives the counters i64[stages]. Returns
 * the stage count, -3 when out's range is outside memory.
 */
export function backbone_profile(on: i32, out: i32): i32 {
  if (out != 0 && !inMemory(out, STAGES * 8)) return -3;
  profileControl(on != 0, <usize>out);
  return STAGES;
}
