// The pretraining-data sections of docs/results.md rendered from their committed JSON, applied by
// `scripts/study.ts --render` (scripts/study/render.ts, beside the retention study's blocks) and in one function the
// test (test/unit/study-sections.test.ts) calls too: the committed document must equal its own re-rendering.
import { existsSync, readFileSync } from "node:fs";
import { replaceSection } from "../../tools/lib/report/markers.ts";
import { join } from "node:path";
import { repoRoot } from "../../tools/lib/util/paths.ts";
import {
  PRETRAINING_ENVS,
  pretrainingMarker,
  pretrainingSection,
  type PretrainingStudy,
} from "./pretraining-section.ts";

/** docs/results/pretraining-<env>.json, or null when that env's study has not been run. */
export function pretrainingStudy(env: string): PretrainingStudy | null {
  const path = join(repoRoot, "docs", "results", `pretraining-${env}.json`);
  return existsSync(path) ? (JSON.parse(readFileSync(path, "utf8")) as PretrainingStudy) : null;
}

/** results.md's text with its generated sections re-rendered: every env whose study JSON is committed (its markers
 *  must be in the document). */
export function renderedResults(text: string): string {
  let out = text;
  for (const env of PRETRAINING_ENVS) {
    const study = pretrainingStudy(env);
    if (study) out = replaceSection(out, pretrainingMarker(env), pretrainingSection(study));
  }
  return out;
}
