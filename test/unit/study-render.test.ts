// The study's documents are generated (issue #16): docs/results.md's study blocks, docs/results/<env>.md and the
// SVGs re-render from the committed JSON with no difference (scripts/study.ts --render).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fillBlocks, renderAll } from "../../scripts/study/render.ts";
import { repoRoot } from "../../tools/lib/util/paths.ts";

test("should re-render every study document from the committed JSON without a difference", () => {
  const out = renderAll(repoRoot);
  assert.ok("docs/results.md" in out && "docs/results/cartpole.md" in out && "docs/results/keydoor.md" in out);
  for (const [path, text] of Object.entries(out))
    assert.ok(
      readFileSync(join(repoRoot, path), "utf8") === text,
      `${path} differs from what scripts/study.ts --render writes: run it and commit`,
    );
});

test("should replace a block's body and refuse unknown or missing blocks", () => {
  const doc = "a\n<!-- study:x:begin -->\nold\n<!-- study:x:end -->\nb";
  assert.is(fillBlocks(doc, { x: "new" }), "a\n<!-- study:x:begin -->\nnew\n<!-- study:x:end -->\nb");
  assert.throws(() => fillBlocks(doc, {}), /no generator for block 'x'/);
  assert.throws(() => fillBlocks(doc, { x: "new", y: "more" }), /blocks missing: y/);
});

test.run();
