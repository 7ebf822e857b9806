// RL on the language model, on the board (issue #11): a keydoor head on the frozen ternary LM's sentence features
// trains inside the emulated ESP32-sized board (qemu-m4-esp32, AOT) exactly as in V8: the same curve, the same
// checkpoints kept, the same head bytes. Each new observation costs the board ~70M instructions (the LM reads its
// three sentences), so the budget is a few hundred steps. Plain qemu-m4 holds the agent for play only
// (test/board/lm.test.ts): its board refuses to train, with the reason.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { join } from "node:path";
import { buildAgentBlob, defaultTrain, trainAgent, trainOnBoard } from "../../tools/lib/agent/index.ts";
import { readBlobFile } from "../../tools/lib/format/blob-file.ts";
import type { Blob } from "../../tools/lib/format/types.ts";
import { tempFlashPath } from "../../tools/lib/board/qemu.ts";
import { repoRoot } from "../../tools/lib/util/paths.ts";

const headBytes = (b: Blob) => Array.from(new Uint8Array(b.tensors.find((t) => t.name === "head.params")!.data));

test("a keydoor head on the ternary LM trains on qemu-m4-esp32 (AOT) exactly as in V8", async () => {
  const lm = readBlobFile(join(repoRoot, "models", "lm-ternary.bitrl"));
  const steps = 400;
  const start = buildAgentBlob({
    env: "keydoor",
    backbone: lm,
    hidden: 32,
    train: { ...defaultTrain("keydoor", "blob", "ppo"), rollout: 96, horizon: steps },
    initSeed: 1,
  });
  const run = { steps, chunk: 5, select: { every: 200, episodes: 1 } };
  const host = trainAgent(start, 1, Infinity, { ...run, evalEpisodes: 0 });
  const board = await trainOnBoard("qemu-m4-esp32", start, 1, Infinity, {
    ...run,
    backend: "aot",
    resumeFile: null,
    flashPath: tempFlashPath(),
  });
  assert.equal(board.curve, host.curve);
  assert.is(board.steps, host.steps);
  assert.equal(board.kept, host.kept);
  assert.equal(headBytes(board.blob), headBytes(host.blob));
  assert.ok(
    headBytes(host.blob).some((x, i) => x !== headBytes(start)[i]),
    "the head moved",
  );
});

test("qemu-m4 (AOT) plays the LM agent but refuses to train it, naming what does not fit, before any step", async () => {
  const lm = readBlobFile(join(repoRoot, "models", "lm-ternary.bitrl"));
  const start = buildAgentBlob({
    env: "keydoor",
    backbone: lm,
    hidden: 32,
    train: { ...defaultTrain("keydoor", "blob", "ppo"), rollout: 96, horizon: 400 },
    initSeed: 1,
  });
  let error = "";
  try {
    await trainOnBoard("qemu-m4", start, 1, Infinity, {
      steps: 400,
      chunk: 5,
      backend: "aot",
      resumeFile: null,
      flashPath: tempFlashPath(),
    });
  } catch (e) {
    error = (e as Error).message;
  }
  assert.match(error, /agent_train returned -3: agent_train: no room for the optimiser state/);
});

test.run();
