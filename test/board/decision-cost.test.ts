// The main job's decision cost per backend (tools/lib/board/decision-cost.ts) on the emulated board, with its stage
// split: the stages add up to the backbone forward plus the counters' own cost, and an agent without a backbone has
// none.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "../../tools/lib/util/paths.ts";
import { measureDecisionCosts, STAGES } from "../../tools/lib/board/decision-cost.ts";

const agent = (kind: string) => ({
  name: kind,
  blob: new Uint8Array(readFileSync(join(repoRoot, "models", `cartpole-${kind}.bitrl`))),
});

test("should split the ternary agent's AOT decision into backbone stages and the rest", async () => {
  const [c] = await measureDecisionCosts("qemu-m4", ["aot"], [agent("ternary")], { seed: 1, stages: true });
  assert.is(c.steps, 20);
  assert.is(c.tickUnit, "instructions");
  assert.is(c.stages!.length, STAGES.length);
  const sum = c.stages!.reduce((a, v) => a + v, 0);
  const forward = c.forward!;
  // the backbone is most of a decision, and its products are its largest stage
  assert.ok(forward > 0.8 * c.ticksPerDecision && forward < c.ticksPerDecision, `${forward} of ${c.ticksPerDecision}`);
  assert.is(Math.max(...c.stages!), c.stages![STAGES.indexOf("matvec (tables, lookups, weights)")]);
  // the counters cost a little, never nothing and never much
  assert.ok(sum > forward && sum < 1.02 * forward, `stages ${sum} vs forward ${forward}`);
});

test("should give an agent without a backbone no stages and no forward", async () => {
  const [c] = await measureDecisionCosts("qemu-m4", ["aot"], [agent("none")], { seed: 1, stages: true });
  assert.equal(
    c.stages,
    STAGES.map(() => 0),
  );
  assert.is(c.forward, 0);
  assert.ok(c.ticksPerDecision > 0);
});

test.run();
