// Output over input (issue #15, item 1): every command that reads a file and writes -o refuses an output that is its
// input, by the same path, another spelling or a link, before writing anything. Runs the real `bitrl` binary.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, symlinkSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repoRoot } from "../../tools/lib/util/paths.ts";

const dir = mkdtempSync(join(tmpdir(), "bitrl-overwrite-"));
const at = (name: string) => join(dir, name);

function bitrl(...args: string[]) {
  const r = spawnSync(process.execPath, [join(repoRoot, "bin", "bitrl.mjs"), ...args], {
    cwd: dir,
    encoding: "utf8",
    env: { ...process.env, BITRL_DEBUG: "" },
  });
  return { code: r.status, err: r.stderr };
}

copyFileSync(join(repoRoot, "models", "cartpole-backbone-ternary.bitrl"), at("x.bitrl"));
assert.is(bitrl("unpack", "x.bitrl", "-o", "a.safetensors").code, 0);
assert.is(bitrl("export", "x.bitrl", "--gguf", "--odd-rows", "f32", "-o", "a.gguf").code, 0);
symlinkSync(at("x.bitrl"), at("link.bitrl"));
mkdirSync(at("runs"));
writeFileSync(at("runs/r.jsonl"), `${JSON.stringify({ kind: "run", board: "host", env: "cartpole", agent: "x" })}\n`);

const CASES: [string, string, string[]][] = [
  ["unpack, same path", "x.bitrl", ["unpack", "x.bitrl", "-o", "x.bitrl"]],
  ["unpack, another spelling", "x.bitrl", ["unpack", "x.bitrl", "-o", "./x.bitrl"]],
  ["unpack, through a link", "x.bitrl", ["unpack", "link.bitrl", "-o", "x.bitrl"]],
  ["pack from safetensors", "a.safetensors", ["pack", "a.safetensors", "-o", "a.safetensors"]],
  ["pack from gguf", "a.gguf", ["pack", "a.gguf", "-o", "a.gguf"]],
  ["export --gguf", "x.bitrl", ["export", "x.bitrl", "--gguf", "-o", "x.bitrl"]],
  [
    "train over its backbone",
    "x.bitrl",
    ["train", "--env", "cartpole", "--backbone", "x.bitrl", "--out", "x.bitrl", "--steps", "1000"],
  ],
  ["report over a run log", "runs/r.jsonl", ["report", "runs/r.jsonl", "-o", "runs/r.jsonl"]],
];

for (const [name, file, args] of CASES) {
  test(`should refuse to write over the input (${name}): one line, exit 1, the file unchanged`, () => {
    const before = readFileSync(at(file));
    const r = bitrl(...args);
    assert.is(r.code, 1, r.err);
    const lines = r.err.trim().split("\n");
    assert.is(lines.length, 1, r.err);
    assert.match(lines[0], /is the input file .*choose another output/);
    assert.equal(readFileSync(at(file)), before);
  });
}

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
