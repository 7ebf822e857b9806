// Opens a protocol session with a board by its id: the native host build (a child process on stdio), an emulated
// board (firmware built with PlatformIO, booted in QEMU), or a real board on a serial port. Always closable.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { BitrlError } from "../util/errors.ts";
import { BoardClient, BoardError, childLink, duplexLink, serialPortLink, type BoardInfo } from "./client.ts";
import { PROTOCOL_VERSION } from "./protocol.ts";
import { getBoard, type BoardProfile } from "./profiles.ts";
import { buildFirmware, buildHostFirmware, type Backend, type FirmwareImage } from "./firmware-build.ts";
import { bootQemu, type QemuBoardId } from "./qemu.ts";
import { repoRoot } from "./toolchain.ts";

export interface BoardSessionOptions {
  /** serial port of a real board (required for real boards) */
  port?: string;
  /** file backing the persistent model flash of host and QEMU boards; default .bitrl/<board>/flash.bin */
  flashPath?: string;
  /** firmware image to run instead of building one (an ELF for QEMU, an executable for host) */
  image?: string;
  /** reply timeout of the client (ms) */
  timeoutMs?: number;
  /** extra firmware build flags (e.g. -DBITRL_CFG_...) */
  buildFlags?: string[];
  /** how the board runs the module: interpreted by wasm3 (default), compiled ahead of time (wasm2c), or WAMR */
  backend?: Backend;
  /** emulated boards: a QEMU TCG plugin and its arguments (qemu.ts `QemuBootOptions.plugin`) */
  qemuPlugin?: string;
}

export interface BoardSession {
  board: BoardProfile;
  client: BoardClient;
  info: BoardInfo;
  /** how the board was reached, for summaries */
  via: string;
  flashPath: string | null;
  /** section sizes of the image this session built and booted (emulated boards), null otherwise */
  sizes: FirmwareImage["sizes"];
  /** closes the link and stops the emulator or process; safe to call twice */
  close(): Promise<void>;
}

/** Opens a session and proves the firmware answers `info`; on any failure everything started is stopped. */
export async function openBoard(boardId: string, opts: BoardSessionOptions = {}): Promise<BoardSession> {
  const board = getBoard(boardId);
  const timeoutMs = opts.timeoutMs ?? 10000;
  const flashPath =
    board.kind === "real" ? null : resolve(opts.flashPath ?? join(repoRoot, ".bitrl", board.id, "flash.bin"));
  // the emulated flash is one file: a folder (or a device) there would boot a board that cannot keep a model
  if (flashPath && existsSync(flashPath) && !statSync(flashPath).isFile())
    throw new BitrlError(
      `flash file '${opts.flashPath ?? flashPath}' is not a regular file (a directory?): give a file path, created if missing`,
    );
  let client: BoardClient;
  let via: string;
  let stop: () => Promise<void>;
  let sizes: FirmwareImage["sizes"] = null;
  if (opts.port) {
    client = new BoardClient(await serialPortLink(opts.port), timeoutMs);
    via = `serial ${opts.port}`;
    stop = () => client.close();
  } else if (board.kind === "real") {
    throw new BitrlError(
      `board '${board.id}' is a real board: pass --port with its serial port (flash it first: bitrl flash --board ${board.id})`,
    );
  } else if (board.kind === "host") {
    const exe = opts.image ?? (await buildHostFirmware({ buildFlags: opts.buildFlags, backend: opts.backend })).path;
    mkdirSync(dirname(flashPath!), { recursive: true });
    const child = spawn(exe, [], {
      stdio: ["pipe", "pipe", "inherit"],
      env: { ...process.env, BITRL_FLASH: flashPath! },
    });
    child.on("error", () => undefined); // reported through the link's close
    client = new BoardClient(childLink(child), timeoutMs);
    via = `native host build (${exe})`;
    stop = () => client.close();
  } else {
    const image = opts.image
      ? null
      : await buildFirmware(board.id, { buildFlags: opts.buildFlags, backend: opts.backend });
    const elf = opts.image ?? image!.path;
    sizes = image?.sizes ?? null;
    const q = await bootQemu({
      elf,
      board: board.id as QemuBoardId,
      flashPath: flashPath!,
      timeoutMs: Math.max(timeoutMs, 10000),
      plugin: opts.qemuPlugin,
    });
    client = new BoardClient(duplexLink(q.serial), timeoutMs);
    via = `QEMU ${board.id}`;
    stop = async () => {
      await client.close().catch(() => undefined);
      await q.close();
    };
  }
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await stop();
  };
  let info: BoardInfo;
  try {
    info = await client.info({ retries: 2, timeoutMs });
  } catch (e) {
    await close();
    if (e instanceof BoardError && e.code === "ERR_OLD_PROTOCOL")
      throw new BitrlError(
        `${board.id} (${via}): ${e.message}: flash the current firmware (bitrl flash --board ${board.id})`,
      );
    throw new BitrlError(`${board.id} (${via}) does not answer 'info': ${(e as Error).message}`);
  }
  if (info.protocol !== PROTOCOL_VERSION) {
    await close();
    throw new BitrlError(
      `${board.id} (${via}) speaks protocol ${info.protocol}, this host ${PROTOCOL_VERSION}: flash the current firmware (bitrl flash --board ${board.id})`,
    );
  }
  return { board, client, info, via, flashPath, sizes, close };
}

/** Runs fn with an open session and always closes it. */
export async function withBoard<T>(
  boardId: string,
  opts: BoardSessionOptions,
  fn: (s: BoardSession) => Promise<T>,
): Promise<T> {
  const s = await openBoard(boardId, opts);
  try {
    return await fn(s);
  } finally {
    await s.close();
  }
}
