// Learning on the board: a cartpole head trained by the module's update inside the emulated Cortex-M4 (REINFORCE,
// wasm3) returns more after training than before.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { evaluateOnBoard, trainOnBoard } from "../../tools/lib/agent/index.ts";
import { mean } from "../../tools/lib/util/stats.ts";
import { tempFlashPath } from "../../tools/lib/board/qemu.ts";
import { oneHotCartpole } from "../fixtures/agents.ts";

// its own flash file: board tests run in parallel processes
const flashPath = tempFlashPath();

test("should raise a cartpole head's return on the emulated board (wasm3, qemu-m4) within 200 episodes", async () => {
  // the one-hot features keep a step cheap (~1.2M instructions), so 200 on-device episodes take about a minute
  const start = oneHotCartpole();
  const before = await evaluateOnBoard("qemu-m4", start, 5, 1_000_000, { flashPath });
  const r = await trainOnBoard("qemu-m4", start, 1, 200, { chunk: 50, flashPath, resumeFile: null });
  assert.is(r.curve.length, 200);
  assert.is(r.tick_unit, "instructions");
  const first = mean(r.curve.slice(0, 50));
  const last = mean(r.curve.slice(-50));
  assert.ok(last > 2 * first, `sampled returns on the board: first 50 ${first}, last 50 ${last}`);
  const after = await evaluateOnBoard("qemu-m4", r.blob, 5, 1_000_000, { flashPath });
  assert.ok(
    mean(after.returns) > mean(before.returns) + 50,
    `greedy on the board: ${mean(before.returns)} -> ${mean(after.returns)}`,
  );
});

test.run();
