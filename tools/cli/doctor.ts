// `bitrl doctor`: which toolchains, boards and meters are ready, one line each, and what to do about the rest.
import type { Command } from "./command.ts";
import { parseCommandArgs } from "./command.ts";
import { JSON_FLAG } from "./options.ts";
import { runChecks } from "../lib/board/doctor.ts";

export const doctorCommand: Command = {
  name: "doctor",
  summary: "which toolchains, boards and meters are ready (one line each)",
  usage: `usage: bitrl doctor [--json]

Checks node, npm packages, the build, the toolchains (Arm, RISC-V, PlatformIO, wasm3 sources, wasm2c), each
board profile and the serial ports (a PPK2 is recognised by its USB ids). Exit code 1 when something the
default setup needs is missing.
  --json   one JSON array of {group, name, status, detail, required}`,
  async run(argv) {
    const a = parseCommandArgs(this, argv, JSON_FLAG);
    if (!a) return 0;
    const checks = await runChecks();
    if (a.values.json) console.log(JSON.stringify(checks));
    else {
      const w = Math.max(...checks.map((c) => c.name.length));
      for (const c of checks)
        console.log(
          `${(c.status === "missing" ? (c.required ? "MISSING" : "missing") : c.status).padEnd(7)}  ${c.group.padEnd(9)} ${c.name.padEnd(w)}  ${c.detail}`,
        );
    }
    return checks.some((c) => c.required && c.status === "missing") ? 1 : 0;
  },
};
