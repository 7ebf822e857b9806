// The lm_* exports: hosts (bitrl generate, tests) and the board (through the protocol's `kernel` call) run the
// language model. Pointers and tokens come from the host, so each is checked before the blind forward runs.
import {
  lmContext,
  lmDim,
  lmLoad,
  lmLoaded,
  lmLogits,
  lmMemoryBytes,
  lmPosition,
  lmReset,
  lmState,
  lmStep,
  lmVocab,
} from "./lm";
import { sampleLogits, temperatureFx } from "./sample";
import { rngSeed } from "../rng";
import { inMemory } from "../memory";

/** Loads the language model from the loaded blob and empties its KV cache; 0 ok, < 0 error (reason logged). */
export function lm_load(): i32 {
  return lmLoad();
}

/** Bytes of linear memory the loaded model's buffers and KV cache take (0 when none is loaded). */
export function lm_memory(): i32 {
  return lmMemoryBytes();
}

/** Empties the KV cache. */
export function lm_reset(): void {
  lmReset();
}

/** Tokens in the KV cache (the next token's position). */
export function lm_position(): i32 {
  return lmPosition();
}

/**
 * Feeds one token; logits i32[vocab] (8 fractional bits) to out when out != 0. Returns the new position; -1 not
 * loaded, -2 context full, -3 out's range outside memory, -4 token outside 0..vocab-1.
 */
export function lm_step(token: i32, out: i32): i32 {
  if (!lmLoaded()) return -1;
  if (lmPosition() >= lmContext()) return -2;
  if (out != 0 && !inMemory(out, lmVocab() * 4)) return -3;
  if (token < 0 || token >= lmVocab()) return -4;
  lmStep(token);
  if (out != 0) memory.copy(<usize>out, lmLogits(), <usize>(lmVocab() * 4));
  return lmPosition();
}

/**
 * Generates from an empty cache: feeds prompt i32[n] (n >= 1), then picks and feeds `count` tokens into out
 * i32[count] (temperature: f32 bits, 0 greedy; the PCG32 stream seeded with seed). Stops early when the context
 * is full. Returns the tokens written; -1 not loaded, -2 n outside 1..ctx, -3 a range outside memory, -4 a prompt
 * token outside 0..vocab-1, -5 a negative count or temperature.
 */
export function lm_generate(prompt: i32, n: i32, out: i32, count: i32, temperatureBits: i32, seed: i32): i32 {
  if (!lmLoaded()) return -1;
  if (n < 1 || n > lmContext()) return -2;
  if (count < 0) return -5;
  if (!inMemory(prompt, n * 4) || !inMemory(out, count * 4)) return -3;
  const temperature = reinterpret<f32>(temperatureBits);
  if (!(temperature >= 0) || !isFinite(temperature)) return -5;
  const v = lmVocab();
  for (let t = 0; t < n; t++) {
    const tok = load<i32>(<usize>(prompt + 4 * t));
    if (tok < 0 || tok >= v) return -4;
  }
  lmReset();
  rngSeed(<u32>seed);
  const tfx = temperatureFx(temperature);
  for (let t = 0; t < n; t++) lmStep(load<i32>(<usize>(prompt + 4 * t)));
  let made = 0;
  while (made < count) {
    const tok = sampleLogits(lmLogits(), v, tfx);
    store<i32>(<usize>(out + 4 * made), tok);
    made++;
    if (made == count || lmPosition() >= lmContext()) break;
    lmStep(tok);
  }
  return made;
}

/** The last position's hidden state as features, f32[dim] at out (what an agent's head reads: docs/lm.md). Returns
 *  dim; -1 not loaded or nothing fed, -3 out's range outside memory. */
export function lm_state(out: i32): i32 {
  if (!lmLoaded() || lmPosition() == 0) return -1;
  if (!inMemory(out, lmDim() * 4)) return -3;
  lmState(<usize>out);
  return lmDim();
}
