// `npm test`: installs what is missing, builds, type-checks, then runs the suites in two tiers on parallel worker
// processes: test/unit/ (pure and V8, started first, one process) and test/board/ (QEMU, native C builds, Chromium,
// the packed package; one process per file). A test file directly in test/ counts as board tier.
// `npm run test:unit` (--unit) runs the first tier only, without the board toolchain setup. Before the suites: the
// type check and the format check (scripts/format.mjs --check; C only in the full run).
// An extra argument filters the test files by a regular expression on their path under test/: `npm test -- blob`.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { ensureDeps } from "./ensure-deps.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const unitOnly = args.includes("--unit");
const filter = new RegExp(args.find((a) => !a.startsWith("--")) ?? "");
/** Worker processes: one per core (at least 2, so the unit tier and the board tier overlap); BITRL_TEST_JOBS overrides. */
const workers = Number(process.env.BITRL_TEST_JOBS) || Math.max(2, availableParallelism());
/** Seconds each job took last time, to start the longest first (kept between runs, never committed). */
const timesFile = join(root, ".bitrl", "test-times.json");

const step = (label, cmd, cmdArgs) => {
  console.log(`\n== ${label}`);
  const r = spawnSync(cmd, cmdArgs, { cwd: root, stdio: "inherit" });
  if (r.status !== 0) {
    console.error(`npm test: ${label} failed (exit ${r.status ?? r.signal})`);
    process.exit(r.status || 1);
  }
};

ensureDeps();
const { build } = await import("./build.mjs");
console.log("== build");
build({ quiet: true });
step("typecheck (tsc --noEmit)", join(root, "node_modules/.bin/tsc"), ["--noEmit", "-p", "tsconfig.json"]);
if (!unitOnly) for (const setup of (await import("./test-setup.mjs")).setups) await setup();
// the house formatters (scripts/format.mjs): Prettier on TS/AS/JS, and clang-format on C once the setups installed it
step("format check", process.execPath, [
  join(root, "scripts", "format.mjs"),
  "--check",
  ...(unitOnly ? ["--ts-only"] : []),
]);

// ---- which files, in which jobs ---------------------------------------------------------------------------------
const testDir = join(root, "test");
const walk = (dir) =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)],
  );
const files = walk(testDir)
  .map((f) => relative(testDir, f))
  .filter((f) => f.endsWith(".test.ts") && filter.test(f))
  .sort();
const unit = files.filter((f) => f.startsWith("unit/"));
const board = unitOnly ? [] : files.filter((f) => !f.startsWith("unit/") && !f.startsWith("fixtures/"));
const jobs = [];
if (unit.length) jobs.push({ name: "unit tier", files: unit });
// board files run at the same time as each other, so each boots its boards on a flash file of its own (tempFlashPath)
for (const f of board) jobs.push({ name: f, files: [f] });
// each job's seconds in this checkout's last run, else the committed ones of a full run on the 2-core machine (a
// fresh clone schedules longest first too; a new board file counts as long until it has run once)
const committedTimes = JSON.parse(readFileSync(join(testDir, "tier-times.json"), "utf8"));
const lastTimes = { ...committedTimes, ...(existsSync(timesFile) ? JSON.parse(readFileSync(timesFile, "utf8")) : {}) };
// the unit tier first, then the longest board jobs (unknown ones count as long)
const expected = (j) => (j.name === "unit tier" ? Infinity : (lastTimes[j.name] ?? 1e6));
jobs.sort((a, b) => expected(b) - expected(a));

// uvu forces colour in child processes (FORCE_COLOR) unless told --no-color; with NO_COLOR also set, every node
// child would print a warning to stderr, and CLI tests check stderr line by line.
function withoutColorVars(env) {
  const { FORCE_COLOR, NO_COLOR, ...rest } = env;
  return rest;
}
const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Runs one job's files in one uvu process; resolves with its counts and output (printed whole, not interleaved). */
function runJob(job) {
  const pattern = `^(${job.files.map(escape).join("|")})$`;
  const t0 = Date.now();
  return new Promise((res) => {
    const p = spawn(
      process.execPath,
      ["--import", "tsx", join(root, "node_modules/uvu/bin.js"), "test", pattern, "--no-color"],
      { cwd: root, stdio: ["ignore", "pipe", "pipe"], env: withoutColorVars(process.env) },
    );
    let out = "";
    let err = "";
    p.stdout.on("data", (d) => (out += d));
    p.stderr.on("data", (d) => (err += d));
    p.on("close", (code, signal) => {
      const count = (what) => Number(new RegExp(`${what}:\\s+(\\d+)`).exec(out)?.[1] ?? 0);
      const total = count("Total"),
        passed = count("Passed"),
        skipped = count("Skipped");
      // a crashed or failing process counts at least one failure even when uvu could not say how many
      const failed = code === 0 ? total - passed - skipped : Math.max(1, total - passed - skipped);
      res({ job, code: code ?? signal, out, err, total, passed, skipped, failed, seconds: (Date.now() - t0) / 1000 });
    });
  });
}

console.log(`\n== tests (uvu): ${unit.length + board.length} files in ${jobs.length} jobs on ${workers} workers`);
const results = [];
let next = 0;
async function worker() {
  while (next < jobs.length) {
    const r = await runJob(jobs[next++]);
    results.push(r);
    console.log(`\n-- ${r.job.name} (${r.seconds.toFixed(1)} s)`);
    process.stdout.write(r.out);
    process.stderr.write(r.err);
  }
}
await Promise.all(Array.from({ length: Math.min(workers, jobs.length) }, worker));

mkdirSync(dirname(timesFile), { recursive: true });
writeFileSync(
  timesFile,
  JSON.stringify({ ...lastTimes, ...Object.fromEntries(results.map((r) => [r.job.name, r.seconds])) }, null, 1),
);
const sum = (k) => results.reduce((a, r) => a + r[k], 0);
const failedJobs = results.filter((r) => r.code !== 0).map((r) => r.job.name);
if (failedJobs.length) console.log(`\nfailed: ${failedJobs.join(", ")}`);
console.log(`\ntests: ${sum("passed")} passed, ${sum("failed")} failed, ${sum("skipped")} skipped`);
process.exit(failedJobs.length === 0 && sum("total") > 0 ? 0 : 1);
