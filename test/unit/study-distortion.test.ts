// Distortion in the pretraining-data study (issue #16): `bitrl train --json` hands back each seed's kept head, the
// shared distortion rows average the right measures over seed pairs, the section states from the numbers whether a
// distortion exceeds the between-seed spread, and every committed study's distortion and heads files are complete.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { agentInfo } from "../../tools/lib/agent/index.ts";
import { tensorValues } from "../../tools/lib/format/blob-tensors.ts";
import { readBlobFile } from "../../tools/lib/format/blob-file.ts";
import { repoRoot } from "../../tools/lib/util/paths.ts";
import { distortionRow, headFromBase64, type PolicyAgent } from "../../scripts/study/distortion.ts";
import {
  PRETRAINING_ENVS,
  pretrainingSection,
  type PretrainingDistortionRow,
  type PretrainingHeads,
  type PretrainingStudy,
} from "../../scripts/study/pretraining-section.ts";
import { pretrainingStudy } from "../../scripts/study/results-sections.ts";
import type { DistortionStats } from "../../scripts/study/schema.ts";

const dir = mkdtempSync(join(tmpdir(), "bitrl-distortion-"));

test("bitrl train --json: each seed's kept head, the best seed's equal to the written agent's head.params", () => {
  const out = join(dir, "a.bitrl");
  const args = ["train", "--env", "keydoor", "--backbone", join(repoRoot, "models", "keydoor-backbone-ternary.bitrl")];
  args.push("--seeds", "2", "--steps", "1500", "--eval-episodes", "2", "--json", "--out", out);
  const r = spawnSync(process.execPath, [join(repoRoot, "bin", "bitrl.mjs"), ...args], { encoding: "utf8" });
  assert.is(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout) as { hidden: number; best_seed: number; seeds: { seed: number; head: string }[] };
  const blob = readBlobFile(out);
  assert.is(j.hidden, agentInfo(blob).hidden);
  const written = tensorValues(blob.tensors.find((t) => t.name === "head.params")!);
  const heads = j.seeds.map((s) => headFromBase64(s.head));
  assert.equal(heads[j.best_seed - 1], written);
  assert.is(heads[0].length, heads[1].length);
  assert.not.equal(heads[0], heads[1]);
});

/** A linear head (H = 0) on F = 2 features and A = 2 actions: action weights (A, F), biases (A), value (F), bias. */
const linearHead = (w: number[][], value: number[]) => Float32Array.from([...w.flat(), 0, 0, ...value, 0]);
/** Features as the token values themselves. */
const feat = (t: Int32Array) => Float32Array.from(t);

test("should average KL, agreement and |dV| over seed pairs, each pair on its own seed's states", () => {
  const shape = { F: 2, H: 0, A: 2 };
  const ref: PolicyAgent = {
    feat,
    head: linearHead(
      [
        [1, 0],
        [0, 1],
      ],
      [1, 2],
    ),
  };
  const swapped: PolicyAgent = {
    feat,
    head: linearHead(
      [
        [0, 1],
        [1, 0],
      ],
      [1, 2],
    ),
  };
  const states = [Int32Array.from([1, 0]), Int32Array.from([0, 1])];
  // seed 0: ref vs itself; seed 1: ref vs the swapped head, whose policy is ref's mirrored on every state
  const row = distortionRow(
    "x",
    "x",
    [
      [ref, ref],
      [ref, swapped],
    ],
    shape,
    [states, states],
    states,
  );
  const p = 1 / (1 + Math.exp(-1)); // the preferred action's probability at logit gap 1
  const kl = (2 * p - 1) * Math.log(p / (1 - p)); // KL of (p, 1-p) from (1-p, p)
  for (const d of [row.fp32_states, row.random_states] as DistortionStats[]) {
    assert.is(d.states, 4);
    assert.ok(Math.abs(d.kl - kl / 2) < 1e-6, `${d.kl}`);
    assert.is(d.agreement, 0.5);
    assert.is(d.value_abs_diff, 0);
    assert.equal(d.entropy_other_per_seed.length, 2);
  }
  assert.is(row.pairs, 2);
});

/** A distortion row whose KL on fp32's states is `a` and on random-play states `b`. */
function fakeRow(data: "mixed" | "random", label: string, a: number, b: number): PretrainingDistortionRow {
  const stats = (kl: number): DistortionStats => ({
    states: 10,
    kl,
    agreement: 0.9,
    value_abs_diff: 0.1,
    entropy_ref: 0.5,
    entropy_other: 0.5,
    entropy_other_per_seed: [0.5, 0.5],
    entropy_ref_per_seed: [0.5, 0.5],
  });
  return { data, label, what: `${data} data: ${label}`, pairs: 2, fp32_states: stats(a), random_states: stats(b) };
}

test("should render the distortion tables and say, from the numbers, which distortions exceed the between-seed spread", () => {
  const base: PretrainingStudy = {
    env: "keydoor",
    seeds: 2,
    steps: 1000,
    eval_episodes: 2,
    command: "test",
    tabular_episodes: 50,
    arms: ["fp32", "ternary"].map((kind) => ({
      method: "qat" as const,
      data: "random" as const,
      kind,
      backbone: "b",
      zero_shot: [0, 0],
      rl: [0.5, 0.6],
    })),
    none: [0.5, 0.6],
    tabular: [0.5, 0.6],
  };
  assert.not.match(pretrainingSection(base), /Distortion/);
  const rows = [
    fakeRow("random", "fp32 seed i+1", 0.2, 0.3),
    fakeRow("random", "int8 QAT", 0.2004, 0.3), // equal to the spread at the digits shown: not above
    fakeRow("random", "int8 QAT seed i+1", 0.0001, 0.0001),
    fakeRow("random", "ternary QAT", 0.25, 0.1), // above both spreads on fp32's states only
    fakeRow("random", "ternary QAT seed i+1", 0.15, 0.05),
    fakeRow("random", "ternary PTQ", 0.25, 0.1), // its own spread is larger: not above
    fakeRow("random", "ternary PTQ seed i+1", 0.4, 0.05),
  ];
  const text = pretrainingSection({ ...base, distortion: { fp32_states: "S1", random_states: "S2", rows } });
  assert.match(text, /On the states seed i's fp32 agent visits \(S1\)/);
  assert.match(text, /\| random data: ternary QAT \| 10 \| 0\.250 \| 0\.900 \| 0\.100 \| 0\.500 \|/);
  assert.match(text, /ternary QAT 0\.250 \/ 0\.100 against 0\.200 \/ 0\.300 \(above \/ not above\)/);
  assert.match(text, /int8 QAT 0\.200 \/ 0\.300 against 0\.200 \/ 0\.300 \(not above \/ not above\)/);
  assert.match(text, /ternary PTQ 0\.250 \/ 0\.100 against 0\.400 \/ 0\.300 \(not above \/ not above\)/);
  assert.match(text, /Larger than the between-seed spread: ternary QAT \(fp32's states\)\./);
});

test("every committed pretraining study with distortion has every row, and its heads file every seed's head", () => {
  for (const env of PRETRAINING_ENVS) {
    const s = pretrainingStudy(env);
    if (!s?.distortion) continue;
    const headsPath = join(repoRoot, "docs", "results", `pretraining-${env}-heads.json`);
    assert.ok(existsSync(headsPath), `${env}: ${headsPath} is missing`);
    // base64 f32 heads: the env-token backbones' are under 1 MB; textroom's 600 concatenated features make 1.1 MB
    assert.ok(statSync(headsPath).size < 1_500_000, `${env}: heads file over 1.5 MB`);
    const h = JSON.parse(readFileSync(headsPath, "utf8")) as PretrainingHeads;
    assert.is(h.seeds, s.seeds);
    assert.is(h.steps, s.steps);
    for (const a of s.arms) {
      const kept = h.arms.find((b) => b.method === (a.method ?? "qat") && b.data === a.data && b.kind === a.kind);
      assert.ok(kept, `${env}: no heads for ${a.method} ${a.data} ${a.kind}`);
      assert.is(kept!.heads.length, s.seeds);
      assert.ok(new Set(kept!.heads.map((x) => headFromBase64(x).length)).size === 1);
    }
    for (const data of new Set(s.arms.map((a) => a.data))) {
      const labels = s.distortion.rows.filter((r) => r.data === data).map((r) => r.label);
      const kinds = s.arms.filter((a) => a.data === data && a.kind !== "fp32");
      const want = [
        "fp32 seed i+1",
        ...kinds.flatMap((a) => [
          `${a.kind} ${(a.method ?? "qat").toUpperCase()}`,
          `${a.kind} ${(a.method ?? "qat").toUpperCase()} seed i+1`,
        ]),
      ];
      assert.equal([...labels].sort(), want.sort(), `${env} ${data}`);
      for (const r of s.distortion.rows) assert.is(r.pairs, s.seeds);
    }
  }
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
