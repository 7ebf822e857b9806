// Every CLI command, in the order `bitrl --help` lists them. Add a command: one import, one entry.
import type { Command } from "./command.ts";

export const commands: Command[] = [];
