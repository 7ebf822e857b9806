// Every CLI command, in the order `bitrl --help` lists them. Add a command: one import, one entry.
import type { Command } from "./command.ts";
import { packCommand } from "./pack.ts";
import { inspectCommand } from "./inspect.ts";
import { unpackCommand } from "./unpack.ts";
import { reportCommand } from "./report.ts";
import { energyCommand } from "./energy.ts";
import { doctorCommand } from "./doctor.ts";
import { exportCommand } from "./export.ts";
import { trainCommand } from "./train.ts";
import { evalCommand } from "./eval.ts";
import { replayCommand } from "./replay.ts";
import { pretrainCommand } from "./pretrain.ts";

import { flashCommand } from "./flash.ts";
import { runCommand } from "./run.ts";
import { benchCommand } from "./bench.ts";
import { conformanceCommand } from "./conformance.ts";
export const commands: Command[] = [
  packCommand,
  inspectCommand,
  unpackCommand,
  reportCommand,
  energyCommand,
  doctorCommand,
  exportCommand,
  trainCommand,
  evalCommand,
  replayCommand,
  pretrainCommand,
  flashCommand,
  runCommand,
  benchCommand,
  conformanceCommand,
];
