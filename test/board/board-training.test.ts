// Learning on the board: a cartpole head trained by the module's update inside the emulated Cortex-M4 returns
// more after training than before (REINFORCE, wasm3), PPO on the shipped ternary backbone gives V8's curve and
// head bit for bit (AOT), and a run killed mid-training resumes from the best head kept in the inactive slot.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { evaluateOnBoard, trainAgent, trainOnBoard } from "../../tools/lib/agent/index.ts";
import { readBlobFile } from "../../tools/lib/format/blob-file.ts";
import { mean } from "../../tools/lib/util/stats.ts";
import { tempFlashPath } from "../../tools/lib/board/qemu.ts";
import { headBytes, oneHotCartpole, ppoCartpole } from "../fixtures/agents.ts";

// its own flash files: board tests run in parallel processes
const flashPath = tempFlashPath();
const dir = mkdtempSync(join(tmpdir(), "bitrl-board-train-"));

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

// PPO with a short rollout on the shipped ternary backbone: a few updates and two checkpoints within 800 steps
const ternary = readBlobFile(join(import.meta.dirname, "..", "..", "models", "cartpole-backbone-ternary.bitrl"));
const ppoStart = ppoCartpole(ternary, { rollout: 32, horizon: 800 });
const ppoRun = { steps: 800, chunk: 5, select: { every: 100, episodes: 1 } };

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

test("should resume from the best head kept on the board after the emulator is killed mid-training", async () => {
  const flashPath = join(dir, "c.bin"),
    resumeFile = join(dir, "resume.json");
  // a longer run than above, so that progress reports follow the first checkpoint with today's backbone
  const run = { ...ppoRun, steps: 1200 };
  const start = ppoCartpole(ternary, { rollout: 32, horizon: 1200 });
  const opts = { ...run, backend: "aot" as const, flashPath, resumeFile };
  // the "power cut": the session (and QEMU with it) goes away at the first progress report after a checkpoint
  const killed = await trainOnBoard("qemu-m4", start, 1, Infinity, {
    ...opts,
    onProgress: () => {
      if (existsSync(resumeFile)) throw new Error("power cut");
    },
  }).then(
    () => "finished",
    (e: Error) => e.message,
  );
  assert.is(killed, "power cut");
  const resumed = await trainOnBoard("qemu-m4", start, 1, Infinity, opts);
  assert.ok(resumed.resumedAt && resumed.resumedAt.steps > 0, "went on from the checkpoint");
  assert.not.ok(existsSync(resumeFile), "the finished run removed its resume file");
  // a checkpoint restarts training from the saved agent in V8 too, so the resumed run ends where an unbroken one does
  const host = trainAgent(start, 1, Infinity, { ...run, evalEpisodes: 0 });
  assert.equal(resumed.curve, host.curve);
  assert.equal(headBytes(resumed.blob), headBytes(host.blob));
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
