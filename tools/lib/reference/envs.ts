// TypeScript twins of the module's PRNG and environments (assembly/rng.ts, assembly/envs/*): written from the
// published definitions (Gymnasium CartPole-v1, FrozenLake-v1, Acrobot-v1, MountainCar-v0) for tests and host tools. Pure, no I/O.

const MASK64 = (1n << 64n) - 1n;
const PCG_MUL = 6364136223846793005n;
const PCG_INC = 1442695040888963407n;

/** PCG32 (XSH RR) seeded like pcg32_srandom(seed, default stream); the same stream as assembly/rng.ts. */
export class Pcg32 {
  private state = 0n;
  private readonly inc: bigint;
  /** stream: PCG's sequence selector (increment 2 * stream + 1); the module always uses the default increment */
  constructor(seed: number | bigint, stream?: number) {
    this.inc = stream === undefined ? PCG_INC : ((BigInt(stream) << 1n) | 1n) & MASK64;
    this.next();
    this.state = (this.state + (typeof seed === "bigint" ? seed : BigInt(seed >>> 0))) & MASK64;
    this.next();
  }
  next(): number {
    const old = this.state;
    this.state = (old * PCG_MUL + this.inc) & MASK64;
    const xorshifted = Number((((old >> 18n) ^ old) >> 27n) & 0xffffffffn);
    const rot = Number(old >> 59n);
    return ((xorshifted >>> rot) | (xorshifted << ((32 - rot) & 31))) >>> 0;
  }
  uniform(): number {
    return this.next() * (1 / 4294967296);
  }
  below(n: number): number {
    return Number((BigInt(this.next()) * BigInt(n)) >> 32n);
  }
}

export const ENV_IDS = { cartpole: 0, keydoor: 1, frozenlake: 2, acrobot: 3, mountaincar: 4, textroom: 5 } as const;
export type EnvName = keyof typeof ENV_IDS;
export const ENV_NAMES = Object.keys(ENV_IDS) as EnvName[];

// ---- CartPole-v1 (Gymnasium classic_control/cartpole.py) ----
export const CARTPOLE = {
  gravity: 9.8,
  masscart: 1.0,
  masspole: 0.1,
  length: 0.5,
  forceMag: 10.0,
  tau: 0.02,
  thetaThreshold: (12 * 2 * Math.PI) / 360,
  xThreshold: 2.4,
  maxSteps: 500,
  bins: 16,
  /** half-width of the binned range of (x, x_dot, theta, theta_dot) */
  binHalfRange: [2.4, 2.0, 0.2095, 2.0],
} as const;

/** (x, x_dot, theta, theta_dot) */
export type CartPoleState = [number, number, number, number];

/** Gymnasium's reset from our PRNG: each value -0.05 + 0.1 * u. */
export function cartpoleReset(rng: Pcg32): CartPoleState {
  return [0, 0, 0, 0].map(() => -0.05 + 0.1 * rng.uniform()) as CartPoleState;
}

/** One Euler step of the published equations (Barto, Sutton & Anderson 1983 as Gymnasium writes them). */
export function cartpoleStep(s: CartPoleState, action: number): { state: CartPoleState; terminated: boolean } {
  const c = CARTPOLE;
  const totalMass = c.masspole + c.masscart;
  const polemassLength = c.masspole * c.length;
  const [x, xDot, theta, thetaDot] = s;
  const force = action === 1 ? c.forceMag : -c.forceMag;
  const costheta = Math.cos(theta);
  const sintheta = Math.sin(theta);
  const temp = (force + polemassLength * thetaDot ** 2 * sintheta) / totalMass;
  const thetaacc =
    (c.gravity * sintheta - costheta * temp) / (c.length * (4.0 / 3.0 - (c.masspole * costheta ** 2) / totalMass));
  const xacc = temp - (polemassLength * thetaacc * costheta) / totalMass;
  const state: CartPoleState = [
    x + c.tau * xDot,
    xDot + c.tau * xacc,
    theta + c.tau * thetaDot,
    thetaDot + c.tau * thetaacc,
  ];
  const terminated =
    state[0] < -c.xThreshold || state[0] > c.xThreshold || state[2] < -c.thetaThreshold || state[2] > c.thetaThreshold;
  return { state, terminated };
}

/** Tokens of an f32 observation (assembly/envs/bins.ts): token = i * bins + clamp(floor((v - lo) * bins / width), 0, bins - 1). */
export function binTokens(
  obs: ArrayLike<number>,
  lo: readonly number[],
  width: readonly number[],
  bins = 16,
): number[] {
  return lo.map((l, i) => {
    const b = Math.floor(((Math.fround(obs[i]) - l) * bins) / width[i]);
    return i * bins + (b >= bins - 1 ? bins - 1 : b >= 0 ? b : 0);
  });
}

/** CartPole's tokens: the range [-h, h] of each value in 16 bins. */
export function cartpoleTokens(obs: ArrayLike<number>): number[] {
  const h = CARTPOLE.binHalfRange;
  return binTokens(
    obs,
    h.map((v) => -v),
    h.map((v) => 2 * v),
    CARTPOLE.bins,
  );
}

// ---- Acrobot-v1 (Gymnasium classic_control/acrobot.py, "book" dynamics, RK4 with dt 0.2) ----
export const ACROBOT = { maxSteps: 500, maxVel1: 4 * Math.PI, maxVel2: 9 * Math.PI, dt: 0.2 } as const;
/** (theta1, theta2, dtheta1, dtheta2) */
export type AcrobotState = [number, number, number, number];

/** Gymnasium's reset from our PRNG: each value -0.1 + 0.2 u, rounded to float32 as Gymnasium casts it. */
export function acrobotReset(rng: Pcg32): AcrobotState {
  return [0, 0, 0, 0].map(() => Math.fround(-0.1 + 0.2 * rng.uniform())) as AcrobotState;
}

/** The book equations of motion with torque a (masses, lengths and inertias 1, centres of mass at 0.5, g 9.8). */
function acrobotDerivs(y: number[], a: number): number[] {
  const [t1, t2, d1t, d2t] = y;
  const d1 = 0.25 + (1.25 + Math.cos(t2)) + 1 + 1;
  const d2 = 0.25 + 0.5 * Math.cos(t2) + 1;
  const phi2 = 0.5 * 9.8 * Math.cos(t1 + t2 - Math.PI / 2);
  const phi1 =
    -0.5 * (d2t * d2t) * Math.sin(t2) - d2t * d1t * Math.sin(t2) + 1.5 * 9.8 * Math.cos(t1 - Math.PI / 2) + phi2;
  const dd2 = (a + (d2 / d1) * phi1 - 0.5 * (d1t * d1t) * Math.sin(t2) - phi2) / (1.25 - (d2 * d2) / d1);
  const dd1 = -(d2 * dd2 + phi1) / d1;
  return [d1t, d2t, dd1, dd2];
}

/** One RK4 step with torque action - 1, then angles wrapped to [-pi, pi] and velocities bounded; reward -1, 0 at the goal. */
export function acrobotStep(
  s: AcrobotState,
  action: number,
): { state: AcrobotState; terminated: boolean; reward: number } {
  const a = action - 1;
  const h = ACROBOT.dt;
  const add = (k: number[], c: number) => s.map((v, i) => v + c * k[i]);
  const k1 = acrobotDerivs(s, a);
  const k2 = acrobotDerivs(add(k1, h / 2), a);
  const k3 = acrobotDerivs(add(k2, h / 2), a);
  const k4 = acrobotDerivs(add(k3, h), a);
  const n = s.map((v, i) => v + (h / 6) * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]));
  const wrap = (x: number) => {
    while (x > Math.PI) x -= 2 * Math.PI;
    while (x < -Math.PI) x += 2 * Math.PI;
    return x;
  };
  const bound = (x: number, m: number) => Math.min(Math.max(x, -m), m);
  const state: AcrobotState = [wrap(n[0]), wrap(n[1]), bound(n[2], ACROBOT.maxVel1), bound(n[3], ACROBOT.maxVel2)];
  const terminated = -Math.cos(state[0]) - Math.cos(state[1] + state[0]) > 1;
  return { state, terminated, reward: terminated ? 0 : -1 };
}

/** The f32 observation (cos t1, sin t1, cos t2, sin t2, dt1, dt2) and its tokens (Gymnasium's observation bounds, 16 bins). */
export function acrobotObs(s: AcrobotState): number[] {
  return [Math.cos(s[0]), Math.sin(s[0]), Math.cos(s[1]), Math.sin(s[1]), s[2], s[3]].map(Math.fround);
}
export function acrobotTokens(obs: ArrayLike<number>): number[] {
  return binTokens(obs, [-1, -1, -1, -1, -4 * Math.PI, -9 * Math.PI], [2, 2, 2, 2, 8 * Math.PI, 18 * Math.PI]);
}

// ---- MountainCar-v0 (Gymnasium classic_control/mountain_car.py) ----
export const MOUNTAINCAR = { maxSteps: 200, minPosition: -1.2, maxPosition: 0.6, maxSpeed: 0.07, goal: 0.5 } as const;
/** (position, velocity) */
export type MountainCarState = [number, number];

/** Gymnasium's reset from our PRNG: position -0.6 + 0.2 u, velocity 0. */
export function mountainCarReset(rng: Pcg32): MountainCarState {
  return [-0.6 + 0.2 * rng.uniform(), 0];
}

/** One step: velocity then position updated and clipped, velocity zeroed at the left wall; reward -1. */
export function mountainCarStep(
  s: MountainCarState,
  action: number,
): { state: MountainCarState; terminated: boolean; reward: number } {
  const m = MOUNTAINCAR;
  let v = s[1] + ((action - 1) * 0.001 + Math.cos(3 * s[0]) * -0.0025);
  v = Math.min(Math.max(v, -m.maxSpeed), m.maxSpeed);
  const p = Math.min(Math.max(s[0] + v, m.minPosition), m.maxPosition);
  if (p === m.minPosition && v < 0) v = 0;
  return { state: [p, v], terminated: p >= m.goal && v >= 0, reward: -1 };
}
export function mountainCarTokens(obs: ArrayLike<number>): number[] {
  return binTokens(obs, [-1.2, -0.07], [1.8, 0.14]);
}

// ---- FrozenLake-v1, 4x4, is_slippery=True ----
export const FROZENLAKE_MAP = ["SFFF", "FHFH", "FFFH", "HFFG"];

/** One slippery step from cell: the move (a - 1 + k) mod 4, k picked as categorical_sample([1/3, 1/3, 1/3]). */
export function frozenLakeStep(
  cell: number,
  action: number,
  rng: Pcg32,
): { cell: number; reward: number; terminated: boolean } {
  const u = rng.uniform();
  const k = 1 / 3 > u ? 0 : 1 / 3 + 1 / 3 > u ? 1 : 2;
  const a = (action + k + 3) & 3;
  let row = Math.floor(cell / 4);
  let col = cell % 4;
  if (a === 0) col = Math.max(col - 1, 0);
  else if (a === 1) row = Math.min(row + 1, 3);
  else if (a === 2) col = Math.min(col + 1, 3);
  else row = Math.max(row - 1, 0);
  const next = row * 4 + col;
  const kind = FROZENLAKE_MAP[row][col];
  return { cell: next, reward: kind === "G" ? 1 : 0, terminated: kind === "H" || kind === "G" };
}

// ---- keydoor (text world, assembly/envs/keydoor.ts) ----
export const KEYDOOR_WORDS = ["nothing", "red", "green", "blue", "locked", "open", "take", "next", "open", "go"];
export const KEYDOOR_ACTIONS = ["take", "next", "open", "go"];
export const KEYDOOR_MAX_STEPS = 20;

export interface KeyDoorState {
  slots: number[];
  view: number;
  held: number;
  door: number;
  open: boolean;
  steps: number;
}

export function keyDoorReset(rng: Pcg32): KeyDoorState {
  const door = 1 + rng.below(3);
  const slots = [1, 2, 3];
  for (let i = 2; i > 0; i--) {
    const j = rng.below(i + 1);
    [slots[i], slots[j]] = [slots[j], slots[i]];
  }
  return { slots, view: 0, held: 0, door, open: false, steps: 0 };
}

/** One step (mutates s); reward 1 - 0.9 * steps / 20 when leaving through the open door. */
export function keyDoorStep(s: KeyDoorState, action: number): { reward: number; terminated: boolean } {
  s.steps++;
  if (action === 0) [s.slots[s.view], s.held] = [s.held, s.slots[s.view]];
  else if (action === 1) s.view = (s.view + 1) % 3;
  else if (action === 2) s.open ||= s.held === s.door;
  else if (s.open) return { reward: 1 - (0.9 * s.steps) / KEYDOOR_MAX_STEPS, terminated: true };
  return { reward: 0, terminated: false };
}

/** The observation words (seen, held, door colour, door state) = the tokens. */
export function keyDoorTokens(s: KeyDoorState): number[] {
  return [s.slots[s.view], s.held, s.door, s.open ? 5 : 4];
}

export function keyDoorText(s: KeyDoorState): string {
  const key = (c: number) => (c === 0 ? "nothing" : `a ${KEYDOOR_WORDS[c]} key`);
  return `you see ${key(s.slots[s.view])} . you hold ${key(s.held)} . the ${KEYDOOR_WORDS[s.door]} door is ${s.open ? "open" : "locked"} .`;
}

// ---- textroom (text world read as a sentence, assembly/envs/textroom.ts) ----
/** Word ids 0..24 are the observation's words, 25..28 the actions'; the module deals in ids only. */
export const TEXTROOM_WORDS = [
  "holding",
  "you",
  "see",
  "there",
  "is",
  "a",
  "nothing",
  "key",
  "by",
  "the",
  "door",
  "locked",
  "open",
  "red",
  "green",
  "blue",
  "yellow",
  "box",
  "lamp",
  "book",
  "worn",
  "small",
  "dusty",
  "now",
  "still",
  "take",
  "next",
  "open",
  "go",
];
export const TEXTROOM_ACTIONS = ["take", "next", "open", "go"];
export const TEXTROOM_MAX_STEPS = 30;
export const TEXTROOM_TOKENS = 15;
const TEXTROOM_PLACES = 5;

/** Items: 0 nothing, 1..4 a red/green/blue/yellow key, 5..7 box/lamp/book. words: this observation's distractor
 *  draws (seen adjective 0..3, held adjective 0..3, filler 0..2, opener 0..1). */
export interface TextRoomState {
  places: number[];
  view: number;
  held: number;
  door: number;
  open: boolean;
  steps: number;
  words: [number, number, number, number];
}

function textRoomWords(rng: Pcg32): [number, number, number, number] {
  return [rng.below(4), rng.below(4), rng.below(3), rng.below(2)];
}

export function textRoomReset(rng: Pcg32): TextRoomState {
  const door = 1 + rng.below(4);
  const skipColour = rng.below(3);
  const skipObject = rng.below(3);
  const places = [1, 2, 3, 4].filter((c) => c !== door).filter((_, i) => i !== skipColour);
  places.push(door);
  places.sort((a, b) => a - b); // the keys in colour order, then the objects
  places.push(...[5, 6, 7].filter((_, i) => i !== skipObject));
  for (let i = TEXTROOM_PLACES - 1; i > 0; i--) {
    const j = rng.below(i + 1);
    [places[i], places[j]] = [places[j], places[i]];
  }
  return { places, view: 0, held: 0, door, open: false, steps: 0, words: textRoomWords(rng) };
}

/** One step (mutates s), then the next observation's distractor draws; reward 1 - 0.9 * steps / 30 on leaving
 *  through the open door. */
export function textRoomStep(s: TextRoomState, action: number, rng: Pcg32): { reward: number; terminated: boolean } {
  s.steps++;
  let out = { reward: 0, terminated: false };
  if (action === 0) [s.places[s.view], s.held] = [s.held, s.places[s.view]];
  else if (action === 1) s.view = (s.view + 1) % TEXTROOM_PLACES;
  else if (action === 2) s.open ||= s.held === s.door;
  else if (s.open) out = { reward: 1 - (0.9 * s.steps) / TEXTROOM_MAX_STEPS, terminated: true };
  s.words = textRoomWords(rng);
  return out;
}

/** The observation's word ids (11..15 of them): "[now|still] holding HELD (you see|there is) SEEN by the
 *  (locked|open) COLOUR door"; the seen adjective, then the held one, then the filler, each while <= 15 words. */
export function textRoomTokens(s: TextRoomState): number[] {
  const seen = s.places[s.view];
  const [adjSeen, adjHeld, filler, opener] = s.words;
  const len = (item: number) => (item === 0 ? 1 : item >= 5 ? 2 : 3);
  let n = 8 + len(seen) + len(s.held);
  const aSeen = seen !== 0 ? adjSeen : 0;
  if (aSeen > 0) n++;
  const aHeld = s.held !== 0 && adjHeld > 0 && n < TEXTROOM_TOKENS ? adjHeld : 0;
  if (aHeld > 0) n++;
  const fill = filler > 0 && n < TEXTROOM_TOKENS ? filler : 0;
  const item = (it: number, adj: number): number[] =>
    it === 0 ? [6] : [5, ...(adj > 0 ? [19 + adj] : []), ...(it >= 5 ? [12 + it] : [12 + it, 7])];
  return [
    ...(fill > 0 ? [22 + fill] : []),
    0,
    ...item(s.held, aHeld),
    ...(opener === 0 ? [1, 2] : [3, 4]),
    ...item(seen, aSeen),
    8,
    9,
    s.open ? 12 : 11,
    12 + s.door,
    10,
  ];
}

/** The sentence of a textroom observation's word ids (the module's observation: ids, -1 past the end). */
export function textRoomText(tokens: ArrayLike<number>): string {
  return Array.from(tokens)
    .filter((t) => t >= 0)
    .map((t) => TEXTROOM_WORDS[t] ?? "?")
    .join(" ");
}

/** What a sentence says (item codes as TextRoomState's): read back from its words, as a reader of the text would. */
export function textRoomParse(tokens: ArrayLike<number>): { held: number; seen: number; door: number; open: boolean } {
  const w = Array.from(tokens).filter((t) => t >= 0);
  const item = (j: number): number => {
    if (w[j] === 6) return 0; // nothing
    j++; // "a"
    if (w[j] >= 20 && w[j] <= 22) j++; // an adjective
    return w[j] - 12; // a colour (then "key") or a noun
  };
  const n = w.length;
  return {
    held: item(w.indexOf(0) + 1),
    seen: item(w.findIndex((t) => t === 2 || t === 4) + 1),
    door: w[n - 2] - 12,
    open: w[n - 3] === 12,
  };
}

/** The scripted optimal policy: look (next) until the door's key is in view, take it, open, go; from the reset view
 *  that is the shortest way out (next only moves forward). Reads the state (textRoomSeen) or a parsed sentence. */
export function textRoomOptimalAction(s: { open: boolean; held: number; door: number; seen: number }): number {
  if (s.open) return 3;
  if (s.held === s.door) return 2;
  if (s.seen === s.door) return 0;
  return 1;
}

/** The state as the solver reads it: what is in view, held, the door. */
export function textRoomSeen(s: TextRoomState): { open: boolean; held: number; door: number; seen: number } {
  return { open: s.open, held: s.held, door: s.door, seen: s.places[s.view] };
}

/** The scripted optimal solver's return from each reset seed (the twin's episodes are the module's): its mean over
 *  the evaluation seeds is textroom's best mean return. */
export function textRoomOptimalReturns(seeds: number[]): number[] {
  return seeds.map((seed) => {
    const rng = new Pcg32(seed);
    const s = textRoomReset(rng);
    for (;;) {
      const r = textRoomStep(s, textRoomOptimalAction(textRoomSeen(s)), rng);
      if (r.terminated) return r.reward;
    }
  });
}
