// Boots a firmware ELF on an emulated board (qemu-m4: mps2-an386; qemu-rv32: virt, rv32) with deterministic
// instruction counting (-icount shift=0), the board's UART on a local socket, semihosting for logs, flash and exit.
// The QEMU process is always killed by close(), and also when this Node process exits or is interrupted.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { connect, createServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { BitrlError } from "../util/errors.ts";
import { repoRoot } from "./toolchain.ts";

export type QemuBoardId = "qemu-m4" | "qemu-m4-esp32" | "qemu-rv32" | "qemu-stm32f4";

/** How each emulated board is started; the firmware side lives in firmware/boards/<id>/. */
// `uartIndex`: which -serial the board's protocol UART is (netduinoplus2: USART1 is the first, USART2 the second).
const MACHINES: Record<QemuBoardId, { binary: string; args: string[]; uartIndex?: number }> = {
  "qemu-m4": { binary: "qemu-system-arm", args: ["-M", "mps2-an386"] },
  // the same machine and firmware board; only the firmware's RAM budget differs (platformio.ini)
  "qemu-m4-esp32": { binary: "qemu-system-arm", args: ["-M", "mps2-an386"] },
  // the ESP32-C3's ISA: RV32IMC, no atomics, no FPU (the firmware is built -march=rv32imc)
  "qemu-rv32": {
    binary: "qemu-system-riscv32",
    args: ["-M", "virt", "-cpu", "rv32,a=off,f=off,d=off", "-bios", "none", "-m", "128M"],
  },
  "qemu-stm32f4": { binary: "qemu-system-arm", args: ["-M", "netduinoplus2"], uartIndex: 1 },
};

export interface QemuBootOptions {
  /** firmware ELF (tools/lib/board/firmware-build.ts) */
  elf: string;
  board?: QemuBoardId;
  /** host file backing the board's persistent flash; default .bitrl/<board>/flash.bin (kept between boots) */
  flashPath?: string;
  /** how long boot + handshake may take; default 10 s */
  timeoutMs?: number;
  /** proves the firmware answers (e.g. sends a ping and awaits the reply); without it, boot ends when the
   *  serial socket is connected and the guest is running */
  handshake?: (board: QemuBoard) => Promise<unknown>;
  /** where the UART is served: a unix socket in a temp folder (default; no port races between parallel runs) or
   *  TCP on 127.0.0.1 (a free port), e.g. to attach another tool */
  serial?: "unix" | "tcp";
  /** a TCG plugin and its arguments, "<plugin.so>,<arg>=<value>,..." (bench/profile.ts counts instructions with one) */
  plugin?: string;
}

export interface QemuBoard {
  board: QemuBoardId;
  /** the board's UART as a byte stream (write requests, read replies) */
  serial: Socket;
  write(data: Uint8Array | string): void;
  /** calls fn for every chunk the board sends; returns a function that stops it */
  onData(fn: (chunk: Buffer) => void): () => void;
  /** resolves with every byte received so far once pred(received) holds, rejects after timeoutMs */
  waitFor(pred: (received: Buffer) => boolean, timeoutMs: number, what?: string): Promise<Buffer>;
  /** what the board sent on the UART so far (the last 1 MiB at most) */
  received(): Buffer;
  /** what the firmware wrote through semihosting (stdout/stderr) and QEMU's own messages */
  log(): string;
  flashPath: string;
  /** the UART's address: a unix socket path or "127.0.0.1:<port>" */
  serialAddress: string;
  pid: number;
  /** resolves with QEMU's exit code (null if killed) when the process ends */
  exited: Promise<number | null>;
  /** milliseconds from spawn to the end of boot (socket connected, handshake done) */
  bootMs: number;
  /** kills QEMU (if still running) and waits for it; safe to call twice */
  close(): Promise<void>;
}

// ---- every QEMU we started dies with us ------------------------------------------------------------------------
const live = new Set<ChildProcess>();
let hooksInstalled = false;

function installExitHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on("exit", () => {
    for (const p of live) p.kill("SIGKILL");
  });
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.once(sig, () => {
      for (const p of live) p.kill("SIGKILL");
      process.exit(128 + ({ SIGINT: 2, SIGTERM: 15, SIGHUP: 1 } as const)[sig]);
    });
  }
}

/** How many QEMU processes started here are still running (tests check it is 0 after close). */
export function liveQemuCount(): number {
  return live.size;
}

/** Bytes of UART output kept for received()/waitFor(). */
const RX_KEEP = 1 << 20;

/** Escapes a value for QEMU's option syntax (a comma is doubled). */
const qemuOpt = (s: string) => s.replace(/,/g, ",,");

/** A TCP port that was free a moment ago (QEMU binds it right after; a clash fails the boot with a clear error). */
function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once("error", rej);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => res(port));
    });
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** The QEMU command line for a board (exported for docs and debugging). */
export function qemuCommand(
  board: QemuBoardId,
  elf: string,
  flashPath: string,
  serialSocket: string | { port: number },
  plugin?: string,
): { binary: string; args: string[] } {
  const where =
    typeof serialSocket === "string" ? `path=${qemuOpt(serialSocket)}` : `host=127.0.0.1,port=${serialSocket.port}`;
  const m = MACHINES[board];
  return {
    binary: m.binary,
    args: [
      ...m.args,
      "-nodefaults",
      "-nic",
      "none",
      "-display",
      "none",
      "-icount",
      "shift=0",
      "-semihosting-config",
      `enable=on,target=native,arg=bitrl-fw,arg=${qemuOpt(flashPath)}`,
      "-chardev",
      `socket,id=uart0,${where},server=on,wait=on`,
      ...Array.from({ length: m.uartIndex ?? 0 }, () => ["-serial", "null"]).flat(),
      "-serial",
      "chardev:uart0",
      "-kernel",
      elf,
      ...(plugin ? ["-plugin", plugin] : []),
    ],
  };
}

/**
 * Starts QEMU with the firmware and connects to its UART; throws a one-line error if it does not come up.
 * The steps, in order: check the inputs, pick the UART endpoint, start QEMU, connect to the UART, keep what the
 * board sends, and (optionally) prove the firmware answers.
 */
export async function bootQemu(opts: QemuBootOptions): Promise<QemuBoard> {
  const board = opts.board ?? "qemu-m4";
  const { elf, flashPath } = checkBootInputs(board, opts);
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const uart = await uartEndpoint(opts.serial);
  const t0 = Date.now();
  const deadline = t0 + timeoutMs;
  const qemu = startQemu(board, elf, flashPath, uart, opts.plugin);
  const socket = await connectUart(board, qemu, uart, deadline, timeoutMs);
  const qb = boardOverUart(board, qemu, socket, flashPath, uart.address);
  if (opts.handshake) await handshake(board, qemu, qb, opts.handshake, deadline, timeoutMs);
  qb.bootMs = Date.now() - t0;
  return qb;
}

/** Step 1: the board is known, the ELF exists, the flash path is one the firmware can take (made if missing). */
function checkBootInputs(board: QemuBoardId, opts: QemuBootOptions): { elf: string; flashPath: string } {
  if (!MACHINES[board]) throw new BitrlError(`unknown emulated board '${board}' (${Object.keys(MACHINES).join(", ")})`);
  const elf = resolve(opts.elf);
  if (!existsSync(elf)) throw new BitrlError(`firmware ${elf} not found (build it with buildFirmware('${board}'))`);
  const flashPath = resolve(opts.flashPath ?? join(repoRoot, ".bitrl", board, "flash.bin"));
  // The firmware splits QEMU's semihosting command line at spaces (firmware/boards/common/flash_semihost.c).
  if (/\s/.test(flashPath))
    throw new BitrlError(`flash path '${flashPath}' contains whitespace; choose another --flash path`);
  if (flashPath.length > 200) throw new BitrlError(`flash path '${flashPath}' is longer than 200 characters`);
  mkdirSync(dirname(flashPath), { recursive: true });
  return { elf, flashPath };
}

/** Where QEMU serves the board's UART: a unix socket in a fresh temp folder, or a free local TCP port. */
interface UartEndpoint {
  sockDir: string;
  sockPath: string;
  /** 0 when the unix socket is used */
  tcpPort: number;
  /** the unix socket path or "127.0.0.1:<port>" */
  address: string;
}

/** Step 2: the UART endpoint. */
async function uartEndpoint(serial: QemuBootOptions["serial"]): Promise<UartEndpoint> {
  const sockDir = mkdtempSync(join(tmpdir(), "bitrl-qemu-"));
  const sockPath = join(sockDir, "uart.sock");
  const tcpPort = serial === "tcp" ? await freePort() : 0;
  return { sockDir, sockPath, tcpPort, address: tcpPort ? `127.0.0.1:${tcpPort}` : sockPath };
}

/** A running QEMU: its process, its log, how it ended, and the one way to stop it. */
interface QemuProcess {
  binary: string;
  proc: ChildProcess;
  log(): string;
  spawnError(): Error | null;
  done(): boolean;
  exited: Promise<number | null>;
  /** destroys the UART socket (if any), stops QEMU (TERM, then KILL after 1 s) and waits for it */
  close(socket: Socket | null): Promise<void>;
  /** close, then throw msg with the last two lines QEMU printed */
  fail(socket: Socket | null, msg: string): Promise<never>;
}

/** Step 3: starts QEMU (killed with this process, see installExitHooks); the temp folder goes when it exits. */
function startQemu(
  board: QemuBoardId,
  elf: string,
  flashPath: string,
  uart: UartEndpoint,
  plugin?: string,
): QemuProcess {
  const where = uart.tcpPort ? { port: uart.tcpPort } : uart.sockPath;
  const { binary, args } = qemuCommand(board, elf, flashPath, where, plugin);
  installExitHooks();
  const proc = spawn(binary, args, { stdio: ["ignore", "pipe", "pipe"] });
  live.add(proc);
  let logText = "";
  proc.stdout!.on("data", (d: Buffer) => (logText += d.toString("utf8")));
  proc.stderr!.on("data", (d: Buffer) => (logText += d.toString("utf8")));
  let spawnError: Error | null = null;
  proc.on("error", (e) => (spawnError = e));
  const exited = new Promise<number | null>((res) => {
    proc.on("close", (code) => {
      live.delete(proc);
      rmSync(uart.sockDir, { recursive: true, force: true });
      res(code);
    });
  });
  let done = false;
  void exited.then(() => (done = true));
  const close = async (socket: Socket | null) => {
    socket?.destroy();
    if (!done) {
      proc.kill("SIGTERM");
      const t = setTimeout(() => proc.kill("SIGKILL"), 1000);
      await exited;
      clearTimeout(t);
    }
  };
  const fail = async (socket: Socket | null, msg: string): Promise<never> => {
    await close(socket);
    const tail = logText.trim().split("\n").slice(-2).join(" | ");
    throw new BitrlError(tail ? `${msg} (qemu: ${tail})` : msg);
  };
  return { binary, proc, log: () => logText, spawnError: () => spawnError, done: () => done, exited, close, fail };
}

/** Step 4: connects once QEMU has created the listening socket (it waits for us before starting the guest). */
async function connectUart(
  board: QemuBoardId,
  qemu: QemuProcess,
  uart: UartEndpoint,
  deadline: number,
  timeoutMs: number,
): Promise<Socket> {
  let socket: Socket | null = null;
  while (!socket) {
    const spawnError = qemu.spawnError();
    if (spawnError)
      return qemu.fail(
        null,
        `cannot start ${qemu.binary}: ${spawnError.message} (run 'node scripts/setup-toolchain.mjs${board === "qemu-rv32" ? " --riscv" : ""}')`,
      );
    if (qemu.done()) return qemu.fail(null, `${board}: QEMU exited during boot`);
    if (Date.now() > deadline)
      return qemu.fail(null, `${board} did not answer within ${Math.round(timeoutMs / 1000)} s`);
    if (uart.tcpPort || existsSync(uart.sockPath)) {
      socket = await new Promise<Socket | null>((res) => {
        const s = uart.tcpPort ? connect(uart.tcpPort, "127.0.0.1") : connect(uart.sockPath);
        s.once("connect", () => res(s));
        s.once("error", () => res(null));
      });
    }
    if (!socket) await sleep(20);
  }
  return socket;
}

/** Step 5: the board handle over the connected UART, keeping what the board sends for received()/waitFor(). */
function boardOverUart(
  board: QemuBoardId,
  qemu: QemuProcess,
  socket: Socket,
  flashPath: string,
  serialAddress: string,
): QemuBoard {
  // Chunks joined on demand, only the last RX_KEEP bytes kept (a long session through `serial` must not grow
  // memory or copy quadratically).
  let chunks: Buffer[] = [];
  let held = 0;
  const received = (): Buffer => {
    if (chunks.length !== 1) chunks = [Buffer.concat(chunks)];
    return chunks[0];
  };
  const listeners = new Set<(c: Buffer) => void>();
  socket.on("data", (d: Buffer) => {
    chunks.push(d);
    held += d.length;
    while (held - chunks[0].length >= RX_KEEP) held -= chunks.shift()!.length;
    for (const fn of listeners) fn(d);
  });
  socket.on("error", () => {});

  const qb: QemuBoard = {
    board,
    serial: socket,
    write: (data) => void socket.write(typeof data === "string" ? Buffer.from(data, "utf8") : data),
    onData: (fn) => {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    received,
    waitFor: (pred, ms, what = "the expected reply") =>
      new Promise<Buffer>((res, rej) => {
        if (pred(received())) return res(received());
        const off = qb.onData(() => {
          if (pred(received())) finish(null);
        });
        const timer = setTimeout(() => finish(new BitrlError(`${board} did not send ${what} within ${ms} ms`)), ms);
        void qemu.exited.then((code) =>
          finish(
            pred(received()) ? null : new BitrlError(`${board}: QEMU exited (code ${code}) before sending ${what}`),
          ),
        );
        function finish(err: Error | null) {
          clearTimeout(timer);
          off();
          err ? rej(err) : res(received());
        }
      }),
    log: qemu.log,
    flashPath,
    serialAddress,
    pid: qemu.proc.pid ?? -1,
    exited: qemu.exited,
    bootMs: 0,
    close: () => qemu.close(socket),
  };
  return qb;
}

/** Step 6: proves the firmware answers (the caller's handshake) before the boot deadline. */
async function handshake(
  board: QemuBoardId,
  qemu: QemuProcess,
  qb: QemuBoard,
  fn: NonNullable<QemuBootOptions["handshake"]>,
  deadline: number,
  timeoutMs: number,
): Promise<void> {
  const left = deadline - Date.now();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<"timeout">((res) => (timer = setTimeout(() => res("timeout"), Math.max(0, left))));
  const result = await Promise.race([
    fn(qb).then(
      () => "ok" as const,
      (e: Error) => e,
    ),
    timeout,
    qemu.exited.then(() => "exited" as const),
  ]);
  clearTimeout(timer);
  if (result === "timeout")
    return qemu.fail(qb.serial, `${board} did not answer within ${Math.round(timeoutMs / 1000)} s`);
  if (result === "exited") return qemu.fail(qb.serial, `${board}: QEMU exited during boot`);
  if (result instanceof Error) return qemu.fail(qb.serial, `${board}: handshake failed: ${result.message}`);
}

/** Runs fn with a booted board and always closes it, also when fn throws. */
export async function withQemu<T>(opts: QemuBootOptions, fn: (b: QemuBoard) => Promise<T>): Promise<T> {
  const b = await bootQemu(opts);
  try {
    return await fn(b);
  } finally {
    await b.close();
  }
}

/** A fresh flash file path in a temp folder (tests, throwaway runs). */
export function tempFlashPath(): string {
  return join(mkdtempSync(join(tmpdir(), "bitrl-flash-")), "flash.bin");
}
