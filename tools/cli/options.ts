// Flag declarations and board flags the commands share, so each command declares and parses only what is its own.
import { DEFAULT_BOARD, getBoard, type BoardProfile } from "../lib/board/profiles.ts";
import { openBoard, type BoardSessionOptions } from "../lib/board/session.ts";
import type { Backend } from "../lib/board/firmware-build.ts";
import { backendFlag } from "./command.ts";

/** Flags that take a value (`--name V`), declared by name. */
export function valueFlags<N extends string>(...names: N[]): { [K in N]: { type: "string" } } {
  return Object.fromEntries(names.map((n) => [n, { type: "string" }])) as { [K in N]: { type: "string" } };
}

/** Flags without a value (`--name`), declared by name. */
export function switchFlags<N extends string>(...names: N[]): { [K in N]: { type: "boolean" } } {
  return Object.fromEntries(names.map((n) => [n, { type: "boolean" }])) as { [K in N]: { type: "boolean" } };
}

/** --board, --backend, --port: where and how a board command runs the agent module. */
export const BOARD_FLAGS = valueFlags("board", "backend", "port");
/** --json: the result as JSON. */
export const JSON_FLAG = switchFlags("json");
/** -o/--out FILE: the file a command writes. */
export const OUT_FLAG = { out: { type: "string", short: "o" } } as const;

/** The values of BOARD_FLAGS as parseCommandArgs returns them. */
export interface BoardValues {
  board?: string;
  backend?: string;
  port?: string;
}

/** The board of --board, else the project's default board. */
export function boardOrDefault(values: BoardValues): BoardProfile {
  return getBoard(values.board ?? DEFAULT_BOARD);
}

/** --backend, else the board's own default backend (real boards may default to aot), else wasm3. */
export function backendOrBoardDefault(board: BoardProfile, value: string | undefined): Backend {
  return value ? backendFlag(value) : (board.defaultBackend ?? "wasm3");
}

/** Opens a session on `board` with --backend (wasm3 when not given) and --port. */
export function openBoardFromFlags(
  board: BoardProfile,
  values: BoardValues,
  more: Omit<BoardSessionOptions, "backend" | "port"> = {},
) {
  return openBoard(board.id, { backend: backendFlag(values.backend), port: values.port, ...more });
}
