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

// the state (theta1, theta2, dtheta1, dtheta2), f64 like Gymnasium's numpy array after the first step
const s = new StaticArray<f64>(4);
const k1 = new StaticArray<f64>(4);
const k2 = new StaticArray<f64>(4);
const k3 = new StaticArray<f64>(4);
const k4 = new StaticArray<f64>(4);
const y = new StaticArray<f64>(4);

/** Gymnasium's reset: np_random.uniform(-0.1, 0.1, 4) (as -0.1 + 0.2 u) rounded to float32, as it casts. */
export function acrobotReset(): void {
  for (let i = 0; i < 4; i++) {
    const v: f64 = -0.1 + 0.2 * rngUniform(); // in f64 first: inside <f32>(...) the literals would be f32
    unchecked((s[i] = <f64><f32>v));
  }
}

/** Gymnasium's _dsdt (book) at state y with torque a, written into out; constants folded where exact. */
function dsdt(y: StaticArray<f64>, a: f64, out: StaticArray<f64>): void {
  const theta1 = unchecked(y[0]);
  const theta2 = unchecked(y[1]);
  const dtheta1 = unchecked(y[2]);
  const dtheta2 = unchecked(y[3]);
  // m1 = m2 = l1 = 1, lc1 = lc2 = 0.5, I1 = I2 = 1
  const d1 = 0.25 + (1.25 + 1.0 * Math.cos(theta2)) + 1.0 + 1.0;
  const d2 = (0.25 + 0.5 * Math.cos(theta2)) + 1.0;
  const phi2 = 0.5 * G * Math.cos(theta1 + theta2 - PI / 2.0);
  const phi1 = -0.5 * (dtheta2 * dtheta2) * Math.sin(theta2) - 1.0 * dtheta2 * dtheta1 * Math.sin(theta2) +
    1.5 * G * Math.cos(theta1 - PI / 2.0) + phi2;
  const ddtheta2 = (a + (d2 / d1) * phi1 - 0.5 * (dtheta1 * dtheta1) * Math.sin(theta2) - phi2) / (1.25 - (d2 * d2) / d1);
  const ddtheta1 = -(d2 * ddtheta2 + phi1) / d1;
  unchecked((out[0] = dtheta1));
  unchecked((out[1] = dtheta2));
  unchecked((out[2] = ddtheta1));
  unchecked((out[3] = ddtheta2));
}

/** y = s + h * k elementwise (numpy's y0 + dt2 * k). */
function axpy(h: f64, k: StaticArray<f64>): void {
  for (let i = 0; i < 4; i++) unchecked((y[i] = s[i] + h * k[i]));
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
  const dt2: f64 = dt / 2.0;
  dsdt(s, a, k1);
  axpy(dt2, k1);
  dsdt(y, a, k2);
  axpy(dt2, k2);
  dsdt(y, a, k3);
  axpy(dt, k3);
  dsdt(y, a, k4);
  for (let i = 0; i < 4; i++) {
    unchecked((s[i] = s[i] + (dt / 6.0) * (k1[i] + 2.0 * k2[i] + 2.0 * k3[i] + k4[i])));
  }
  unchecked((s[0] = wrap(s[0])));
  unchecked((s[1] = wrap(s[1])));
  unchecked((s[2] = bound(s[2], MAX_VEL_1)));
  unchecked((s[3] = bound(s[3], MAX_VEL_2)));
  return -Math.cos(unchecked(s[0])) - Math.cos(unchecked(s[1] + s[0])) > 1.0 ? 1 : 0;
}

/** state f64[4] at out: (theta1, theta2, dtheta1, dtheta2). */
export function acrobotState(out: usize): void {
  for (let i = 0; i < 4; i++) store<f64>(out + (<usize>i << 3), unchecked(s[i]));
}

/** Sets the state from f64[4] at src. */
export function acrobotSetState(src: usize): void {
  for (let i = 0; i < 4; i++) unchecked((s[i] = load<f64>(src + (<usize>i << 3))));
}

/** Observation f32[6] at out: cos t1, sin t1, cos t2, sin t2, dt1, dt2 (Gymnasium's _get_ob as float32). */
export function acrobotObs(out: usize): void {
  const t1 = unchecked(s[0]);
  const t2 = unchecked(s[1]);
  store<f32>(out, <f32>Math.cos(t1), 0);
  store<f32>(out, <f32>Math.sin(t1), 4);
  store<f32>(out, <f32>Math.cos(t2), 8);
  store<f32>(out, <f32>Math.sin(t2), 12);
  store<f32>(out, <f32>unchecked(s[2]), 16);
  store<f32>(out, <f32>unchecked(s[3]), 20);
}
