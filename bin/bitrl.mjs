#!/usr/bin/env node
// The `bitrl` command: runs the bundled CLI, building it first on a fresh clone.
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { spawnSync } from "node:child_process";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const cli = join(root, "dist", "bitrl.mjs");
if (!existsSync(cli) || !existsSync(join(root, "build", "agent.wasm"))) {
  // a fresh clone: npm packages first (the build needs the AssemblyScript compiler), progress on stderr so a
  // --json command's stdout stays its one JSON line
  for (const script of ["ensure-deps.mjs", "build.mjs"]) {
    const r = spawnSync(process.execPath, [join(root, "scripts", script)], { cwd: root, stdio: ["ignore", 2, 2] });
    if (r.status !== 0) process.exit(r.status ?? 1);
  }
}
const { main } = await import(pathToFileURL(cli).href);
process.exitCode = await main(process.argv.slice(2));
