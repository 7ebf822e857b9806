// Conformance: every golden vector through the firmware (native host build and the emulated Cortex-M4) matches the
// TypeScript reference; a wrong expectation is caught.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { withBoard } from "../../tools/lib/board/session.ts";
import { runBoardCase } from "../../tools/lib/board/conformance.ts";
import { loadGoldenFile } from "../../tools/lib/runtime/golden.ts";
import { tempFlashPath } from "../../tools/lib/board/qemu.ts";
import { repoRoot } from "../../tools/lib/board/toolchain.ts";
import { assertCallStackBounded, assertConformance } from "../fixtures/board-checks.ts";

const kernels = loadGoldenFile(join(repoRoot, "test", "golden", "kernels.json"));

test("should pass every golden case on the native host build, and trap a call chain too deep for its stack", async () => {
  await withBoard("host", { flashPath: tempFlashPath() }, async (s) => {
    const r = await assertConformance(s.client, [kernels]);
    assert.is(r.board, "host");
    assert.is(r.cases.length, kernels.cases.length);
    // wasm3's C stack check with no linked stack: BITRL_CFG_STACK_BUDGET below the caller (stack_floor.c)
    await assertCallStackBounded(s.client, /\[trap\] stack overflow/);
  });
});

test("should fail a case whose expectation is wrong, naming the first differing byte", async () => {
  await withBoard("host", { flashPath: tempFlashPath() }, async (s) => {
    const c = kernels.cases.find((x) => x.compare === "exact")!;
    const flipped = (parseInt(c.expect.slice(0, 2), 16) ^ 1).toString(16).padStart(2, "0") + c.expect.slice(2);
    const io = await s.client.ioBase();
    const r = await runBoardCase(s.client, io, 48 * 1024, { ...c, expect: flipped });
    assert.is(r.ok, false);
    assert.match(r.detail ?? "", /byte 0/);
  });
});

test("should pass every golden case on the emulated RISC-V core (qemu-rv32, rv32imc with -cpu rv32,a=off,f=off,d=off as the ESP32-C3)", async () => {
  await withBoard("qemu-rv32", { flashPath: tempFlashPath(), timeoutMs: 20000 }, async (s) => {
    assert.is(s.info.clock_unit, "instructions");
    const r = await assertConformance(s.client, [kernels]);
    assert.is(r.board, "qemu-rv32");
  });
});

test("should pass every golden case on the emulated Cortex-M4 (qemu-m4)", async () => {
  await withBoard("qemu-m4", { flashPath: tempFlashPath(), timeoutMs: 20000 }, async (s) => {
    assert.is(s.info.clock_unit, "instructions");
    const r = await assertConformance(s.client, [kernels]);
    assert.is(r.board, "qemu-m4");
  });
});

test("should print one JSON line from 'bitrl conformance --board host --json' and exit 0", () => {
  const r = spawnSync(
    process.execPath,
    [join(repoRoot, "bin", "bitrl.mjs"), "conformance", "--board", "host", "--json"],
    { encoding: "utf8", cwd: repoRoot },
  );
  assert.is(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout.trim());
  assert.is(out.board, "host");
  assert.is(out.failed, 0);
  assert.is(out.passed, out.cases.length);
  assert.ok(out.cases.every((c: { name: string; ok: boolean }) => typeof c.name === "string" && c.ok === true));
});

test("should refuse a real board without a serial port, in one line", () => {
  const r = spawnSync(
    process.execPath,
    [join(repoRoot, "bin", "bitrl.mjs"), "conformance", "--board", "nucleo_f446re"],
    { encoding: "utf8", cwd: repoRoot },
  );
  assert.is(r.status, 1);
  assert.match(r.stderr, /^bitrl conformance: board 'nucleo_f446re' is a real board: pass --port/);
  assert.is(r.stderr.trim().split("\n").length, 1);
});

test.run();
