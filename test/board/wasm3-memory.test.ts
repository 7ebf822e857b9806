// wasm3 on a 256 KiB board maps only the low part of the module's linear memory (BITRL_CFG_WASM_MEMORY_LIMIT,
// qemu-m4): every shipped agent's data, arena and heap fit below it, the module sizes its free memory by it, and an
// access above traps with a named error instead of reaching unmapped RAM.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { withBoard, type BoardSession } from "../../tools/lib/board/session.ts";
import { tempFlashPath } from "../../tools/lib/board/qemu.ts";
import { peakRamBytes } from "../../tools/lib/board/ram.ts";
import { loadAgent } from "../../tools/lib/runtime/wasm.ts";
import { repoRoot } from "../../tools/lib/util/paths.ts";
import { assertCallStackBounded, assertLoadsTrap, assertMemoryBounds } from "../fixtures/board-checks.ts";

const LIMIT = 114688; // platformio.ini [env:qemu-m4]
const AGENTS = [
  "cartpole-ternary",
  "cartpole-int8",
  "cartpole-fp32",
  "cartpole-none",
  "keydoor-ternary",
  "keydoor-none",
  "frozenlake-none",
];
const model = (name: string) => readFileSync(join(repoRoot, "models", `${name}.bitrl`));

test("should keep every shipped agent's memory high-water mark below the mapped limit (V8)", () => {
  for (const name of AGENTS) {
    const mod = loadAgent("release", { blob: model(name) });
    assert.is(mod.fn.memory_map(0), 131072, "unmapped: all of it");
    assert.is(mod.fn.agent_load(), 0, `${name}: ${mod.logs.join("; ")}`);
    const top = mod.fn.heap_top();
    assert.ok(top < LIMIT, `${name}: heap top ${top} not below ${LIMIT}`);
    assert.is(mod.fn.memory_map(LIMIT), LIMIT);
  }
});

test("should map 112 KiB under wasm3 on qemu-m4, run an agent there and trap above it", async () => {
  await withBoard("qemu-m4", { flashPath: tempFlashPath(), timeoutMs: 20000 }, async (s) => {
    assert.is(s.info.backend, "wasm3");
    assert.is((s.info.ram as { linear_memory: number }).linear_memory, LIMIT);
    await s.client.loadModel(model("keydoor-ternary"));
    const e = await s.client.episode(3, 20, true);
    assert.ok(e.steps > 0);
    assert.ok(Number((await s.client.kernel("heap_top", [])).value.value) < LIMIT);
    await s.client.kernel("probe_load_u8", [LIMIT - 1]);
    await assertLoadsTrap(s.client, [LIMIT, LIMIT + 4096, 131071], /out of bounds memory access/);
    assert.is((await s.client.info()).backend, "wasm3");
  });
});

for (const board of ["qemu-m4", "qemu-rv32"] as const) {
  test(`should trap every load outside the mapped memory under wasm3's 32-bit bounds check on ${board}`, async () => {
    // scripts/toolchain/wasm3-bounds32.mjs: on 32-bit cores the address, offset and size are summed in 32 bits, so
    // the checks must catch both wraps (address + offset, then + size) and the exact edge; memory stays intact
    await withBoard(board, { flashPath: tempFlashPath(), timeoutMs: 20000 }, async (s) => {
      assert.is(s.info.backend, "wasm3");
      const past = (mem: number) => [mem, mem + 1, mem + 4096, 0x7fffffff, 0xfffffffc, 0xffffffff];
      await assertMemoryBounds(s, past, /\[trap\] out of bounds memory access/);
    });
  });

  test(`should trap a call chain too deep for the C stack under wasm3 on ${board}, and keep answering`, async () => {
    // wasm3 runs each wasm call as a C call: on qemu-m4 its 8 KiB C stack ran out at ~150 nested calls, before the
    // 4 KiB value stack, and the board faulted (scripts/toolchain/wasm3-native-stack.mjs)
    await withBoard(board, { flashPath: tempFlashPath(), timeoutMs: 20000 }, async (s) => {
      await assertCallStackBounded(s.client, /\[trap\] stack overflow/);
    });
  });
}

/** wasm3's 4 KiB value stack (platformio.ini) keeps twice what the deepest call chain writes, training included. */
async function assertHalfStack(s: BoardSession, what: string): Promise<void> {
  const stack = (await s.client.info()).ram.wasm3_stack;
  assert.ok(stack !== null && stack.bytes === 4096, `value stack ${JSON.stringify(stack)}`);
  assert.ok(stack.peak > 0 && stack.peak * 2 <= stack.bytes, `${what}: value stack ${stack.peak} of ${stack.bytes} B`);
}

test("should leave >= 32 KiB of qemu-m4's RAM free after a ternary decision and use at most half the value stack", async () => {
  // issue #10: compiled code, value stack and mapped memory of the ternary cartpole agent's episode within 224 KiB
  await withBoard("qemu-m4", { flashPath: tempFlashPath(), timeoutMs: 60000 }, async (s) => {
    await s.client.loadModel(model("cartpole-ternary"));
    await s.client.episode(18, 20, true); // wasm3 compiles what a decision runs on the first step
    const ram = (await s.client.info()).ram;
    const peak = peakRamBytes(ram);
    assert.ok(ram.budget - peak >= 32 * 1024, `peak ${peak} B of ${ram.budget} B leaves ${ram.budget - peak} B`);
    await s.client.loadModel(model("keydoor-ternary"));
    await s.client.episode(3, 0, true);
    await s.client.train(3, 30); // ~100 steps: PPO's first update (rollout 64) runs
    await assertHalfStack(s, "keydoor PPO");
  });
});

test("should use at most half the value stack when the shipped cartpole agent learns on the board (REINFORCE)", async () => {
  // its update runs at each step beside the backbone's chain; a fresh board: the stub heap never frees, so a
  // training state left by another agent would change what fits
  await withBoard("qemu-m4", { flashPath: tempFlashPath(), timeoutMs: 60000 }, async (s) => {
    await s.client.loadModel(model("cartpole-ternary"));
    await s.client.episode(18, 1, true); // loads the agent
    assert.is((await s.client.kernel("agent_set_budget", [20])).value.value, 0);
    assert.is((await s.client.train(1, 1)).episodes, 1);
    await assertHalfStack(s, "cartpole REINFORCE");
  });
});

test.run();
