// Connects to the board an energy or main-job run uses: a serial port when given, else the emulated (or host)
// board built and booted by tools/lib/board/session.ts, with the module interpreted (wasm3) or compiled (aot).
import type { BoardClient } from "./client.ts";
import type { BoardProfile } from "./profiles.ts";
import { openBoard } from "./session.ts";
import type { Backend } from "./firmware-build.ts";

export interface BoardConnection {
  client: BoardClient;
  /** how the board was reached, for the summary line */
  via: string;
  close(): Promise<void>;
}

/** A client for `board`, proven to answer `info`; close() stops whatever was started. */
export async function connectBoard(board: BoardProfile, port?: string, backend?: Backend): Promise<BoardConnection> {
  const s = await openBoard(board.id, { port, backend });
  return { client: s.client, via: s.via, close: () => s.close() };
}
