// Per-stage cost of the backbone forward (bench/model.ts): when switched on, each stage's clock() ticks are summed
// into one counter (instructions on QEMU boards, cycles on real boards, ns in V8). Off (the default) a mark costs a
// branch on one global. The clock import itself costs a little (it lands in the stage after each mark), so stage
// sums run slightly above an unprofiled forward; bench/model.ts reports both.
import { clock } from "../host";

/** Stages: embedding, RMSNorm + activation quantization, matrix products (incl. weight streaming), their outputs
 *  (rescale + residual add, raw stores, ReLU^2), RoPE, the attention's q/k quantization, the rest of the attention
 *  (scores, softmax, weighted v), quantization of the attention output and FFN hidden, final norm (features). */
export const ST_EMBED: i32 = 0;
export const ST_NORM: i32 = 1;
export const ST_MATVEC: i32 = 2;
export const ST_OUT: i32 = 3;
export const ST_ROPE: i32 = 4;
export const ST_ATT_QUANT: i32 = 5;
export const ST_ATTENTION: i32 = 6;
export const ST_QUANT: i32 = 7;
export const ST_FEATURES: i32 = 8;
export const STAGES: i32 = 9;

const ticks = new StaticArray<i64>(STAGES);
let on = false;
let last: i64 = 0;

/** Starts a forward's timing (when on). */
// @ts-ignore: decorator
@inline export function profileStart(): void {
  if (on) last = clock();
}

/** Charges the ticks since the previous mark to `stage` (when on). Not inlined: one call per mark site keeps the
 *  forward's compiled code small under wasm3 (a call costs a few dozen instructions when off). */
export function mark(stage: i32): void {
  if (!on) return;
  const t = clock();
  unchecked((ticks[stage] += t - last));
  last = t;
}

/** Switches profiling on (counters reset) or off; writes the counters i64[STAGES] to out when out != 0 (a range the
 *  caller checked). */
export function profileControl(enable: bool, out: usize): void {
  if (out) for (let i = 0; i < STAGES; i++) store<i64>(out + <usize>(i << 3), unchecked(ticks[i]));
  if (enable) for (let i = 0; i < STAGES; i++) unchecked((ticks[i] = 0));
  on = enable;
}
