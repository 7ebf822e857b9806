// bench/profile.ts's counts: the QEMU plugin's per-function total for an episode must agree with the board's own
// instruction clock, and its symbols must name the module's functions (wasm2c's w2c_f<n> through build/agent.wat).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "../../tools/lib/util/paths.ts";
import { profileEpisode } from "../../bench/profile/profile-episode.ts";

test("should count an AOT episode's instructions per function, in total within 1% of the board's clock", async () => {
  const model = new Uint8Array(readFileSync(join(repoRoot, "models", "cartpole-ternary.bitrl")));
  const p = await profileEpisode({ board: "qemu-m4", backend: "aot", model, seed: 1 });
  assert.is(p.seed, 2);
  assert.ok(p.steps > 0, "the episode ran");
  // the plugin also counts the episode command's serial handling, which the board's clock leaves out
  const gap = Math.abs(p.total - p.ticks) / p.ticks;
  assert.ok(gap < 0.01, `plugin ${p.total} vs board clock ${p.ticks} instructions (${(100 * gap).toFixed(2)}%)`);
  assert.is(
    p.functions.reduce((x, f) => x + f.instructions, 0),
    p.total,
  );
  // the ternary products' lookups are the largest function, named from the module's text
  const top = p.functions[0];
  assert.match(top.name, /^w2c_f\d+\S* splitLookup$/);
  assert.ok(top.instructions > 0.2 * p.total, `${top.name}: ${top.instructions} of ${p.total}`);
  assert.ok(top.entries > 0, "its entries are counted");
});

test.run();
