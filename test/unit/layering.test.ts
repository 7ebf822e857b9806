// The library's layering (docs/architecture.md, "What may import what"): each stage folder of tools/lib imports only
// the stages below it, nothing in tools/lib imports the CLI, and only index.ts sits at the top of tools/lib.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { repoRoot } from "../../tools/lib/util/paths.ts";
import { filesUnder } from "../fixtures/files-under.ts";

/** Stage -> the stages it may import (besides itself). Acyclic: each names only stages listed before it. */
const MAY_IMPORT: Record<string, string[]> = {
  util: [],
  format: ["util"],
  reference: ["format", "util"],
  runtime: ["reference", "format", "util"],
  board: ["runtime", "format", "util"],
  train: ["runtime", "reference", "format", "util"],
  lm: ["board", "train", "runtime", "reference", "format", "util"],
  agent: ["lm", "board", "train", "runtime", "reference", "format", "util"],
  energy: ["board", "runtime", "format", "util"],
  report: ["energy", "board", "format", "util"],
};

const lib = join(repoRoot, "tools", "lib");
const importsOf = (file: string): string[] =>
  [...readFileSync(file, "utf8").matchAll(/(?:from\s+|import\s*\()["'](\.{1,2}\/[^"']+)["']/g)].map((m) =>
    resolve(dirname(file), m[1]),
  );

test("should keep every file of tools/lib in a stage folder (index.ts aside)", () => {
  for (const f of filesUnder(lib)) {
    const [stage, ...rest] = relative(lib, f).split("/");
    if (rest.length === 0) assert.is(stage, "index.ts", `${stage} belongs in a stage folder`);
    else
      assert.ok(
        stage in MAY_IMPORT,
        `tools/lib/${stage}/ is not a known stage (add it to docs/architecture.md and here)`,
      );
  }
});

test("should import only lower stages, and never the CLI", () => {
  const bad: string[] = [];
  for (const f of filesUnder(lib).filter((f) => f.endsWith(".ts"))) {
    const [stage, ...rest] = relative(lib, f).split("/");
    if (rest.length === 0) continue; // index.ts: the public API names every stage
    for (const target of importsOf(f)) {
      const to = relative(lib, target).split("/");
      if (to[0] === "..")
        bad.push(`${relative(repoRoot, f)} imports ${relative(repoRoot, target)} (outside tools/lib)`);
      else if (to[0] !== stage && !MAY_IMPORT[stage].includes(to[0]))
        bad.push(`${relative(repoRoot, f)} (${stage}) imports ${to[0]}/`);
    }
  }
  assert.equal(bad, []);
});

test.run();
