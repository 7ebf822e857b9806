// Inline SVG charts for the HTML report: line charts with bands and horizontal bar charts. Pure string building.
import { esc, fmt } from "./format.ts";

const PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"];
export const color = (k: number) => PALETTE[k % PALETTE.length];

export interface LineSeries {
  name: string;
  /** (n) x values, ascending */
  x: number[];
  /** (n) the line (e.g. the mean over seeds) */
  y: number[];
  /** (n) optional band below and above the line (e.g. min and max over seeds) */
  lo?: number[];
  hi?: number[];
  /** line colour (default: the palette by series index) */
  color?: string;
  /** a dashed line (e.g. a second algorithm, or a target) */
  dashed?: boolean;
}

export interface LineChartOptions {
  /** the y axis covers at least this range (e.g. [0, 1] for success rates) */
  yRange?: [number, number];
  /** style the chart itself (a file on its own, not inside the report page, whose CSS styles it there) */
  standalone?: boolean;
}

/** The report page's chart rules (render.ts), for a chart shown on its own. */
const STANDALONE_CSS = `text{font:11px "DejaVu Sans",sans-serif}.t{font-size:13px;font-weight:600}.g{stroke:#eee}.a{stroke:#888}`;

/** About five round tick values covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step)
    out.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  return out;
}

const W = 640;
const H = 300;
const M = { l: 64, r: 150, t: 28, b: 44 };

/** A chart's outer element: the page width, height h, labelled by its title for screen readers. */
function svgRoot(h: number, title: string, parts: string[]): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${h}" width="${W}" height="${h}" role="img" aria-label="${esc(title)}">${parts.join("")}</svg>`;
}

/** [min, max] by a loop: Math.min(...xs) overflows the call stack on a long curve (a 1M-step training run's). */
function extent(xs: number[]): [number, number] {
  let lo = Infinity,
    hi = -Infinity;
  for (const x of xs) {
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  return [lo, hi];
}

/** A line chart with optional shaded bands, axes, ticks and a legend on the right. */
export function lineChart(
  title: string,
  xLabel: string,
  yLabel: string,
  series: LineSeries[],
  opts: LineChartOptions = {},
): string {
  const xs = series.flatMap((s) => s.x);
  const ys = series.flatMap((s) => [...s.y, ...(s.lo ?? []), ...(s.hi ?? [])]).filter(Number.isFinite);
  if (!xs.length || !ys.length) return "";
  let [x0, x1] = extent(xs);
  let [y0, y1] = extent(ys);
  if (opts.yRange) [y0, y1] = [Math.min(y0, opts.yRange[0]), Math.max(y1, opts.yRange[1])];
  if (x1 === x0) x1 = x0 + 1;
  if (y1 === y0) [y0, y1] = [y0 - 1, y1 + 1];
  const px = (x: number) => M.l + ((x - x0) / (x1 - x0)) * (W - M.l - M.r);
  const py = (y: number) => H - M.b - ((y - y0) / (y1 - y0)) * (H - M.t - M.b);
  const parts: string[] = opts.standalone ? [`<style>${STANDALONE_CSS}</style>`] : [];
  parts.push(`<text x="${W / 2 - M.r / 2}" y="16" text-anchor="middle" class="t">${esc(title)}</text>`);
  for (const v of niceTicks(y0, y1)) {
    parts.push(`<line x1="${M.l}" x2="${W - M.r}" y1="${py(v).toFixed(1)}" y2="${py(v).toFixed(1)}" class="g"/>`);
    parts.push(`<text x="${M.l - 6}" y="${(py(v) + 4).toFixed(1)}" text-anchor="end">${fmt(v)}</text>`);
  }
  for (const v of niceTicks(x0, x1))
    parts.push(`<text x="${px(v).toFixed(1)}" y="${H - M.b + 16}" text-anchor="middle">${fmt(v)}</text>`);
  parts.push(
    `<line x1="${M.l}" x2="${W - M.r}" y1="${H - M.b}" y2="${H - M.b}" class="a"/><line x1="${M.l}" x2="${M.l}" y1="${M.t}" y2="${H - M.b}" class="a"/>`,
  );
  parts.push(`<text x="${(M.l + W - M.r) / 2}" y="${H - 6}" text-anchor="middle">${esc(xLabel)}</text>`);
  parts.push(
    `<text transform="translate(14 ${(M.t + H - M.b) / 2}) rotate(-90)" text-anchor="middle">${esc(yLabel)}</text>`,
  );
  series.forEach((s, k) => {
    const c = s.color ?? color(k);
    const dash = s.dashed ? ` stroke-dasharray="6 3"` : "";
    if (s.lo && s.hi && s.lo.length === s.x.length) {
      const up = s.x.map((x, i) => `${px(x).toFixed(1)},${py(s.hi![i]).toFixed(1)}`);
      const down = s.x.map((x, i) => `${px(x).toFixed(1)},${py(s.lo![i]).toFixed(1)}`).reverse();
      parts.push(`<polygon points="${[...up, ...down].join(" ")}" fill="${c}" fill-opacity="0.18" stroke="none"/>`);
    }
    const pts = s.x.map((x, i) => `${px(x).toFixed(1)},${py(s.y[i]).toFixed(1)}`).join(" ");
    parts.push(`<polyline points="${pts}" fill="none" stroke="${c}" stroke-width="2"${dash}/>`);
    const ly = M.t + 14 + k * 18;
    const key = s.dashed
      ? `<line x1="${W - M.r + 8}" x2="${W - M.r + 28}" y1="${ly - 4}" y2="${ly - 4}" stroke="${c}" stroke-width="2"${dash}/>`
      : `<rect x="${W - M.r + 12}" y="${ly - 9}" width="14" height="10" fill="${c}"/>`;
    parts.push(`${key}<text x="${W - M.r + 32}" y="${ly}">${esc(s.name)}</text>`);
  });
  return svgRoot(H, title, parts);
}

export interface Bar {
  label: string;
  value: number;
  /** drawn after the value, e.g. the figure's kind ("emulated") */
  note?: string;
  /** a limit to mark on this bar, e.g. the board's RAM budget */
  limit?: number;
  group?: number;
}

/** Horizontal bars from zero, labels on the left, value and note on the right. */
export function barChart(title: string, unit: string, bars: Bar[]): string {
  if (!bars.length) return "";
  const rowH = 24;
  const lw = 180;
  const rw = 190;
  const h = M.t + bars.length * rowH + 24;
  const max = Math.max(...bars.map((b) => Math.max(b.value, b.limit ?? 0)), 0) || 1;
  const px = (v: number) => lw + (Math.max(0, v) / max) * (W - lw - rw);
  const parts: string[] = [
    `<text x="${W / 2}" y="16" text-anchor="middle" class="t">${esc(title)}${unit ? ` (${esc(unit)})` : ""}</text>`,
  ];
  bars.forEach((b, k) => {
    const y = M.t + k * rowH;
    parts.push(`<text x="${lw - 6}" y="${y + 15}" text-anchor="end">${esc(b.label)}</text>`);
    parts.push(
      `<rect x="${lw}" y="${y + 3}" width="${(px(b.value) - lw).toFixed(1)}" height="${rowH - 8}" fill="${color(b.group ?? 0)}"/>`,
    );
    if (b.limit !== undefined)
      parts.push(
        `<line x1="${px(b.limit).toFixed(1)}" x2="${px(b.limit).toFixed(1)}" y1="${y}" y2="${y + rowH - 2}" stroke="#000" stroke-dasharray="3 2"/>`,
      );
    parts.push(
      `<text x="${(px(Math.max(b.value, b.limit ?? 0)) + 6).toFixed(1)}" y="${y + 15}">${fmt(b.value)}${b.note ? ` ${esc(b.note)}` : ""}</text>`,
    );
  });
  return svgRoot(h, title, parts);
}

export interface StackedBar {
  label: string;
  /** one value per segment name, >= 0; drawn as shares of their sum */
  values: number[];
  /** drawn right of the bar, e.g. the total with its kind */
  note: string;
  /** a gap before this bar (a new group) */
  gapBefore?: boolean;
}

/** Horizontal bars of equal length split into segments by share (each bar's values over their sum), a legend of
 *  the segment names above; each segment carries its value in data-value and its share in a title. */
export function shareBarChart(title: string, names: string[], bars: StackedBar[], standalone = false): string {
  if (!bars.length) return "";
  const rowH = 22,
    gap = 10,
    lw = 220,
    rw = 80;
  const legendRows = Math.ceil(names.length / 3);
  const top = M.t + legendRows * 16 + 6;
  const gaps = bars.filter((b, k) => k > 0 && b.gapBefore).length;
  const h = top + bars.length * rowH + gaps * gap + 8;
  const span = W - lw - rw;
  const parts: string[] = standalone ? [`<style>${STANDALONE_CSS}</style>`] : [];
  parts.push(`<text x="${W / 2}" y="16" text-anchor="middle" class="t">${esc(title)}</text>`);
  names.forEach((n, k) => {
    const x = 8 + (k % 3) * ((W - 16) / 3),
      y = M.t + Math.floor(k / 3) * 16;
    parts.push(`<rect x="${x}" y="${y - 9}" width="12" height="10" fill="${color(k)}"/>`);
    parts.push(`<text x="${x + 16}" y="${y}">${esc(n)}</text>`);
  });
  let y = top;
  bars.forEach((b, k) => {
    if (k > 0 && b.gapBefore) y += gap;
    const sum = b.values.reduce((a, v) => a + Math.max(0, v), 0) || 1;
    parts.push(`<text x="${lw - 6}" y="${y + 14}" text-anchor="end">${esc(b.label)}</text>`);
    let x = lw;
    b.values.forEach((v, i) => {
      const w = (Math.max(0, v) / sum) * span;
      if (w <= 0) return;
      const share = `${esc(names[i])}: ${fmt(v)} (${((100 * Math.max(0, v)) / sum).toFixed(1)}%)`;
      parts.push(
        `<rect x="${x.toFixed(2)}" y="${y + 2}" width="${w.toFixed(2)}" height="${rowH - 6}" fill="${color(i)}" data-value="${v}"><title>${share}</title></rect>`,
      );
      x += w;
    });
    parts.push(`<text x="${lw + span + 6}" y="${y + 14}">${esc(b.note)}</text>`);
    y += rowH;
  });
  return svgRoot(h, title, parts);
}
