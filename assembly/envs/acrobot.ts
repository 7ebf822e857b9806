// Acrobot-v1 exactly as Gymnasium defines it: the "book" dynamics (Sutton & Barto), one RK4 step of dt = 0.2 s in
// f64 with Gymnasium's expression order, angles wrapped to [-pi, pi], velocities bounded to 4 pi and 9 pi, reward -1
// per step (0 on the terminating one), termination when -cos(t1) - cos(t1 + t2) > 1, truncation at 500 steps.
// Math.sin/cos here are AssemblyScript's own (compiled into the module), so V8, wasm3 and AOT run the same code.
// Reference twin: tools/lib/reference/envs.ts (acrobotStep); Gymnasium fixtures: test/unit/gymnasium.test.ts.
import { rngUniform } from "../rng";

export const ACROBOT_MAX_STEPS: i32 = 500; // TimeLimit of Acrobot-v1
export const ACROBOT_OBS: i32 = 6; // cos t1, sin t1, cos t2, sin t2, dt1, dt2 (f32)
export const ACROBOT_ACTIONS: i32 = 3; // torque -1, 0, +1
export const ACROBOT_TOKENS: i32 = 6;
const PI: f64 = Math.PI;
const MAX_VEL_1: f64 = 4.0 * PI;
const MAX_VEL_2: f64 = 9.0 * PI;
const G: f64 = 9.8;

// The state and the RK4 derivative in static memory, not in module globals: wasm3 keeps a 32-byte record per global
// in its heap for the module's life on every board, whatever env runs (docs/firmware.md).
// @ts-ignore: decorator
@unmanaged

class Acrobot {
  // the state (theta1, theta2, dtheta1, dtheta2), f64 like Gymnasium's numpy array after the first step
  s0: f64;
  s1: f64;
  s2: f64;
  s3: f64;
  // the derivative dsdt wrote last (dtheta1, dtheta2, ddtheta1, ddtheta2)
  d0: f64;
  d1: f64;
  d2: f64;
  d3: f64;
}
const A = changetype<Acrobot>(memory.data(offsetof<Acrobot>(), 8));

/** Gymnasium's reset: np_random.uniform(-0.1, 0.1, 4) (as -0.1 + 0.2 u) rounded to float32, as it casts. */
export function acrobotReset(): void {
  // each in f64 first: inside <f32>(...) the literals would be f32
  let v: f64 = -0.1 + 0.2 * rngUniform();
  A.s0 = <f64>(<f32>v);
  v = -0.1 + 0.2 * rngUniform();
  A.s1 = <f64>(<f32>v);
  v = -0.1 + 0.2 * rngUniform();
  A.s2 = <f64>(<f32>v);
  v = -0.1 + 0.2 * rngUniform();
  A.s3 = <f64>(<f32>v);
}

/** Gymnasium's _dsdt (book) at (theta1, theta2, dtheta1, dtheta2) with torque a, into d0..d3; constants folded
 *  where exact (m1 = m2 = l1 = 1, lc1 = lc2 = 0.5, I1 = I2 = 1, g = 9.8). */
function dsdt(theta1: f64, theta2: f64, dtheta1: f64, dtheta2: f64, a: f64): void {
  const c2 = Math.cos(theta2);
  const sn2 = Math.sin(theta2);
  const e1 = 0.25 + (1.25 + 1.0 * c2) + 1.0 + 1.0;
  const e2 = 0.25 + 0.5 * c2 + 1.0;
  const phi2 = 0.5 * G * Math.cos(theta1 + theta2 - PI / 2.0);
  const phi1 =
    -0.5 * (dtheta2 * dtheta2) * sn2 - 1.0 * dtheta2 * dtheta1 * sn2 + 1.5 * G * Math.cos(theta1 - PI / 2.0) + phi2;
  const dd2 = (a + (e2 / e1) * phi1 - 0.5 * (dtheta1 * dtheta1) * sn2 - phi2) / (1.25 - (e2 * e2) / e1);
  A.d0 = dtheta1;
  A.d1 = dtheta2;
  A.d2 = -(e2 * dd2 + phi1) / e1;
  A.d3 = dd2;
}

/** Gymnasium's wrap(x, -pi, pi): subtract or add 2 pi until inside. */
function wrap(x: f64): f64 {
  while (x > PI) x = x - 2.0 * PI;
  while (x < -PI) x = x + 2.0 * PI;
  return x;
}

/** min(max(x, -m), m) as Python's builtins do it. */
function bound(x: f64, m: f64): f64 {
  const lo = x < -m ? -m : x;
  return lo > m ? m : lo;
}

/** One RK4 step of dt = 0.2 with torque action - 1; returns 1 when terminated (reward 0), else 0 (reward -1). */
export function acrobotStep(action: i32): i32 {
  const a = <f64>(action - 1);
  const dt: f64 = 0.2;
  const h: f64 = dt / 2.0;
  dsdt(A.s0, A.s1, A.s2, A.s3, a);
  const k10 = A.d0,
    k11 = A.d1,
    k12 = A.d2,
    k13 = A.d3;
  dsdt(A.s0 + h * k10, A.s1 + h * k11, A.s2 + h * k12, A.s3 + h * k13, a);
  const k20 = A.d0,
    k21 = A.d1,
    k22 = A.d2,
    k23 = A.d3;
  dsdt(A.s0 + h * k20, A.s1 + h * k21, A.s2 + h * k22, A.s3 + h * k23, a);
  const k30 = A.d0,
    k31 = A.d1,
    k32 = A.d2,
    k33 = A.d3;
  dsdt(A.s0 + dt * k30, A.s1 + dt * k31, A.s2 + dt * k32, A.s3 + dt * k33, a);
  // y0 + dt / 6 * (k1 + 2 k2 + 2 k3 + k4), numpy's order
  const w = dt / 6.0;
  A.s0 = wrap(A.s0 + w * (k10 + 2.0 * k20 + 2.0 * k30 + A.d0));
  A.s1 = wrap(A.s1 + w * (k11 + 2.0 * k21 + 2.0 * k31 + A.d1));
  A.s2 = bound(A.s2 + w * (k12 + 2.0 * k22 + 2.0 * k32 + A.d2), MAX_VEL_1);
  A.s3 = bound(A.s3 + w * (k13 + 2.0 * k23 + 2.0 * k33 + A.d3), MAX_VEL_2);
  return -Math.cos(A.s0) - Math.cos(A.s1 + A.s0) > 1.0 ? 1 : 0;
}

/** The state f64[4] (theta1, theta2, dtheta1, dtheta2): written at p, or read from p when set. */
export function acrobotState(p: usize, set: bool): void {
  if (set) {
    A.s0 = load<f64>(p, 0);
    A.s1 = load<f64>(p, 8);
    A.s2 = load<f64>(p, 16);
    A.s3 = load<f64>(p, 24);
  } else {
    store<f64>(p, A.s0, 0);
    store<f64>(p, A.s1, 8);
    store<f64>(p, A.s2, 16);
    store<f64>(p, A.s3, 24);
  }
}

/** Observation f32[6] at out: cos t1, sin t1, cos t2, sin t2, dt1, dt2 (Gymnasium's _get_ob as float32). */
export function acrobotObs(out: usize): void {
  store<f32>(out, <f32>Math.cos(A.s0), 0);
  store<f32>(out, <f32>Math.sin(A.s0), 4);
  store<f32>(out, <f32>Math.cos(A.s1), 8);
  store<f32>(out, <f32>Math.sin(A.s1), 12);
  store<f32>(out, <f32>A.s2, 16);
  store<f32>(out, <f32>A.s3, 20);
}
