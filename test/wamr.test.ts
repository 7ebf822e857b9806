// The wamr backend (WAMR's fast interpreter, firmware/wamr): the same module must answer exactly as wasm3 does on
// the native host build and the emulated Cortex-M4 (every golden vector, the same episodes and training), and an out-of-bounds access must trap
// with wasm3's named error, not corrupt memory.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { withBoard } from "../tools/lib/board-session.ts";
import { BoardError } from "../tools/lib/board-client.ts";
import { runConformance } from "../tools/lib/conformance.ts";
import { loadGoldenFile } from "../tools/lib/wasm.ts";
import { tempFlashPath } from "../tools/lib/qemu.ts";
import { repoRoot } from "../tools/lib/paths.ts";

const kernels = loadGoldenFile(join(repoRoot, "test", "golden", "kernels.json"));
const small = loadGoldenFile(join(repoRoot, "test", "golden", "small-kernels.json"));

test("should pass every golden case (kernels and the backbone's small kernels) with WAMR on the native host build", async () => {
  await withBoard("host", { flashPath: tempFlashPath(), backend: "wamr" }, async (s) => {
    assert.is(s.info.backend, "wamr");
    const r = await runConformance(s.client, [kernels, small]);
    assert.equal(r.cases.filter((c) => !c.ok), []);
    assert.is(r.passed, kernels.cases.length + small.cases.length);
  });
});

test("should pass every golden case with WAMR's fast interpreter on the emulated Cortex-M4 (qemu-m4)", async () => {
  await withBoard("qemu-m4", { flashPath: tempFlashPath(), backend: "wamr", timeoutMs: 30000 }, async (s) => {
    assert.is(s.info.backend, "wamr");
    assert.is(s.info.clock_unit, "instructions");
    const r = await runConformance(s.client, [kernels]);
    assert.equal(r.cases.filter((c) => !c.ok), []);
    assert.is(r.passed, kernels.cases.length);
  });
});

test("should trap an out-of-bounds load under WAMR with wasm3's error, leave memory intact and keep answering", async () => {
  await withBoard("qemu-m4", { flashPath: tempFlashPath(), backend: "wamr", timeoutMs: 30000 }, async (s) => {
    const io = await s.client.ioBase();
    const marker = Uint8Array.from({ length: 64 }, (_, i) => (i * 29 + 7) & 255);
    await s.client.memWrite(io, marker);
    const memBytes = (s.info.ram as { linear_memory: number }).linear_memory;
    assert.ok(memBytes > 0, "info reports the linear memory size");
    assert.is((await s.client.kernel("probe_load_u8", [io + 3])).value.value, marker[3]);
    await s.client.kernel("probe_load_u8", [memBytes - 1]); // the last byte is in bounds
    for (const addr of [memBytes, memBytes + 4096, 0xffffffff]) {
      try {
        await s.client.kernel("probe_load_u8", [addr]);
        assert.unreachable(`a load at ${addr} must trap`);
      } catch (e) {
        assert.instance(e, BoardError);
        assert.is((e as BoardError).code, "ERR_TRAP");
        assert.match((e as Error).message, /\[trap\] out of bounds memory access/);
      }
    }
    assert.equal(await s.client.memRead(io, marker.length), marker);
  });
});

test("should give the same episodes and training returns with WAMR as with wasm3 for the shipped cartpole agent", async () => {
  const blob = new Uint8Array(readFileSync(join(repoRoot, "models", "cartpole-ternary.bitrl")));
  const run = async (backend: "wasm3" | "wamr") =>
    withBoard("qemu-m4", { flashPath: tempFlashPath(), backend, timeoutMs: 60000 }, async (s) => {
      await s.client.loadModel(blob);
      const out = [];
      for (const seed of [1, 2]) {
        const e = await s.client.episode(seed, 40, true);
        out.push({ steps: e.steps, ret: e.return, terminated: e.terminated, truncated: e.truncated });
      }
      // one on-device training episode: the update's functions and the blob imports run under WAMR too
      const t = await s.client.train(3, 1);
      out.push({ steps: t.episodes, ret: t.returns[0], terminated: false, truncated: false });
      return out;
    });
  const viaWasm3 = await run("wasm3");
  const viaWamr = await run("wamr");
  assert.ok(viaWasm3.every((e) => e.steps > 0));
  assert.equal(viaWamr, viaWasm3);
});

test.run();
