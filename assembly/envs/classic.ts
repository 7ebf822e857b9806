// Acrobot and mountaincar (Gymnasium classic control) behind one entry, which env.ts calls through a table slot:
// the dispatchers the other envs' episodes run gain one small call site per operation, and wasm3 compiles this
// code only when one of the two runs (its compiled code shares the 256 KiB boards' heap, docs/firmware.md).
import * as ab from "./acrobot";
import * as mc from "./mountaincar";
import { binTokens } from "./bins";

export const CLASSIC_RESET: i32 = 0;
export const CLASSIC_STEP: i32 = 1; // a = action; returns 1 when terminated, the reward in classicReward
export const CLASSIC_OBS: i32 = 2; // observation f32 at p
export const CLASSIC_STATE: i32 = 3; // state f64 at p (a = 0), or from p (a = 1)
export const CLASSIC_TOKENS: i32 = 4; // tokens at q of the observation f32 at p
/** Bins per value. */
export const CLASSIC_BINS: i32 = 16;
/** Binned ranges (lo, width) per value: acrobot's observation bounds (cos/sin in [-1, 1], velocities 4 pi and
 *  9 pi), then mountaincar's. */
const BIN_LO: StaticArray<f64> = [-1.0, -1.0, -1.0, -1.0, -4.0 * Math.PI, -9.0 * Math.PI, -1.2, -0.07];
const BIN_WIDTH: StaticArray<f64> = [2.0, 2.0, 2.0, 2.0, 8.0 * Math.PI, 18.0 * Math.PI, 1.8, 0.14];

/** The last step's reward: acrobot -1, 0 on reaching the height; mountaincar -1 always. */
export let classicReward: f64 = 0;

/** Operation op (CLASSIC_*) on acrobot (acrobot true) or mountaincar. */
export function classic(op: i32, acrobot: bool, a: i32, p: usize, q: usize): i32 {
  if (op == CLASSIC_RESET) {
    if (acrobot) ab.acrobotReset();
    else mc.mountainCarReset();
  } else if (op == CLASSIC_STEP) {
    const t = acrobot ? ab.acrobotStep(a) : mc.mountainCarStep(a);
    classicReward = acrobot && t ? 0.0 : -1.0;
    return t;
  } else if (op == CLASSIC_OBS) {
    if (acrobot) ab.acrobotObs(p);
    else mc.mountainCarObs(p);
  } else if (op == CLASSIC_STATE) {
    if (acrobot) ab.acrobotState(p, a != 0);
    else mc.mountainCarState(p, a != 0);
  } else if (acrobot) binTokens(p, q, ab.ACROBOT_TOKENS, BIN_LO, BIN_WIDTH, 0, CLASSIC_BINS);
  else binTokens(p, q, mc.MOUNTAINCAR_TOKENS, BIN_LO, BIN_WIDTH, ab.ACROBOT_TOKENS, CLASSIC_BINS);
  return 0;
}
