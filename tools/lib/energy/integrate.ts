// Measured energy: the integral of V * I over each marked window of a power trace (docs/architecture.md, "Kinds of figures").
import { BitrlError } from "../util/errors.ts";

/** A recording from a current meter, one entry per sample, times ascending. */
export interface PowerTrace {
  /** (n) seconds since the recording started */
  t: Float64Array;
  /** (n) supply voltage at the device under test, V */
  volts: Float64Array;
  /** (n) supply current, A (the meter's average over the sample period) */
  amps: Float64Array;
  /** (n) 1 while the firmware's marker was high, else 0 */
  mark: Uint8Array;
  /** seconds one sample stands for when the meter has a fixed rate (PPK2: 1e-5); null: use the time stamps */
  period: number | null;
}

/** One marked window: a maximal run of samples with the marker high. */
export interface EnergyWindow {
  /** index of its first and one past its last sample */
  first: number;
  end: number;
  startS: number;
  seconds: number;
  joules: number;
  meanWatts: number;
}

/** Checks the trace's arrays agree in length and its times ascend; a one-line error otherwise. */
export function checkTrace(tr: PowerTrace): void {
  const n = tr.t.length;
  if (tr.volts.length !== n || tr.amps.length !== n || tr.mark.length !== n)
    throw new BitrlError(
      `power trace arrays differ in length (t ${n}, volts ${tr.volts.length}, amps ${tr.amps.length}, mark ${tr.mark.length})`,
    );
  for (let i = 1; i < n; i++)
    if (!(tr.t[i] > tr.t[i - 1]))
      throw new BitrlError(`power trace times do not ascend at sample ${i} (${tr.t[i - 1]} then ${tr.t[i]})`);
  if (tr.period !== null && !(tr.period > 0)) throw new BitrlError(`power trace period must be > 0, got ${tr.period}`);
}

/** Seconds sample i stands for: the fixed period, or the time to the next sample (the last one repeats the
 *  previous interval). A sample is the meter's average since the previous one, so a rectangle rule is exact
 *  for what the meter reports; a trapezoid would invent values between samples. */
export function sampleSeconds(tr: PowerTrace, i: number): number {
  if (tr.period !== null) return tr.period;
  const n = tr.t.length;
  if (n < 2) throw new BitrlError("a time-stamped power trace needs at least 2 samples");
  return i + 1 < n ? tr.t[i + 1] - tr.t[i] : tr.t[i] - tr.t[i - 1];
}

/** Energy sum(V_i * I_i * dt_i) over samples [first, end). */
export function integrate(tr: PowerTrace, first = 0, end = tr.t.length): { joules: number; seconds: number } {
  let joules = 0;
  let seconds = 0;
  for (let i = first; i < end; i++) {
    const dt = sampleSeconds(tr, i);
    joules += tr.volts[i] * tr.amps[i] * dt;
    seconds += dt;
  }
  return { joules, seconds };
}

/** Every marked window in order; window k is the k-th workload the firmware ran (docs/energy.md). */
export function markedWindows(tr: PowerTrace): EnergyWindow[] {
  checkTrace(tr);
  const out: EnergyWindow[] = [];
  const n = tr.t.length;
  let i = 0;
  while (i < n) {
    if (!tr.mark[i]) {
      i++;
      continue;
    }
    let j = i;
    while (j < n && tr.mark[j]) j++;
    const { joules, seconds } = integrate(tr, i, j);
    out.push({ first: i, end: j, startS: tr.t[i], seconds, joules, meanWatts: seconds > 0 ? joules / seconds : 0 });
    i = j;
  }
  return out;
}
