// The energy comparison end to end: get each agent's work (from a counts file or by running it on the board),
// optionally record a meter meanwhile, and turn both into labelled figures.
import { readFileSync, existsSync } from "node:fs";
import { BitrlError } from "../util/errors.ts";
import type { BoardProfile } from "../board/profiles.ts";
import { estimateAgent, measuredAgents, type AgentWork, type EnergyFigure } from "./estimate.ts";
import { markedWindows } from "./integrate.ts";
import type { Meter } from "./meter.ts";
import { runAgentSession, type AgentBoard, type AgentModel } from "./session.ts";

export type EnergySource = "estimate" | "ppk2" | "ina";

/** Reads a counts file: {"clockUnit"?: "instructions", "agents": [{agent, ticks, decisions, episodes}]}. */
export function readCounts(path: string, board: BoardProfile): AgentWork[] {
  if (!existsSync(path)) throw new BitrlError(`counts file '${path}' does not exist`);
  let j: { clockUnit?: unknown; agents?: unknown };
  try {
    j = JSON.parse(readFileSync(path, "utf8"));
  } catch {
    throw new BitrlError(`counts file '${path}' is not JSON`);
  }
  if (j.clockUnit !== undefined && j.clockUnit !== board.clockUnit)
    throw new BitrlError(
      `counts file '${path}' counts ${String(j.clockUnit)} but board '${board.id}' ticks in ${board.clockUnit}`,
    );
  if (!Array.isArray(j.agents) || !j.agents.length)
    throw new BitrlError(`counts file '${path}' needs a non-empty "agents" array`);
  return j.agents.map((a: Record<string, unknown>, i: number) => {
    const w = {
      agent: String(a.agent ?? ""),
      ticks: Number(a.ticks),
      decisions: Number(a.decisions),
      episodes: Number(a.episodes),
    };
    if (!w.agent || ![w.ticks, w.decisions, w.episodes].every(Number.isFinite))
      throw new BitrlError(`counts file '${path}': agents[${i}] needs agent, ticks, decisions, episodes`);
    return w;
  });
}

export interface EnergyResult {
  figures: EnergyFigure[];
  /** (agents) mean greedy return per agent when the agents ran on the board */
  meanReturn: number[] | null;
}

/** Estimates straight from work counts (no board needed). */
export function estimateFromWork(board: BoardProfile, work: AgentWork[]): EnergyResult {
  return { figures: work.map((w) => estimateAgent(board, w)), meanReturn: null };
}

/** Runs the agents on a connected board; with a meter the figures are measured, else estimated. */
export async function energyOnBoard(
  board: BoardProfile,
  client: AgentBoard,
  models: AgentModel[],
  o: {
    episodes: number;
    seed: number;
    maxSteps: number;
    meter?: Meter;
    onEpisode?: (agent: string, done: number, total: number) => void;
  },
): Promise<EnergyResult> {
  const s = await runAgentSession(client, models, o);
  if (o.meter && s.trace)
    return {
      figures: measuredAgents(board, markedWindows(s.trace), s.work, o.meter.description),
      meanReturn: s.meanReturn,
    };
  return { figures: s.work.map((w) => estimateAgent(board, w)), meanReturn: s.meanReturn };
}

/** The figures as a text table, one agent a row, then each row's basis and the ratios to the fp32 agent. */
export function formatEnergyTable(figs: EnergyFigure[]): string {
  const head = ["agent", "uJ/decision", "mJ/episode", "ms/decision", "energy", "time"];
  const rows = figs.map((f) => [
    f.agent,
    (f.joulesPerDecision * 1e6).toPrecision(4),
    (f.joulesPerEpisode * 1e3).toPrecision(4),
    (f.secondsPerDecision * 1e3).toPrecision(4),
    f.kind,
    f.timeKind,
  ]);
  const w = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (r: string[]) => r.map((x, c) => (c === 0 || c >= 4 ? x.padEnd(w[c]) : x.padStart(w[c]))).join("  ");
  const out = [line(head), ...rows.map(line)];
  const fp32 = figs.find((f) => f.agent === "fp32");
  for (const f of figs)
    if (fp32 && f !== fp32 && f.joulesPerDecision > 0)
      out.push(`fp32 / ${f.agent} energy per decision: ${(fp32.joulesPerDecision / f.joulesPerDecision).toFixed(2)}x`);
  const bases = [...new Set(figs.map((f) => f.basis))];
  for (const b of bases) out.push(`basis: ${b}`);
  return out.join("\n");
}
