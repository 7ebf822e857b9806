// The committed unrolled kernels in assembly/kernels/generated/ are exactly what scripts/gen-kernels.ts writes.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { GENERATED_DIR, generatedKernelFiles } from "../../scripts/gen-kernels.ts";
import { loadAgent } from "../../tools/lib/runtime/wasm.ts";

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

test("should place the split tables' byte decoders below 4 KiB, before the I/O arena", () => {
  // assembly/index.ts imports t3-decode.ts first: the AOT build then reads them with immediate offsets (docs/aot.md)
  const decoders = new Uint8Array(512);
  for (let b = 0; b < 243; b++) {
    decoders[b] = 8 * (b % 27);
    decoders[256 + b] = 8 * Math.floor(b / 27);
  }
  for (const build of ["release", "debug"] as const) {
    const mod = loadAgent(build);
    const low = new Uint8Array(mod.memory.buffer, 0, 4096);
    let at = -1;
    for (let p = 0; p + 512 <= 4096 && at < 0; p++) if (decoders.every((v, i) => low[p + i] === v)) at = p;
    assert.ok(at >= 0, `${build}: DEC_LO and DEC_HI (512 bytes) not found below 4 KiB`);
    assert.ok(mod.ioBase >= at + 512, `${build}: the I/O arena (${mod.ioBase}) starts after the decoders (${at})`);
  }
});

test.run();
