// Turns run-log records into report sections (a chart and the table of its numbers), one builder per kind.
import type { RunRecord } from "./runlog.ts";
import { esc, fmt, numCell, table, textCell } from "./format.ts";
import { barChart, lineChart, type Bar, type LineSeries } from "./svg.ts";
import { ci95, mean } from "../util/stats.ts";

export interface Section {
  id: string;
  title: string;
  html: string;
}

const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);
const str = (v: unknown, d = "-"): string => (typeof v === "string" || typeof v === "number" ? String(v) : d);
const isReturns = (v: unknown): v is number[] => Array.isArray(v) && v.every((x) => typeof x === "number");

/** Keeps the last record for each key (later runs replace earlier ones of the same thing). */
function lastBy(recs: RunRecord[], key: (r: RunRecord) => string): RunRecord[] {
  const m = new Map<string, RunRecord>();
  for (const r of recs) {
    const k = key(r);
    m.delete(k);
    m.set(k, r);
  }
  return [...m.values()];
}

/** Trailing moving average over `w` values (the first ones average what there is), so long noisy curves read. */
export function movingAverage(xs: number[], w: number): number[] {
  const out: number[] = [];
  let sum = 0;
  for (let i = 0; i < xs.length; i++) {
    sum += xs[i];
    if (i >= w) sum -= xs[i - w];
    out.push(sum / Math.min(i + 1, w));
  }
  return out;
}

/** About 40 points of independent averages across a curve; no smoothing for short ones. */
const smoothWindow = (len: number) => (len >= 100 ? Math.round(len / 40) : 1);

/** Learning curves: kind "train", {agent, env?, seed, returns[]}: mean over seeds with a min..max band. */
export function trainSection(recs: RunRecord[]): Section | null {
  const rs = recs.filter((r) => r.kind === "train" && isReturns(r.returns) && (r.returns as number[]).length > 0);
  if (!rs.length) return null;
  const groups = new Map<string, RunRecord[]>();
  for (const r of lastBy(rs, (r) => `${str(r.env)}|${str(r.agent)}|${str(r.seed)}`)) {
    const k = `${str(r.env)}|${str(r.agent)}`;
    groups.set(k, [...(groups.get(k) ?? []), r]);
  }
  const envs = [...new Set([...groups.keys()].map((k) => k.split("|")[0]))];
  const html: string[] = [];
  for (const env of envs) {
    const series: LineSeries[] = [];
    const rows: string[][] = [];
    const finals = new Map<string, number>();
    let window = 1;
    for (const [k, g] of groups) {
      if (k.split("|")[0] !== env) continue;
      const agent = k.split("|")[1];
      const curves = g.map((r) => r.returns as number[]);
      const len = Math.max(...curves.map((c) => c.length));
      const smoothed = curves.map((c) => movingAverage(c, smoothWindow(len)));
      window = Math.max(window, smoothWindow(len));
      const x: number[] = [],
        y: number[] = [],
        lo: number[] = [],
        hi: number[] = [];
      for (let i = 0; i < len; i++) {
        const vals = smoothed.filter((c) => i < c.length).map((c) => c[i]);
        x.push(i + 1);
        y.push(mean(vals));
        lo.push(Math.min(...vals));
        hi.push(Math.max(...vals));
      }
      series.push({ name: `${agent} (${g.length} seeds)`, x, y, lo, hi });
      // final return of a seed: mean of its last 10 episodes (or all, if fewer)
      const perSeed = curves.map((c) => mean(c.slice(-10)));
      const m = mean(perSeed);
      finals.set(agent, m);
      rows.push([
        textCell(agent),
        numCell(g.length),
        numCell(len),
        numCell(m),
        numCell(ci95(perSeed)),
        numCell(Math.min(...perSeed)),
        numCell(Math.max(...perSeed)),
      ]);
    }
    const title = `Learning curves${env !== "-" ? `: ${env}` : ""}`;
    const yLabel = window > 1 ? `return (moving average, ${window} episodes)` : "return";
    html.push(
      `<div class="fig">${lineChart(title, "episode", yLabel, series)}<p class="cap">Line: mean over seeds; band: min..max over seeds${window > 1 ? `; each seed's curve is first averaged over its last ${window} episodes` : ""}.</p></div>`,
    );
    html.push(
      table(
        `${title}: final return (mean of each seed's last 10 episodes)`,
        ["agent", "seeds", "episodes", "final return", "95% CI +/-", "worst seed", "best seed"],
        rows,
      ),
    );
    const fp32 = finals.get("fp32");
    if (fp32 !== undefined && fp32 !== 0) {
      const ret = [...finals].filter(([a]) => a !== "fp32").map(([a, v]) => [textCell(a), numCell(v / fp32)]);
      if (ret.length) html.push(table("Retention (agent's final return / fp32's)", ["agent", "retention"], ret));
    }
  }
  return { id: "learning", title: "Learning", html: html.join("\n") };
}

/** Benchmarks: kind "bench", {name, metric, value, figure, board?}: one bar chart and table per metric. */
export function benchSection(recs: RunRecord[]): Section | null {
  const rs = lastBy(
    recs.filter((r) => r.kind === "bench" && num(r.value) !== undefined && typeof r.metric === "string"),
    (r) => `${str(r.metric)}|${str(r.name)}|${str(r.board)}`,
  );
  if (!rs.length) return null;
  const html: string[] = [];
  for (const metric of [...new Set(rs.map((r) => r.metric as string))]) {
    const ms = rs.filter((r) => r.metric === metric);
    const boards = [...new Set(ms.map((r) => str(r.board)))];
    const bars: Bar[] = ms.map((r) => ({
      label: `${str(r.name)}${boards.length > 1 ? ` @${str(r.board)}` : ""}`,
      value: r.value as number,
      note: str(r.figure, ""),
      group: boards.indexOf(str(r.board)),
    }));
    html.push(`<div class="fig">${barChart(metric, "", bars)}</div>`);
    html.push(
      table(
        metric,
        ["name", "board", metric, "kind"],
        ms.map((r) => [textCell(r.name), textCell(r.board), numCell(r.value as number), textCell(r.figure)]),
      ),
    );
  }
  return { id: "latency", title: "Latency and kernels", html: html.join("\n") };
}

/** Memory: kind "memory", {name, board?, modelBytes, fp32Bytes, peakRamBytes?, ramBudgetBytes?}. */
export function memorySection(recs: RunRecord[]): Section | null {
  const rs = lastBy(
    recs.filter((r) => r.kind === "memory"),
    (r) => `${str(r.name)}|${str(r.board)}`,
  );
  if (!rs.length) return null;
  const html: string[] = [];
  const model = rs.filter((r) => num(r.modelBytes) !== undefined);
  if (model.length) {
    const bars: Bar[] = [];
    for (const r of model) {
      bars.push({
        label: `${str(r.name)}`,
        value: r.modelBytes as number,
        note: num(r.fp32Bytes) ? `(${fmt((r.fp32Bytes as number) / (r.modelBytes as number))}x vs fp32)` : "",
        group: 0,
      });
      if (num(r.fp32Bytes) !== undefined)
        bars.push({ label: `${str(r.name)} as fp32`, value: r.fp32Bytes as number, group: 1 });
    }
    html.push(`<div class="fig">${barChart("Model bytes", "bytes", bars)}</div>`);
  }
  const ram = rs.filter((r) => num(r.peakRamBytes) !== undefined);
  if (ram.length)
    html.push(
      `<div class="fig">${barChart(
        "Peak RAM on the board (dashed: budget)",
        "bytes",
        ram.map((r) => ({
          label: `${str(r.name)} @${str(r.board)}`,
          value: r.peakRamBytes as number,
          limit: num(r.ramBudgetBytes),
          group: 2,
        })),
      )}</div>`,
    );
  html.push(
    table(
      "Memory",
      ["name", "board", "model bytes", "fp32 bytes", "x smaller", "peak RAM", "RAM budget"],
      rs.map((r) => [
        textCell(r.name),
        textCell(r.board),
        numCell(num(r.modelBytes)),
        numCell(num(r.fp32Bytes)),
        numCell(num(r.modelBytes) && num(r.fp32Bytes) ? (r.fp32Bytes as number) / (r.modelBytes as number) : undefined),
        numCell(num(r.peakRamBytes)),
        numCell(num(r.ramBudgetBytes)),
      ]),
    ),
  );
  return { id: "memory", title: "Memory", html: html.join("\n") };
}

interface EnergyFig {
  agent: string;
  joulesPerDecision: number;
  joulesPerEpisode: number;
  secondsPerDecision: number;
  kind: string;
  timeKind: string;
  basis: string;
}

/** Energy: kind "energy", {board, source, figures: EnergyFigure[]} (tools/lib/energy/estimate.ts). */
export function energySection(recs: RunRecord[]): Section | null {
  const rs = lastBy(
    recs.filter((r) => r.kind === "energy" && Array.isArray(r.figures)),
    (r) => `${str(r.board)}|${str(r.source)}`,
  );
  if (!rs.length) return null;
  const html: string[] = [];
  for (const r of rs) {
    const figs = (r.figures as EnergyFig[]).filter(
      (f) => f && typeof f.agent === "string" && num(f.joulesPerDecision) !== undefined,
    );
    const title = `Energy per decision on ${str(r.board)} (${str(r.source)})`;
    html.push(
      `<div class="fig">${barChart(
        title,
        "uJ",
        figs.map((f, k) => ({
          label: f.agent,
          value: f.joulesPerDecision * 1e6,
          note: `${f.kind}, time ${f.timeKind}`,
          group: k,
        })),
      )}</div>`,
    );
    html.push(
      table(
        title,
        ["agent", "uJ / decision", "mJ / episode", "ms / decision", "kind", "time", "basis"],
        figs.map((f) => [
          textCell(f.agent),
          numCell(f.joulesPerDecision * 1e6),
          numCell(f.joulesPerEpisode * 1e3),
          numCell(f.secondsPerDecision * 1e3),
          textCell(f.kind),
          textCell(f.timeKind),
          `<td class="basis">${esc(str(f.basis))}</td>`,
        ]),
      ),
    );
  }
  return { id: "energy", title: "Energy", html: html.join("\n") };
}

const KNOWN = new Set(["train", "bench", "decision-stages", "memory", "energy"]);

/** Every other kind: a table of its scalar fields, one row per record. */
export function otherSections(recs: RunRecord[]): Section[] {
  const kinds = [...new Set(recs.map((r) => r.kind))].filter((k) => !KNOWN.has(k));
  return kinds.map((kind) => {
    const rs = recs.filter((r) => r.kind === kind);
    const cols = [
      ...new Set(
        rs.flatMap((r) =>
          Object.keys(r).filter((k) => k !== "v" && k !== "kind" && (typeof r[k] !== "object" || r[k] === null)),
        ),
      ),
    ];
    const rows = rs.map((r) => cols.map((c) => (typeof r[c] === "number" ? numCell(r[c] as number) : textCell(r[c]))));
    return { id: `kind-${kind}`, title: `Runs: ${kind}`, html: table(`${kind} records`, cols, rows, "wide") };
  });
}
