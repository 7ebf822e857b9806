// Toolchain setup (idempotent, offline PlatformIO, wasm3 sources), board profiles, and the RAM budget the
// qemu-m4 link enforces.
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { BOARDS, estimateEnergy, getBoard, ticksToSeconds } from "../../tools/lib/board/profiles.ts";
import { BitrlError } from "../../tools/lib/util/errors.ts";
import { buildFirmware, SELFTEST_SRC } from "../../tools/lib/board/firmware-build.ts";
import { ensureToolchain, paths, pioEnv, repoRoot, toolchainReady } from "../../tools/lib/board/toolchain.ts";
import { reorderOpSignature } from "../../scripts/toolchain/wasm3-op-signature.mjs";
import { addF32Register } from "../../scripts/toolchain/wasm3-f32-register.mjs";
import { checkBounds32 } from "../../scripts/toolchain/wasm3-bounds32.mjs";
import { splitIntRegisters } from "../../scripts/toolchain/wasm3-int-registers.mjs";
import { accessLimits } from "../../scripts/toolchain/wasm3-access-limits.mjs";
import { loopJump } from "../../scripts/toolchain/wasm3-loop-jump.mjs";
import { functionBlocks } from "../../scripts/toolchain/wasm3-function-blocks.mjs";
import { nextR3 } from "../../scripts/toolchain/wasm3-next-r3.mjs";
import { entrySlots } from "../../scripts/toolchain/wasm3-entry-slots.mjs";
import { nativeStack } from "../../scripts/toolchain/wasm3-native-stack.mjs";
import { fetchNext } from "../../scripts/toolchain/wasm3-fetch-next.mjs";
import { armRegisters } from "../../scripts/toolchain/wasm3-arm-registers.mjs";

const pins = JSON.parse(readFileSync(join(repoRoot, "scripts/toolchain/pins.json"), "utf8"));

test("should install nothing and finish quickly when the toolchain is already there", () => {
  ensureToolchain({ riscv: true });
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [paths.setupScript, "--riscv"], { cwd: repoRoot, encoding: "utf8" });
  const ms = Date.now() - t0;
  assert.is(r.status, 0, r.stderr);
  assert.not.match(r.stdout, /install|download|venv/);
  assert.match(r.stdout, /ready/);
  assert.ok(ms < 10_000, `second setup took ${ms} ms`);
  assert.ok(toolchainReady({ riscv: true }));
});

test("should reject an unknown setup option with a one-line error", () => {
  const r = spawnSync(process.execPath, [paths.setupScript, "--bogus"], { cwd: repoRoot, encoding: "utf8" });
  assert.is(r.status, 2);
  assert.match(r.stderr.trim(), /^setup-toolchain: unknown option '--bogus'/);
});

test("should give PlatformIO a tool-scons that its core accepts, so nothing is fetched", () => {
  const code =
    "from platformio.package.manager.core import get_core_package_dir as g; print(g('tool-scons', auto_install=False))";
  const r = spawnSync(paths.python, ["-c", code], { env: pioEnv(), encoding: "utf8" });
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stdout.trim(), join(paths.pioCore, "packages", "tool-scons"));
  const v = spawnSync(paths.pio, ["--version"], { env: pioEnv(), encoding: "utf8" });
  assert.match(v.stdout, new RegExp(`version ${pins.platformio.replace(/\./g, "\\.")}`));
});

test("should extract the pinned wasm3 core without the Python binding", () => {
  assert.ok(existsSync(join(paths.wasm3, "wasm3.h")));
  assert.ok(existsSync(join(paths.wasm3, "m3_exec.h")));
  assert.not.ok(existsSync(join(paths.wasm3, "m3module.c")));
  assert.is(readFileSync(join(paths.wasm3, ".bitrl-stamp"), "utf8"), `${pins.wasm3.sha256} ${pins.wasm3.patch}`);
  // the op signature reordered (scripts/toolchain/wasm3-op-signature.mjs): r0 first, and every entry call agrees
  const defs = readFileSync(join(paths.wasm3, "m3_exec_defs.h"), "utf8");
  assert.match(defs, /define d_m3BaseOpSig\s+\w+ _r0, pc_t _pc, m3stack_t _sp, /);
  for (const file of ["m3_env.c", "m3_exec.h"])
    assert.not.match(readFileSync(join(paths.wasm3, file), "utf8"), /Call \([^;]*, d_m3OpDefaultArgs\)/);
  // f32 values in a register of their own (scripts/toolchain/wasm3-f32-register.mjs): fp1 beside fp0, and no f32
  // operation left on fp0
  assert.match(defs, /define d_m3OpSig\s+d_m3ExpOpSig\s+\(f64 _fp0, f32 _fp1\)/);
  const exec = readFileSync(join(paths.wasm3, "m3_exec.h"), "utf8");
  const f32OnFp0 = exec.split("\n").filter((l) => /_fp0/.test(l) && /\bf32\b/.test(l));
  assert.equal(
    f32OnFp0.map((l) => l.trim()),
    ["d_m3TypeModifyOp (_fp1, _fp0, f32, Demote, f64);", "d_m3TypeModifyOp (_fp0, _fp1, f64, Promote, f32);"],
  );
  // loads and stores checked in 32 bits on 32-bit hosts (scripts/toolchain/wasm3-bounds32.mjs): no 64-bit sum left
  assert.not.match(exec, /u64 operand =|operand \+ sizeof \(\w+\) <= d_m3Mem->length/);
  assert.is(exec.match(/d_m3MemInBounds \(operand, offset, sizeof \(\w+\), d_m3Mem->length\)/g)?.length, 6);
  // and against a limit kept for their access size (scripts/toolchain/wasm3-access-limits.mjs): one sum tested, the
  // header's limits set with its length, every access at base + start
  assert.match(
    exec,
    /#  define d_m3MemInBounds\(ADDR, OFFSET, SIZE, LENGTH\) \(\(ADDR\) >= \(OFFSET\) && \(ADDR\) < d_m3MemLimit \(SIZE\)\)\n/,
  );
  assert.is(exec.match(/u8\* (?:src8|mem8) = m3MemData\(d_m3Mem\) \+ operand;/g)?.length, 6);
  assert.match(readFileSync(join(paths.wasm3, "m3_core.h"), "utf8"), /u32 +limit8, limit4, limit2, limit1;/);
  assert.is(readFileSync(join(paths.wasm3, "m3_env.c"), "utf8").match(/memory->mallocated->limit\d = /g)?.length, 4);
  // branches back to a loop as jumps where no loop began since (scripts/toolchain/wasm3-loop-jump.mjs)
  const compiled = readFileSync(join(paths.wasm3, "m3_compile.c"), "utf8");
  assert.match(compiled, /scope->loopMark == o->loopCount \? op_BranchIf_r : op_ContinueLoopIf/);
  assert.match(compiled, /scope->loopMark == o->loopCount \? op_Branch : op_ContinueLoop/);
  // on Arm the next operation's address tied to r3 (scripts/toolchain/wasm3-next-r3.mjs), but in the comparisons and
  // op_SetSlot_i32
  assert.match(defs, /register IM3Operation m3r3_ asm \("r3"\)/);
  assert.match(defs, /#define nextOpTied\(\)\s+d_m3TailCallR3 \(\(IM3Operation\) \(\* _pc\), _pc \+ 1\)/);
  assert.match(exec, /#   define nextOp\(\)                 d_m3NextOp\(\)\n/);
  assert.is(exec.match(/#define d_m3NextOp\(\)                nextOpDirect\(\)\n/g)?.length, 2);
  // a function's entry zeroes its locals and copies its constants a slot at a time (wasm3-entry-slots.mjs)
  assert.not.match(exec, /memset \(stack|memcpy \(stack/);
  assert.match(exec, /for \(; stack < end; \+\+stack\) \{ \* stack = 0; /);
  // on Arm the frequent operations fetch their immediates and the next address in one ldrd (wasm3-fetch-next.mjs):
  // SetSlot, _rs, _sr, If_r, If_s and loads _r by one; _ss, loads _s, stores _rs and _sr by two; each jumps through
  // d_m3JumpNext
  assert.match(exec, /__asm__ \("ldrd %0, %1, \[%2\], #8"/);
  assert.match(exec, /#define d_m3JumpNext\(\)\s+d_m3TailCallR3 \(m3next_, _pc\)/);
  assert.is(exec.match(/d_m3ImmNext \(/g)?.length, 6);
  assert.is(exec.match(/d_m3Imm2Next \(/g)?.length, 4);
  assert.is(exec.match(/d_m3JumpNext \(\);/g)?.length, 10);
  // i32 and i64 values in a register each (scripts/toolchain/wasm3-int-registers.mjs): r0 an i32, r64 after sp, and
  // no i64 value left on r0
  assert.match(defs, /define d_m3BaseOpSig\s+i32 _r0, pc_t _pc, m3stack_t _sp, i64 _r64, M3MemoryHeader \* _mem\n/);
  assert.not.match(exec, /\(i64\) _r0|\(u64\) _r0|\(_r0, i64,|d_m3(?:Select_i|SetRegisterSetSlot) \(i64, _r0\)/);
  // on 32-bit Arm firmware the i64 register and the memory header are not arguments: operations take (r0, pc, sp, fp0,
  // fp1), the two live in r10:r11 and r9, declared in wasm3's files only (scripts/toolchain/wasm3-arm-registers.mjs),
  // and every entry call saves them, sets the memory, and restores them for its caller
  assert.match(
    defs,
    /# if defined\(__arm__\) && !defined\(__aarch64__\) && !defined\(__linux__\)\n(?:\/\/.*\n)*register i64 bitrl_m3_r64 asm \("r10"\);\nregister u8 \* bitrl_m3_data asm \("r9"\);\n/,
  );
  assert.match(defs, /define d_m3BaseOpSig\s+i32 _r0, pc_t _pc, m3stack_t _sp\n/);
  assert.match(
    defs,
    /define d_m3CallEntry\(PC, SP, MEM\)\s+\(\{ u8 \* m3data_ = bitrl_m3_data; i64 m3r64_ = bitrl_m3_r64; \\\n\s+d_m3SetMem \(MEM\); m3ret_t m3r_ = Call \(0, PC, SP d_m3OpDefaultArgs\); \\\n\s+bitrl_m3_data = m3data_; bitrl_m3_r64 = m3r64_; m3r_; \}\)\n/,
  );
  const entries = ["m3_env.c", "m3_exec.h"].map((f) => readFileSync(join(paths.wasm3, f), "utf8"));
  assert.is(entries.join("").match(/d_m3CallEntry \(/g)?.length, 7);
  assert.not.match(entries.join(""), /\bCall \(0, /);
  assert.not.match(readFileSync(join(paths.wasm3, "m3_exec.c"), "utf8"), /bitrl_m3_/);
  // the function records' array grows 16 records at a time (scripts/toolchain/wasm3-function-blocks.mjs)
  assert.match(
    readFileSync(join(paths.wasm3, "m3_module.c"), "utf8"),
    /m3_ReallocArray \(M3Function, io_module->functions, \(io_module->numFunctions \+ 15\) & ~15u, \(index \+ 15\) & ~15u\);/,
  );
  // a function's entry checks the C stack pointer against the firmware's floor too (wasm3-native-stack.mjs)
  assert.match(exec, /< d_m3Mem->maxStack\) && LIKELY \(d_m3NativeSp \(\) >= bitrl_wasm3_native_floor\)\)\n/);
  assert.match(readFileSync(join(paths.wasm3, "m3_exec.c"), "utf8"), /\nuintptr_t bitrl_wasm3_native_floor;\n/);
});

test("should refuse to edit wasm3 sources that are not the pinned ones, and leave them as they were", () => {
  // the installed copy is already edited, so not one pattern finds what it expects
  const dir = mkdtempSync(join(tmpdir(), "bitrl-wasm3-"));
  try {
    for (const f of ["m3_exec_defs.h", "m3_env.c", "m3_exec.h", "m3_compile.h", "m3_module.c"])
      cpSync(join(paths.wasm3, f), join(dir, f));
    const before = readFileSync(join(dir, "m3_exec_defs.h"), "utf8");
    assert.throws(
      () => reorderOpSignature(dir),
      /matched 0 times in m3_exec_defs\.h, expected 1: not the pinned sources/,
    );
    assert.is(readFileSync(join(dir, "m3_exec_defs.h"), "utf8"), before);
    assert.throws(() => addF32Register(dir), /f32-register edit .* matched 0 times in m3_exec_defs\.h, expected 1/);
    assert.is(readFileSync(join(dir, "m3_exec_defs.h"), "utf8"), before);
    const execBefore = readFileSync(join(dir, "m3_exec.h"), "utf8");
    assert.throws(() => checkBounds32(dir), /bounds32 edit .* matched 0 times in m3_exec\.h, expected 6/);
    assert.is(readFileSync(join(dir, "m3_exec.h"), "utf8"), execBefore);
    assert.throws(() => splitIntRegisters(dir), /int-registers edit .* matched 0 times in m3_exec_defs\.h, expected 1/);
    assert.is(readFileSync(join(dir, "m3_exec_defs.h"), "utf8"), before);
    assert.throws(() => accessLimits(dir), /access-limits edit .* matched 0 times in m3_exec\.h, expected 1/);
    assert.throws(() => loopJump(dir), /loop-jump edit .* matched 0 times in m3_compile\.h, expected 1/);
    assert.throws(() => nextR3(dir), /next-r3 edit .* matched 0 times in m3_exec\.h, expected 1/);
    assert.throws(() => entrySlots(dir), /entry-slots edit .* matched 0 times in m3_exec\.h, expected 1/);
    assert.throws(() => fetchNext(dir), /fetch-next edit .* matched 0 times in m3_exec\.h, expected 1/);
    const moduleBefore = readFileSync(join(dir, "m3_module.c"), "utf8");
    assert.throws(() => functionBlocks(dir), /function-blocks edit .* matched 0 times in m3_module\.c, expected 1/);
    assert.is(readFileSync(join(dir, "m3_module.c"), "utf8"), moduleBefore);
    cpSync(join(paths.wasm3, "m3_exec.c"), join(dir, "m3_exec.c"));
    const execCBefore = readFileSync(join(dir, "m3_exec.c"), "utf8");
    assert.throws(() => nativeStack(dir), /native-stack edit .* matched 0 times in m3_exec\.h, expected 1/);
    assert.is(readFileSync(join(dir, "m3_exec.c"), "utf8"), execCBefore);
    assert.is(readFileSync(join(dir, "m3_exec.h"), "utf8"), execBefore);
    assert.throws(() => armRegisters(dir), /arm-registers edit .* matched 0 times in m3_env\.c, expected 5/); // its first pattern is kept for other cores
    assert.is(readFileSync(join(dir, "m3_exec_defs.h"), "utf8"), before);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("should list every board with its tick unit, RAM budget and a cited power figure", () => {
  const ids = BOARDS.map((b) => b.id);
  for (const id of [
    "qemu-m4",
    "qemu-rv32",
    "host",
    "esp32dev",
    "esp32-s3-devkitc-1",
    "esp32-c3-devkitm-1",
    "nucleo_f446re",
    "nrf52840_dk",
  ]) {
    assert.ok(ids.includes(id as never), id);
  }
  for (const b of BOARDS) {
    assert.is(b.clockUnit, b.kind === "emulated" ? "instructions" : b.kind === "host" ? "ns" : "cycles", b.id);
    assert.ok(b.ramBytes >= 64 * 1024, b.id);
    if (b.kind !== "host") assert.match(b.power!.source, /datasheet|Specification/i, b.id);
    assert.is(b.emulates !== null, b.kind === "emulated", b.id);
  }
});

test("should refuse an unknown board, naming the valid ones", () => {
  try {
    getBoard("arduino-uno");
    assert.unreachable("no error");
  } catch (e) {
    assert.instance(e, BitrlError);
    assert.match((e as Error).message, /unknown board 'arduino-uno' \(boards: qemu-m4, qemu-m4-esp32, qemu-rv32/);
  }
});

test("should estimate energy as time at the emulated chip's clock times its datasheet power", () => {
  const m4 = getBoard("qemu-m4");
  assert.is(ticksToSeconds(m4, 64_000_000), 1);
  const e = estimateEnergy(m4, 64_000_000);
  assert.is(e.kind, "estimated");
  assert.ok(Math.abs(e.joules - 0.0033 * 3.0) < 1e-12, String(e.joules));
  assert.match(e.basis, /nRF52840/);
  assert.throws(() => estimateEnergy(getBoard("host"), 1), /no power figure/);
});

test("should give each emulated board's link the profile's RAM budget", () => {
  const ini = readFileSync(join(repoRoot, "platformio.ini"), "utf8");
  for (const id of ["qemu-m4", "qemu-rv32"]) {
    const section = ini.split(`[env:${id}]`)[1].split(/\n\[/)[0];
    const m = /--defsym=__bitrl_ram_size=(\d+)/.exec(section);
    assert.ok(m, id);
    assert.is(Number(m![1]), getBoard(id).ramBytes, id);
  }
});

test("should fail the qemu-m4 link, naming the budget, when wasm3's heap would not fit in RAM", async () => {
  try {
    await buildFirmware("qemu-m4", { srcDir: SELFTEST_SRC, buildFlags: ["-Dd_m3FixedHeap=262144"] });
    assert.unreachable("linked although over budget");
  } catch (e) {
    assert.instance(e, BitrlError);
    assert.match((e as Error).message, /RAM budget exceeded/);
  }
});

test.run();
