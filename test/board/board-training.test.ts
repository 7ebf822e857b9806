// PPO on the board: on the shipped ternary backbone the emulated Cortex-M4 (AOT) gives V8's curve and head bit for
// bit, checkpoints included; wasm3's fixed heap refuses PPO before training starts. REINFORCE on the board and the
// resume after a power cut have files of their own (board-training-reinforce, board-training-resume).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { trainAgent, trainOnBoard } from "../../tools/lib/agent/index.ts";
import { headBytes } from "../fixtures/agents.ts";
import { ppoRun, ppoStart } from "../fixtures/board-ppo.ts";

// its own flash files: board tests run in parallel processes
const dir = mkdtempSync(join(tmpdir(), "bitrl-board-train-"));

test("should train PPO on the ternary backbone on qemu-m4 (AOT) exactly as in V8, checkpoints included", async () => {
  const host = trainAgent(ppoStart, 1, Infinity, { ...ppoRun, evalEpisodes: 0 });
  const board = await trainOnBoard("qemu-m4", ppoStart, 1, Infinity, {
    ...ppoRun,
    backend: "aot",
    resumeFile: null,
    flashPath: join(dir, "a.bin"),
  });
  assert.equal(board.curve, host.curve);
  assert.equal(board.curveSteps, host.curveSteps);
  assert.is(board.steps, host.steps);
  assert.ok(host.steps <= 800, `${host.steps} steps used of 800`);
  assert.equal(board.kept, host.kept);
  assert.ok(board.checkpoints >= 1, "a checkpoint went to the inactive slot");
  assert.equal(headBytes(board.blob), headBytes(host.blob));
  assert.ok(
    headBytes(host.blob).some((x) => x !== 0),
    "the head moved",
  );
});

test("should refuse PPO on wasm3 in qemu-m4's fixed heap before training starts", async () => {
  const err = await trainOnBoard("qemu-m4", ppoStart, 1, Infinity, {
    ...ppoRun,
    resumeFile: null,
    flashPath: join(dir, "b.bin"),
  }).then(
    () => null,
    (e: Error) => e.message,
  );
  assert.ok(err, "refused");
  assert.match(err!, /too small for PPO.*--backend aot/);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
