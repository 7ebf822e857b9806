// "keydoor", a tiny text world: three keys (red, green, blue, shuffled by the seed) lie in a row, one door of
// a seeded colour is locked. The agent sees one key at a time and acts with words: take (swap the key in view
// with the one in hand), next (look at the next key), open (opens when the held key matches the door), go (leaves
// through an open door: success). Reward on success 1 - 0.9 * steps / 20 (MiniGrid's convention), else 0;
// truncation at 20 steps. Observation: 4 words; text: "you see a red key . you hold nothing . the blue door is
// locked ." Reference twin: tools/lib/reference/envs.ts (keyDoorStep).
import { rngBelow } from "../rng";
import { OP_OBS, OP_RESET, OP_STATE, OP_STEP, OP_TOKENS } from "./ops";

/** Words (token ids are indices): observation words 0..5, action words 6..9. */
export const KEYDOOR_WORDS: StaticArray<string> = [
  "nothing",
  "red",
  "green",
  "blue",
  "locked",
  "open",
  "take",
  "next",
  "open",
  "go",
];
export const KEYDOOR_VOCAB: i32 = 10;
export const KEYDOOR_TOKENS: i32 = 4; // (seen key, held key, door colour, door state)
export const KEYDOOR_OBS: i32 = 4; // the same four values as f32
export const KEYDOOR_ACTIONS: i32 = 4; // take, next, open, go (words 6..9)
export const KEYDOOR_MAX_STEPS: i32 = 20;
const WORD_LOCKED: i32 = 4;
const WORD_OPEN: i32 = 5;

// slots u8[3]: colour word of the key lying at each place (0 = nothing)
const slots = new StaticArray<i32>(3);
// The state in static memory, not in module globals: wasm3 keeps a 32-byte record per global in its heap for the
// module's life on every board, whatever env runs (docs/firmware.md).
// @ts-ignore: decorator
@unmanaged

class KeyDoor {
  lastReward: f64;
  view: i32; // the slot in view
  held: i32; // colour word in hand, 0 = nothing
  doorOpen: bool;
  steps: i32;
}
const K = changetype<KeyDoor>(memory.data(offsetof<KeyDoor>(), 8));
let door: i32 = 1; // door colour word 1..3

/** Seeded layout: door colour uniform in 1..3, keys a uniform permutation (Fisher-Yates), view at slot 0. */
function keyDoorReset(): void {
  door = 1 + <i32>rngBelow(3);
  for (let i = 0; i < 3; i++) unchecked((slots[i] = i + 1));
  for (let i = 2; i > 0; i--) {
    const j = <i32>rngBelow(<u32>(i + 1));
    const t = unchecked(slots[i]);
    unchecked((slots[i] = slots[j]));
    unchecked((slots[j] = t));
  }
  K.view = 0;
  K.held = 0;
  K.doorOpen = false;
  K.steps = 0;
}

/** One step; returns 1 when terminated (went through the door). */
function keyDoorStep(action: i32): i32 {
  K.steps++;
  K.lastReward = 0;
  if (action == 0) {
    const t = unchecked(slots[K.view]);
    unchecked((slots[K.view] = K.held));
    K.held = t;
  } else if (action == 1) {
    K.view = K.view == 2 ? 0 : K.view + 1;
  } else if (action == 2) {
    if (K.held == door) K.doorOpen = true;
  } else if (K.doorOpen) {
    K.lastReward = 1.0 - (0.9 * <f64>K.steps) / <f64>KEYDOOR_MAX_STEPS;
    return 1;
  }
  return 0;
}

export function keyDoorReward(): f64 {
  return K.lastReward;
}

/** state f64[7]: slot 0..2 colours, view, held, door colour, door open (0/1). */
function keyDoorState(out: usize): void {
  for (let i = 0; i < 3; i++) store<f64>(out + ((<usize>i) << 3), <f64>unchecked(slots[i]));
  store<f64>(out, <f64>K.view, 24);
  store<f64>(out, <f64>K.held, 32);
  store<f64>(out, <f64>door, 40);
  store<f64>(out, K.doorOpen ? 1.0 : 0.0, 48);
}
export const KEYDOOR_STATE: i32 = 7;

/** Observation f32[4]: words (seen key, held key, door colour, locked/open). */
function keyDoorObs(out: usize): void {
  store<f32>(out, <f32>unchecked(slots[K.view]), 0);
  store<f32>(out, <f32>K.held, 4);
  store<f32>(out, <f32>door, 8);
  store<f32>(out, <f32>(K.doorOpen ? WORD_OPEN : WORD_LOCKED), 12);
}

/** Tokens i32[4]: the observation's words (values outside 0..5 clamp to the ends). */
function keyDoorTokens(obs: usize, out: usize): void {
  for (let i = 0; i < KEYDOOR_TOKENS; i++) {
    const v = load<f32>(obs + ((<usize>i) << 2));
    store<i32>(out + ((<usize>i) << 2), v >= 5.0 ? 5 : v >= 0.0 ? <i32>v : 0);
  }
}

/** Operation op (assembly/envs/ops.ts) with action a; a step's reward from keyDoorReward. No OP_SET_STATE. */
export function keyDoor(op: i32, a: i32, p: usize, q: usize): i32 {
  if (op == OP_RESET) keyDoorReset();
  else if (op == OP_STEP) return keyDoorStep(a);
  else if (op == OP_OBS) keyDoorObs(p);
  else if (op == OP_STATE) keyDoorState(p);
  else if (op == OP_TOKENS) keyDoorTokens(p, q);
  return 0;
}

/** Writes ASCII of one word at out (at most cap bytes); returns bytes written. */
function putWord(out: usize, cap: i32, at: i32, word: string): i32 {
  for (let i = 0; i < word.length && at < cap; i++) {
    store<u8>(out + <usize>at, <u8>word.charCodeAt(i));
    at++;
  }
  return at;
}

/** Writes "a <colour> key" or "nothing". */
function putKey(out: usize, cap: i32, at: i32, colour: i32): i32 {
  if (colour == 0) return putWord(out, cap, at, "nothing");
  return putWord(out, cap, putWord(out, cap, putWord(out, cap, at, "a "), KEYDOOR_WORDS[colour]), " key");
}

/** The observation as a sentence (ASCII) at out, at most cap bytes; returns its length. */
export function keyDoorText(out: usize, cap: i32): i32 {
  return keyDoorTextOf(unchecked(slots[K.view]), K.held, door, K.doorOpen ? WORD_OPEN : WORD_LOCKED, out, cap);
}

// @ts-ignore: decorator
@inline function colour(w: i32): i32 {
  return w >= 1 && w <= 3 ? w : 0;
}

/** The sentence of an observation's four words (seen key, held key, door colour, door state; as keyDoorTokens
 *  gives them): the same text keyDoorText writes for that state, so a frozen language model can read tokens. */
export function keyDoorTextOf(seen: i32, hand: i32, doorWord: i32, state: i32, out: usize, cap: i32): i32 {
  let n = putKey(out, cap, putWord(out, cap, 0, "you see "), colour(seen));
  n = putKey(out, cap, putWord(out, cap, n, " . you hold "), colour(hand));
  n = putWord(out, cap, putWord(out, cap, n, " . the "), KEYDOOR_WORDS[doorWord >= 1 && doorWord <= 3 ? doorWord : 1]);
  return putWord(out, cap, n, state == WORD_OPEN ? " door is open ." : " door is locked .");
}
