// The shape of a CLI command and the shared argument parser. Commands are thin: parse, call tools/lib, print.
import { parseArgs, type ParseArgsConfig } from "node:util";
import { BitrlError } from "../lib/util/errors.ts";
import { checkOutputFolder, refuseOutputOverInput } from "../lib/util/files.ts";
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

/** A negative number or list starting with one ("-1", "-0.01,0,0,0"): a flag's value, not a flag. */
const NEGATIVE_VALUE = /^-(\d|\.\d)/;

/** `--flag -1` as `--flag=-1` for the flags that take a value, so parseArgs reads a negative value as one instead of
 *  calling it ambiguous. */
function joinNegativeValues(argv: string[], options: Options): string[] {
  const takesValue = (token: string) => {
    if (token.startsWith("--")) return options[token.slice(2)]?.type === "string";
    if (/^-[a-zA-Z]$/.test(token))
      return Object.values(options).some((o) => o.short === token[1] && o.type === "string");
    return false;
  };
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (takesValue(argv[i]) && i + 1 < argv.length && NEGATIVE_VALUE.test(argv[i + 1]))
      out.push(`${argv[i]}=${argv[++i]}`);
    else out.push(argv[i]);
  }
  return out;
}

/** parseArgs with --help built in and errors as BitrlError; returns null when help was printed. */
export function parseCommandArgs<O extends Options>(cmd: Pick<Command, "name" | "usage">, argv: string[], options: O) {
  try {
    const all = { ...options, help: { type: "boolean" as const, short: "h" } };
    const parsed = parseArgs({
      args: joinNegativeValues(argv, all),
      options: all,
      allowPositionals: true,
      strict: true,
    });
    if ((parsed.values as Record<string, unknown>).help) {
      process.stdout.write(cmd.usage.trimEnd() + "\n");
      return null;
    }
    return parsed as {
      values: {
        [K in keyof O]?: O[K]["type"] extends "boolean" ? boolean : O[K]["multiple"] extends true ? string[] : string;
      };
      positionals: string[];
    };
  } catch (e) {
    throw new BitrlError(`${(e as Error).message.split("\n")[0]} (see 'bitrl ${cmd.name} --help')`);
  }
}

// ---- Numeric flags: the one parser every command uses. Integers are plain decimal ("12", "-3"; no "1e3", "0x10",
// "" or "1.0"), numbers plain decimal with an optional exponent; each flag has a documented range, and a value
// outside it is refused with one line naming the flag and the range. ----

/** The largest count a flag takes by default (episodes, steps, ...): 2^31 - 1. */
export const MAX_COUNT = 2 ** 31 - 1;
/** Episode and step counts of one command: at most a million. */
export const MAX_EPISODES = 1_000_000;
/** Seeds are 32-bit: 0..2^32 - 1. */
export const MAX_SEED = 2 ** 32 - 1;

/** An integer flag in [min, max]; the fallback when not given. */
/** Plain decimal integer text ("12", "-3"), else NaN: the one spelling every integer of the CLI accepts. */
export function decimalInt(text: string): number {
  return /^-?\d{1,16}$/.test(text) ? Number(text) : NaN;
}

/** Plain decimal number text with an optional exponent ("0.5", "-1e-3"), else NaN (no "0x10", "", "Infinity"). */
export function decimalNumber(text: string): number {
  return /^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d{1,3})?$/.test(text) ? Number(text) : NaN;
}

export function intFlag(name: string, value: string | undefined, fallback: number, min = 0, max = MAX_COUNT): number {
  if (value === undefined) return fallback;
  const n = decimalInt(value);
  if (!(n >= min && n <= max)) throw new BitrlError(`--${name} must be an integer in ${min}..${max}, got '${value}'`);
  return n;
}

/** A seed flag: an integer in 0..2^32 - 1. */
export function seedFlag(value: string | undefined, fallback: number): number {
  return intFlag("seed", value, fallback, 0, MAX_SEED);
}

/** A real-number flag in [min, max] (or (min, max] with openMin); the fallback when not given. */
export function numberFlag(
  name: string,
  value: string | undefined,
  fallback: number,
  min: number,
  max: number,
  openMin = false,
): number {
  if (value === undefined) return fallback;
  const n = decimalNumber(value);
  if (!((openMin ? n > min : n >= min) && n <= max))
    throw new BitrlError(`--${name} must be a number in ${openMin ? "(" : "["}${min}, ${max}], got '${value}'`);
  return n;
}

/** Parses --backend: how the board runs the agent module (docs/aot.md). */
export function backendFlag(value: string | undefined): Backend {
  if (value === undefined) return "wasm3";
  if ((BACKENDS as readonly string[]).includes(value)) return value as Backend;
  throw new BitrlError(`--backend must be ${BACKENDS.join(", ")}, got '${value}'`);
}

/** The --backend line of a command's usage text. */
export const BACKEND_USAGE =
  "  --backend B     wasm3 (interpreted, update the agent over the wire; default), wasm3+native (wasm3\n                  with the hot kernels bound to C kernels of the firmware; docs/abi.md), aot (compiled\n                  ahead of time by wasm2c, reflash to update; docs/aot.md) or wamr (WAMR's fast\n                  interpreter, for comparison; emulated boards)";

/** Refuses the first positional argument of a command that takes none (or none beyond those it took). */
export function noPositionals(positionals: string[]): void {
  if (positionals.length) throw new BitrlError(`unexpected argument '${positionals[0]}'`);
}

/** parseCommandArgs for a command that takes flags only: their values (a positional is refused), or null when help
 *  was printed. */
export function parseFlags<O extends Options>(cmd: Pick<Command, "name" | "usage">, argv: string[], options: O) {
  const parsed = parseCommandArgs(cmd, argv, options);
  if (!parsed) return null;
  noPositionals(parsed.positionals);
  return parsed.values;
}

/** The one input file and the -o output of a file-to-file command (pack, unpack, export): both given, nothing
 *  extra, and the output is not the input. */
export function inputAndOutput(
  cmd: Pick<Command, "name">,
  positionals: string[],
  out: string | undefined,
  outHint: string,
): { input: string; out: string } {
  const [input, ...extra] = positionals;
  if (!input) throw new BitrlError(`missing input file (see 'bitrl ${cmd.name} --help')`);
  noPositionals(extra);
  if (!out) throw new BitrlError(`missing -o ${outHint}`);
  refuseOutputOverInput(out, [input]);
  checkOutputFolder(out);
  return { input, out };
}
