// "textroom", the harder text task (issue #16): keydoor's mechanics in a bigger room, observed as a sentence of
// word ids read token by token. Five places in a ring hold three keys (the door's colour and two of the other three
// of red, green, blue, yellow) and two of three objects (box, lamp, book), shuffled by the seed: 4 x 3 x 3 x 5! =
// 4320 layouts. Actions as keydoor's: take (swap what is in view with what is held), next (look at the next
// place), open (opens when the held key has the door's colour), go (leaves through an open door: success). Reward on
// success 1 - 0.9 * steps / 30, else 0; truncation at 30 steps. Observation: the sentence
//   [now|still] holding HELD (you see|there is) SEEN by the (locked|open) COLOUR door
// with HELD and SEEN "nothing", "a [ADJ] COLOUR key" or "a [ADJ] NOUN" (ADJ worn, small or dusty): 11..15 words
// (one of the two is never nothing: five things, five places and a hand),
// as f32 word ids padded with -1. The distractors (opener, adjectives, filler) are drawn from the module PRNG at
// reset and after every step, four draws each time; an adjective or the filler is left out when the sentence would
// pass 15 words (the seen adjective always fits). The words live on the host (tools/lib/reference/envs.ts): the
// module deals in ids only. Reference twin: textRoomReset/textRoomStep/textRoomTokens there.
import { rngBelow } from "../rng";
import { OP_OBS, OP_RESET, OP_STATE, OP_STEP, OP_TOKENS } from "./ops";

export const TEXTROOM_VOCAB: i32 = 25; // observation words 0..24; actions are words 25..28
export const TEXTROOM_TOKENS: i32 = 15; // the longest sentence
export const TEXTROOM_OBS: i32 = 15; // word ids as f32, -1 past the sentence
export const TEXTROOM_ACTIONS: i32 = 4; // take, next, open, go
export const TEXTROOM_MAX_STEPS: i32 = 30;
export const TEXTROOM_STATE: i32 = 9; // places 0..4, view, held, door colour, door open

// Word ids (the host's TEXTROOM_WORDS): grammar words, colours 13..16, nouns 17..19, adjectives 20..22, fillers 23..24.
const W_HOLDING: i32 = 0;
const W_YOU: i32 = 1;
const W_SEE: i32 = 2;
const W_THERE: i32 = 3;
const W_IS: i32 = 4;
const W_A: i32 = 5;
const W_NOTHING: i32 = 6;
const W_KEY: i32 = 7;
const W_BY: i32 = 8;
const W_THE: i32 = 9;
const W_DOOR: i32 = 10;
const W_LOCKED: i32 = 11;
const W_OPEN: i32 = 12;
const W_COLOUR: i32 = 12; // + colour 1..4
const W_NOUN: i32 = 12; // + item 5..7 (box, lamp, book)
const W_ADJ: i32 = 19; // + adjective 1..3 (worn, small, dusty)
const W_FILLER: i32 = 22; // + filler 1..2 (now, still)

const PLACES: i32 = 5;
// Items: 0 nothing, 1..4 a key of colour red/green/blue/yellow, 5..7 box/lamp/book.
const places = new StaticArray<i32>(PLACES);
let door: i32 = 1; // colour 1..4
// The rest of the state in static memory, not in module globals: wasm3 keeps a 32-byte record per global in its
// heap for the module's life on every board, whatever env runs (docs/firmware.md).
// @ts-ignore: decorator
@unmanaged

class Room {
  reward: f64; // the last step's (env.ts reads it: textRoomReward)
  view: i32;
  held: i32;
  doorOpen: bool;
  steps: i32;
  // this observation's distractors: seen adjective 0..3, held adjective 0..3, filler 0..2, opener 0 "you see" / 1 "there is"
  adjSeen: i32;
  adjHeld: i32;
  filler: i32;
  opener: i32;
}
const R = changetype<Room>(memory.data(offsetof<Room>(), 8));
/** The last step's reward. */
export function textRoomReward(): f64 {
  return R.reward;
}

/** The next observation's distractors: four draws, always (so the PRNG stream does not depend on the state). */
function drawWords(): void {
  R.adjSeen = <i32>rngBelow(4);
  R.adjHeld = <i32>rngBelow(4);
  R.filler = <i32>rngBelow(3);
  R.opener = <i32>rngBelow(2);
}

/** Seeded layout: door colour, the left-out other colour, the left-out object, then a Fisher-Yates shuffle of the
 *  three keys (in colour order) and two objects over the five places; view at place 0, nothing held. */
function reset(): void {
  door = 1 + <i32>rngBelow(4);
  const skipColour = <i32>rngBelow(3); // which of the three other colours has no key
  const skipObject = <i32>rngBelow(3);
  let k = 0,
    other = 0;
  for (let c = 1; c <= 4; c++) {
    if (c != door && other++ == skipColour) continue;
    unchecked((places[k++] = c));
  }
  for (let o = 0; o < 3; o++) if (o != skipObject) unchecked((places[k++] = 5 + o));
  for (let i = PLACES - 1; i > 0; i--) {
    const j = <i32>rngBelow(<u32>(i + 1));
    const t = unchecked(places[i]);
    unchecked((places[i] = places[j]));
    unchecked((places[j] = t));
  }
  R.view = 0;
  R.held = 0;
  R.doorOpen = false;
  R.steps = 0;
  drawWords();
}

/** One step; returns 1 when terminated (went through the door). */
function step(action: i32): i32 {
  R.steps++;
  R.reward = 0;
  let done = 0;
  if (action == 0) {
    const t = unchecked(places[R.view]);
    unchecked((places[R.view] = R.held));
    R.held = t;
  } else if (action == 1) {
    R.view = R.view == PLACES - 1 ? 0 : R.view + 1;
  } else if (action == 2) {
    if (R.held == door) R.doorOpen = true;
  } else if (R.doorOpen) {
    R.reward = 1.0 - (0.9 * <f64>R.steps) / <f64>TEXTROOM_MAX_STEPS;
    done = 1;
  }
  drawWords();
  return done;
}

/** Words of an item: 1 (nothing), 2 (a noun) or 3 (a colour key), without an adjective. */
// @ts-ignore: decorator
@inline function itemWords(item: i32): i32 {
  return item == 0 ? 1 : item >= 5 ? 2 : 3;
}

/** Writes word w as f32 at out[n]; returns n + 1. */
// @ts-ignore: decorator
@inline function put(out: usize, n: i32, w: i32): i32 {
  store<f32>(out + ((<usize>n) << 2), <f32>w);
  return n + 1;
}

/** Writes an item's phrase (adjective adj 1..3, 0 none) at out[n]; returns the new length. */
function putItem(out: usize, n: i32, item: i32, adj: i32): i32 {
  if (item == 0) return put(out, n, W_NOTHING);
  n = put(out, n, W_A);
  if (adj > 0) n = put(out, n, W_ADJ + adj);
  if (item >= 5) return put(out, n, W_NOUN + item);
  return put(out, put(out, n, W_COLOUR + item), W_KEY);
}

/** The sentence as f32[15] word ids at out, -1 past its end; returns its word count (11..15). */
function observe(out: usize): i32 {
  const seen = unchecked(places[R.view]);
  const base = 8 + itemWords(seen) + itemWords(R.held); // 8 fixed words + the two items' phrases
  // distractors in a fixed order, each only while the sentence stays within 15 words
  let len = base;
  const aSeen = seen != 0 ? R.adjSeen : 0;
  if (aSeen > 0) len++;
  const aHeld = R.held != 0 && R.adjHeld > 0 && len < TEXTROOM_TOKENS ? R.adjHeld : 0;
  if (aHeld > 0) len++;
  const fill = R.filler > 0 && len < TEXTROOM_TOKENS ? R.filler : 0;
  let n = 0;
  if (fill > 0) n = put(out, n, W_FILLER + fill);
  n = putItem(out, put(out, n, W_HOLDING), R.held, aHeld);
  n = R.opener == 0 ? put(out, put(out, n, W_YOU), W_SEE) : put(out, put(out, n, W_THERE), W_IS);
  n = putItem(out, n, seen, aSeen);
  n = put(out, put(out, n, W_BY), W_THE);
  n = put(out, put(out, n, R.doorOpen ? W_OPEN : W_LOCKED), W_COLOUR + door);
  n = put(out, n, W_DOOR);
  for (let i = n; i < TEXTROOM_OBS; i++) store<f32>(out + ((<usize>i) << 2), -1.0);
  return n;
}

/** Tokens of an observation f32[15] at obs: its words up to the first negative value (at least one), ids clamped
 *  to 0..24; returns the count. */
function tokens(obs: usize, out: usize): i32 {
  let n = 0;
  for (; n < TEXTROOM_TOKENS; n++) {
    const v = load<f32>(obs + ((<usize>n) << 2));
    if (v < 0.0 && n > 0) break;
    store<i32>(out + ((<usize>n) << 2), v >= <f32>(TEXTROOM_VOCAB - 1) ? TEXTROOM_VOCAB - 1 : v >= 0.0 ? <i32>v : 0);
  }
  return n;
}

/** state f64[9]: places 0..4 (items), view, held, door colour, door open (0/1). */
function state(out: usize): void {
  for (let i = 0; i < PLACES; i++) store<f64>(out + ((<usize>i) << 3), <f64>unchecked(places[i]));
  store<f64>(out, <f64>R.view, 40);
  store<f64>(out, <f64>R.held, 48);
  store<f64>(out, <f64>door, 56);
  store<f64>(out, R.doorOpen ? 1.0 : 0.0, 64);
}

/** Operation op (assembly/envs/ops.ts) with action a; the reward of a step in textRoomReward. No OP_SET_STATE. */
export function textRoom(op: i32, a: i32, p: usize, q: usize): i32 {
  if (op == OP_RESET) reset();
  else if (op == OP_STEP) return step(a);
  else if (op == OP_OBS) return observe(p);
  else if (op == OP_STATE) state(p);
  else if (op == OP_TOKENS) return tokens(p, q);
  return 0;
}
