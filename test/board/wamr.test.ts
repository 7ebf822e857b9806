// The wamr backend (WAMR's fast interpreter, firmware/wamr): the same module must answer exactly as wasm3 does on
// the native host build and the emulated Cortex-M4 (every golden vector, the same episodes and training as V8), and
// an out-of-bounds access must trap with wasm3's named error, not corrupt memory.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { withBoard } from "../../tools/lib/board/session.ts";
import { loadGoldenFile } from "../../tools/lib/runtime/golden.ts";
import { tempFlashPath } from "../../tools/lib/board/qemu.ts";
import { repoRoot } from "../../tools/lib/util/paths.ts";
import { ensureToolchain, paths } from "../../tools/lib/board/toolchain.ts";
import { AgentRunner } from "../../tools/lib/agent/index.ts";
import { assertCallStackBounded, assertConformanceOn, assertMemoryBounds } from "../fixtures/board-checks.ts";

const kernels = loadGoldenFile(join(repoRoot, "test", "golden", "kernels.json"));
const small = loadGoldenFile(join(repoRoot, "test", "golden", "small-kernels.json"));

test("should extract only WAMR's runtime core from the pinned, checked wamr-sys crate", () => {
  ensureToolchain({ wamr: true });
  const pins = JSON.parse(readFileSync(join(repoRoot, "scripts", "toolchain", "pins.json"), "utf8"));
  assert.is(readFileSync(join(paths.wamr, ".bitrl-stamp"), "utf8"), pins.wamr.sha256);
  const listing = JSON.parse(readFileSync(join(repoRoot, "firmware", "wamr", "sources.json"), "utf8"));
  for (const f of [...listing.sources, ...(Object.values(listing.native_call) as string[])])
    assert.ok(existsSync(join(paths.wamr, f)), f);
  assert.ok(existsSync(join(paths.wamr, "LICENSE")));
  for (const extra of ["samples", "wamr-compiler", "product-mini", "core/app-framework"])
    assert.not.ok(existsSync(join(paths.wamr, extra)), extra);
});

test("should pass every golden case (kernels and the backbone's small kernels) with WAMR on the native host build", async () => {
  await assertConformanceOn("host", [kernels, small], { backend: "wamr" });
});

test("should pass every golden case with WAMR's fast interpreter on the emulated Cortex-M4 (qemu-m4)", async () => {
  await assertConformanceOn("qemu-m4", [kernels], { backend: "wamr", timeoutMs: 30000 });
});

test("should trap an out-of-bounds load and a too-deep call chain under WAMR with wasm3's errors, leave memory intact and keep answering", async () => {
  await withBoard("qemu-m4", { flashPath: tempFlashPath(), backend: "wamr", timeoutMs: 30000 }, async (s) => {
    await assertMemoryBounds(s, (mem) => [mem, mem + 4096, 0xffffffff], /\[trap\] out of bounds memory access/);
    await assertCallStackBounded(s.client, /\[trap\] stack overflow/);
  });
});

test("should play and train the shipped cartpole agent under WAMR exactly as V8 does (same seeds, same returns)", async () => {
  const blob = new Uint8Array(readFileSync(join(repoRoot, "models", "cartpole-ternary.bitrl")));
  const v8 = new AgentRunner(blob);
  await withBoard("qemu-m4", { flashPath: tempFlashPath(), backend: "wamr", timeoutMs: 60000 }, async (s) => {
    await s.client.loadModel(blob);
    for (const seed of [1, 2]) {
      const e = await s.client.episode(seed, 40, true);
      assert.equal(
        { steps: e.steps, return: e.return, terminated: e.terminated, truncated: e.truncated },
        v8.episode(seed, true, 40),
      );
    }
    // one on-device training episode: the update's functions and the blob imports run under WAMR too
    const t = await s.client.train(3, 1);
    assert.equal(t.returns, v8.train(3, 1));
  });
});

test.run();
