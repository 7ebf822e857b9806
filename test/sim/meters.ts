// Starts a simulated meter (test/sim/meter_sim.py) on a pseudo-terminal for a test and stops it afterwards.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export interface Segment {
  /** samples in this segment */
  n: number;
  /** current, uA */
  uA: number;
  /** marker level 0/1 */
  mark: number;
}

export interface Scenario {
  vdd_mV: number;
  /** INA meter only: microseconds between samples */
  period_us?: number;
  segments: Segment[];
}

export interface SimMeter {
  path: string;
  stop(): void;
}

const script = join(dirname(fileURLToPath(import.meta.url)), "meter_sim.py");

/** Spawns the simulator and resolves with the pty slave path once it is listening. */
export function startSimMeter(kind: "ppk2" | "ina", scenario: Scenario): Promise<SimMeter> {
  const dir = mkdtempSync(join(tmpdir(), "bitrl-sim-"));
  const file = join(dir, "scenario.json");
  writeFileSync(file, JSON.stringify(scenario));
  const child: ChildProcess = spawn("python3", [script, kind, file], { stdio: ["pipe", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error("simulated meter did not start within 5 s")), 5000);
    child.on("error", reject);
    child.stdout!.on("data", (b: Buffer) => {
      out += b.toString();
      const m = /PTY (\S+)\n/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ path: m[1], stop: () => { child.stdin!.end(); child.kill(); } });
      }
    });
  });
}
