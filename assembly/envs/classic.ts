// Acrobot and mountaincar (Gymnasium classic control) behind one entry (assembly/envs/ops.ts says why).
import * as ab from "./acrobot";
import * as mc from "./mountaincar";
import { binTokens } from "./bins";
import { OP_OBS, OP_RESET, OP_SET_STATE, OP_STATE, OP_STEP } from "./ops";
/** Bins per value. */
export const CLASSIC_BINS: i32 = 16;
/** Binned ranges (lo, width) per value: acrobot's observation bounds (cos/sin in [-1, 1], velocities 4 pi and
 *  9 pi), then mountaincar's. */
const BIN_LO: StaticArray<f64> = [-1.0, -1.0, -1.0, -1.0, -4.0 * Math.PI, -9.0 * Math.PI, -1.2, -0.07];
const BIN_WIDTH: StaticArray<f64> = [2.0, 2.0, 2.0, 2.0, 8.0 * Math.PI, 18.0 * Math.PI, 1.8, 0.14];

/** The last step's reward: acrobot -1, 0 on reaching the height; mountaincar -1 always. */
export let classicReward: f64 = 0;

/** Operation op (assembly/envs/ops.ts) with action a on acrobot (acrobot true) or mountaincar. */
export function classic(op: i32, acrobot: bool, a: i32, p: usize, q: usize): i32 {
  if (op == OP_RESET) {
    if (acrobot) ab.acrobotReset();
    else mc.mountainCarReset();
  } else if (op == OP_STEP) {
    const t = acrobot ? ab.acrobotStep(a) : mc.mountainCarStep(a);
    classicReward = acrobot && t ? 0.0 : -1.0;
    return t;
  } else if (op == OP_OBS) {
    if (acrobot) ab.acrobotObs(p);
    else mc.mountainCarObs(p);
  } else if (op == OP_STATE || op == OP_SET_STATE) {
    if (acrobot) ab.acrobotState(p, op == OP_SET_STATE);
    else mc.mountainCarState(p, op == OP_SET_STATE);
  } else if (acrobot) binTokens(p, q, ab.ACROBOT_TOKENS, BIN_LO, BIN_WIDTH, 0, CLASSIC_BINS);
  else binTokens(p, q, mc.MOUNTAINCAR_TOKENS, BIN_LO, BIN_WIDTH, ab.ACROBOT_TOKENS, CLASSIC_BINS);
  return 0;
}
