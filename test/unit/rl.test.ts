import { test } from "uvu";
import * as assert from "uvu/assert";
import { encodeBlob } from "../../tools/lib/format/blob.ts";
import { f32Tensor } from "../../tools/lib/format/blob-tensors.ts";
import { join } from "node:path";
import { readBlobFile } from "../../tools/lib/format/blob-file.ts";
import {
  AgentRunner,
  agentInfo,
  backboneKindOf,
  evaluateAgent,
  buildAgentBlob,
  DEFAULT_TRAIN,
  headParamCount,
  hparamValues,
  HPARAMS_V1_LEN,
  loadAgentModule,
  trainAgent,
  withHead,
} from "../../tools/lib/agent/index.ts";
import type { Blob } from "../../tools/lib/format/types.ts";
import { cartpoleReset, cartpoleStep, cartpoleTokens, Pcg32 } from "../../tools/lib/reference/envs.ts";
import { mean } from "../../tools/lib/util/stats.ts";
import { oneHotCartpole, ppoCartpole } from "../fixtures/agents.ts";

test("should improve a cartpole head's return well above its start within 300 episodes (backbone none, V8)", () => {
  const t0 = Date.now();
  const start = oneHotCartpole();
  const before = new AgentRunner(start);
  const startGreedy = mean([0, 1, 2, 3, 4].map((i) => before.episode(1_000_000 + i, true).return));
  const r = trainAgent(start, 1, 300, { evalEpisodes: 10 });
  assert.ok(
    mean(r.curve.slice(-50)) > 3 * mean(r.curve.slice(0, 50)),
    `first 50: ${mean(r.curve.slice(0, 50))}, last 50: ${mean(r.curve.slice(-50))}`,
  );
  assert.ok(r.eval.mean_return > startGreedy + 100, `greedy ${startGreedy} -> ${r.eval.mean_return}`);
  assert.ok(Date.now() - t0 < 60_000);
});

const ternaryBackbone = () =>
  readBlobFile(join(import.meta.dirname, "..", "..", "models", "cartpole-backbone-ternary.bitrl"));

test("should lift PPO's sampled returns on the ternary backbone within a 15,000-step budget, checks counted (V8)", () => {
  const steps = 15_000;
  const start = ppoCartpole(ternaryBackbone(), { horizon: steps });
  const r = trainAgent(start, 1, Infinity, {
    steps,
    chunk: 10,
    select: { every: 2500, episodes: 2, gate: 0.8 },
    evalEpisodes: 5,
  });
  const k = Math.floor(r.curve.length / 4);
  const first = mean(r.curve.slice(0, k)),
    last = mean(r.curve.slice(-k));
  assert.ok(last >= 150 && last >= 3 * first, `first quarter ${first}, last quarter ${last}`);
  assert.ok(r.steps <= steps && r.checkSteps > 0, `${r.steps} steps (${r.checkSteps} in checks)`);
  assert.is(r.steps, r.curveSteps.reduce((a, b) => a + b, 0) + r.checkSteps);
  assert.ok(r.rollout >= 32, `rollout ${r.rollout}`);
  assert.ok(r.eval.mean_return > 100, `greedy ${r.eval.mean_return}`);
});

test("should refuse a PPO rollout that does not fit in linear memory, and load older REINFORCE agents", () => {
  const big = ppoCartpole(ternaryBackbone(), { rollout: 1024 });
  const runner = new AgentRunner(big); // it plays: the training state waits for the first train call
  assert.ok(runner.episode(1, true).steps > 0);
  assert.throws(
    () => runner.rolloutSteps(),
    /cannot train: agent_train: the PPO rollout .* does not fit in free linear memory/,
  );
  assert.throws(() => runner.train(1, 1), /cannot train: .*PPO rollout/);
  assert.throws(() => trainAgent(big, 1, 1), /PPO rollout .* does not fit/);
  const auto = new AgentRunner(ppoCartpole(ternaryBackbone()));
  assert.ok(auto.rolloutSteps() > 32 && auto.rolloutSteps() < 1024, `auto rollout ${auto.rolloutSteps()}`);
  // an older REINFORCE agent: agent.hparams holds only the first HPARAMS_V1_LEN fields; it plays and trains as the
  // same agent with the full f32[19] tensor does
  const current = oneHotCartpole();
  const old: Blob = {
    ...current,
    tensors: current.tensors.map((t) =>
      t.name === "agent.hparams"
        ? f32Tensor("agent.hparams", [HPARAMS_V1_LEN], hparamValues(DEFAULT_TRAIN.cartpole).slice(0, HPARAMS_V1_LEN))
        : t,
    ),
  };
  assert.is(old.tensors.find((t) => t.name === "agent.hparams")!.shape[0], HPARAMS_V1_LEN);
  assert.is(agentInfo(old).train.algo, "reinforce");
  const [o, c] = [new AgentRunner(old), new AgentRunner(current)];
  assert.is(o.rolloutSteps(), 0);
  assert.equal(o.train(5, 6), c.train(5, 6));
  assert.equal(Array.from(o.head()), Array.from(c.head()));
  assert.not.equal(Array.from(c.head()), Array.from(new AgentRunner(current).head()), "training moved the head");
});

test("should train identically from the same seed (release and debug builds), differently from another", () => {
  const start = oneHotCartpole();
  const a = new AgentRunner(start, "release"),
    b = new AgentRunner(start, "debug"),
    c = new AgentRunner(start, "release");
  const ca = a.train(7, 40),
    cb = b.train(7, 40),
    cc = c.train(8, 40);
  assert.equal(ca, cb);
  assert.equal(Array.from(a.head()), Array.from(b.head()));
  assert.not.equal(ca, cc);
  assert.equal(a.episode(3, false), b.episode(3, false));
});

test("should learn keydoor only with a hidden layer (the linear one-hot head cannot compare colours)", () => {
  const run = (hidden: number) => {
    const start = buildAgentBlob({ env: "keydoor", backbone: null, hidden, train: DEFAULT_TRAIN.keydoor, initSeed: 1 });
    return trainAgent(start, 1, 800, { evalEpisodes: 30 });
  };
  const mlp = run(32);
  const linear = run(0);
  assert.ok(
    linear.eval.mean_return < mlp.eval.mean_return - 0.2,
    `linear ${linear.eval.mean_return}, hidden 32 ${mlp.eval.mean_return}`,
  );
  assert.ok(mlp.eval.mean_return > 0.7, `hidden 32: ${mlp.eval.mean_return}`);
  assert.ok(mean(mlp.curve.slice(-100)) > 2 * mean(mlp.curve.slice(0, 100)));
});

test("should take its first update along sum_t G_t grad(log pi + c V) of the stored-episode formula", () => {
  // zero head: pi = (0.5, 0.5), V = 0, so g = sum_t G_t u_t; Adam's first step is lr * g / (|g| + eps) per entry
  const tc = { ...DEFAULT_TRAIN.cartpole, batch: 1 };
  const start = buildAgentBlob({ env: "cartpole", backbone: null, hidden: 0, train: tc, initSeed: 1 });
  const runner = new AgentRunner(start);
  const ret = runner.train(21, 1)[0];
  const delta = runner.head();
  // the same episode in the reference: reset draws 4 uniforms, each step one to sample the action
  const rng = new Pcg32(21);
  let s = cartpoleReset(rng);
  const feats: number[][] = [],
    acts: number[] = [];
  for (let done = false; !done;) {
    feats.push(cartpoleTokens(Float32Array.from(s)).map((t, pos) => pos * 64 + t));
    const a = rng.uniform() < 0.5 ? 0 : 1;
    acts.push(a);
    const r = cartpoleStep(s, a);
    s = r.state;
    done = r.terminated;
  }
  assert.is(acts.length, ret);
  const T = acts.length,
    F = 256,
    g = new Float64Array(3 * F + 3);
  for (let t = 0; t < T; t++) {
    let G = 0;
    for (let k = t; k < T; k++) G += tc.gamma ** (k - t) * tc.rewardScale;
    for (let a = 0; a < 2; a++) {
      const d = (a === acts[t] ? 1 : 0) - 0.5;
      for (const j of feats[t]) g[a * F + j] += G * d;
      g[2 * F + a] += G * d;
    }
    for (const j of feats[t]) g[2 * F + 2 + j] += G * tc.valueCoef;
    g[3 * F + 2] += G * tc.valueCoef;
  }
  const big = Math.max(...g.map(Math.abs));
  let checked = 0;
  g.forEach((v, i) => {
    if (v === 0) assert.is(delta[i], 0, `param ${i}`);
    else if (Math.abs(v) > 1e-3 * big) {
      assert.ok(
        Math.sign(delta[i]) === Math.sign(v) && Math.abs(Math.abs(delta[i]) - tc.lr) < 1e-4,
        `param ${i}: ${delta[i]} vs ${v}`,
      );
      checked++;
    }
  });
  assert.ok(checked > 20);
});

test("should act greedily on an observation like agent_episode does, and expose the head bytes", () => {
  const trained = trainAgent(oneHotCartpole(), 2, 100, { evalEpisodes: 1 }).blob;
  const r = new AgentRunner(trained);
  const head = r.head();
  assert.is(head.length, headParamCount(64 * 4, 0, 2));
  assert.equal(
    Array.from(head),
    Array.from(new Float32Array(trained.tensors.find((t) => t.name === "head.params")!.data.buffer.slice(0))).slice(
      0,
      head.length,
    ),
  );
  // replay the greedy episode by hand through env_* + agent_act
  const m = r.mod,
    io = m.ioBase;
  const ep = r.episode(5, true, 60);
  m.fn.env_reset(0, 5);
  let steps = 0,
    flags = 0;
  while (flags === 0 && steps < 60) {
    m.fn.env_obs(io + 256);
    const a = m.fn.agent_act(io + 256);
    assert.ok(a === 0 || a === 1);
    flags = m.fn.env_step(a);
    steps++;
  }
  assert.is(steps, ep.steps);
});

test("should refuse blobs without an agent config, with a wrong head size or bad hyper-parameters", () => {
  const good = oneHotCartpole();
  const load = (b: Blob) => {
    const m = loadAgentModule("release", { blob: encodeBlob(b) });
    return { rc: m.fn.agent_load(), log: m.logs.at(-1) ?? "" };
  };
  assert.is(load(good).rc, 0);
  const noCfg = load({ ...good, tensors: good.tensors.filter((t) => t.name !== "agent.config") });
  assert.is(noCfg.rc, -1);
  assert.match(noCfg.log, "agent.config");
  const shortHead = load({
    ...good,
    tensors: good.tensors.map((t) =>
      t.name === "head.params" ? f32Tensor("head.params", [10], new Float32Array(10)) : t,
    ),
  });
  assert.is(shortHead.rc, -1);
  assert.match(shortHead.log, "head.params");
  const badHp = load({
    ...good,
    tensors: good.tensors.map((t) =>
      t.name === "agent.hparams"
        ? f32Tensor("agent.hparams", [10], Float32Array.from([0.99, -1, 0, 0.5, 0.01, 0.9, 0.999, 1e-8, 1, 1]))
        : t,
    ),
  });
  assert.is(badHp.rc, -1);
  assert.match(badHp.log, "hparams");
  const m = loadAgentModule("release");
  assert.is(m.fn.agent_episode(1, 0, 1), -1);
  assert.throws(() => withHead(good, new Float32Array(3)), /does not fit/);
  assert.is(agentInfo(good).features, 256);
});

test("should balance the pole to 500 on every reset seed 1..100 with the shipped ternary-backbone agent (greedy, V8)", () => {
  const path = join(import.meta.dirname, "..", "..", "models", "cartpole-ternary.bitrl");
  const blob = readBlobFile(path);
  const info = agentInfo(blob);
  assert.is(info.env, "cartpole");
  assert.is(info.backbone, "blob");
  assert.is(backboneKindOf(blob), "ternary");
  // issue #10's bar for the shipped agent (chosen on selection seeds 2000000+i, never on these: docs/agents.md)
  const r = evaluateAgent(blob, 100, 1);
  const short = r.returns.flatMap((x, i) => (x < 500 ? [`seed ${i + 1}: ${x}`] : []));
  assert.equal(short, [], `episodes under 500: ${short.join(", ")}`);
});

test.run();
