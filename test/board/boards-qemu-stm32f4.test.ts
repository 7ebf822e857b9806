// The emulated STM32F4 (qemu-stm32f4: the Nucleo's USART driver on QEMU netduinoplus2, 128 KiB budget) passes
// conformance, runs a CartPole episode exactly as V8 does, and traps with a named error beyond its mapped memory.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { withBoard } from "../../tools/lib/board/session.ts";
import { tempFlashPath } from "../../tools/lib/board/qemu.ts";
import { loadGoldenFile } from "../../tools/lib/runtime/golden.ts";
import { AgentRunner } from "../../tools/lib/agent/index.ts";
import { repoRoot } from "../../tools/lib/board/toolchain.ts";
import { assertConformance } from "../fixtures/board-checks.ts";
import { BoardError } from "../../tools/lib/board/client.ts";

test("should boot qemu-stm32f4 (Nucleo USART driver, 128 KiB) through conformance and a CartPole episode equal to V8", async () => {
  const kernels = loadGoldenFile(join(repoRoot, "test", "golden", "kernels.json"));
  const fixed = loadGoldenFile(join(repoRoot, "test", "golden", "fixed-kernels.json"));
  await withBoard("qemu-stm32f4", { flashPath: tempFlashPath(), timeoutMs: 60000 }, async (s) => {
    assert.is(s.info.board, "qemu-stm32f4");
    assert.is(s.info.backend, "aot");
    assert.is(s.info.ram.budget, 131072);
    assert.ok(s.info.ram.linked > 0 && s.info.ram.linked <= 131072, `linked ${s.info.ram.linked}`);
    assert.is(s.info.ram.linear_memory, 98304, "96 KiB of the 128 KiB linear memory mapped");
    await assertConformance(s.client, [kernels, fixed]);
    const blob = new Uint8Array(readFileSync(join(repoRoot, "models", "cartpole-ternary.bitrl")));
    await s.client.loadModel(blob);
    const v8 = new AgentRunner(blob);
    for (const seed of [1, 4]) {
      const e = await s.client.episode(seed, 200, true);
      assert.equal(
        { steps: e.steps, return: e.return, terminated: e.terminated, truncated: e.truncated },
        v8.episode(seed, true, 200),
      );
    }
    // beyond the mapped part the module traps with a named error and the board keeps answering
    await s.client.kernel("probe_load_u8", [98303]);
    for (const addr of [98304, 131071]) {
      try {
        await s.client.kernel("probe_load_u8", [addr]);
        assert.unreachable(`a load at ${addr} must trap`);
      } catch (e) {
        assert.instance(e, BoardError);
        assert.match((e as Error).message, /out of bounds memory access/);
      }
    }
    assert.is((await s.client.info()).board, "qemu-stm32f4");
  });
});

test.run();
