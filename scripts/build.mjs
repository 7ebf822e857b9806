// Builds everything the CLI and tests need: build/agent.wasm (release), build/agent.debug.wasm
// (checks on, unchecked() ignored) and dist/bitrl.mjs (the CLI bundled into one file).
// Uses only Node built-ins plus the project's devDependencies, so `npm test` can call it on a fresh clone.
import { spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bin = (name) => join(root, "node_modules", ".bin", name);

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: "inherit" });
  if (r.status !== 0) {
    console.error(`build: '${[cmd, ...args].join(" ")}' failed (exit ${r.status})`);
    process.exit(r.status ?? 1);
  }
}

export function build({ quiet = false } = {}) {
  mkdirSync(join(root, "build"), { recursive: true });
  for (const target of ["release", "debug"]) {
    if (!quiet) console.log(`build: asc --target ${target}`);
    run(bin("asc"), ["--config", "asconfig.json", "--target", target]);
  }
  if (!quiet) console.log("build: esbuild tools/cli/main.ts -> dist/bitrl.mjs");
  run(bin("esbuild"), [
    "tools/cli/main.ts", "--bundle", "--platform=node", "--format=esm", "--target=node20",
    "--outfile=dist/bitrl.mjs", "--packages=external", "--log-level=warning",
  ]);
}

if (import.meta.url === `file://${process.argv[1]}`) build();
