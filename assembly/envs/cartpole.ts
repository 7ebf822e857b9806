// CartPole-v1 exactly as Gymnasium defines it: same constants, Euler integrator, f64 arithmetic in the same
// order, termination at |x| > 2.4 or |theta| > 12 degrees, reward 1 on every step, truncation at 500 steps.
// Reference twin: tools/lib/reference/envs.ts (cartpoleStep). Tokens: docs/agents.md.
import { rngUniform } from "../rng";

export const CARTPOLE_GRAVITY: f64 = 9.8;
export const CARTPOLE_MASSCART: f64 = 1.0;
export const CARTPOLE_MASSPOLE: f64 = 0.1;
const TOTAL_MASS: f64 = CARTPOLE_MASSPOLE + CARTPOLE_MASSCART;
export const CARTPOLE_LENGTH: f64 = 0.5; // half the pole's length
const POLEMASS_LENGTH: f64 = CARTPOLE_MASSPOLE * CARTPOLE_LENGTH;
export const CARTPOLE_FORCE_MAG: f64 = 10.0;
export const CARTPOLE_TAU: f64 = 0.02; // seconds between state updates
export const CARTPOLE_THETA_THRESHOLD: f64 = (12.0 * 2.0 * Math.PI) / 360.0;
export const CARTPOLE_X_THRESHOLD: f64 = 2.4;
export const CARTPOLE_MAX_STEPS: i32 = 500; // TimeLimit of CartPole-v1
export const CARTPOLE_OBS: i32 = 4;
export const CARTPOLE_ACTIONS: i32 = 2; // 0 push left, 1 push right

/** Bins per observation value; a token is var * BINS + bin, so the vocabulary is 4 * BINS. */
export const CARTPOLE_BINS: i32 = 16;
export const CARTPOLE_TOKENS: i32 = 4;
export const CARTPOLE_VOCAB: i32 = CARTPOLE_TOKENS * CARTPOLE_BINS;
/** Binned range per value (x, x_dot, theta, theta_dot): [-h, h] as lo = -h, width = 2h; beyond goes to the end bins. */
export const CARTPOLE_BIN_LO: StaticArray<f64> = [-2.4, -2.0, -0.2095, -2.0];
export const CARTPOLE_BIN_WIDTH: StaticArray<f64> = [4.8, 4.0, 0.419, 4.0];

// The state, f64 like Gymnasium's Python floats: (x, x_dot, theta, theta_dot).
let x: f64 = 0;
let xDot: f64 = 0;
let theta: f64 = 0;
let thetaDot: f64 = 0;

/** Gymnasium's reset: each state value uniform in [-0.05, 0.05] (low + (high - low) * u, as numpy does). */
export function cartpoleReset(): void {
  x = -0.05 + 0.1 * rngUniform();
  xDot = -0.05 + 0.1 * rngUniform();
  theta = -0.05 + 0.1 * rngUniform();
  thetaDot = -0.05 + 0.1 * rngUniform();
}

/** Math.sin and Math.cos of x in one call: wasm3 compiles one function for both (~1.7 KB less compiled code on the
 *  boards than the two). AssemblyScript's sincos is musl's, the same reduction and kernels as its sin and cos, so the
 *  same bits, except that it calls |x| >= 2^1017 NaN (it tests the f32 exponent): those take the separate pair. */
function sinCos(x: f64): void {
  if (Math.abs(x) < 1e306) NativeMath.sincos(x);
  else {
    NativeMath.sincos_sin = Math.sin(x);
    NativeMath.sincos_cos = Math.cos(x);
  }
}

/** One Euler step (Gymnasium's expression order); returns 1 when terminated. Reward is always 1. */
export function cartpoleStep(action: i32): i32 {
  const force = action == 1 ? CARTPOLE_FORCE_MAG : -CARTPOLE_FORCE_MAG;
  sinCos(theta);
  const costheta = NativeMath.sincos_cos;
  const sintheta = NativeMath.sincos_sin;
  const temp = (force + POLEMASS_LENGTH * (thetaDot * thetaDot) * sintheta) / TOTAL_MASS;
  const thetaacc =
    (CARTPOLE_GRAVITY * sintheta - costheta * temp) /
    (CARTPOLE_LENGTH * (4.0 / 3.0 - (CARTPOLE_MASSPOLE * (costheta * costheta)) / TOTAL_MASS));
  const xacc = temp - (POLEMASS_LENGTH * thetaacc * costheta) / TOTAL_MASS;
  x = x + CARTPOLE_TAU * xDot;
  xDot = xDot + CARTPOLE_TAU * xacc;
  theta = theta + CARTPOLE_TAU * thetaDot;
  thetaDot = thetaDot + CARTPOLE_TAU * thetaacc;
  const out =
    x < -CARTPOLE_X_THRESHOLD ||
    x > CARTPOLE_X_THRESHOLD ||
    theta < -CARTPOLE_THETA_THRESHOLD ||
    theta > CARTPOLE_THETA_THRESHOLD;
  return out ? 1 : 0;
}

/** state f64[4] at out: (x, x_dot, theta, theta_dot). */
export function cartpoleState(out: usize): void {
  store<f64>(out, x, 0);
  store<f64>(out, xDot, 8);
  store<f64>(out, theta, 16);
  store<f64>(out, thetaDot, 24);
}

/** Sets the state from f64[4] at src (replays from a given state). */
export function cartpoleSetState(src: usize): void {
  x = load<f64>(src, 0);
  xDot = load<f64>(src, 8);
  theta = load<f64>(src, 16);
  thetaDot = load<f64>(src, 24);
}

/** Observation f32[4] at out: the state rounded to f32, as Gymnasium's np.float32 observation. */
export function cartpoleObs(out: usize): void {
  store<f32>(out, <f32>x, 0);
  store<f32>(out, <f32>xDot, 4);
  store<f32>(out, <f32>theta, 8);
  store<f32>(out, <f32>thetaDot, 12);
}
