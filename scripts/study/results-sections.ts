// The pretraining-data section of docs/results.md rendered from its committed JSON, applied by
// `scripts/study.ts --render` (scripts/study/render.ts, beside the retention study's blocks) and in one function the
// test (test/unit/study-sections.test.ts) calls too: the committed document must equal its own re-rendering.
import { readFileSync } from "node:fs";
import { replaceSection } from "../../tools/lib/report/markers.ts";
import { join } from "node:path";
import { repoRoot } from "../../tools/lib/util/paths.ts";
import { pretrainingSection, type PretrainingStudy } from "./pretraining-section.ts";

const json = <T>(name: string): T => JSON.parse(readFileSync(join(repoRoot, "docs", "results", name), "utf8")) as T;

/** results.md's text with its generated sections re-rendered. */
export function renderedResults(text: string): string {
  return replaceSection(text, "pretraining", pretrainingSection(json<PretrainingStudy>("pretraining-cartpole.json")));
}
