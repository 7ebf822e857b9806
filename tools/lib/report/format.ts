// Text helpers shared by the report's tables and charts: HTML escaping and number formatting.

/** Escapes text for HTML element content and attribute values. */
export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

/** A number for people: whole numbers (and anything >= 1000, rounded) with spaced thousands, others to 4
 *  significant digits, very large or small ones in exponent form. */
export function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if ((Number.isInteger(v) || a >= 1000) && a < 1e9) return Math.round(v).toLocaleString("en-US").replace(/,/g, " ");
  if (a !== 0 && (a < 1e-3 || a >= 1e9)) return v.toExponential(3);
  return String(Number(v.toPrecision(4)));
}

/** A table cell for a number: the formatted text, the exact value in data-value (tests compare it with the JSON). */
export function numCell(v: number | null | undefined): string {
  if (v === null || v === undefined || typeof v !== "number") return `<td class="n">-</td>`;
  return `<td class="n" data-value="${esc(JSON.stringify(v))}">${fmt(v)}</td>`;
}

/** A whole table: header row, then rows of pre-rendered cells. */
export function table(caption: string, head: string[], rows: string[][], cls = ""): string {
  const th = head.map((h) => `<th>${esc(h)}</th>`).join("");
  const body = rows.map((r) => `<tr>${r.join("")}</tr>`).join("\n");
  return `<div class="tw"><table${cls ? ` class="${cls}"` : ""}><caption>${esc(caption)}</caption><thead><tr>${th}</tr></thead><tbody>\n${body}\n</tbody></table></div>`;
}

export const textCell = (s: unknown) => `<td>${esc(s === undefined || s === null ? "-" : String(s))}</td>`;
