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

// The state in static memory, not in module globals: wasm3 keeps a 32-byte record per global in its heap for the
// module's life on every board, whatever env runs (docs/firmware.md).
// @ts-ignore: decorator
@unmanaged

class Car {
  position: f64;
  velocity: f64;
}
const C = changetype<Car>(memory.data(offsetof<Car>(), 8));

/** Gymnasium's reset: position np_random.uniform(-0.6, -0.4) (as -0.6 + 0.2 u), velocity 0. */
export function mountainCarReset(): void {
  C.position = -0.6 + 0.2 * rngUniform();
  C.velocity = 0;
}

/** One step; returns 1 when terminated. */
export function mountainCarStep(action: i32): i32 {
  let v = C.velocity + (<f64>(action - 1) * 0.001 + Math.cos(3.0 * C.position) * -0.0025);
  v = v < -MAX_SPEED ? -MAX_SPEED : v > MAX_SPEED ? MAX_SPEED : v; // np.clip
  let p = C.position + v;
  p = p < MIN_POSITION ? MIN_POSITION : p > MAX_POSITION ? MAX_POSITION : p;
  if (p == MIN_POSITION && v < 0) v = 0;
  C.position = p;
  C.velocity = v;
  return p >= 0.5 && v >= 0 ? 1 : 0;
}

/** The state f64[2] (position, velocity): written at p, or read from p when set. */
export function mountainCarState(p: usize, set: bool): void {
  if (set) {
    C.position = load<f64>(p, 0);
    C.velocity = load<f64>(p, 8);
  } else {
    store<f64>(p, C.position, 0);
    store<f64>(p, C.velocity, 8);
  }
}

/** Observation f32[2] at out: the state as float32. */
export function mountainCarObs(out: usize): void {
  store<f32>(out, <f32>C.position, 0);
  store<f32>(out, <f32>C.velocity, 4);
}
