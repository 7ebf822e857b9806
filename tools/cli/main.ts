// The bitrl CLI entry: picks the command, catches errors once, prints one line, sets the exit code.
import { commands } from "./commands.ts";
import { BitrlError } from "../lib/util/errors.ts";

const VERSION = "0.1.0";

function help(): string {
  const width = Math.max(...commands.map((c) => c.name.length), 4);
  return [
    `bitrl ${VERSION}: ternary (1.58-bit) RL agents on microcontrollers`,
    "",
    "usage: bitrl <command> [options]     (bitrl <command> --help for details)",
    "",
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    "",
  ].join("\n");
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(help());
    return name ? 0 : 1;
  }
  if (name === "--version") {
    console.log(VERSION);
    return 0;
  }
  const cmd = commands.find((c) => c.name === name);
  if (!cmd) {
    console.error(`bitrl: unknown command '${name}' (see 'bitrl --help')`);
    return 2;
  }
  try {
    return await cmd.run(rest);
  } catch (e) {
    const err = e as Error;
    if (process.env.BITRL_DEBUG) console.error(err.stack);
    const msg =
      err instanceof BitrlError || (err as NodeJS.ErrnoException).code ? err.message : `internal error: ${err.message}`;
    console.error(`bitrl ${name}: ${msg}`);
    return 1;
  }
}
