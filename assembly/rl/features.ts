// Features the head sees for a token sequence: the frozen backbone's (assembly/model/backbone.ts); with backbone
// "lm" the frozen language model's (assembly/lm) reading the observation as text; or with backbone "none" a fixed
// positional one-hot (a real, weak baseline: F = tokens * vocab, 1 at pos * vocab + id), except for textroom, whose
// sentences shift the words' positions and whose one-hot (15 x 25) leaves no room for a hidden layer's optimiser:
// there a bag of words (F = vocab, the count of each id).
import { backboneContext, backboneFeatures, backboneFeatureSize, backboneLoad, backboneVocab } from "../model/backbone";
import { lmContext, lmDim, lmForward, lmLoad, lmPosition, lmReset, lmState, lmVocab } from "../lm/lm";
import { ENV_TEXTROOM, envTextOfTokens } from "../envs/env";
import { reserveFree } from "../memory";

export const BACKBONE_NONE: i32 = 0;
export const BACKBONE_BLOB: i32 = 1;
export const BACKBONE_LM: i32 = 2;

const TEXT_CAP: i32 = 256;
const DOT: i32 = 46; // '.'
const SPACE: i32 = 32;

let mode: i32 = BACKBONE_NONE;
let vocab: i32 = 0;
let featureSize: i32 = 0;
let envId: i32 = -1;
let bag = false; // backbone "none" as a bag of words (textroom)
let sentences: i32 = 0;
let text: usize = 0; // u8[TEXT_CAP], allocated by the first LM agent
let state: usize = 0; // f32[dim]: one position's state
// LM features cache: the model is frozen and an observation's features depend on its tokens only, so each distinct
// observation is read once (keydoor has 96). Direct-mapped: slot = hash of the packed tokens; i32 key (-1 empty)
// then f32[featureSize]. Sized at the first read (memoInit); -1 = not yet.
let memo: usize = 0;
let memoSlots: i32 = 0;
// LM agents: f32[featureSize] subtracted from every observation's features (the blob's agent.center: their mean
// over the env's observations), 0 = none (an agent built before it)
let center: usize = 0;

/**
 * Selects the feature source for env `id` with `tokens` tokens per observation over `envVocab` ids; loads the
 * backbone from the blob when asked. Returns the feature size; -1 backbone failed to load (it logged why),
 * -2 its vocabulary or context is too small for the env (every token id and count is then safe to pass blindly),
 * -3 a language model for an env without text.
 */
export function featuresInit(backbone: i32, id: i32, tokens: i32, envVocab: i32): i32 {
  mode = backbone;
  center = 0;
  vocab = envVocab;
  envId = id;
  if (backbone == BACKBONE_NONE) {
    bag = id == ENV_TEXTROOM;
    featureSize = bag ? envVocab : tokens * envVocab;
    return featureSize;
  }
  if (backbone == BACKBONE_LM) return lmInit(tokens);
  if (backboneLoad() != 0) return -1;
  if (backboneVocab() < envVocab || backboneContext() < tokens) return -2;
  featureSize = backboneFeatureSize();
  return featureSize;
}

/** The LM reads each sentence of the text (up to and including its '.') from an empty cache; the mean of its
 *  positions' states (lmState, f32 sums in order) is that sentence's feature vector (dim), so F = sentences * dim. */
function lmInit(tokens: i32): i32 {
  if (lmLoad(true) != 0) return -1; // an fp32 LM too: the retention baseline
  if (text == 0) text = heap.alloc(<usize>TEXT_CAP);
  state = heap.alloc(<usize>(lmDim() * 4)); // per load: the width can change
  if (tokens > 4) return -3; // the cache key packs four tokens
  for (let i = 0; i < tokens; i++) store<i32>(text + <usize>(TEXT_CAP - 16 + 4 * i), 0);
  const n = envTextOfTokens(envId, text + <usize>(TEXT_CAP - 16), text, TEXT_CAP - 16);
  if (n == 0) return -3;
  sentences = 0;
  let longest = 0,
    run = 0;
  for (let i = 0; i < n; i++) {
    run++;
    if (<i32>load<u8>(text + <usize>i) == DOT) {
      sentences++;
      longest = max(longest, run);
      run = 0;
    }
  }
  if (sentences == 0 || lmVocab() < 128 || longest + 8 > lmContext()) return -2; // ASCII; room for longer words
  featureSize = sentences * lmDim();
  // room for a full cache and the head's rollout where the memory can grow; a device keeps its fixed memory
  reserveFree(<u64>(128 * (4 + featureSize * 4)) * 4);
  memoSlots = -1; // sized at the first read, after the head (and any training state) took its share
  return featureSize;
}

/** Sizes the features cache to a quarter of the free memory, at most 128 slots; none when that is under 4. */
function memoInit(): void {
  const slotBytes = 4 + featureSize * 4;
  memoSlots = <i32>min<u64>(128, reserveFree(0) / 4 / <u64>slotBytes); // the free bytes, growing nothing
  if (memoSlots < 4) memoSlots = 0;
  else {
    memo = heap.alloc(<usize>(memoSlots * slotBytes));
    for (let s = 0; s < memoSlots; s++) store<i32>(memo + <usize>(s * slotBytes), -1);
  }
}

/** LM agents: the features from now on are the LM's minus c f32[featureSize] (0: the LM's). */
export function featuresCenter(c: usize): void {
  center = c;
}

/** out f32[featureSize] for tokens i32[n] (ids < the env's vocabulary). */
export function featuresOf(tokens: usize, n: i32, out: usize): void {
  if (mode == BACKBONE_BLOB) {
    backboneFeatures(tokens, n, out);
    return;
  }
  if (mode == BACKBONE_LM) {
    lmFeatures(tokens, n, out);
    if (center != 0)
      for (let i = 0; i < featureSize; i++) {
        const o = (<usize>i) << 2;
        store<f32>(out + o, load<f32>(out + o) - load<f32>(center + o));
      }
    return;
  }
  memory.fill(out, 0, (<usize>featureSize) << 2);
  for (let p = 0; p < n; p++) {
    const t = load<i32>(tokens + ((<usize>p) << 2));
    if (t < 0 || t >= vocab) continue;
    const o = out + ((<usize>(bag ? t : p * vocab + t)) << 2);
    store<f32>(o, load<f32>(o) + 1.0);
  }
}

function lmFeatures(tokens: usize, n: i32, out: usize): void {
  let key = 0;
  for (let i = 0; i < n; i++) key |= (load<i32>(tokens + ((<usize>i) << 2)) & 255) << (8 * i);
  const bytes = (<usize>featureSize) << 2;
  let slot: usize = 0;
  if (memoSlots < 0) memoInit();
  if (memoSlots > 0) {
    slot = memo + <usize>(((<u32>(key * 0x9e3779b1)) >> 16) % <u32>memoSlots) * (4 + bytes);
    if (load<i32>(slot) == key) {
      memory.copy(out, slot + 4, bytes);
      return;
    }
  }
  const len = envTextOfTokens(envId, tokens, text, TEXT_CAP);
  const d = lmDim();
  let k = 0;
  lmReset();
  memory.fill(out, 0, bytes);
  for (let i = 0; i < len && k < sentences; i++) {
    const b = <i32>load<u8>(text + <usize>i);
    if (b == SPACE && lmPosition() == 0) continue; // a sentence starts at its first word
    if (lmPosition() >= lmContext()) continue; // not reached: lmInit checked the sentences' lengths
    lmForward(b);
    // mean of the sentence's states: every word's state counts, not only the last one's
    const o = out + <usize>(k * d * 4);
    lmState(state);
    for (let c = 0; c < d; c++)
      store<f32>(o + <usize>(c << 2), load<f32>(o + <usize>(c << 2)) + load<f32>(state + <usize>(c << 2)));
    if (b == DOT) {
      const n = <f32>lmPosition();
      for (let c = 0; c < d; c++) store<f32>(o + <usize>(c << 2), load<f32>(o + <usize>(c << 2)) / n);
      k++;
      lmReset();
    }
  }
  if (slot != 0) {
    store<i32>(slot, key);
    memory.copy(slot + 4, out, bytes);
  }
}
