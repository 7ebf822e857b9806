// The distortion table (scripts/study/distortion.ts's measures per comparison, averaged over seed pairs) as markdown,
// one state set at a time: the retention study's section (render.ts) and the pretraining-data sections
// (pretraining-section.ts) print the same columns.
import type { DistortionRow } from "./schema.ts";

const f3 = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : "n/a");
const row = (cells: (string | number)[]) => `| ${cells.join(" | ")} |`;

/** The table's lines: a row per comparison, its `what` as the first cell. */
export function distortionTable(rows: DistortionRow[], set: "fp32_states" | "random_states"): string[] {
  const cols = [
    "comparison (mean over seed pairs)",
    "states",
    "KL(pi_ref \\|\\| pi), nats",
    "greedy agreement",
    "mean \\|V_ref - V\\|",
    "entropy of pi (nats)",
  ];
  return [
    row(cols),
    `|${cols.map(() => "---").join("|")}|`,
    ...rows.map((r) => {
      const d = r[set];
      return row([r.what, d.states, f3(d.kl), f3(d.agreement), f3(d.value_abs_diff), f3(d.entropy_other)]);
    }),
  ];
}
