// Renders run-log records into one self-contained HTML page: inline CSS and SVG, no scripts, no network.
import type { RunRecord } from "./runlog.ts";
import { esc } from "./format.ts";
import type { StudyFigure } from "./study-figures.ts";
import { decisionStagesSection } from "./stages.ts";
import { benchSection, energySection, memorySection, otherSections, trainSection, type Section } from "./sections.ts";

export interface ReportOptions {
  title?: string;
  /** ISO time printed in the header; tests pass a fixed one */
  generated?: string;
  /** where the records came from, listed in the header */
  sources?: string[];
  /** committed study figures (study-figures.ts), shown in a "Studies" section after the run's own */
  figures?: StudyFigure[];
}

function studiesSection(figures: StudyFigure[]): Section | null {
  if (!figures.length) return null;
  const html = figures
    .map((f) => `<h3>${esc(f.title)}</h3>\n<div class="tw">${f.svg}</div>\n<p class="cap">${esc(f.caption)}</p>`)
    .join("\n");
  return { id: "studies", title: "Studies (host, from docs/results)", html };
}

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,"DejaVu Sans",sans-serif;margin:24px auto;max-width:1000px;color:#222;background:#fff}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;border-bottom:1px solid #ccc;padding-bottom:4px;margin-top:32px}
.meta{color:#555;font-size:12px}.kinds{font-size:12px;color:#333;background:#f4f4f4;padding:8px;border-radius:4px}
table{border-collapse:collapse;margin:8px 0 16px;font-size:13px}caption{text-align:left;font-weight:600;padding:4px 0}
th,td{border:1px solid #ddd;padding:3px 8px;vertical-align:top}th{background:#f4f4f4}td.n{text-align:right;font-variant-numeric:tabular-nums}
td.basis{font-size:11px;color:#444;max-width:420px}table.wide{font-size:12px}
svg{font:11px "DejaVu Sans",sans-serif;max-width:100%;height:auto}svg .t{font-size:13px;font-weight:600}svg .g{stroke:#eee}svg .a{stroke:#888}
nav a{margin-right:12px}.tw{overflow-x:auto;max-width:100%}.cap{font-size:12px;color:#555;margin:2px 0 8px}`;

/** The whole page as a string. */
export function renderReport(records: RunRecord[], opts: ReportOptions = {}): string {
  const title = opts.title ?? "bitrl report";
  const sections: Section[] = [
    trainSection(records),
    benchSection(records),
    decisionStagesSection(records),
    memorySection(records),
    energySection(records),
    ...otherSections(records),
    studiesSection(opts.figures ?? []),
  ].filter((s): s is Section => s !== null);
  const nav = sections.map((s) => `<a href="#${esc(s.id)}">${esc(s.title)}</a>`).join("");
  const body = sections.length
    ? sections.map((s) => `<section id="${esc(s.id)}"><h2>${esc(s.title)}</h2>\n${s.html}\n</section>`).join("\n")
    : `<p>No run records yet: commands that produce figures append them to .bitrl/runs/ (docs/report.md).</p>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(title)}</title><style>${CSS}</style></head>
<body>
<h1>${esc(title)}</h1>
<p class="meta">${records.length} records${opts.sources?.length ? ` from ${esc(opts.sources.join(", "))}` : ""}; generated ${esc(opts.generated ?? new Date().toISOString())}</p>
<p class="kinds">Every figure says how it was obtained: <b>measured</b> (a real board: cycle counter, current meter),
<b>emulated</b> (QEMU instruction counts, turned into time at the board profile's clock with 1 instruction per cycle),
<b>estimated</b> (a model with cited constants: energy = time x the board's datasheet active power).</p>
<nav>${nav}</nav>
${body}
</body></html>
`;
}
