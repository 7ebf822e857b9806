// The shape of a CLI command and the shared argument parser. Commands are thin: parse, call tools/lib, print.
import { parseArgs, type ParseArgsConfig } from "node:util";
import { BitrlError } from "../lib/util/errors.ts";
import { refuseOutputOverInput } from "../lib/util/files.ts";
import { BACKENDS, type Backend } from "../lib/board/firmware-build.ts";

export interface Command {
  name: string;
  /** one line for `bitrl --help` */
  summary: string;
  /** full text for `bitrl NAME --help` */
  usage: string;
  /** returns the exit code */
  run(argv: string[]): Promise<number>;
}

type Options = NonNullable<ParseArgsConfig["options"]>;

/** parseArgs with --help built in and errors as BitrlError; returns null when help was printed. */
export function parseCommandArgs<O extends Options>(cmd: Pick<Command, "name" | "usage">, argv: string[], options: O) {
  try {
    const parsed = parseArgs({ args: argv, options: { ...options, help: { type: "boolean", short: "h" } }, allowPositionals: true, strict: true });
    if ((parsed.values as Record<string, unknown>).help) {
      process.stdout.write(cmd.usage.trimEnd() + "\n");
      return null;
    }
    return parsed as { values: { [K in keyof O]?: O[K]["type"] extends "boolean" ? boolean : O[K]["multiple"] extends true ? string[] : string }; positionals: string[] };
  } catch (e) {
    throw new BitrlError(`${(e as Error).message.split("\n")[0]} (see 'bitrl ${cmd.name} --help')`);
  }
}

/** Parses a numeric flag, with a clear error. */
export function intFlag(name: string, value: string | undefined, fallback: number, min = 0): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new BitrlError(`--${name} must be an integer >= ${min}, got '${value}'`);
  return n;
}

/** Parses --backend: how the board runs the agent module (docs/aot.md). */
export function backendFlag(value: string | undefined): Backend {
  if (value === undefined) return "wasm3";
  if ((BACKENDS as readonly string[]).includes(value)) return value as Backend;
  throw new BitrlError(`--backend must be ${BACKENDS.join(", ")}, got '${value}'`);
}

/** The --backend line of a command's usage text. */
export const BACKEND_USAGE = "  --backend B     wasm3 (interpreted, update the agent over the wire; default), wasm3+native (wasm3\n                  with the hot kernels bound to C kernels of the firmware; docs/abi.md), aot (compiled\n                  ahead of time by wasm2c, reflash to update; docs/aot.md) or wamr (WAMR's fast\n                  interpreter, for comparison; emulated boards)";

/** The one input file and the -o output of a file-to-file command (pack, unpack, export): both given, nothing
 *  extra, and the output is not the input. */
export function inputAndOutput(cmd: Pick<Command, "name">, positionals: string[], out: string | undefined, outHint: string): { input: string; out: string } {
  const [input, ...extra] = positionals;
  if (!input) throw new BitrlError(`missing input file (see 'bitrl ${cmd.name} --help')`);
  if (extra.length) throw new BitrlError(`unexpected argument '${extra[0]}'`);
  if (!out) throw new BitrlError(`missing -o ${outHint}`);
  refuseOutputOverInput(out, [input]);
  return { input, out };
}
