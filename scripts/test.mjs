// `npm test`: installs what is missing, builds, type-checks, then runs every uvu suite in test/.
// Extra arguments filter the test files by a regular expression: `npm test -- blob`.
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ensureDeps } from "./ensure-deps.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const step = (label, cmd, args, opts = {}) => {
  console.log(`\n== ${label}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: "inherit", ...opts });
  if (r.status !== 0) {
    console.error(`npm test: ${label} failed (exit ${r.status ?? r.signal})`);
    process.exit(r.status || 1);
  }
  return r;
};

ensureDeps();
const { build } = await import("./build.mjs");
console.log("== build");
build({ quiet: true });
step("typecheck (tsc --noEmit)", join(root, "node_modules/.bin/tsc"), ["--noEmit", "-p", "tsconfig.json"]);
for (const setup of (await import("./test-setup.mjs")).setups) await setup();

// uvu forces colour in child processes (FORCE_COLOR) unless told --no-color; with NO_COLOR also set, every node
// child would print a warning to stderr, and CLI tests check stderr line by line.
function withoutColorVars(env) {
  const { FORCE_COLOR, NO_COLOR, ...rest } = env;
  return rest;
}

const pattern = process.argv[2] ? `.*${process.argv[2]}.*\\.test\\.ts$` : "\\.test\\.ts$";
console.log("\n== tests (uvu)");
const r = spawnSync(process.execPath, ["--import", "tsx", join(root, "node_modules/uvu/bin.js"), "test", pattern, "--no-color"],
  { cwd: root, stdio: ["ignore", "pipe", "inherit"], encoding: "utf8", maxBuffer: 1 << 28, env: withoutColorVars(process.env) });
process.stdout.write(r.stdout ?? "");
const total = Number(/Total:\s+(\d+)/.exec(r.stdout ?? "")?.[1] ?? 0);
const passed = Number(/Passed:\s+(\d+)/.exec(r.stdout ?? "")?.[1] ?? 0);
const skipped = Number(/Skipped:\s+(\d+)/.exec(r.stdout ?? "")?.[1] ?? 0);
const failed = r.status === 0 ? total - passed - skipped : Math.max(1, total - passed - skipped);
console.log(`\ntests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(r.status === 0 && total > 0 ? 0 : 1);
