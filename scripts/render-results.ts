// Re-renders docs/results.md's generated sections from the committed JSON, training nothing: the pretraining-data
// study (scripts/study-pretraining.ts) and the stability table of the retention study (scripts/study.ts). The
// sample-efficiency section has its own: node --import tsx scripts/efficiency.ts --render.
// Usage: node --import tsx scripts/render-results.ts
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "../tools/lib/util/files.ts";
import { repoRoot } from "../tools/lib/util/paths.ts";
import { renderedResults } from "./study/results-sections.ts";

const path = join(repoRoot, "docs", "results.md");
writeFileAtomic(path, renderedResults(readFileSync(path, "utf8")));
console.error(`render-results: wrote ${path}`);
