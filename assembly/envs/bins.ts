// Tokens of a continuous observation (cartpole, acrobot, mountaincar): value i in [lo_i, lo_i + width_i] maps to
// bin floor((v - lo_i) * bins / width_i) clamped to 0..bins-1 (computed in f64), token = i * bins + bin.
// Reference twin: tools/lib/reference/envs.ts (binTokens).

/** Tokens i32[n] at out from an observation f32[n] at obs, with per-value lo and width f64 from lo[at], width[at]. */
export function binTokens(
  obs: usize,
  out: usize,
  n: i32,
  lo: StaticArray<f64>,
  width: StaticArray<f64>,
  at: i32,
  bins: i32,
): void {
  for (let i = 0; i < n; i++) {
    const v = <f64>load<f32>(obs + ((<usize>i) << 2));
    const b = Math.floor(((v - unchecked(lo[at + i])) * <f64>bins) / unchecked(width[at + i]));
    // clamp in f64 before converting (NaN fails both tests and lands in bin 0)
    const bin = b >= <f64>(bins - 1) ? bins - 1 : b >= 0.0 ? <i32>b : 0;
    store<i32>(out + ((<usize>i) << 2), i * bins + bin);
  }
}
