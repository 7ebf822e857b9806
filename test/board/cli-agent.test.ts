import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cartpoleStep, type CartPoleState } from "../../tools/lib/reference/envs.ts";
import { evaluateAgent, evaluateOnBoard, trainAgent, trainOnBoard } from "../../tools/lib/agent/index.ts";
import { tempFlashPath } from "../../tools/lib/board/qemu.ts";
import { headBytes, oneHotCartpole } from "../fixtures/agents.ts";

const root = join(import.meta.dirname, "..", "..");
const dir = mkdtempSync(join(tmpdir(), "bitrl-agent-"));
// the CLI from source (tsx), as `bitrl` runs it from the bundle
const bitrl = (...args: string[]) => {
  const code = `const { main } = await import(${JSON.stringify(join(root, "tools/cli/main.ts"))}); process.exitCode = await main(${JSON.stringify(args)});`;
  const r = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", code], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, CI: "1" },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

test("should replay cartpole from a given state with states after each step, rewards and flags", () => {
  const r = bitrl("replay", "--env", "cartpole", "--state", "0.01,-0.02,0.03,0.04", "--actions", "0,1,1,0,1", "--json");
  assert.is(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  let s: CartPoleState = [0.01, -0.02, 0.03, 0.04];
  assert.equal(j.initial_state, s);
  [0, 1, 1, 0, 1].forEach((a, i) => {
    s = cartpoleStep(s, a).state;
    j.states[i].forEach((v: number, k: number) => assert.ok(Math.abs(v - s[k]) <= 1e-12, `step ${i} value ${k}`));
  });
  assert.equal(j.rewards, [1, 1, 1, 1, 1]);
  assert.is(j.terminated, false);
  assert.is(j.truncated, false);
});

test("should report termination in replay and refuse actions after it, with one line", () => {
  const r = bitrl("replay", "--env", "cartpole", "--state", "0,0,0.209,1", "--actions", "0,0", "--json");
  assert.is(r.code, 1);
  assert.match(r.err, /^bitrl replay: action 2 comes after the episode ended at step 1\n$/);
  const ok = JSON.parse(bitrl("replay", "--env", "cartpole", "--state", "0,0,0.209,1", "--actions", "0", "--json").out);
  assert.is(ok.terminated, true);
  const bad = bitrl("replay", "--env", "cartpole", "--actions", "0,5");
  assert.is(bad.code, 1);
  assert.match(bad.err, "action 2 is '5', cartpole takes 0..1");
  assert.match(bitrl("replay", "--env", "pong", "--actions", "0").err, "unknown env 'pong'");
  assert.match(
    bitrl("replay", "--env", "cartpole", "--state", "1,2", "--actions", "0").err,
    "cartpole state has 4 values, got 2",
  );
});

test("should train over seeds, write the best agent atomically, and evaluate it", () => {
  const out = join(dir, "cartpole-none.bitrl");
  const t = bitrl(
    "train",
    "--env",
    "cartpole",
    "--backbone",
    "none",
    "--algo",
    "reinforce",
    "--seeds",
    "2",
    "--episodes",
    "300",
    "--out",
    out,
    "--json",
  );
  assert.is(t.code, 0, t.err);
  const j = JSON.parse(t.out);
  assert.is(j.seeds.length, 2);
  assert.is(j.seeds[0].curve.length, 300);
  assert.is(j.backbone, "none");
  assert.ok(existsSync(out));
  const best = j.seeds.find((s: { seed: number }) => s.seed === j.best_seed);
  assert.ok(j.seeds.every((s: { eval_mean_return: number }) => s.eval_mean_return <= best.eval_mean_return));
  const e = bitrl("eval", "--env", "cartpole", "--model", out, "--episodes", "5", "--seed", "1", "--json");
  assert.is(e.code, 0, e.err);
  const ev = JSON.parse(e.out);
  assert.equal(Object.keys(ev).slice(0, 5), ["env", "episodes", "mean_return", "std_return", "returns"]);
  assert.is(ev.returns.length, 5);
  assert.ok(ev.mean_return > 100, `mean ${ev.mean_return}`);
  // the same command twice gives the same numbers
  assert.equal(
    JSON.parse(bitrl("eval", "--env", "cartpole", "--model", out, "--episodes", "5", "--seed", "1", "--json").out)
      .returns,
    ev.returns,
  );
  assert.match(bitrl("eval", "--env", "keydoor", "--model", out).err, "is a cartpole agent, not keydoor");
});

test("should leave an existing output untouched when training fails", () => {
  const out = join(dir, "keep.bitrl");
  writeFileSync(out, "old");
  const r = bitrl("train", "--env", "cartpole", "--backbone", join(dir, "missing.bitrl"), "--out", out);
  assert.is(r.code, 1);
  assert.match(r.err, /^bitrl train: .*missing\.bitrl.*not found\n$/);
  assert.is(readFileSync(out, "utf8"), "old");
  assert.match(bitrl("eval", "--env", "cartpole", "--model", out).err, /^bitrl eval: /);
});

test("should train and evaluate on the emulated board (wasm3, qemu-m4) exactly as in V8", async () => {
  // a short run keeps episodes short: the board must give the same sampled returns, head bits and greedy returns
  const start = oneHotCartpole();
  const host = trainAgent(start, 4, 12, { evalEpisodes: 0, chunk: 6 });
  const board = await trainOnBoard("qemu-m4", start, 4, 12, { chunk: 6, flashPath: tempFlashPath() }); // own flash: board tests run in parallel
  assert.equal(board.curve, host.curve);
  assert.equal(headBytes(board.blob), headBytes(host.blob));
  assert.ok(
    headBytes(host.blob).some((x) => x !== 0),
    "the head moved",
  );
  assert.is(board.tick_unit, "instructions");
  const onBoard = await evaluateOnBoard("qemu-m4", host.blob, 3, 1, { flashPath: tempFlashPath() });
  assert.equal(onBoard.returns, evaluateAgent(host.blob, 3, 1).returns);
  assert.ok(onBoard.ticks.every((t) => t > 0));
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
