// The firmware application on the native host build (stdio serial): info, named errors, traps, bounds checks, and
// the agent running bit-exactly like V8 after a model upload.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { openBoard, type BoardSession } from "../../tools/lib/board/session.ts";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repoRoot } from "../../tools/lib/board/toolchain.ts";
import { BoardClient, BoardError, childLink } from "../../tools/lib/board/client.ts";
import { Cmd, encodeFrame, concat, u32s, encodeCall } from "../../tools/lib/board/protocol.ts";
import { tempFlashPath } from "../../tools/lib/board/qemu.ts";
import { buildHostFirmware } from "../../tools/lib/board/firmware-build.ts";
import { AgentRunner, DEFAULT_TRAIN, buildAgentBlob } from "../../tools/lib/agent/index.ts";
import { encodeBlob } from "../../tools/lib/format/blob.ts";
import { KERNELS, benchBoardKernels, benchBoardLayers, formatBenchTable } from "../../tools/lib/board/bench.ts";
import { errorCode } from "../fixtures/board-errors.ts";

let s: BoardSession;

test.before(async () => {
  s = await openBoard("host", { flashPath: tempFlashPath(), timeoutMs: 20000 });
});
test.after(async () => {
  await s?.close();
});

test("should answer info with board, engine, clock unit and RAM use", async () => {
  const info = await s.client.info();
  assert.is(info.board, "host");
  assert.is(info.backend, "wasm3");
  assert.is(info.clock_unit, "ns");
  assert.is(info.module_error, null);
  assert.is(info.model, null);
  assert.ok(info.module.bytes > 1000);
  assert.ok(info.ram.linear_memory >= 65536 && info.ram.linear_memory % 65536 === 0);
  assert.ok(
    info.ram.wasm3_heap !== null && info.ram.wasm3_heap > info.ram.linear_memory,
    "the wasm3 heap holds linear memory and more",
  );
  // the value stack: the build's size, and how far calls have written into it (io_base's result at least)
  await s.client.kernel("io_base", []);
  const stack = (await s.client.info()).ram.wasm3_stack;
  assert.ok(stack !== null && stack.bytes === 4096, `value stack ${JSON.stringify(stack)}`);
  assert.ok(stack.peak > 0 && stack.peak <= stack.bytes, `value stack peak ${stack.peak}`);
});

test("should name every error it returns", async () => {
  assert.is(await errorCode(s.client.request(0x55)), "ERR_UNKNOWN_CMD");
  assert.is(await errorCode(s.client.kernel("no_such_export", [])), "ERR_NO_EXPORT");
  assert.is(await errorCode(s.client.kernel("io_base", [1, 2])), "ERR_BAD_ARGS");
  assert.is(await errorCode(s.client.request(Cmd.kernel, Uint8Array.of(200))), "ERR_BAD_ARGS");
  assert.is(await errorCode(s.client.memRead(0x7ffffff0, 64)), "ERR_MEM");
  assert.is(await errorCode(s.client.request(Cmd.memWrite, concat(u32s(0xfffffffc), new Uint8Array(8)))), "ERR_MEM");
  assert.is(await errorCode(s.client.episode(1, 10, true)), "ERR_NO_MODEL");
  assert.is(await errorCode(s.client.request(Cmd.loadChunk, concat(u32s(0), new Uint8Array(4)))), "ERR_STATE");
  assert.is(await errorCode(s.client.request(Cmd.loadBegin, u32s(0x7fffffff, 0))), "ERR_TOO_LARGE");
  assert.is(
    await errorCode(s.client.request(Cmd.nativeBench, concat(Uint8Array.of(0), u32s(0xfffff000, 0, 0, 16, 16, 1)))),
    "ERR_MEM",
  );
  assert.is(await errorCode(s.client.nativeBench(1, 0, 0, 0, 16, 16, 1, 0xfffff000)), "ERR_MEM"); // t3 LUT scratch outside memory
  assert.is(
    await errorCode(s.client.request(Cmd.nativeBench, concat(Uint8Array.of(1), u32s(0, 0, 0, 16, 16, 1)))),
    "ERR_BAD_ARGS",
  );
  assert.is(await errorCode(s.client.nativeBench(2, 0, 0, 0, 16, 16, 1)), "ERR_BAD_ARGS"); // wasm3+native only
});

test("should answer a frame over the maximum payload with ERR_TOO_LARGE", async () => {
  s.client.writeRaw(encodeFrame(77, Cmd.info, new Uint8Array(1100)));
  const replies = await s.client.drain(100, 5000);
  assert.equal(
    replies.map((f) => [f.seq, f.code]),
    [[77, 2]],
  );
});

test("should turn a trap into ERR_TRAP with wasm3's message and the module's log line", async () => {
  // a matvec whose output lies past the end of linear memory: the kernel's entry check aborts (logs, then traps)
  let err: BoardError | null = null;
  try {
    await s.client.kernel("matvec_i8", [0, 0, 0x7ffffff0, 4, 4]);
  } catch (e) {
    err = e as BoardError;
  }
  assert.ok(err instanceof BoardError);
  assert.is(err!.code, "ERR_TRAP");
  assert.match(err!.message, /\[trap\]/);
  assert.match(err!.message, /log: abort/);
});

test("should round-trip linear memory through mem-write and mem-read across frames", async () => {
  const io = await s.client.ioBase();
  const bytes = Uint8Array.from({ length: 3000 }, (_, i) => (i * 7 + 3) & 0xff);
  await s.client.memWrite(io, bytes);
  assert.equal(await s.client.memRead(io, bytes.length), bytes);
});

test("should time repeated calls with bench and agree with the native kernel on the same bytes", async () => {
  const io = await s.client.ioBase();
  const rows = 8,
    cols = 37,
    rowBytes = Math.ceil(cols / 4);
  const w = Uint8Array.from({ length: rows * rowBytes }, (_, i) => [0x00, 0x55, 0xaa, 0x19, 0x64][i % 5]);
  for (let r = 0; r < rows; r++) w[r * rowBytes + rowBytes - 1] = 0x01 | 0x04 | 0x10 | 0x40; // padding codes 1 (weight 0)
  const x = Uint8Array.from({ length: cols }, (_, i) => (i * 37 - 90) & 0xff);
  await s.client.memWrite(io, concat(w, x));
  const out = io + 512,
    nat = io + 1024;
  const b = await s.client.bench("matvec_i2", [io, io + w.length, out, rows, cols], 3);
  assert.is(b.reps, 3);
  assert.ok(b.ticks > 0);
  const n = await s.client.nativeBench(0, io, io + w.length, nat, rows, cols, 2);
  assert.is(n.reps, 2);
  assert.equal(await s.client.memRead(nat, 4 * rows), await s.client.memRead(out, 4 * rows));
});

test("should bench every kernel at both shapes, the native kernels agreeing with matvec_i2 and matvec_t3_lut", async () => {
  const results = await benchBoardKernels(s.client); // throws ERR_MISMATCH if native and wasm outputs differ
  for (const shape of ["256x256", "1024x256"]) {
    for (const k of KERNELS)
      assert.ok(
        results.some(
          (r) => r.kernel === k.name && r.shape === shape && r.runtime === "wasm3" && r.instructions_per_weight > 0,
        ),
        `${k.name} ${shape}`,
      );
    for (const k of ["native_i2_plain", "native_t3_lut"])
      assert.ok(
        results.some((r) => r.kernel === k && r.runtime === "native" && r.shape === shape),
        `${k} ${shape}`,
      );
  }
  assert.ok(results.every((r) => r.kind === "host"));
  assert.match(formatBenchTable(results, "ns"), /matvec_t3_lut \(wasm3\)/);
  const layers = await benchBoardLayers(s.client);
  assert.equal(
    layers.map((r) => `${r.kernel} ${r.shape}`),
    ["bitlinear_t3 128x256", "bitlinear_i8 128x256"],
  );
  assert.ok(layers.every((r) => r.instructions_per_weight > 0));
});

test("should run the uploaded agent exactly as V8 does (same seed, same episode and training returns)", async () => {
  // 4 hidden units: the one-hot head with 8 needs 130,656 of the module's 131,072 bytes of memory, and the trap
  // messages logged by the tests before this one (kept by the stub heap) already take more than the rest
  const bytes = encodeBlob(
    buildAgentBlob({ env: "cartpole", backbone: null, hidden: 4, train: DEFAULT_TRAIN.cartpole, initSeed: 3 }),
  );
  const v8 = new AgentRunner(bytes);
  const loaded = await s.client.loadModel(bytes);
  assert.is(loaded.seq, 1);
  const info = await s.client.info();
  assert.is(info.model?.bytes, bytes.length);
  const ep = await s.client.episode(5, 200, true);
  assert.equal(
    { steps: ep.steps, return: ep.return, terminated: ep.terminated, truncated: ep.truncated },
    v8.episode(5, true, 200),
  );
  const tr = await s.client.train(7, 4);
  assert.equal(tr.returns, v8.train(7, 4));
  const act = await s.client.infer(Float32Array.of(0.01, -0.2, 0.03, 0.4));
  assert.is(act.action, v8.act([0.01, -0.2, 0.03, 0.4]));
});

test("should talk to a board on a serial port (the host firmware behind a pseudo-terminal, via the serialport package)", async () => {
  // python opens a pty pair, runs the firmware on the master side and prints the slave's path: a real serial device
  const bridge = spawn(
    "python3",
    [
      "-c",
      [
        "import os, subprocess, sys, tty",
        "m, sl = os.openpty(); tty.setraw(m); tty.setraw(sl)",
        "p = subprocess.Popen([sys.argv[1]], stdin=m, stdout=m, stderr=subprocess.DEVNULL, env=dict(os.environ, BITRL_FLASH=sys.argv[2]))",
        "print('PTY', os.ttyname(sl), flush=True)",
        "sys.stdin.read(); p.kill(); p.wait()",
      ].join("\n"),
      (await buildHostFirmware()).path,
      tempFlashPath(),
    ],
    { stdio: ["pipe", "pipe", "ignore"] },
  );
  const bridgeGone = new Promise((r) => bridge.once("exit", r));
  try {
    const path = await new Promise<string>((resolve, reject) => {
      let out = "";
      const timer = setTimeout(() => reject(new Error("pty bridge did not start")), 5000);
      bridge.stdout!.on("data", (b: Buffer) => {
        out += b.toString();
        const m = /PTY (\S+)\n/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      });
    });
    const port = await openBoard("host", { port: path, timeoutMs: 5000 });
    try {
      assert.is(port.info.board, "host");
      assert.is(port.via, `serial ${path}`);
      const io = await port.client.ioBase();
      await port.client.memWrite(io, new Uint8Array(2500).fill(7));
      assert.ok((await port.client.memRead(io, 2500)).every((b) => b === 7));
    } finally {
      await port.close();
    }
  } finally {
    bridge.stdin!.end(); // the bridge then kills the firmware and waits for it
    const t = setTimeout(() => bridge.kill("SIGKILL"), 3000);
    await bridgeGone;
    clearTimeout(t);
  }
});

test("should flash a model and run it through the CLI (bitrl flash, bitrl run --json) on the host board", () => {
  const dir = mkdtempSync(join(tmpdir(), "bitrl-cli-"));
  try {
    const model = join(dir, "agent.bitrl"),
      flash = join(dir, "flash.bin");
    const bytes = encodeBlob(
      buildAgentBlob({ env: "cartpole", backbone: null, hidden: 4, train: DEFAULT_TRAIN.cartpole, initSeed: 9 }),
    );
    writeFileSync(model, bytes);
    const cli = (...args: string[]) =>
      spawnSync(process.execPath, [join(repoRoot, "bin", "bitrl.mjs"), ...args], { encoding: "utf8", cwd: repoRoot });
    const f = cli("flash", "--board", "host", "--model", model, "--flash", flash, "--json");
    assert.is(f.status, 0, f.stderr);
    assert.equal(JSON.parse(f.stdout).loaded, { slot: 0, seq: 1 });
    const r = cli("run", "--board", "host", "--flash", flash, "--episodes", "2", "--seed", "11", "--json");
    assert.is(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    const v8 = new AgentRunner(bytes);
    assert.equal(
      out.episodes.map((e: { steps: number; return: number }) => [e.steps, e.return]),
      [11, 12].map((seed) => {
        const e = v8.episode(seed, true, 500);
        return [e.steps, e.return];
      }),
    );
    assert.is(out.kind, "host");
    const bad = cli("flash", "--board", "host", "--model", join(dir, "missing.bitrl"), "--flash", flash);
    assert.is(bad.status, 1);
    assert.is(bad.stderr.trim().split("\n").length, 1, bad.stderr);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("should give up with ERR_TIMEOUT, naming the command, when a board never answers", async () => {
  const silent = spawn("sleep", ["30"], { stdio: ["pipe", "pipe", "ignore"] });
  const client = new BoardClient(childLink(silent), 300);
  const t0 = Date.now();
  let err: BoardError | null = null;
  try {
    await client.info({ retries: 1, timeoutMs: 300 });
  } catch (e) {
    err = e as BoardError;
  }
  await client.close();
  assert.is(err?.code, "ERR_TIMEOUT");
  assert.match(err!.message, /did not answer 'info' within 300 ms \(2 tries\)/);
  assert.ok(Date.now() - t0 < 5000);
  assert.is(silent.exitCode !== null || silent.signalCode !== null, true, "close() stops the process");
});

test("should fail pending requests at once when the board process dies", async () => {
  const dying = spawn("sh", ["-c", "sleep 0.2"], { stdio: ["pipe", "pipe", "ignore"] });
  const client = new BoardClient(childLink(dying), 10000);
  const t0 = Date.now();
  let err: BoardError | null = null;
  try {
    await client.info({ timeoutMs: 10000 });
  } catch (e) {
    err = e as BoardError;
  }
  assert.is(err?.code, "ERR_LINK");
  assert.match(err!.message, /exited/);
  assert.ok(Date.now() - t0 < 5000);
  await client.close();
});

test("should bench the baselines' C kernels (int8, f32) in the wasm3+native build, on the same bytes as the module's", async () => {
  const n = await openBoard("host", { flashPath: tempFlashPath(), timeoutMs: 20000, backend: "wasm3+native" });
  try {
    const specs = KERNELS.filter((k) => k.name === "matvec_i8" || k.name === "matvec_f32");
    // throws ERR_MISMATCH if a C kernel and the module's disagree by one bit (f32 included: the same order of sums)
    const results = await benchBoardKernels(n.client, [{ rows: 37, cols: 45 }], undefined, specs);
    for (const k of ["native_i8", "native_f32"])
      assert.ok(
        results.some((r) => r.kernel === k && r.runtime === "native" && r.instructions_per_weight > 0),
        k,
      );
  } finally {
    await n.close();
  }
});

test.run();
