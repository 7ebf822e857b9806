// MountainCar-v0 exactly as Gymnasium defines it: velocity += (a - 1) * 0.001 + cos(3 p) * (-0.0025) clipped to
// +-0.07, position += velocity clipped to [-1.2, 0.6], velocity zeroed at the left wall when negative, reward -1 per
// step, termination at position >= 0.5 with velocity >= 0, truncation at 200 steps; f64 state, f32 observation.
// Reference twin: tools/lib/reference/envs.ts (mountainCarStep); Gymnasium fixtures: test/unit/gymnasium.test.ts.
import { rngUniform } from "../rng";

export const MOUNTAINCAR_MAX_STEPS: i32 = 200; // TimeLimit of MountainCar-v0
export const MOUNTAINCAR_OBS: i32 = 2; // position, velocity
export const MOUNTAINCAR_ACTIONS: i32 = 3; // accelerate left, none, right
export const MOUNTAINCAR_TOKENS: i32 = 2;
const MIN_POSITION: f64 = -1.2;
const MAX_POSITION: f64 = 0.6;
const MAX_SPEED: f64 = 0.07;

let position: f64 = 0;
let velocity: f64 = 0;

/** Gymnasium's reset: position np_random.uniform(-0.6, -0.4) (as -0.6 + 0.2 u), velocity 0. */
export function mountainCarReset(): void {
  position = -0.6 + 0.2 * rngUniform();
  velocity = 0;
}

/** One step; returns 1 when terminated. */
export function mountainCarStep(action: i32): i32 {
  let v = velocity + (<f64>(action - 1) * 0.001 + Math.cos(3.0 * position) * -0.0025);
  v = v < -MAX_SPEED ? -MAX_SPEED : v > MAX_SPEED ? MAX_SPEED : v; // np.clip
  let p = position + v;
  p = p < MIN_POSITION ? MIN_POSITION : p > MAX_POSITION ? MAX_POSITION : p;
  if (p == MIN_POSITION && v < 0) v = 0;
  position = p;
  velocity = v;
  return p >= 0.5 && v >= 0 ? 1 : 0;
}

/** The state f64[2] (position, velocity): written at p, or read from p when set. */
export function mountainCarState(p: usize, set: bool): void {
  if (set) {
    position = load<f64>(p, 0);
    velocity = load<f64>(p, 8);
  } else {
    store<f64>(p, position, 0);
    store<f64>(p, velocity, 8);
  }
}

/** Observation f32[2] at out: the state as float32. */
export function mountainCarObs(out: usize): void {
  store<f32>(out, <f32>position, 0);
  store<f32>(out, <f32>velocity, 4);
}
