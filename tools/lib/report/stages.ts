// Where a decision's instructions go, drawn: the per-stage counts of bench/model.ts or of the main job's decision
// costs (a JSON line, or the run log's "decision-stages" records) as one bar per kind and runtime, split into the
// matrix products and the glue around them.
import type { RunRecord } from "./runlog.ts";
import type { Section } from "./sections.ts";
import { esc, numCell, table, textCell } from "./format.ts";
import { shareBarChart, type StackedBar } from "./svg.ts";
import { STAGES, type DecisionCost } from "../board/decision-cost.ts";

export { STAGES };

/** One kind's counts on one runtime (emulated instructions). */
export interface StageCost {
  /** backbone_features, unprofiled */
  forward: number;
  /** per stage, STAGES order (a profiled run: the counters' own cost lands in the stages) */
  stages: number[];
  /** the whole decision (episode ticks / steps), null without a shipped agent */
  decision: number | null;
  /** decision = this forward + the ternary agent's part outside the backbone */
  decisionEstimated?: boolean;
}

export interface DecisionStages {
  env: string;
  stages: string[];
  rows: { kind: string; emulated: Record<string, StageCost> }[];
}

/** The chart's segments: stages grouped (indices into STAGES), then what the decision spends outside the backbone. */
export const SEGMENTS: { name: string; stages: number[] }[] = [
  { name: "matrix products", stages: [2] },
  { name: "norms and quantizers", stages: [1, 5, 7, 8] },
  { name: "outputs and RoPE", stages: [3, 4] },
  { name: "attention", stages: [6] },
  { name: "embedding", stages: [0] },
];
export const OUTSIDE = "head, tokenize, env step";

/** A runtime the project offers (not a measurement-only build such as qemu-m4/aot-unchecked). */
const offered = (runtime: string) => !runtime.endsWith("-unchecked");

/** Segment values of one cost: grouped stages, then decision - forward (0 when no decision, or when the episode's
 *  other observations made the forwards there cheaper than the bench's one: soft-float fp32 on qemu-rv32). */
export function segmentValues(c: StageCost): number[] {
  const outside = c.decision === null ? 0 : Math.max(0, c.decision - c.forward);
  return [...SEGMENTS.map((s) => s.stages.reduce((a, i) => a + c.stages[i], 0)), outside];
}

/** The record of a board run's decision costs that carry stages (measureDecisionCosts with `stages`): one row per
 *  agent, one runtime per backend; null when none does. */
export function decisionStagesRecord(env: string, board: string, costs: readonly DecisionCost[]) {
  const staged = costs.filter((c) => c.stages && c.forward !== undefined);
  if (!staged.length) return null;
  const rows: DecisionStages["rows"] = [];
  for (const c of staged) {
    let row = rows.find((r) => r.kind === c.agent);
    if (!row) rows.push((row = { kind: c.agent, emulated: {} }));
    row.emulated[`${board}/${c.backend}`] = { forward: c.forward!, stages: c.stages!, decision: c.ticksPerDecision };
  }
  return { env, board, source: "the main job's decision cost per backend", figure: "emulated", stages: STAGES, rows };
}

/** Reads bench/model.ts's JSON (or a run record of it), checking the stage list is the one drawn here and every
 *  count is a number: a bad record gets an Error naming what is wrong. */
export function asDecisionStages(v: Record<string, unknown>): DecisionStages {
  const stages = v.stages;
  if (!Array.isArray(stages) || stages.join("|") !== STAGES.join("|"))
    throw new Error(`decision stages: the stage list is not ${STAGES.length} stages of bench/model.ts's order`);
  if (!Array.isArray(v.rows)) throw new Error("decision stages: no rows");
  const isCount = (x: unknown) => typeof x === "number" && Number.isFinite(x);
  for (const r of v.rows as Record<string, unknown>[]) {
    const emulated = r?.emulated;
    if (typeof r?.kind !== "string" || typeof emulated !== "object" || emulated === null)
      throw new Error("decision stages: a row without a kind and its runtimes");
    for (const [rt, c] of Object.entries(emulated as Record<string, Partial<StageCost>>)) {
      const ok =
        isCount(c?.forward) &&
        Array.isArray(c?.stages) &&
        c.stages.length === STAGES.length &&
        c.stages.every(isCount) &&
        (c.decision === null || isCount(c.decision));
      if (!ok)
        throw new Error(
          `decision stages: ${r.kind} on ${rt}: forward, ${STAGES.length} stage counts and a decision expected`,
        );
    }
  }
  return { env: String(v.env ?? "?"), stages: STAGES, rows: v.rows as DecisionStages["rows"] };
}

const short = (v: number) => (v >= 1e6 ? `${(v / 1e6).toFixed(2)}M` : `${Math.round(v / 1e3)}K`);

/** One bar per runtime and kind (runtimes in the record's order, each a group), shares of the decision. */
export function decisionStagesChart(d: DecisionStages, standalone = false): string {
  const runtimes = [...new Set(d.rows.flatMap((r) => Object.keys(r.emulated)))].filter(offered);
  const bars: StackedBar[] = [];
  for (const rt of runtimes) {
    const group = bars.length; // the runtime's first bar starts a group
    for (const r of d.rows) {
      const c = r.emulated[rt];
      if (!c) continue;
      bars.push({
        label: `${r.kind}, ${rt}`,
        values: segmentValues(c),
        note: c.decision === null ? "forward only" : `${c.decisionEstimated ? "~" : ""}${short(c.decision)}`,
        gapBefore: group > 0 && bars.length === group,
      });
    }
  }
  return shareBarChart(
    `One ${d.env} decision by stage: shares, total instructions on the right (emulated)`,
    [...SEGMENTS.map((s) => s.name), OUTSIDE],
    bars,
    standalone,
  );
}

/** The report's section: per env, board and source (bench/model.ts, the main job), the latest record's chart and
 *  every number beside it. */
export function decisionStagesSection(recs: RunRecord[]): Section | null {
  const latest = new Map<string, RunRecord>();
  for (const r of recs.filter((r) => r.kind === "decision-stages")) {
    const key = `${String(r.env)}|${String(r.board)}|${String(r.source ?? "bench/model.ts")}`;
    latest.delete(key);
    latest.set(key, r);
  }
  if (!latest.size) return null;
  const html: string[] = [];
  for (const rec of latest.values()) {
    let d: DecisionStages;
    try {
      d = asDecisionStages(rec);
    } catch (e) {
      // one bad record does not take the page down: it is named where its chart would be
      html.push(
        `<p class="cap">${esc(`Skipped a decision-stages record${rec.time ? ` (${String(rec.time)})` : ""}: ${(e as Error).message}`)}</p>`,
      );
      continue;
    }
    const rows: string[][] = [];
    for (const r of d.rows)
      for (const [rt, c] of Object.entries(r.emulated))
        rows.push([
          textCell(r.kind),
          textCell(offered(rt) ? rt : `${rt} (measurement only)`),
          ...segmentValues(c).map((v) => numCell(v)),
          numCell(c.decision),
        ]);
    html.push(
      `<h3>${esc(`${d.env}, board ${String(rec.board ?? "?")}, from ${String(rec.source ?? "bench/model.ts")}`)}</h3>`,
      `<div class="tw">${decisionStagesChart(d)}</div>`,
      table(
        "Instructions per decision by stage group",
        ["kind", "runtime", ...SEGMENTS.map((s) => s.name), OUTSIDE, "decision"],
        rows,
        "wide",
      ),
    );
  }
  html.push(
    `<p class="cap">${esc(
      "Emulated QEMU instruction counts. Stages come from a run with the stage counters on, which cost a little each " +
        "(bench/model.ts: they sum to slightly more than the unprofiled forward; the main job takes that cost out of " +
        "the forward); the last segment is the decision minus the forward. ~ marks a kind without a shipped agent: " +
        "its forward plus the ternary agent's part outside the backbone.",
    )}</p>`,
  );
  return { id: "decision-stages", title: "Decision cost by stage", html: html.join("\n") };
}
