// docs/results.md's generated sections equal what their renderers make of the committed JSON (issue #16: tables
// written from data, so a hand edit or a stale table fails here). Re-render: the scripts' --render mode.
import { test } from "uvu";
import { replaceSection } from "../../tools/lib/report/markers.ts";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "../../tools/lib/util/paths.ts";
import { renderedResults } from "../../scripts/study/results-sections.ts";
import { pretrainingSection, type PretrainingStudy } from "../../scripts/study/pretraining-section.ts";

const results = readFileSync(join(repoRoot, "docs", "results.md"), "utf8");

test("every generated section of docs/results.md equals its rendering from the committed JSON", () => {
  assert.is(renderedResults(results), results);
});

test("the pretraining-data section is the rendering of docs/results/pretraining-cartpole.json", () => {
  const study = JSON.parse(
    readFileSync(join(repoRoot, "docs", "results", "pretraining-cartpole.json"), "utf8"),
  ) as PretrainingStudy;
  assert.is(replaceSection(results, "pretraining", pretrainingSection(study)), results);
});

test("replaceSection keeps the markers and refuses a document without them", () => {
  const doc = "a\n<!-- x:begin -->\nold\n<!-- x:end -->\nb";
  assert.is(replaceSection(doc, "x", "new"), "a\n<!-- x:begin -->\nnew\n<!-- x:end -->\nb");
  assert.throws(() => replaceSection("no markers", "x", "new"), /no <!-- x:begin -->/);
});

test.run();
