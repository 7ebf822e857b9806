// The committed study figures (docs/results/*.svg, host runs made by scripts/efficiency.ts and scripts/study.ts) for
// the report's "Studies" section, so the page a user opens after `npm start` shows the sample-efficiency curves beside
// the board's figures. Read when asked; a folder without them (an installed package) gives none.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "../util/paths.ts";

export interface StudyFigure {
  title: string;
  /** the SVG element itself */
  svg: string;
  caption: string;
}

const FIGURES: { file: string; title: string; caption: string }[] = ["cartpole", "keydoor", "frozenlake"].map(
  (env) => ({
    file: `efficiency-${env}.svg`,
    title: `Sample efficiency, ${env}: PPO vs REINFORCE on every backbone kind`,
    caption:
      "host (V8), 10 seeds, mean return (success rate) against environment steps with bootstrap 95% bands; " +
      "scripts/efficiency.ts, tables in docs/results.md",
  }),
);

/** The figures present under docs/results/ of `root` (default: this checkout). */
export function studyFigures(root: string = repoRoot): StudyFigure[] {
  return FIGURES.filter((f) => existsSync(join(root, "docs", "results", f.file))).map((f) => ({
    title: f.title,
    svg: readFileSync(join(root, "docs", "results", f.file), "utf8").replace(/^<\?xml[^>]*>\s*/, ""),
    caption: f.caption,
  }));
}
