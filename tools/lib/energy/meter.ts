// What every current meter offers the energy command: start recording, stop and hand back the trace.
import type { PowerTrace } from "./integrate.ts";

export interface Meter {
  /** one line naming the meter and its settings, e.g. "PPK2 source meter 3000 mV, 100 kHz" */
  readonly description: string;
  /** starts sampling (the device under test should be idle until this resolves) */
  start(): Promise<void>;
  /** stops sampling and returns everything recorded since start() */
  stop(): Promise<PowerTrace>;
  close(): Promise<void>;
}
