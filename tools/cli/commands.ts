// Every CLI command, in the order `bitrl --help` lists them (the flow: model files, agents, boards, figures).
// Add a command: one import, one entry.
import type { Command } from "./command.ts";
import { packCommand } from "./pack.ts";
import { inspectCommand } from "./inspect.ts";
import { unpackCommand } from "./unpack.ts";
import { exportCommand } from "./export.ts";
import { pretrainCommand } from "./pretrain.ts";
import { trainCommand } from "./train.ts";
import { evalCommand } from "./eval.ts";
import { generateCommand } from "./generate.ts";
import { replayCommand } from "./replay.ts";
import { flashCommand } from "./flash.ts";
import { runCommand } from "./run.ts";
import { benchCommand } from "./bench.ts";
import { conformanceCommand } from "./conformance.ts";
import { energyCommand } from "./energy.ts";
import { reportCommand } from "./report.ts";
import { doctorCommand } from "./doctor.ts";

export const commands: Command[] = [
  // model files
  packCommand,
  inspectCommand,
  unpackCommand,
  exportCommand,
  // agents (host)
  pretrainCommand,
  trainCommand,
  evalCommand,
  generateCommand,
  replayCommand,
  // boards
  flashCommand,
  runCommand,
  benchCommand,
  conformanceCommand,
  // figures
  energyCommand,
  reportCommand,
  doctorCommand,
];
