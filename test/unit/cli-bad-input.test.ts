// Bad input, as a careless user types it (issue #15): for every command that reads a file, a missing file, a
// directory, an empty file and a file of the wrong kind; for every output, a missing or unwritable folder; numeric
// flags out of range, in every spelling the parser must refuse; a device that never ends; a directory as the flash
// file. Every case runs the real `bitrl` binary and must exit non-zero with exactly one line on stderr (no stack
// trace), leaving every file of the fixture folder as it was.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repoRoot } from "../../tools/lib/util/paths.ts";

const dir = mkdtempSync(join(tmpdir(), "bitrl-bad-input-"));
const at = (name: string) => join(dir, name);
copyFileSync(join(repoRoot, "models", "cartpole-ternary.bitrl"), at("agent.bitrl"));
copyFileSync(join(repoRoot, "models", "cartpole-backbone-ternary.bitrl"), at("backbone.bitrl"));
copyFileSync(join(repoRoot, "models", "lm-ternary.bitrl"), at("lm.bitrl"));
writeFileSync(at("empty.bitrl"), new Uint8Array(0));
writeFileSync(at("notes.txt"), "not a model, a note\n");
mkdirSync(at("adir"));
mkdirSync(at("runs"));
writeFileSync(at("runs/r.jsonl"), `${JSON.stringify({ kind: "run", board: "host", env: "cartpole", agent: "x" })}\n`);

/** Commands that read one file, with {IN} for it and {OUT} for an output in the fixture folder. */
const READERS: [string, string[]][] = [
  ["inspect", ["inspect", "{IN}"]],
  ["unpack", ["unpack", "{IN}", "-o", "{OUT}"]],
  ["pack", ["pack", "{IN}", "-o", "{OUT}"]],
  ["export", ["export", "{IN}", "--gguf", "-o", "{OUT}"]],
  ["eval", ["eval", "--env", "cartpole", "--model", "{IN}", "--episodes", "1"]],
  ["train", ["train", "--env", "cartpole", "--backbone", "{IN}", "--out", "{OUT}", "--steps", "1000"]],
  ["run", ["run", "--board", "host", "--model", "{IN}"]],
  ["report", ["report", "{IN}", "-o", "{OUT}"]],
  ["generate", ["generate", "--model", "{IN}", "--prompt", "the"]],
];
const INPUTS: [string, string][] = [
  ["a missing file", "nope.bitrl"],
  ["a directory", "adir"],
  ["an empty file", "empty.bitrl"],
  ["a file of the wrong kind", "notes.txt"],
];
/** Good inputs of the writers, for the output cases. */
const GOOD_IN: Record<string, string> = {
  unpack: "agent.bitrl",
  pack: "nope.safetensors",
  export: "backbone.bitrl",
  train: "backbone.bitrl",
  report: "runs/r.jsonl",
};
const OUTPUTS: [string, string][] = [
  ["a missing folder", "missing/dir/out.x"],
  ["an unwritable place", "/proc/bitrl-out.x"],
  ["a directory", "adir"],
];

/** The arguments every case of a command starts with. */
const EVAL = ["eval", "--env", "cartpole", "--model", "agent.bitrl"];
const RUN = ["run", "--board", "host"];
const TRAIN = ["train", "--env", "cartpole", "--backbone", "backbone.bitrl"];
const PRETRAIN = ["pretrain", "--env", "cartpole", "-o", "p.bitrl"];
const REPLAY = ["replay", "--env", "cartpole", "--actions"];
const ENERGY = ["energy", "--source", "estimate", "--board", "nrf52840_dk"];
const GENERATE = ["generate", "--model", "lm.bitrl", "--prompt"];
/** One case per text: `base`, then the text's words. */
const each = (base: string[], ...texts: string[]) => texts.map((t) => [...base, ...t.split(" ")]);

/** Numeric flags out of range or misspelt (the shared parser: plain decimal, a documented range). */
const NUMERIC: string[][] = [
  ...["1e99", "4294967296", "", "0x0", "-1", "1.5"].map((s) => [...EVAL, "--seed", s]),
  ...each(EVAL, "--episodes 0", "--episodes -1"),
  ...each(RUN, "--train 1e99 --episodes 0", "--episodes 0 --train 0", "--max-steps 1e99", "--max-steps 0"),
  ...each(TRAIN, "--seeds 0", "--steps -5", "--lr 2", "--lr 0", "--gamma -0.5", "--epochs 0"),
  ...each(TRAIN, "--select-episodes 0", "--select-every 0 --select-episodes 5"),
  ...each(PRETRAIN, "--steps 0", "--lr 1e-999x"),
  ...each(REPLAY, "1 --seed 4294967296"),
  ...each(ENERGY, "--vdd 100", "--marker-channel 8"),
  ...each(REPLAY, "0x1", "1e0", "0 --state 0x10,0,0,0"),
  ...each(GENERATE, "the --tokens 0", "the --tokens 5000", "the --temperature -1", "the --temperature 1e3"),
  ...each(GENERATE, "the --seed -1"),
  [...GENERATE, ""],
  [...GENERATE, "€ uro"],
  ["generate", "--model", "agent.bitrl", "--prompt", "the"],
  [...GENERATE, "the", "--board", "qemu-m4", "--backend", "wasm3"],
  ["pretrain", "--corpus", "wiki", "-o", "p.bitrl"],
  ["pretrain", "--corpus", "fortunes", "--env", "cartpole", "-o", "p.bitrl"],
];

type Case = { name: string; args: string[]; output?: string };
const cases: Case[] = [];
for (const [cmd, args] of READERS) {
  // report reads folders of run logs too: a directory is one of its inputs
  for (const [what, file] of INPUTS.filter(([w]) => cmd !== "report" || w !== "a directory"))
    cases.push({
      name: `${cmd} with ${what}`,
      args: args.map((a) => (a === "{IN}" ? file : a === "{OUT}" ? "out.x" : a)),
      output: "out.x",
    });
  if (GOOD_IN[cmd]) {
    for (const [what, out] of OUTPUTS)
      cases.push({
        name: `${cmd} into ${what}`,
        args: args.map((a) => (a === "{IN}" ? GOOD_IN[cmd] : a === "{OUT}" ? out : a)),
        output: out,
      });
  }
}
for (const args of NUMERIC)
  cases.push({ name: `${args[0]} ${args.slice(-2).join(" ") || "''"}`, args, output: "p.bitrl" });
cases.push({
  name: "pretrain into a missing folder, before training",
  args: ["pretrain", "--env", "cartpole", "-o", "missing/dir/p.bitrl"],
  output: "missing/dir/p.bitrl",
});
cases.push({
  name: "pretrain into an unwritable place, before training",
  args: ["pretrain", "--env", "cartpole", "-o", "/proc/p.bitrl"],
  output: "/proc/p.bitrl",
});
cases.push({ name: "inspect a device that never ends", args: ["inspect", "/dev/zero"] });
cases.push({ name: "flash with a directory as the flash file", args: ["flash", "--board", "host", "--flash", "adir"] });

/** Every file of the fixture folder and its hash. */
function snapshot(): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of readdirSync(d)) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else out.set(p, createHash("sha256").update(readFileSync(p)).digest("hex"));
    }
  };
  walk(dir);
  return out;
}

function bitrl(args: string[]): Promise<{ code: number | null; err: string; ms: number }> {
  const t0 = Date.now();
  return new Promise((res) => {
    const p = spawn(process.execPath, [join(repoRoot, "bin", "bitrl.mjs"), ...args], {
      cwd: dir,
      env: { ...process.env, BITRL_DEBUG: "" },
    });
    let err = "";
    p.stderr.on("data", (d) => (err += d));
    p.stdout.resume();
    p.on("close", (code) => res({ code, err, ms: Date.now() - t0 }));
  });
}

test(`should refuse every bad input with one line and a non-zero exit, changing no file (${cases.length} cases)`, async () => {
  const before = snapshot();
  const results: { c: Case; r: Awaited<ReturnType<typeof bitrl>> }[] = [];
  // a small pool of processes: the cases are independent and each is mostly Node's start-up
  let next = 0;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (next < cases.length) {
        const c = cases[next++];
        results.push({ c, r: await bitrl(c.args) });
      }
    }),
  );
  const problems: string[] = [];
  for (const { c, r } of results) {
    const lines = r.err
      .trim()
      .split("\n")
      .filter((l) => l.trim());
    if (r.code === 0) problems.push(`${c.name}: exit 0`);
    else if (lines.length !== 1)
      problems.push(`${c.name}: ${lines.length} lines on stderr:\n    ${lines.slice(0, 4).join("\n    ")}`);
    else if (/^\s+at |Error:|TypeError|RangeError/.test(r.err))
      problems.push(`${c.name}: a stack trace or raw error: ${lines[0]}`);
  }
  assert.equal(problems, [], problems.join("\n"));
  assert.equal(snapshot(), before, "a file of the fixture folder changed");
  const slowest = results.reduce((a, b) => (b.r.ms > a.r.ms ? b : a));
  assert.ok(
    slowest.r.ms < 30_000,
    `${slowest.c.name} took ${slowest.r.ms} ms: bad input must fail before any long work`,
  );
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
