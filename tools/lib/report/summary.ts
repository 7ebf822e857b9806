// The main job's figures from one board run, pure: model bytes vs fp32, peak RAM vs budget, speed and estimated
// energy per decision, as run-log records and as the short terminal summary.
import type { Blob } from "../format/types.ts";
import type { BoardProfile } from "../board/profiles.ts";
import { estimateAgent, type AgentWork, type EnergyFigure } from "../energy/estimate.ts";
import { peakRamBytes, type RamInfo } from "../board/ram.ts";
import { getBoard } from "../board/profiles.ts";
import type { DecisionCost } from "../board/decision-cost.ts";
import { decisionStagesRecord } from "./stages.ts";

/** Bytes the same tensors take as fp32: every element 4 bytes (scales and packing overhead not counted). */
export function fp32Bytes(blob: Blob): number {
  return blob.tensors.reduce((a, t) => a + 4 * t.shape.reduce((x, y) => x * y, 1), 0);
}

export interface AgentRun {
  work: AgentWork;
  meanReturn: number;
  modelFileBytes: number;
  /** the model's identity (format/blob.ts modelId): two runs of the same model show the same id */
  modelId?: string;
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
  /** per backend, the fp32 and ternary agents' cost of one decision on this board (measureDecisionCosts) */
  decisionCosts?: DecisionCost[];
}

/** Control periods the decision must fit: Gymnasium CartPole-v1 steps its physics by tau = 0.02 s. */
const CONTROL_PERIOD_MS: Record<string, number> = { cartpole: 20 };
/** The slowest supported real board, whose clock the per-backend table is estimated at. */
const SLOWEST = "nrf52840_dk";

const kindOfTime = (b: BoardProfile) => (b.kind === "emulated" ? "emulated" : "measured");

/** Run-log records for `bitrl report`: per agent one "run", two "bench" (ticks and ms per decision) and one
 *  "memory"; one "energy" for all; one "decision-stages" when the decision costs carry stages (emulated boards). */
export function summaryRecords(s: BoardRunSummary): { kind: string; record: Record<string, unknown> }[] {
  const b = s.board;
  const out: { kind: string; record: Record<string, unknown> }[] = [];
  const figs: EnergyFigure[] = b.power ? s.agents.map((a) => estimateAgent(b, a.work)) : [];
  for (const a of s.agents) {
    const ram = a.ram ?? s.ram;
    const peak = ram ? peakRamBytes(ram) : null;
    const secs = a.work.ticks / b.clockHz;
    out.push({
      kind: "run",
      record: {
        board: b.id,
        env: s.env,
        agent: a.work.agent,
        model: a.model,
        model_id: a.modelId ?? null,
        via: s.via,
        episodes: a.work.episodes,
        meanReturn: a.meanReturn,
        decisions: a.work.decisions,
        ticksPerDecision: a.work.ticks / a.work.decisions,
        tickUnit: b.clockUnit,
        decisionsPerSecond: secs > 0 ? a.work.decisions / secs : null,
        timeKind: kindOfTime(b),
      },
    });
    // latency bars per backbone in the report (kernel benches add their own "bench" records)
    out.push({
      kind: "bench",
      record: {
        name: `${s.env} ${a.work.agent} decision`,
        metric: `${b.clockUnit}/decision`,
        value: a.work.ticks / a.work.decisions,
        figure: kindOfTime(b),
        board: b.id,
      },
    });
    out.push({
      kind: "bench",
      record: {
        name: `${s.env} ${a.work.agent} decision`,
        metric: "ms/decision",
        value: (secs / a.work.decisions) * 1000,
        figure: kindOfTime(b),
        board: b.id,
      },
    });
    out.push({
      kind: "memory",
      record: {
        name: `${s.env}-${a.work.agent}`,
        board: b.id,
        modelBytes: a.modelFileBytes,
        fp32Bytes: a.fp32Bytes,
        peakRamBytes: peak,
        ramBudgetBytes: b.ramBytes,
        figure: ram ? "firmware accounting" : "n/a",
      },
    });
  }
  for (const c of s.decisionCosts ?? []) {
    out.push({
      kind: "bench",
      record: {
        name: `${s.env} ${c.agent} decision (${c.backend})`,
        metric: `${c.tickUnit}/decision`,
        value: c.ticksPerDecision,
        figure: kindOfTime(b),
        board: b.id,
      },
    });
  }
  const staged = b.kind === "emulated" ? decisionStagesRecord(s.env, b.id, s.decisionCosts ?? []) : null;
  if (staged) out.push({ kind: "decision-stages", record: staged });
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
        ` | ${((1000 * per) / b.clockHz).toFixed(1)} ms/decision, ${dps.toFixed(1)} decisions/s (${tk}, ${b.clockHz / 1e6} MHz) | ${Math.round(per)} ${unit}/decision (${tk})` +
        ` | model ${a.modelFileBytes} B vs fp32 ${a.fp32Bytes} B (${(a.fp32Bytes / a.modelFileBytes).toFixed(1)}x)` +
        (e ? ` | ${(e.joulesPerDecision * 1e6).toFixed(2)} uJ/decision (estimated)` : ""),
    );
  }
  const fp32 = s.agents.find((a) => a.work.agent === "fp32");
  for (const a of s.agents) {
    if (!fp32 || a === fp32) continue;
    const r = fp32.work.ticks / fp32.work.decisions / (a.work.ticks / a.work.decisions);
    lines.push(
      `fp32 / ${a.work.agent}: ${r.toFixed(2)}x ${unit} per decision (${tk})${b.power ? `, so ${r.toFixed(2)}x estimated energy per decision` : ""}`,
    );
  }
  for (const a of s.agents) {
    const ram = a.ram ?? s.ram;
    if (!ram) continue;
    const peak = peakRamBytes(ram);
    lines.push(
      `${a.work.agent.padEnd(8)} peak RAM ${peak} B of the ${b.ramBytes} B budget (${((100 * peak) / b.ramBytes).toFixed(1)}%, firmware accounting)`,
    );
  }
  lines.push(...decisionCostLines(s));
  if (b.power)
    lines.push(
      `energy basis: ${b.power.activeCurrentMa} mA x ${b.power.supplyV} V, ${b.power.source}${b.power.checked ? "" : " (not re-checked against the PDF)"}`,
    );
  return lines;
}

/** Per backend: ternary and fp32 cost of one decision, ms at the slowest real board's clock (estimated, one tick per
 *  cycle), the fp32 / ternary ratio, and which backends fit the env's control period. */
function decisionCostLines(s: BoardRunSummary): string[] {
  const costs = s.decisionCosts ?? [];
  const backends = [...new Set(costs.map((c) => c.backend))];
  if (!backends.length) return [];
  const slow = getBoard(SLOWEST);
  const tk = kindOfTime(s.board);
  const ms = (ticks: number) => `${((1000 * ticks) / slow.clockHz).toFixed(1)} ms`;
  const fmt = (v: number) => Math.round(v).toLocaleString("en-US");
  const unit = costs[0].tickUnit;
  const lines = [
    `one decision per backend (${unit}: ${tk}, ${costs[0].steps} greedy steps; ms: estimated at the ${slow.title}'s ${slow.clockHz / 1e6} MHz, one ${unit === "instructions" ? "instruction" : "tick"} per cycle):`,
  ];
  const fits: string[] = [],
    misses: string[] = [];
  const period = CONTROL_PERIOD_MS[s.env];
  for (const backend of backends) {
    const of = (agent: string) => costs.find((c) => c.backend === backend && c.agent === agent)?.ticksPerDecision;
    const tern = of("ternary"),
      fp32 = of("fp32");
    const parts = [backend.padEnd(13)];
    if (tern !== undefined) parts.push(`ternary ${fmt(tern)} (${ms(tern)})`);
    if (fp32 !== undefined) parts.push(`fp32 ${fmt(fp32)} (${ms(fp32)})`);
    // like for like on every backend: in wasm3+native both kinds' hot kernels are C (the fp32 forward's k_baseline
    // imports, docs/abi.md), in aot both are compiled, in wasm3 both interpreted
    if (tern !== undefined && fp32 !== undefined) parts.push(`fp32 / ternary ${(fp32 / tern).toFixed(2)}x`);
    lines.push(`  ${parts.join(" | ")}`);
    if (tern !== undefined && period !== undefined)
      ((1000 * tern) / slow.clockHz <= period ? fits : misses).push(backend);
  }
  if (period !== undefined && fits.length + misses.length) {
    lines.push(
      `ternary within ${s.env}'s ${period} ms control period at ${slow.clockHz / 1e6} MHz (estimated): ${fits.length ? fits.join(", ") : "none"}${misses.length ? `; not ${misses.join(", ")}` : ""}`,
    );
  }
  return lines;
}
