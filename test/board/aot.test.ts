// The ahead-of-time backend (wasm2c): the same module compiled to C must answer exactly as wasm3 does (every
// golden vector, the same episodes), and an out-of-bounds access must trap with a named error, not corrupt memory.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { withBoard } from "../../tools/lib/board/session.ts";
import { loadGoldenFile } from "../../tools/lib/runtime/golden.ts";
import { tempFlashPath } from "../../tools/lib/board/qemu.ts";
import { repoRoot } from "../../tools/lib/util/paths.ts";
import { assertCallStackBounded, assertConformanceOn, assertMemoryBounds } from "../fixtures/board-checks.ts";
import { filesUnder } from "../fixtures/files-under.ts";

const kernels = loadGoldenFile(join(repoRoot, "test", "golden", "kernels.json"));
const small = loadGoldenFile(join(repoRoot, "test", "golden", "small-kernels.json"));
const fixed = loadGoldenFile(join(repoRoot, "test", "golden", "fixed-kernels.json"));

test("should pass every golden case (kernels, the backbone's small and fixed-point kernels) with the AOT backend on the native host build, and bound its call stack", async () => {
  await assertConformanceOn("host", [kernels, small, fixed], { backend: "aot" });
  // no linked stack on the host: the floor is BITRL_CFG_STACK_BUDGET below the caller (stack_floor.c)
  await withBoard("host", { flashPath: tempFlashPath(), backend: "aot" }, async (s) =>
    assertCallStackBounded(s.client, /\[trap\] call stack exhausted/),
  );
});

test("should pass every golden case with the AOT backend on the emulated Cortex-M4 (qemu-m4)", async () => {
  await assertConformanceOn("qemu-m4", [kernels, fixed], { backend: "aot", timeoutMs: 20000 });
});

test("should trap an out-of-bounds load and a call chain too deep for the stack with named errors, leave memory intact and keep answering", async () => {
  await withBoard("qemu-m4", { flashPath: tempFlashPath(), backend: "aot", timeoutMs: 20000 }, async (s) => {
    // aot-gen's cheaper bounds check must be exact at the edge
    const past = (mem: number) => [mem, mem + 1, mem + 4096, 0x7fffffff, 0xffffffff];
    await assertMemoryBounds(s, past, /out of bounds memory access/);
    // the prologue's stack-pointer floor (aot-gen.mjs, wasm_rt_baremetal.c), not a count of calls: a chain of 1,000
    // small frames fits the 16 KiB stack, past the 500 calls wasm2c's count allowed
    await assertCallStackBounded(s.client, /\[trap\] call stack exhausted/, 1000);
    assert.is((await s.client.info()).backend, "aot");
  });
});

test("should compile the bounds checks out only in the bench's measurement build, never in a board's", () => {
  // bench/model.ts --aot-unchecked passes -DBITRL_AOT_BENCH_UNCHECKED to show what the checks cost; nothing that
  // builds or flashes a board may set it (the trap test above runs the default build)
  const gen = readFileSync(join(repoRoot, "scripts", "aot-gen.mjs"), "utf8");
  assert.ok(
    /"#ifdef BITRL_AOT_BENCH_UNCHECKED",\s*"#define BITRL_CHECK_O\(b, o, t\) \(\(void\)0\)",\s*"#else",/.test(gen),
  );
  for (const file of [
    join(repoRoot, "platformio.ini"),
    ...filesUnder(join(repoRoot, "tools")),
    ...filesUnder(join(repoRoot, "firmware")),
  ])
    assert.not.ok(
      readFileSync(file, "utf8").includes("BITRL_AOT_BENCH_UNCHECKED"),
      `${file} sets the measurement flag`,
    );
  assert.ok(readFileSync(join(repoRoot, "bench", "model.ts"), "utf8").includes('"-DBITRL_AOT_BENCH_UNCHECKED"'));
});

test("should give the same episodes and training returns with AOT as with wasm3 for the shipped cartpole agent", async () => {
  const blob = new Uint8Array(readFileSync(join(repoRoot, "models", "cartpole-ternary.bitrl")));
  const episodes = async (backend: "wasm3" | "aot") =>
    withBoard("qemu-m4", { flashPath: tempFlashPath(), backend, timeoutMs: 60000 }, async (s) => {
      await s.client.loadModel(blob);
      const out = [];
      for (const seed of [1, 2]) {
        const e = await s.client.episode(seed, 60, true);
        out.push({ steps: e.steps, ret: e.return, terminated: e.terminated, truncated: e.truncated });
      }
      // one on-device training episode too: it compiles the update's functions, the heap's peak (RAM budget)
      const t = await s.client.train(3, 1);
      out.push({ steps: t.episodes, ret: t.returns[0], terminated: false, truncated: false });
      return out;
    });
  const viaWasm3 = await episodes("wasm3");
  const viaAot = await episodes("aot");
  assert.ok(viaWasm3.every((e) => e.steps > 0));
  assert.equal(viaAot, viaWasm3);
});

test.run();
