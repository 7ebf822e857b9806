// The real boards built here without a vendor SDK (nucleo_f446re, nrf52840_dk, esp32-c3-devkitm-1 with esptool's
// image) fit their flash and RAM per backend, or are refused with the numbers; the emulated STM32F4 (qemu-stm32f4,
// the Nucleo's USART driver on QEMU netduinoplus2, 128 KiB budget) passes conformance and runs a CartPole episode
// exactly as V8 does; `bitrl flash` on a real board without a port fails at once; the C core compiles for the
// ESP32 (Xtensa) where Debian's clang-22 is present.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { buildFirmware } from "../../tools/lib/board/firmware-build.ts";
import { checkFit, parseMapSections } from "../../tools/lib/board/fit.ts";
import { getBoard } from "../../tools/lib/board/profiles.ts";
import { withBoard } from "../../tools/lib/board/session.ts";
import { tempFlashPath } from "../../tools/lib/board/qemu.ts";
import { loadGoldenFile } from "../../tools/lib/runtime/golden.ts";
import { AgentRunner } from "../../tools/lib/agent/index.ts";
import { flashCommand } from "../../tools/cli/flash.ts";
import { paths, repoRoot } from "../../tools/lib/board/toolchain.ts";
import { assertConformance } from "../fixtures/board-checks.ts";
import { BoardError } from "../../tools/lib/board/client.ts";

const fitOf = async (board: string, backend: "wasm3" | "aot") => {
  const img = await buildFirmware(board, { backend });
  const map = join(dirname(img.path), "firmware.map");
  assert.ok(existsSync(map), `${board}: the linker map is kept next to the ELF`);
  return { img, fit: checkFit(getBoard(board), backend, parseMapSections(readFileSync(map, "utf8"))) };
};

test("should build nucleo_f446re (AOT, 96 KiB of linear memory mapped) within its 256 KiB image area and 128 KiB RAM", async () => {
  const { fit } = await fitOf("nucleo_f446re", "aot");
  assert.ok(fit.fits, fit.reason ?? "");
  assert.ok(fit.flashUsed > 100_000 && fit.flashUsed <= 256 * 1024, `flash ${fit.flashUsed}`);
  assert.ok(fit.ramUsed > 98_304 && fit.ramUsed <= 128 * 1024, `RAM ${fit.ramUsed}`);
  // wasm3 cannot fit the F446: no environment builds it, and the tools say why
  await buildFirmware("nucleo_f446re", { backend: "wasm3" }).then(
    () => assert.unreachable("wasm3 must be refused on nucleo_f446re"),
    (e) => assert.match((e as Error).message, /aot backend only.*128 KiB/),
  );
});

test("should build nrf52840_dk with AOT leaving >= 32 KiB free, and refuse wasm3 with the numbers", async () => {
  const aot = (await fitOf("nrf52840_dk", "aot")).fit;
  assert.ok(aot.fits, aot.reason ?? "");
  assert.ok(aot.ramFree >= 32 * 1024, `free ${aot.ramFree}`);
  const w3 = (await fitOf("nrf52840_dk", "wasm3")).fit;
  assert.not.ok(w3.fits);
  assert.ok(w3.ramUsed <= 256 * 1024, "the wasm3 build links within the 256 KiB");
  assert.match(
    w3.reason!,
    new RegExp(
      `nrf52840_dk with wasm3 does not fit: RAM ${w3.ramUsed} B of 262144 B leaves ${w3.ramFree} B free, under the 32768 B`,
    ),
  );
});

test("should build esp32-c3-devkitm-1 (RV32IMC) into an esptool image that fits the SRAM the ROM loads it into", async () => {
  const { img, fit } = await fitOf("esp32-c3-devkitm-1", "aot");
  assert.ok(fit.fits, fit.reason ?? "");
  const bin = join(dirname(img.path), "firmware.bin");
  assert.ok(existsSync(bin), "esptool elf2image made firmware.bin");
  const b = readFileSync(bin);
  assert.is(b[0], 0xe9, "ESP image magic");
  assert.is(b.readUInt16LE(12), 0x0005, "chip id: ESP32-C3");
  const entry = b.readUInt32LE(4);
  assert.ok(entry >= 0x40380000 && entry < 0x403e0000, `entry 0x${entry.toString(16)} in SRAM (instruction bus)`);
  // no atomics or float instructions: the ELF says rv32imc
  const attrs = spawnSync("riscv64-unknown-elf-readelf", ["-A", img.path], { encoding: "utf8" }).stdout;
  assert.match(attrs, /rv32i2p\d_m2p\d_c2p\d/);
  assert.not.match(attrs, /_a2p|_f2p|_d2p/);
});

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

test("should fail 'bitrl flash --board nrf52840_dk' without --port within a second, with one line", async () => {
  const t0 = Date.now();
  const err = await flashCommand.run(["--board", "nrf52840_dk"]).then(
    () => null,
    (e: Error) => e,
  );
  const ms = Date.now() - t0;
  assert.ok(err, "it fails");
  assert.ok(ms < 1000, `took ${ms} ms`);
  assert.match(err!.message, /nrf52840_dk.*--port/);
  assert.not.match(err!.message, /\n/);
  // a registry-built board whose platform is absent says so at once, too
  if (!existsSync(join(paths.pioCore, "platforms", "espressif32"))) {
    const e2 = await flashCommand.run(["--board", "esp32dev", "--port", "/dev/null"]).then(
      () => null,
      (e: Error) => e,
    );
    assert.match(e2!.message, /espressif32@6\.9\.0 platform, not installed/);
  }
});

test("should compile the C core and wasm3 for the ESP32 (Xtensa, clang-22 + llc -mcpu=esp32) where clang-22 exists", () => {
  const clang = spawnSync("sh", ["-c", "command -v clang-22 && command -v llc-22"], { encoding: "utf8" });
  if (clang.status !== 0) {
    console.log("  skipped: clang-22/llc-22 (Debian llvm-22 with the Xtensa backend) not installed");
    return;
  }
  const out = mkdtempSync(join(tmpdir(), "bitrl-xtensa-"));
  try {
    const src = join(repoRoot, "firmware", "src");
    // the same sources the esp32dev environment compiles (firmware/src with wasm3), newlib's headers for the C library
    const files = [
      ...readdirSync(src)
        .filter((f) => f.endsWith(".c"))
        .map((f) => join(src, f)),
      ...["m3_compile.c", "m3_exec.c", "m3_env.c"].map((f) => join(paths.wasm3, f)),
    ];
    let functions = 0;
    for (const f of files) {
      const bc = join(out, f.split("/").pop()! + ".bc");
      const cc = spawnSync(
        "clang-22",
        [
          "--target=xtensa",
          "-O2",
          "-ffreestanding",
          "-isystem",
          "/usr/lib/arm-none-eabi/include",
          "-I",
          src,
          "-I",
          paths.wasm3,
          "-Dd_m3FixedHeap=0",
          '-DBITRL_BOARD_NAME="esp32dev"',
          "-emit-llvm",
          "-c",
          f,
          "-o",
          bc,
        ],
        { encoding: "utf8" },
      );
      assert.is(
        cc.status,
        0,
        `${f}: ${cc.stderr
          .split("\n")
          .filter((l) => /error/.test(l))
          .slice(0, 2)
          .join(" | ")}`,
      );
      const s = join(out, f.split("/").pop()! + ".s");
      const llc = spawnSync("llc-22", ["-mtriple=xtensa", "-mcpu=esp32", "-O2", bc, "-o", s], { encoding: "utf8" });
      assert.is(llc.status, 0, `${f}: ${llc.stderr.slice(0, 200)}`);
      // windowed-ABI Xtensa functions open with `entry` (a file may hold only a build-time check, no code)
      functions += (readFileSync(s, "utf8").match(/^\s+entry\s+a1,/gm) ?? []).length;
    }
    assert.ok(functions > 100, `${functions} Xtensa functions generated`);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test.run();
