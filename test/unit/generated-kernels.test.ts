// The committed unrolled kernels in assembly/kernels/generated/ are exactly what scripts/gen-kernels.ts writes.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { GENERATED_DIR, generatedKernelFiles } from "../../scripts/gen-kernels.ts";

test("should find the committed generated kernels equal to the generator's output", () => {
  const want = generatedKernelFiles();
  assert.equal(readdirSync(GENERATED_DIR).sort(), Object.keys(want).sort(), "files in assembly/kernels/generated/");
  for (const [name, text] of Object.entries(want)) {
    assert.ok(
      readFileSync(join(GENERATED_DIR, name), "utf8") === text,
      `${name} differs: run node --import tsx scripts/gen-kernels.ts`,
    );
  }
});

test.run();
