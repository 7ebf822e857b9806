// Connects to the board an energy or main-job run uses: a serial port when given, else the emulated board
// booted by tools/lib/qemu.ts (when that module exists in this tree).
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { BitrlError } from "../errors.ts";
import { BoardClient, serialPortLink } from "../board-client.ts";
import type { BoardProfile } from "../boards.ts";

export interface BoardConnection {
  client: BoardClient;
  /** how the board was reached, for the summary line */
  via: string;
  close(): Promise<void>;
}

const here = dirname(fileURLToPath(import.meta.url));

/** Finds tools/lib/qemu.ts from the source tree or from the bundled CLI in dist/. */
function qemuModulePath(): string | null {
  for (const p of [join(here, "..", "qemu.ts"), join(here, "..", "tools", "lib", "qemu.ts"), join(here, "..", "..", "..", "tools", "lib", "qemu.ts")])
    if (existsSync(p)) return p;
  return null;
}

/** A client for `board`: over `port` when given; QEMU boards are booted otherwise. */
export async function connectBoard(board: BoardProfile, port?: string): Promise<BoardConnection> {
  if (port) {
    const client = new BoardClient(await serialPortLink(port));
    return { client, via: `serial ${port}`, close: () => client.close() };
  }
  if (board.kind !== "emulated") throw new BitrlError(`board '${board.id}' is a real board: pass --port with its serial port`);
  const modPath = qemuModulePath();
  if (!modPath) throw new BitrlError(`booting '${board.id}' needs tools/lib/qemu.ts (QEMU control), which is not in this tree yet`);
  // loaded by path so this module still type-checks and bundles while qemu.ts is being written
  const mod = (await import(pathToFileURL(modPath).href)) as Record<string, unknown>;
  const boot = (mod.bootBoard ?? mod.startQemu ?? mod.boot) as ((id: string) => Promise<{ client: BoardClient; close(): Promise<void> }>) | undefined;
  if (typeof boot !== "function") throw new BitrlError(`tools/lib/qemu.ts exports no bootBoard(board): cannot boot '${board.id}'`);
  const q = await boot(board.id);
  return { client: q.client, via: `QEMU (${board.id})`, close: () => q.close() };
}
