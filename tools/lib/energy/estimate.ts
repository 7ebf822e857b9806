// Energy per decision and per episode: estimated (time x the board profile's cited active power) or measured
// (marked windows of a meter trace), each figure carrying its kind and where its inputs came from.
import { BitrlError } from "../util/errors.ts";
import { activePowerW, ticksToSeconds, type BoardProfile } from "../board/profiles.ts";
import type { EnergyWindow } from "./integrate.ts";

/** How a figure was obtained (docs/architecture.md, "Kinds of figures"). */
export type FigureKind = "measured" | "emulated" | "estimated";

/** What one agent did on the board: the inputs of an estimate. */
export interface AgentWork {
  /** "fp32", "int8", "ternary" */
  agent: string;
  /** hal_clock() ticks summed over the run (instructions on QEMU boards, cycles on real ones) */
  ticks: number;
  decisions: number;
  episodes: number;
}

export interface EnergyFigure {
  agent: string;
  board: string;
  joulesPerDecision: number;
  joulesPerEpisode: number;
  secondsPerDecision: number;
  decisions: number;
  episodes: number;
  /** energy's kind: measured (meter) or estimated (time x power) */
  kind: "measured" | "estimated";
  /** where the time came from: emulated (QEMU instruction counts at the profile's clock) or measured */
  timeKind: "measured" | "emulated";
  /** the citation or meter the figure rests on */
  basis: string;
}

function checkWork(w: AgentWork): void {
  for (const [k, v] of [
    ["ticks", w.ticks],
    ["decisions", w.decisions],
    ["episodes", w.episodes],
  ] as const)
    if (!Number.isFinite(v) || v < 0)
      throw new BitrlError(`agent '${w.agent}': ${k} must be a finite number >= 0, got ${v}`);
  if (w.decisions === 0 || w.episodes === 0)
    throw new BitrlError(`agent '${w.agent}' made no decisions: nothing to divide the energy by`);
}

/** Estimated energy: seconds (ticks / clock) x active power (the profile's cited current x voltage). */
export function estimateAgent(board: BoardProfile, w: AgentWork): EnergyFigure {
  checkWork(w);
  const seconds = ticksToSeconds(board, w.ticks);
  const joules = seconds * activePowerW(board);
  const p = board.power!;
  const timeKind = board.kind === "emulated" ? "emulated" : "measured";
  const via =
    board.kind === "emulated"
      ? `time: QEMU instruction count at ${board.clockHz / 1e6} MHz, 1 instruction per cycle assumed (${board.emulates?.chip ?? board.cpu})`
      : `time: ${board.clockUnit} at ${board.clockHz / 1e6} MHz`;
  const basis = `power: ${p.activeCurrentMa} mA x ${p.supplyV} V from ${p.source} (${p.condition})${p.checked ? "" : ", not re-checked against the PDF"}; ${via}`;
  return figureFor(board, w, joules, seconds, "estimated", timeKind, basis);
}

/** One agent's figure from the energy and time its work took, per decision and per episode. */
function figureFor(
  board: BoardProfile,
  w: AgentWork,
  joules: number,
  seconds: number,
  kind: EnergyFigure["kind"],
  timeKind: EnergyFigure["timeKind"],
  basis: string,
): EnergyFigure {
  return {
    agent: w.agent,
    board: board.id,
    joulesPerDecision: joules / w.decisions,
    joulesPerEpisode: joules / w.episodes,
    secondsPerDecision: seconds / w.decisions,
    decisions: w.decisions,
    episodes: w.episodes,
    kind,
    timeKind,
    basis,
  };
}

/** Measured energy. The firmware raises its marker for each episode (docs/energy.md), so the trace holds one
 *  window per episode, agent after agent: agent k owns the next `work[k].episodes` windows. */
export function measuredAgents(
  board: BoardProfile,
  windows: EnergyWindow[],
  work: AgentWork[],
  meter: string,
): EnergyFigure[] {
  const expected = work.reduce((a, w) => a + w.episodes, 0);
  if (windows.length !== expected)
    throw new BitrlError(
      `the trace has ${windows.length} marked windows but ${expected} episodes ran: check the marker wiring (docs/energy.md)`,
    );
  let next = 0;
  return work.map((w) => {
    checkWork(w);
    const mine = windows.slice(next, next + w.episodes);
    next += w.episodes;
    const joules = mine.reduce((a, x) => a + x.joules, 0);
    const seconds = mine.reduce((a, x) => a + x.seconds, 0);
    const basis = `${meter}: integral of V*I over ${mine.length} marked window(s), ${seconds.toFixed(4)} s, mean ${(seconds > 0 ? (joules / seconds) * 1000 : 0).toFixed(2)} mW`;
    return figureFor(board, w, joules, seconds, "measured", "measured", basis);
  });
}
