// The study's SVG figures: bars with CIs, training curves, and every seed as a dot (no plotting library: plain SVG).

/** Every figure's size and its left and bottom margins (px). */
const W = 520,
  H = 300,
  L = 60,
  B = 40;
/** The y pixel of value v on an axis from 0 to ymax. */
const yAxis = (ymax: number) => (v: number) => H - B - (Math.max(0, v) / ymax) * (H - B - 30);
/** Labels at 0, 1/4, ..., 1 of ymax on the y axis. */
const yTicks = (y: (v: number) => number, ymax: number) =>
  [0, 0.25, 0.5, 0.75, 1]
    .map(
      (f) =>
        `<text x="${L - 6}" y="${y(f * ymax) + 4}" text-anchor="end" font-size="11">${(f * ymax).toFixed(ymax < 10 ? 2 : 0)}</text>`,
    )
    .join("");
/** A figure: its title and axes, then `body`. */
const svg = (title: string, body: string) =>
  `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif"><text x="${W / 2}" y="18" text-anchor="middle" font-size="14">${title}</text><line x1="${L}" x2="${L}" y1="30" y2="${H - B}" stroke="#000"/><line x1="${L}" x2="${W - 10}" y1="${H - B}" y2="${H - B}" stroke="#000"/>${body}</svg>\n`;

export function svgBars(title: string, rows: { label: string; mean: number; ci: number }[], ymax: number): string {
  const bw = (W - L - 20) / rows.length;
  const y = yAxis(ymax);
  const bars = rows
    .map((r, i) => {
      const x = L + i * bw + bw * 0.15,
        w = bw * 0.7;
      const ci = Number.isFinite(r.ci)
        ? `<line x1="${x + w / 2}" x2="${x + w / 2}" y1="${y(r.mean - r.ci)}" y2="${y(r.mean + r.ci)}" stroke="#000"/>`
        : "";
      return (
        `<rect x="${x}" y="${y(r.mean)}" width="${w}" height="${H - B - y(r.mean)}" fill="#4a7ab0"/>${ci}` +
        `<text x="${x + w / 2}" y="${H - B + 16}" text-anchor="middle" font-size="12">${r.label}</text>` +
        `<text x="${x + w / 2}" y="${y(r.mean) - 4}" text-anchor="middle" font-size="11">${r.mean.toFixed(r.mean < 10 ? 2 : 0)}</text>`
      );
    })
    .join("");
  return svg(title, yTicks(y, ymax) + bars);
}

export function svgCurves(title: string, curves: { label: string; ys: number[] }[], ymax: number): string {
  const colors = ["#888", "#c33", "#e90", "#27a", "#6a3"];
  const len = Math.max(...curves.map((c) => c.ys.length));
  const x = (i: number) => L + (i / Math.max(1, len - 1)) * (W - L - 20);
  const y = yAxis(ymax);
  const lines = curves
    .map(
      (c, k) =>
        `<polyline fill="none" stroke="${colors[k % colors.length]}" points="${c.ys.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(" ")}"/>` +
        `<text x="${W - 100}" y="${40 + 14 * k}" font-size="12" fill="${colors[k % colors.length]}">${c.label}</text>`,
    )
    .join("");
  return svg(
    title,
    `<text x="${L - 6}" y="${y(ymax) + 4}" text-anchor="end" font-size="11">${ymax}</text><text x="${L - 6}" y="${H - B + 4}" text-anchor="end" font-size="11">0</text><text x="${W / 2}" y="${H - 8}" text-anchor="middle" font-size="12">training episode (mean over seeds, smoothed)</text>${lines}`,
  );
}

/** Every seed's greedy return as a dot, one column per kind. */
export function svgSeeds(title: string, cols: { label: string; ys: number[] }[], ymax: number): string {
  const bw = (W - L - 20) / cols.length;
  const y = yAxis(ymax);
  const dots = cols
    .map(
      (c, i) =>
        c.ys
          .map(
            (v, j) =>
              `<circle cx="${(L + i * bw + bw * 0.2 + (bw * 0.6 * j) / Math.max(1, c.ys.length - 1)).toFixed(1)}" cy="${y(v).toFixed(1)}" r="3" fill="#4a7ab0"/>`,
          )
          .join("") +
        `<text x="${L + i * bw + bw / 2}" y="${H - B + 16}" text-anchor="middle" font-size="12">${c.label}</text>`,
    )
    .join("");
  return svg(title, yTicks(y, ymax) + dots);
}

/** Labelled points on linear axes from their data ranges (y may be negative: a return loss can be a gain). */
export function svgScatter(
  title: string,
  points: { label: string; x: number; y: number }[],
  xLabel: string,
  yLabel: string,
): string {
  const x0 = 0,
    x1 = Math.max(...points.map((p) => p.x), 1e-9) * 1.1;
  const y0 = Math.min(0, ...points.map((p) => p.y)),
    y1 = Math.max(...points.map((p) => p.y), 1e-9) * 1.1;
  const px = (x: number) => L + ((x - x0) / (x1 - x0)) * (W - L - 20);
  const py = (y: number) => H - B - ((y - y0) / (y1 - y0)) * (H - B - 30);
  const fmt = (v: number) => (Math.abs(y1) < 10 ? v.toFixed(2) : v.toFixed(0));
  const axes =
    `<text x="${L - 6}" y="${py(y1) + 4}" text-anchor="end" font-size="11">${fmt(y1)}</text>` +
    `<text x="${L - 6}" y="${py(y0) + 4}" text-anchor="end" font-size="11">${fmt(y0)}</text>` +
    (y0 < 0 ? `<line x1="${L}" x2="${W - 10}" y1="${py(0)}" y2="${py(0)}" stroke="#bbb"/>` : "") +
    `<text x="${px(x1)}" y="${H - B + 16}" text-anchor="end" font-size="11">${x1.toFixed(3)}</text>` +
    `<text x="${W / 2}" y="${H - 8}" text-anchor="middle" font-size="12">${xLabel}</text>` +
    `<text x="14" y="${H / 2}" text-anchor="middle" font-size="12" transform="rotate(-90 14 ${H / 2})">${yLabel}</text>`;
  const dots = points
    .map(
      (p) =>
        `<circle cx="${px(p.x).toFixed(1)}" cy="${py(p.y).toFixed(1)}" r="3" fill="#4a7ab0"/>` +
        `<text x="${(px(p.x) + 5).toFixed(1)}" y="${(py(p.y) - 4).toFixed(1)}" font-size="10">${p.label}</text>`,
    )
    .join("");
  return svg(title, axes + dots);
}
