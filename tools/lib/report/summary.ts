// The main job's figures from one board run, pure: model bytes vs fp32, peak RAM vs budget, speed and estimated
// energy per decision, as run-log records and as the short terminal summary.
import type { Blob } from "../format/types.ts";
import type { BoardProfile } from "../board/profiles.ts";
import { estimateAgent, type AgentWork, type EnergyFigure } from "../energy/estimate.ts";
import { peakRamBytes, type RamInfo } from "../board/ram.ts";

/** Bytes the same tensors take as fp32: every element 4 bytes (scales and packing overhead not counted). */
export function fp32Bytes(blob: Blob): number {
  return blob.tensors.reduce((a, t) => a + 4 * t.shape.reduce((x, y) => x * y, 1), 0);
}


export interface AgentRun {
  work: AgentWork;
  meanReturn: number;
  modelFileBytes: number;
  fp32Bytes: number;
  model: string;
  /** the firmware's accounting after this agent ran (boards booted per agent), else the run's `ram` */
  ram?: RamInfo | null;
}

export interface BoardRunSummary {
  board: BoardProfile;
  env: string;
  via: string;
  ram: RamInfo | null;
  agents: AgentRun[];
}

const kindOfTime = (b: BoardProfile) => (b.kind === "emulated" ? "emulated" : "measured");

/** Run-log records for `bitrl report`: per agent one "run", two "bench" (ticks and ms per decision) and one
 *  "memory"; one "energy" for all. */
export function summaryRecords(s: BoardRunSummary): { kind: string; record: Record<string, unknown> }[] {
  const b = s.board;
  const out: { kind: string; record: Record<string, unknown> }[] = [];
  const figs: EnergyFigure[] = b.power ? s.agents.map((a) => estimateAgent(b, a.work)) : [];
  for (const a of s.agents) {
    const ram = a.ram ?? s.ram;
    const peak = ram ? peakRamBytes(ram) : null;
    const secs = a.work.ticks / b.clockHz;
    out.push({ kind: "run", record: {
      board: b.id, env: s.env, agent: a.work.agent, model: a.model, via: s.via, episodes: a.work.episodes, meanReturn: a.meanReturn,
      decisions: a.work.decisions, ticksPerDecision: a.work.ticks / a.work.decisions, tickUnit: b.clockUnit,
      decisionsPerSecond: secs > 0 ? a.work.decisions / secs : null, timeKind: kindOfTime(b),
    } });
    // latency bars per backbone in the report (kernel benches add their own "bench" records)
    out.push({ kind: "bench", record: { name: `${s.env} ${a.work.agent} decision`, metric: `${b.clockUnit}/decision`, value: a.work.ticks / a.work.decisions, figure: kindOfTime(b), board: b.id } });
    out.push({ kind: "bench", record: { name: `${s.env} ${a.work.agent} decision`, metric: "ms/decision", value: (secs / a.work.decisions) * 1000, figure: kindOfTime(b), board: b.id } });
    out.push({ kind: "memory", record: {
      name: `${s.env}-${a.work.agent}`, board: b.id, modelBytes: a.modelFileBytes, fp32Bytes: a.fp32Bytes,
      peakRamBytes: peak, ramBudgetBytes: b.ramBytes, figure: ram ? "firmware accounting" : "n/a",
    } });
  }
  if (figs.length) out.push({ kind: "energy", record: { board: b.id, source: "estimate", via: s.via, figures: figs } });
  return out;
}

/** The terminal summary: a few lines, every figure with its kind. */
export function summaryLines(s: BoardRunSummary): string[] {
  const b = s.board;
  const tk = kindOfTime(b);
  const unit = b.clockUnit === "instructions" ? "instructions" : b.clockUnit;
  const lines = [`board ${b.id} (${b.title}) via ${s.via}, env ${s.env}`];
  for (const a of s.agents) {
    const per = a.work.ticks / a.work.decisions;
    const dps = a.work.decisions / (a.work.ticks / b.clockHz);
    const e = b.power ? estimateAgent(b, a.work) : null;
    lines.push(
      `${a.work.agent.padEnd(8)} return ${a.meanReturn.toFixed(1)} (mean of ${a.work.episodes} greedy episode${a.work.episodes === 1 ? "" : "s"})` +
        ` | ${dps.toFixed(1)} decisions/s (${tk}, ${b.clockHz / 1e6} MHz) | ${Math.round(per)} ${unit}/decision (${tk})` +
        ` | model ${a.modelFileBytes} B vs fp32 ${a.fp32Bytes} B (${(a.fp32Bytes / a.modelFileBytes).toFixed(1)}x)` +
        (e ? ` | ${(e.joulesPerDecision * 1e6).toFixed(2)} uJ/decision (estimated)` : ""),
    );
  }
  const fp32 = s.agents.find((a) => a.work.agent === "fp32");
  for (const a of s.agents) {
    if (!fp32 || a === fp32) continue;
    const r = (fp32.work.ticks / fp32.work.decisions) / (a.work.ticks / a.work.decisions);
    lines.push(`fp32 / ${a.work.agent}: ${r.toFixed(2)}x ${unit} per decision (${tk})${b.power ? `, so ${r.toFixed(2)}x estimated energy per decision` : ""}`);
  }
  for (const a of s.agents) {
    const ram = a.ram ?? s.ram;
    if (!ram) continue;
    const peak = peakRamBytes(ram);
    lines.push(`${a.work.agent.padEnd(8)} peak RAM ${peak} B of the ${b.ramBytes} B budget (${((100 * peak) / b.ramBytes).toFixed(1)}%, firmware accounting)`);
  }
  if (b.power) lines.push(`energy basis: ${b.power.activeCurrentMa} mA x ${b.power.supplyV} V, ${b.power.source}${b.power.checked ? "" : " (not re-checked against the PDF)"}`);
  return lines;
}
