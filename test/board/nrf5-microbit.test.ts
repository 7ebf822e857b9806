// The nRF52840-DK's UART and NVMC code (firmware/boards/nrf5) run on QEMU's `microbit` (nRF51822: the same UART0 and
// NVMC register offsets, real erase/write behaviour): a self-test firmware reports over the UART (transmit) while it
// rewrites flash pages. The UART receive path is not tested here (QEMU's model stalls input; docs/boards.md).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repoRoot } from "../../tools/lib/board/toolchain.ts";
import { within } from "../fixtures/timeout.ts";

test("should transmit over the nRF5 UART and rewrite NVMC pages correctly on QEMU microbit", async () => {
  const dir = mkdtempSync(join(tmpdir(), "bitrl-nrf5-"));
  try {
    const elf = join(dir, "selftest.elf");
    const st = join(repoRoot, "scripts", "toolchain", "nrf5-selftest");
    const cc = spawnSync(
      "arm-none-eabi-gcc",
      [
        "-mcpu=cortex-m0",
        "-mthumb",
        "-Os",
        "-ffunction-sections",
        "-fdata-sections",
        "-Wall",
        "-Werror",
        "--specs=nano.specs",
        "-nostartfiles",
        "-Wl,--gc-sections",
        "-T",
        join(st, "microbit.ld"),
        "-I",
        join(repoRoot, "firmware/boards/nrf5"),
        "-I",
        join(repoRoot, "firmware/boards/common"),
        join(st, "selftest.c"),
        join(repoRoot, "firmware/boards/nrf5/nrf5_uart.c"),
        join(repoRoot, "firmware/boards/common/semihost.c"),
        "-o",
        elf,
      ],
      { encoding: "utf8" },
    );
    assert.is(cc.status, 0, cc.stderr);
    const sock = join(dir, "uart.sock");
    const q = spawn(
      "qemu-system-arm",
      [
        "-M",
        "microbit",
        "-display",
        "none",
        "-nodefaults",
        "-semihosting-config",
        "enable=on,target=native",
        "-chardev",
        `socket,id=u,path=${sock},server=on,wait=on`,
        "-serial",
        "chardev:u",
        "-kernel",
        elf,
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    const exited = new Promise<number | null>((res) => q.on("exit", (c) => res(c)));
    let out = "";
    try {
      let s: ReturnType<typeof connect> | null = null;
      for (let i = 0; i < 100 && !s; i++) {
        await new Promise((r) => setTimeout(r, 100));
        s = await new Promise((res) => {
          const c = connect(sock, () => res(c));
          c.on("error", () => res(null));
        });
      }
      assert.ok(s, "QEMU's UART socket");
      s!.on("data", (d) => (out += d.toString("latin1")));
      const code = await within(exited, 60000, -1);
      assert.is(code, 0, out);
    } finally {
      q.kill("SIGKILL");
    }
    assert.match(out, /^nrf5 selftest\n/);
    for (const what of [
      "nvmc write over erased flash",
      "nvmc rewrite with erase",
      "nvmc neighbours kept",
      "nvmc write across a page boundary",
    ]) {
      assert.match(out, new RegExp(`ok ${what}`));
    }
    assert.match(out, /selftest passed/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
