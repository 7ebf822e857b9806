// The language model on the emulated boards (issue #11): the shipped ternary LM generates the host's tokens on
// qemu-m4-esp32 (wasm3), with its instruction counts, and on qemu-m4 with AOT; on qemu-m4's wasm3 build it does not
// fit, and the board's own lm_load says so with the numbers (the host refuses it before an upload:
// test/unit/lm-fit.test.ts); an agent whose head reads the LM's features plays the same episodes on both boards as
// in V8.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { withBoard } from "../../tools/lib/board/session.ts";
import { tempFlashPath } from "../../tools/lib/board/qemu.ts";
import { loadAgent } from "../../tools/lib/runtime/wasm.ts";
import { generateOnBoard, generateOnHost } from "../../tools/lib/lm/generate.ts";
import { encodeBytes } from "../../tools/lib/lm/tokenizer.ts";
import { repoRoot } from "../../tools/lib/util/paths.ts";
import { readBlobFile } from "../../tools/lib/format/blob-file.ts";
import { evaluateAgent } from "../../tools/lib/agent/eval.ts";
import { evaluateOnBoard } from "../../tools/lib/agent/on-board.ts";

const blob = new Uint8Array(readFileSync(join(repoRoot, "models", "lm-ternary.bitrl")));
const req = { prompt: encodeBytes("the "), tokens: 12, temperature: 0.8, seed: 3 };

test("the shipped ternary LM generates the host's tokens on qemu-m4-esp32 (wasm3), ticks per token counted", async () => {
  const host = generateOnHost(loadAgent("release"), blob, req);
  assert.is(host.tokens.length, 12);
  const flash = tempFlashPath();
  await withBoard("qemu-m4-esp32", { flashPath: flash, timeoutMs: 120000 }, async (s) => {
    await s.client.loadModel(blob);
    const r = await generateOnBoard(s.client, req);
    assert.equal(r.tokens, host.tokens);
    const perToken = (r.ticks - r.promptTicks) / r.tokens.length;
    assert.ok(perToken > 1e6 && perToken < 1e8, `${perToken} instructions per token`);
  });
});

test("the shipped ternary LM generates the host's tokens on qemu-m4 with AOT (its 192 KiB pool)", async () => {
  const host = generateOnHost(loadAgent("release"), blob, req);
  await withBoard("qemu-m4", { backend: "aot", flashPath: tempFlashPath(), timeoutMs: 120000 }, async (s) => {
    await s.client.loadModel(blob);
    assert.equal((await generateOnBoard(s.client, req)).tokens, host.tokens);
  });
});

test("issue #11's command: `bitrl generate ... --board qemu-m4 --json` runs on its AOT build (wasm3 cannot hold the model) and prints the host's tokens", () => {
  const cli = (...args: string[]) =>
    spawnSync(process.execPath, [join(repoRoot, "bin", "bitrl.mjs"), "generate", ...args], { encoding: "utf8" });
  const common = ["--model", join(repoRoot, "models", "lm-ternary.bitrl"), "--prompt", "the", "--tokens", "32"];
  const host = cli(...common, "--seed", "1", "--json");
  const board = cli(...common, "--seed", "1", "--board", "qemu-m4", "--json");
  assert.is(board.status, 0, board.stderr);
  assert.match(board.stderr, /does not fit qemu-m4 \(wasm3\); running on its AOT build/);
  const h = JSON.parse(host.stdout),
    b = JSON.parse(board.stdout);
  assert.is(b.backend, "aot");
  assert.equal(b.tokens, h.tokens);
  assert.is(b.tokens.length, 32);
  assert.ok(b.ticks_per_token > 1e5, `ticks_per_token ${b.ticks_per_token}`);
});

test("qemu-m4's own lm_load refuses the model that does not fit its memory (-6), and the board keeps answering", async () => {
  const flash = tempFlashPath();
  await withBoard("qemu-m4", { flashPath: flash, timeoutMs: 120000 }, async (s) => {
    await s.client.loadModel(blob);
    const r = await s.client.kernel("lm_load", []);
    assert.is(r.value.value, -6);
    const again = await s.client.info();
    assert.is(again.model?.bytes, blob.length, "the model stays uploaded, the board answers");
  });
});

test("the shipped keydoor agent on the frozen ternary LM plays the same episodes on qemu-m4-esp32 (AOT) as in V8", async () => {
  const agent = readBlobFile(join(repoRoot, "models", "keydoor-lm-ternary.bitrl"));
  const host = evaluateAgent(agent, 3, 1);
  const board = await evaluateOnBoard("qemu-m4-esp32", agent, 3, 1, { backend: "aot", flashPath: tempFlashPath() });
  assert.equal(board.returns, host.returns);
  assert.ok(board.ram.fits, JSON.stringify(board.ram));
});

test("issue #11's text task reproduces on qemu-m4 (AOT, 192 KiB pool): the shipped LM agent plays V8's episodes (loaded for play only: the training state waits for agent_train)", async () => {
  const agent = readBlobFile(join(repoRoot, "models", "keydoor-lm-ternary.bitrl"));
  const host = evaluateAgent(agent, 3, 1);
  const board = await evaluateOnBoard("qemu-m4", agent, 3, 1, { backend: "aot", flashPath: tempFlashPath() });
  assert.equal(board.returns, host.returns);
  assert.is(board.success_rate, host.success_rate);
  assert.ok(board.ram.fits, JSON.stringify(board.ram));
});

test.run();
