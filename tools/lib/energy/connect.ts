// Connects to the board an energy or main-job run uses: a serial port when given, else the emulated board
// booted by tools/lib/qemu.ts (when that module exists in this tree).
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { BitrlError } from "../errors.ts";
import type { Duplex } from "node:stream";
import { BoardClient, duplexLink, serialPortLink } from "../board-client.ts";
import type { BoardProfile } from "../boards.ts";

export interface BoardConnection {
  client: BoardClient;
  /** how the board was reached, for the summary line */
  via: string;
  close(): Promise<void>;
}

const here = dirname(fileURLToPath(import.meta.url));

/** Finds tools/lib/<name> from the source tree or from the bundled CLI in dist/. */
function libModule(name: string): string | null {
  for (const p of [join(here, "..", name), join(here, "..", "tools", "lib", name)]) if (existsSync(p)) return p;
  return null;
}

interface QemuLike {
  serial: Duplex;
  close(): Promise<void>;
  log(): string;
}

/** A client for `board`: through tools/lib/board-session.ts when present; else over `port` when given, and QEMU
 *  boards built (tools/lib/firmware-build.ts) and booted (tools/lib/qemu.ts). Those are loaded by path, so this
 *  module works, and says what is missing, while they are being written. */
export async function connectBoard(board: BoardProfile, port?: string): Promise<BoardConnection> {
  const sessionPath = libModule("board-session.ts");
  if (sessionPath) {
    // the board engineer's session module: host, QEMU and serial boards, with the info handshake
    const bs = (await import(pathToFileURL(sessionPath).href)) as { openBoard?: (id: string, o: { port?: string }) => Promise<BoardConnection> };
    if (typeof bs.openBoard === "function") {
      const s = await bs.openBoard(board.id, { port });
      return { client: s.client, via: s.via, close: () => s.close() };
    }
  }
  if (port) {
    const client = new BoardClient(await serialPortLink(port));
    return { client, via: `serial ${port}`, close: () => client.close() };
  }
  if (board.kind !== "emulated") throw new BitrlError(`board '${board.id}' is a real board: pass --port with its serial port`);
  const qemuPath = libModule("qemu.ts");
  const buildPath = libModule("firmware-build.ts");
  if (!qemuPath) throw new BitrlError(`booting '${board.id}' needs tools/lib/qemu.ts (QEMU control), which is not in this tree`);
  if (!buildPath) throw new BitrlError(`booting '${board.id}' needs tools/lib/firmware-build.ts (firmware build), which is not in this tree`);
  const fw = (await import(pathToFileURL(buildPath).href)) as { buildFirmware?: (id: string) => Promise<{ path: string }> };
  const qemu = (await import(pathToFileURL(qemuPath).href)) as { bootQemu?: (o: { elf: string; board: string }) => Promise<QemuLike> };
  if (typeof fw.buildFirmware !== "function") throw new BitrlError("tools/lib/firmware-build.ts exports no buildFirmware(board)");
  if (typeof qemu.bootQemu !== "function") throw new BitrlError("tools/lib/qemu.ts exports no bootQemu(options)");
  const image = await fw.buildFirmware(board.id);
  const q = await qemu.bootQemu({ elf: image.path, board: board.id });
  const client = new BoardClient(duplexLink(q.serial));
  try {
    await client.info({ retries: 2 });
  } catch (e) {
    await q.close();
    throw new BitrlError(`'${board.id}' booted but its firmware does not answer 'info' (${(e as Error).message}); QEMU log: ${q.log().trim().split("\n").slice(-2).join(" | ")}`);
  }
  return { client, via: `QEMU (${board.id})`, close: async () => {
    await client.close().catch(() => undefined);
    await q.close();
  } };
}
