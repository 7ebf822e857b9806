// Learning on the board survives a power cut: a PPO run whose emulator is killed mid-training resumes from the best
// head kept in the inactive slot and ends where an unbroken run in V8 does.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { trainAgent, trainOnBoard } from "../../tools/lib/agent/index.ts";
import { headBytes, ppoCartpole } from "../fixtures/agents.ts";
import { ppoRun, ternary } from "../fixtures/board-ppo.ts";

// its own flash and resume files: board tests run in parallel processes
const dir = mkdtempSync(join(tmpdir(), "bitrl-board-resume-"));

test("should resume from the best head kept on the board after the emulator is killed mid-training", async () => {
  const flashPath = join(dir, "c.bin"),
    resumeFile = join(dir, "resume.json");
  // a longer run than board-training.test.ts's, so that progress reports follow the first checkpoint with today's backbone
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
