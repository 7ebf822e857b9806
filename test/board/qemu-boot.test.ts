// Firmware built here boots on the emulated boards, answers on the serial port, counts instructions
// deterministically, keeps its flash between boots, and QEMU never outlives close() or a failed boot.
import { spawn } from "node:child_process";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { crc32 } from "../../tools/lib/util/crc32.ts";
import { crc16 } from "../../tools/lib/util/crc16.ts";
import {
  buildFirmware,
  buildHostFirmware,
  SELFTEST_SRC,
  type FirmwareImage,
} from "../../tools/lib/board/firmware-build.ts";
import {
  bootQemu,
  liveQemuCount,
  tempFlashPath,
  withQemu,
  type QemuBoard,
  type QemuBoardId,
} from "../../tools/lib/board/qemu.ts";
import { within } from "../fixtures/timeout.ts";

const images = new Map<string, FirmwareImage>();
async function selftest(board: QemuBoardId): Promise<string> {
  if (!images.has(board)) images.set(board, await buildFirmware(board, { srcDir: SELFTEST_SRC }));
  return images.get(board)!.path;
}

const banner = (b: QemuBoard) => b.waitFor((r) => r.includes("\n"), 10_000, "its banner");

/** Sends one self-test command and returns its reply line. */
async function ask(b: QemuBoard, cmd: string, prefix: string, ms = 20_000): Promise<string> {
  const before = b.received().length;
  b.write(cmd);
  const rx = await b.waitFor(
    (r) => new RegExp(`(^|\\n)${prefix}[^\\n]*\\n`).test(r.subarray(before).toString()),
    ms,
    `'${prefix}'`,
  );
  return new RegExp(`(?:^|\\n)(${prefix}[^\\n]*)\\n`).exec(rx.subarray(before).toString())![1];
}

/** A protocol frame (docs/protocol.md): sync, len, seq, code, CRC-16 of [2, 6), payload, CRC-32 of [2, 8 + len). */
function frame(seq: number, code: number, payload = new Uint8Array(0)): Uint8Array {
  const f = new Uint8Array(8 + payload.length + 4);
  const v = new DataView(f.buffer);
  f[0] = 0xb1;
  f[1] = 0x7e;
  v.setUint16(2, payload.length, true);
  f[4] = seq;
  f[5] = code;
  v.setUint16(6, crc16(f.subarray(2, 6)), true);
  f.set(payload, 8);
  v.setUint32(8 + payload.length, crc32(f.subarray(2, 8 + payload.length)), true);
  return f;
}

/** Index of a complete reply frame with this seq in rx, or -1. */
function replyAt(rx: Uint8Array, seq: number): number {
  for (let i = 0; i + 12 <= rx.length; i++) {
    if (rx[i] !== 0xb1 || rx[i + 1] !== 0x7e) continue;
    const len = rx[i + 2] | (rx[i + 3] << 8);
    if (i + 12 + len <= rx.length && rx[i + 4] === seq) return i;
  }
  return -1;
}

for (const board of ["qemu-m4", "qemu-rv32"] as const) {
  test(`should boot the ${board} self-test firmware and answer on the serial port`, async () => {
    const elf = await selftest(board);
    await withQemu({ elf, board, flashPath: tempFlashPath(), handshake: banner }, async (b) => {
      assert.match(b.received().toString(), new RegExp(`^bitrl-selftest ${board} instructions\\n`));
      assert.is(await ask(b, "p", "pong"), "pong");
    });
  });

  test(`should count identical instructions for the same work in two ${board} runs`, async () => {
    const elf = await selftest(board);
    const runs: string[][] = [];
    for (let i = 0; i < 2; i++) {
      await withQemu({ elf, board, flashPath: tempFlashPath(), handshake: banner }, async (b) => {
        // a different idle time before the work each run: the count must not depend on it
        await new Promise((r) => setTimeout(r, 50 + 150 * i));
        runs.push([await ask(b, "c", "loop"), await ask(b, "w", "(work|error)")]);
      });
    }
    assert.equal(runs[0], runs[1]);
    const loop = Number(runs[0][0].split(" ")[1]);
    assert.ok(loop > 200_000 && loop < 2_000_000, `100k-iteration loop counted ${loop} instructions`);
    assert.match(runs[0][1], /^work \d+ heap \d+ stack \d+ \(env \d+ parse \d+ load \d+ call \d+\)$/);
  });

  test(`should keep the ${board} flash file across boots`, async () => {
    const elf = await selftest(board);
    const flashPath = tempFlashPath();
    const first = await withQemu({ elf, board, flashPath, handshake: banner }, (b) => ask(b, "fc0ffee01", "flash"));
    assert.is(first, "flash ffffffff c0ffee01");
    const second = await withQemu({ elf, board, flashPath, handshake: banner }, (b) => ask(b, "f00000002", "flash"));
    assert.is(second, "flash c0ffee01 00000002");
  });
}

test("should serve the UART on TCP 127.0.0.1 when asked", async () => {
  await withQemu(
    { elf: await selftest("qemu-m4"), flashPath: tempFlashPath(), serial: "tcp", handshake: banner },
    async (b) => {
      assert.match(b.serialAddress, /^127\.0\.0\.1:\d+$/);
      assert.is(await ask(b, "p", "pong"), "pong");
    },
  );
});

for (const board of ["qemu-m4", "qemu-rv32"] as const) {
  test(`should end ${board} with a fault report, not run on, when the stack overflows its budget`, async () => {
    const b = await bootQemu({ elf: await selftest(board), board, flashPath: tempFlashPath(), handshake: banner });
    try {
      b.write("s");
      const code = await within(b.exited, 10_000, "still running");
      assert.is(code, 70);
      assert.match(b.log(), new RegExp(`bitrl ${board}: (fault|trap)`));
    } finally {
      await b.close();
    }
  });
}

test("should leave no QEMU process after close, and pass the firmware's exit code", async () => {
  const b = await bootQemu({ elf: await selftest("qemu-m4"), flashPath: tempFlashPath(), handshake: banner });
  assert.is(await ask(b, "q", "bye"), "bye");
  assert.is(await b.exited, 0);
  const c = await bootQemu({ elf: await selftest("qemu-m4"), flashPath: tempFlashPath(), handshake: banner });
  await c.close();
  assert.throws(() => process.kill(c.pid, 0), /ESRCH/);
  assert.is(liveQemuCount(), 0);
});

test("should give the timeout error, and kill QEMU, when the board does not answer", async () => {
  const elf = await selftest("qemu-m4");
  try {
    await bootQemu({
      elf,
      flashPath: tempFlashPath(),
      timeoutMs: 2000,
      handshake: (b) => b.waitFor((r) => r.includes("never"), 60_000),
    });
    assert.unreachable("booted");
  } catch (e) {
    assert.match((e as Error).message, /^qemu-m4 did not answer within 2 s/);
  }
  assert.is(liveQemuCount(), 0);
});

for (const board of ["qemu-m4", "qemu-rv32"] as const) {
  test(`should boot the bitrl firmware on ${board} within its RAM budget and answer an info request`, async () => {
    const img = await buildFirmware(board);
    assert.ok(img.sizes!.ram <= 256 * 1024, `RAM ${img.sizes!.ram}`);
    await withQemu({ elf: img.path, board, flashPath: tempFlashPath() }, async (b) => {
      b.write(frame(7, 0x01));
      const rx = await b.waitFor((r) => replyAt(r, 7) >= 0, 10_000, "an info reply");
      const at = replyAt(rx, 7);
      assert.is(rx[at + 5], 0, "status OK");
      const len = rx[at + 2] | (rx[at + 3] << 8);
      assert.match(rx.subarray(at + 8, at + 8 + len).toString(), new RegExp(board));
    });
  });
}

test("should build the ahead-of-time (wasm2c) firmware for qemu-m4 and answer an info request", async () => {
  const img = await buildFirmware("qemu-m4", { backend: "aot" });
  assert.ok(img.sizes!.ram <= 256 * 1024, `RAM ${img.sizes!.ram}`);
  await withQemu({ elf: img.path, flashPath: tempFlashPath() }, async (b) => {
    b.write(frame(8, 0x01));
    const rx = await b.waitFor((r) => replyAt(r, 8) >= 0, 10_000, "an info reply");
    const at = replyAt(rx, 8);
    assert.is(rx[at + 5], 0, "status OK");
    assert.match(rx.subarray(at + 8).toString(), /"backend":"aot"/);
  });
});

test("should build the host firmware natively and answer an info request on stdin/stdout", async () => {
  const img = await buildHostFirmware();
  const p = spawn(img.path, [], {
    env: { ...process.env, BITRL_FLASH: tempFlashPath() },
    stdio: ["pipe", "pipe", "pipe"],
  });
  try {
    let rx = Buffer.alloc(0);
    const got = new Promise<void>((res, rej) => {
      const t = setTimeout(() => rej(new Error("no info reply from the host firmware within 10 s")), 10_000);
      p.stdout.on("data", (d: Buffer) => {
        rx = Buffer.concat([rx, d]);
        if (replyAt(rx, 9) >= 0) {
          clearTimeout(t);
          res();
        }
      });
    });
    p.stdin.write(frame(9, 0x01));
    await got;
    const at = replyAt(rx, 9);
    assert.is(rx[at + 5], 0);
    assert.match(rx.subarray(at + 8).toString(), /"host"|ns/);
  } finally {
    p.kill("SIGKILL");
  }
});

test.run();
