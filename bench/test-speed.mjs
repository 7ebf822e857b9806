// How much the test tiers buy: the same test files run the way `npm test` ran them before the tiers (one uvu
// process, every file one after another) and the way it runs them now (scripts/test.mjs: the unit tier and each
// board file on parallel worker processes), back to back on this machine, after one untimed warm-up run that
// builds and installs what the suites need. Wall-clock seconds of the suites only (build, type and format checks
// excluded from both). Prints a table and one JSON line. Not a test. Run: node bench/test-speed.mjs
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const env = { ...process.env };
delete env.FORCE_COLOR;
delete env.NO_COLOR;

function timed(label, args) {
  const t0 = Date.now();
  const r = spawnSync(process.execPath, args, { cwd: root, env, encoding: "utf8", maxBuffer: 1 << 28 });
  const seconds = (Date.now() - t0) / 1000;
  const out = r.stdout + r.stderr;
  const passed = [...out.matchAll(/Passed:\s+(\d+)/g)].reduce((a, m) => a + Number(m[1]), 0);
  const failed = r.status !== 0;
  console.error(`${label}: ${seconds.toFixed(1)} s, exit ${r.status}, ${passed} passed`);
  return { seconds, passed, failed };
}

// The ratio is only meaningful on a quiet machine: Linux's autogroup scheduler gives every session an equal share of
// the CPU whatever its nice value, so one busy process elsewhere halves what the two test workers get (and slows the
// one-process run far less). Before each timed run, the share of the CPUs busy while this bench sleeps 3 s (from
// /proc/stat; null elsewhere) is recorded, with a warning above 10%.
function othersBusy(label) {
  const sample = () => {
    try {
      const f = readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).slice(1).map(Number);
      return { total: f.reduce((a, b) => a + b, 0), idle: f[3] + f[4] };
    } catch {
      return null;
    }
  };
  const a = sample();
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 3000);
  const b = sample();
  if (!a || !b || b.total === a.total) return null;
  const busy = 1 - (b.idle - a.idle) / (b.total - a.total);
  if (busy > 0.1) console.error(`warning: ${(100 * busy).toFixed(0)}% of the CPUs busy before ${label}: not quiet`);
  return Number(busy.toFixed(3));
}

// warm-up: build, toolchains, firmware images (cached afterwards for both timed runs)
timed("warm-up (npm test)", [join(root, "scripts", "test.mjs")]);
const uvu = join(root, "node_modules", "uvu", "bin.js");
const busyBeforeSerial = othersBusy("the one-process run");
const serial = timed("one process, file after file", ["--import", "tsx", uvu, "test", "\\.test\\.ts$", "--no-color"]);
// the tiered runner, its suites only: the report's "tests:" wall time is the runner's total minus its fixed steps,
// so time the whole runner and subtract a run with no test file selected
const busyBeforeTiered = othersBusy("the tiered run");
const tiered = timed("tiers on parallel workers", [join(root, "scripts", "test.mjs")]);
const fixed = timed("tiered runner, no suites (build and checks only)", [
  join(root, "scripts", "test.mjs"),
  "^no-such-test$",
]);
const suites = Math.max(1, tiered.seconds - fixed.seconds);
const ratio = serial.seconds / suites;
console.log(["way", "wall s", "passed"].join("\t"));
console.log(["one process, file after file", serial.seconds.toFixed(1), serial.passed].join("\t"));
console.log(["tiers, parallel workers (suites only)", suites.toFixed(1), tiered.passed].join("\t"));
console.log(`speed-up: ${ratio.toFixed(2)}x on ${availableParallelism()} cores`);
console.log(
  JSON.stringify({
    bench: "test-speed",
    cores: availableParallelism(),
    serial_s: serial.seconds,
    tiered_s: suites,
    tiered_total_s: tiered.seconds,
    fixed_steps_s: fixed.seconds,
    speedup: Number(ratio.toFixed(2)),
    others_busy_before_serial: busyBeforeSerial,
    others_busy_before_tiered: busyBeforeTiered,
    serial_passed: serial.passed,
    tiered_passed: tiered.passed,
    serial_failed: serial.failed,
    tiered_failed: tiered.failed,
  }),
);
