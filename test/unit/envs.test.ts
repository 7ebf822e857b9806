import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadAgentModule } from "../../tools/lib/agent/index.ts";
import {
  CARTPOLE,
  cartpoleReset,
  cartpoleStep,
  cartpoleTokens,
  frozenLakeStep,
  keyDoorReset,
  keyDoorStep,
  keyDoorText,
  keyDoorTokens,
  Pcg32,
  type CartPoleState,
  acrobotObs,
  acrobotReset,
  acrobotStep,
  acrobotTokens,
  mountainCarReset,
  mountainCarStep,
  mountainCarTokens,
  textRoomOptimalAction,
  textRoomParse,
  textRoomSeen,
  textRoomReset,
  textRoomStep,
  textRoomText,
  textRoomTokens,
  TEXTROOM_MAX_STEPS,
} from "../../tools/lib/reference/envs.ts";
import type { AgentModule } from "../../tools/lib/runtime/wasm.ts";

const mods: [string, AgentModule][] = [
  ["release", loadAgentModule("release")],
  ["debug", loadAgentModule("debug")],
];
const [, rel] = mods[0];
const io = rel.ioBase;
const dv = (m: AgentModule) => new DataView(m.memory.buffer);
const stateOf = (m: AgentModule): number[] => {
  const n = m.fn.env_state(m.ioBase + 16, 0);
  return Array.from({ length: n }, (_, i) => dv(m).getFloat64(m.ioBase + 16 + 8 * i, true));
};
const tokensOf = (m: AgentModule): number[] => {
  const n = m.fn.env_tokens(m.ioBase + 96);
  return Array.from({ length: n }, (_, i) => dv(m).getInt32(m.ioBase + 96 + 4 * i, true));
};
const setState = (m: AgentModule, s: number[]) => {
  s.forEach((v, i) => dv(m).setFloat64(m.ioBase + 16 + 8 * i, v, true));
  return m.fn.env_state(m.ioBase + 16, s.length);
};

test("should give PCG32's published pcg32_srandom(42, 54) outputs", () => {
  const r = new Pcg32(42n, 54);
  const got = Array.from({ length: 6 }, () => r.next().toString(16).padStart(8, "0"));
  assert.equal(got, ["a15c02b7", "7b47f409", "ba1d3330", "83d2f293", "bfa4784b", "cbed606e"]);
});

test("should reset cartpole to the same state in the module as with the TypeScript PCG32 twin", () => {
  for (const seed of [0, 1, 7, 123456, -5]) {
    for (const [name, m] of mods) {
      assert.is(m.fn.env_reset(0, seed), 0);
      const want = cartpoleReset(new Pcg32(seed));
      assert.equal(stateOf(m), want, `${name} seed ${seed}`);
      for (const v of want) assert.ok(v >= -0.05 && v <= 0.05);
    }
  }
});

test("should match hand-computed CartPole-v1 steps from the zero state (pushing right twice)", () => {
  rel.fn.env_reset(0, 0);
  assert.is(setState(rel, [0, 0, 0, 0]), 0);
  rel.fn.env_step(1);
  // theta_acc = -(100/11) / (0.5 (4/3 - 0.1/1.1)) = -600/41, x_acc = 100/11 + 300/451 = 4400/451
  const s1 = stateOf(rel);
  const close = (a: number, b: number) => Math.abs(a - b) < 1e-12;
  assert.ok(
    close(s1[0], 0) && close(s1[1], (0.02 * 4400) / 451) && close(s1[2], 0) && close(s1[3], (-0.02 * 600) / 41),
    `${s1}`,
  );
  rel.fn.env_step(1);
  const s2 = stateOf(rel);
  assert.ok(close(s2[0], (0.02 * 88) / 451) && close(s2[2], (-0.02 * 12) / 41), `${s2}`);
  assert.is(dv(rel).getFloat64(io, true), 1);
});

test("should follow the published CartPole-v1 equations over fixed action sequences (|error| <= 1e-12)", () => {
  const seqs = [
    [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1],
    [0, 1, 0, 1, 1, 0, 0, 1, 0, 1, 1, 1, 0, 0, 0, 1, 0, 1, 0, 1],
  ];
  for (const [name, m] of mods) {
    for (const seed of [3, 99]) {
      for (const seq of seqs) {
        m.fn.env_reset(0, seed);
        let ref: CartPoleState = cartpoleReset(new Pcg32(seed));
        for (const [k, a] of seq.entries()) {
          const flags = m.fn.env_step(a);
          const r = cartpoleStep(ref, a);
          ref = r.state;
          const got = stateOf(m);
          got.forEach((v, i) =>
            assert.ok(Math.abs(v - ref[i]) <= 1e-12, `${name} seed ${seed} step ${k} value ${i}: ${v} vs ${ref[i]}`),
          );
          assert.is(flags & 1, r.terminated ? 1 : 0);
          if (r.terminated) break;
        }
      }
    }
  }
});

test("should terminate past 12 degrees and truncate at 500 steps, then refuse further steps", () => {
  rel.fn.env_reset(0, 5);
  let steps = 0,
    flags = 0;
  while (flags === 0) ((flags = rel.fn.env_step(1)), steps++);
  assert.is(flags, 1);
  const s = stateOf(rel);
  assert.ok(Math.abs(s[2]) > CARTPOLE.thetaThreshold || Math.abs(s[0]) > CARTPOLE.xThreshold);
  assert.ok(steps < 30, `always pushing right should fall quickly, took ${steps}`);
  assert.is(rel.fn.env_step(0), -2);
  // a PD controller on the f64 state holds the pole until the time limit
  rel.fn.env_reset(0, 5);
  steps = 0;
  flags = 0;
  while (flags === 0) {
    const [x, xd, th, thd] = stateOf(rel);
    flags = rel.fn.env_step(th + 0.5 * thd + 0.01 * x + 0.1 * xd > 0 ? 1 : 0);
    steps++;
  }
  assert.is(steps, 500);
  assert.is(flags, 2);
});

test("should bin cartpole observations into 4 tokens of 16 bins each, like the reference", () => {
  const r = new Pcg32(11);
  const obs = new Float32Array(4);
  const cases: number[][] = [
    [0, 0, 0, 0],
    [-2.4, -2, -0.2095, -2],
    [2.4, 2, 0.2095, 2],
    [100, -100, NaN, 1e30],
    [0.3, -0.15, 0.01, -0.5],
  ];
  for (let i = 0; i < 200; i++)
    cases.push([0, 1, 2, 3].map((k) => (r.uniform() * 2 - 1) * 1.2 * CARTPOLE.binHalfRange[k]));
  for (const c of cases) {
    obs.set(c);
    new Float32Array(rel.memory.buffer, io + 32, 4).set(obs);
    assert.is(rel.fn.env_tokenize(0, io + 32, io + 64), 4);
    const got = Array.from(new Int32Array(rel.memory.buffer, io + 64, 4));
    const want = cartpoleTokens(obs);
    assert.equal(got, want, `obs ${c}`);
    got.forEach((t, k) => assert.ok(t >= 16 * k && t < 16 * (k + 1)));
  }
  assert.equal(cartpoleTokens([0, 0, 0, 0]), [8, 24, 40, 56]);
  assert.equal(cartpoleTokens([-3, 0, 0, 3]), [0, 24, 40, 63]);
});

test("should match the FrozenLake-v1 reference (slippery, same PRNG) and slip 1/3 each way", () => {
  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
    rel.fn.env_reset(2, seed);
    const rng = new Pcg32(seed);
    let cell = 0;
    for (let k = 0; k < 100; k++) {
      const a = (k * 7 + seed) % 4;
      const flags = rel.fn.env_step(a);
      const r = frozenLakeStep(cell, a, rng);
      cell = r.cell;
      assert.is(stateOf(rel)[0], cell);
      assert.is(dv(rel).getFloat64(io, true), r.reward);
      assert.is(flags & 1, r.terminated ? 1 : 0);
      if (flags) break;
    }
  }
  // from cell 5's neighbour 9 (row 2, col 1), action DOWN goes to 13 (down), 8 (left) or 10 (right)
  const counts: Record<number, number> = {};
  for (let i = 0; i < 3000; i++) {
    const r = frozenLakeStep(9, 1, new Pcg32(i));
    counts[r.cell] = (counts[r.cell] ?? 0) + 1;
  }
  assert.equal(
    Object.keys(counts)
      .map(Number)
      .sort((a, b) => a - b),
    [8, 10, 13],
  );
  for (const c of [8, 10, 13]) assert.ok(Math.abs(counts[c] / 3000 - 1 / 3) < 0.04, `cell ${c}: ${counts[c]}`);
  assert.is(frozenLakeStep(14, 2, { uniform: () => 0.5 } as Pcg32).reward, 1);
});

test("should play keydoor like the reference, with its sentence, and reward a solved door only", () => {
  const actions = [1, 0, 2, 3, 1, 1, 0, 2, 3, 0, 1, 2, 3];
  for (const seed of [1, 2, 3, 4, 5, 6]) {
    rel.fn.env_reset(1, seed);
    const s = keyDoorReset(new Pcg32(seed));
    const text = () =>
      new TextDecoder().decode(new Uint8Array(rel.memory.buffer, io + 200, rel.fn.env_text(io + 200, 200)));
    assert.is(text(), keyDoorText(s));
    assert.equal(tokensOf(rel), keyDoorTokens(s));
    for (const a of actions) {
      const flags = rel.fn.env_step(a);
      const r = keyDoorStep(s, a);
      assert.equal(tokensOf(rel), keyDoorTokens(s));
      assert.is(text(), keyDoorText(s));
      assert.is(dv(rel).getFloat64(io, true), r.reward);
      assert.is(flags & 1, r.terminated ? 1 : 0);
      if (flags) break;
    }
  }
  // a solver: look for the door's colour, take it, open, go; reward 1 - 0.9 * steps / 20
  rel.fn.env_reset(1, 42);
  const s = keyDoorReset(new Pcg32(42));
  let steps = 0;
  while (s.slots[s.view] !== s.door) (keyDoorStep(s, 1), rel.fn.env_step(1), steps++);
  for (const a of [0, 2, 3]) (rel.fn.env_step(a), keyDoorStep(s, a), steps++);
  assert.is(dv(rel).getFloat64(io, true), 1 - (0.9 * steps) / 20);
  assert.match(
    keyDoorText(keyDoorReset(new Pcg32(1))),
    /^you see a (red|green|blue) key \. you hold nothing \. the (red|green|blue) door is locked \.$/,
  );
  // the wrong key does not open the door
  const w = keyDoorReset(new Pcg32(42));
  while (w.slots[w.view] === w.door) keyDoorStep(w, 1);
  keyDoorStep(w, 0);
  keyDoorStep(w, 2);
  assert.is(w.open, false);
  assert.equal(keyDoorStep(w, 3), { reward: 0, terminated: false });
});

test("should play textroom like the reference bit for bit (many seeds, random actions: words, tokens, rewards, flags, states)", () => {
  const obsOf = (m: AgentModule): number[] => {
    assert.is(m.fn.env_obs(m.ioBase + 200), 15);
    return Array.from(new Float32Array(m.memory.buffer, m.ioBase + 200, 15));
  };
  const lengths = new Set<number>();
  const sentences = new Set<string>();
  let successes = 0;
  for (const [name, m] of mods) {
    const pick = new Pcg32(99); // the actions' own stream, apart from the module's
    for (let seed = 0; seed < (name === "release" ? 300 : 40); seed++) {
      const rng = new Pcg32(seed);
      assert.is(m.fn.env_reset(5, seed), 0);
      const s = textRoomReset(rng);
      for (;;) {
        const want = textRoomTokens(s);
        assert.equal(tokensOf(m), want, `${name} seed ${seed} step ${s.steps}`);
        assert.equal(obsOf(m), [...want, ...Array(15 - want.length).fill(-1)]);
        assert.equal(stateOf(m), [...s.places, s.view, s.held, s.door, s.open ? 1 : 0]);
        lengths.add(want.length);
        assert.equal(
          textRoomParse(want),
          textRoomSeen(s) as object,
          "the sentence says what is in view, held, the door",
        );
        sentences.add(textRoomText(want));
        // mostly the solver, sometimes a random action, so episodes both succeed and time out
        const a = pick.uniform() < 0.3 ? pick.below(4) : textRoomOptimalAction(textRoomSeen(s));
        const flags = m.fn.env_step(a);
        const r = textRoomStep(s, a, rng);
        assert.is(dv(m).getFloat64(m.ioBase, true), r.reward);
        assert.is(flags & 1, r.terminated ? 1 : 0);
        assert.is(flags & 2, s.steps >= TEXTROOM_MAX_STEPS ? 2 : 0);
        if (r.terminated) successes++;
        if (flags) {
          assert.equal(tokensOf(m), textRoomTokens(s), "the terminal observation");
          break;
        }
      }
    }
  }
  assert.ok(successes > 100, `${successes} successes`);
  for (let n = 11; n <= 15; n++) assert.ok(lengths.has(n), `a sentence of ${n} words`);
  assert.ok(sentences.size > 1000, `${sentences.size} distinct sentences`);
});

test("should keep textroom's layouts and sentences within its rules", () => {
  const layouts = new Set<string>();
  for (let seed = 0; seed < 60000; seed++) {
    const s = textRoomReset(new Pcg32(seed));
    const keys = s.places.filter((x) => x >= 1 && x <= 4);
    assert.is(keys.length, 3);
    assert.ok(keys.includes(s.door));
    assert.is(s.places.filter((x) => x >= 5).length, 2);
    layouts.add(`${s.door}:${s.places}`);
  }
  assert.is(layouts.size, 4320, "4 door colours x 3 key sets x 3 object pairs x 120 orders, all reachable");
  assert.match(
    textRoomText(
      textRoomTokens({
        places: [2, 5, 1, 4, 6],
        view: 0,
        held: 5,
        door: 4,
        open: false,
        steps: 0,
        words: [3, 0, 1, 1],
      }),
    ),
    /^now holding a box there is a dusty green key by the locked yellow door$/,
  );
  // the longest case: two keys and every distractor drawn; the held adjective and the filler give way
  const long = textRoomTokens({
    places: [2, 5, 1, 4, 6],
    view: 0,
    held: 4,
    door: 1,
    open: true,
    steps: 0,
    words: [2, 2, 2, 0],
  });
  assert.is(textRoomText(long), "holding a yellow key you see a small green key by the open red door");
  assert.is(long.length, 15);
  // the scripted solver's return is the optimum: next to the door's key, take, open, go
  const s = textRoomReset(new Pcg32(7));
  const at = s.places.indexOf(s.door);
  let ret = 0;
  for (;;) {
    const r = textRoomStep(s, textRoomOptimalAction(textRoomSeen(s)), new Pcg32(1));
    ret += r.reward;
    if (r.terminated) break;
  }
  assert.is(ret, 1 - (0.9 * (at + 3)) / 30);
});

test("should observe and tokenize acrobot and mountaincar like the reference (f32 observation, 16 bins per value)", () => {
  for (const seed of [1, 2, 3]) {
    rel.fn.env_reset(3, seed);
    let s = acrobotReset(new Pcg32(seed));
    for (let k = 0; k < 40; k++) {
      const obs = acrobotObs(s);
      assert.is(rel.fn.env_obs(io + 200), 6);
      assert.equal(Array.from(new Float32Array(rel.memory.buffer, io + 200, 6)), obs, `acrobot seed ${seed} step ${k}`);
      assert.equal(tokensOf(rel), acrobotTokens(obs));
      const a = (k * 5 + seed) % 3;
      rel.fn.env_step(a);
      s = acrobotStep(s, a).state;
    }
    rel.fn.env_reset(4, seed);
    let m = mountainCarReset(new Pcg32(seed));
    for (let k = 0; k < 40; k++) {
      assert.is(rel.fn.env_obs(io + 200), 2);
      const obs = m.map(Math.fround);
      assert.equal(Array.from(new Float32Array(rel.memory.buffer, io + 200, 2)), obs);
      assert.equal(tokensOf(rel), mountainCarTokens(obs));
      const a = (k * 7 + seed) % 3;
      rel.fn.env_step(a);
      assert.is(dv(rel).getFloat64(io, true), -1);
      m = mountainCarStep(m, a).state;
    }
  }
  assert.equal(acrobotTokens([1, 0, 1, 0, 0, 0]), [15, 24, 47, 56, 72, 88]);
  assert.equal(mountainCarTokens([-1.2, 0.07]), [0, 31]);
  // always pushing right from the reset never reaches the flag; pumping with the velocity does, before 200 steps
  rel.fn.env_reset(4, 9);
  let steps = 0,
    flags = 0;
  while (flags === 0) ((flags = rel.fn.env_step(stateOf(rel)[1] >= 0 ? 2 : 0)), steps++);
  assert.is(flags & 1, 1, `mountaincar pumping: flags ${flags} after ${steps}`);
  assert.ok(steps < 200);
});

test("should refuse a bad env id, a bad action, a step before reset and pointers outside memory", () => {
  assert.is(rel.fn.env_reset(6, 0), -1);
  assert.is(rel.fn.env_size(4, 0), 2);
  assert.is(rel.fn.env_size(6, 0), -1);
  assert.is(rel.fn.env_size(-1, 0), -1);
  assert.is(rel.fn.env_size(0, 6), -1);
  assert.is(rel.fn.env_size(0, -1), -1);
  assert.is(rel.fn.env_reset(0, 0), 0);
  assert.is(rel.fn.env_step(2), -1);
  assert.is(rel.fn.env_step(-1), -1);
  assert.is(rel.fn.env_obs(rel.memory.buffer.byteLength - 4), -1);
  assert.is(rel.fn.env_state(-8, 0), -1);
  assert.is(rel.fn.env_state(io, 3), -1);
  const fresh = loadAgentModule("release");
  assert.is(fresh.fn.env_step(0), -2);
  assert.equal(
    [0, 1, 2, 3, 4, 5].map((id) => [3, 2, 1, 4, 5, 0].map((what) => rel.fn.env_size(id, what))),
    [
      [64, 4, 2, 500, 4, 4],
      [10, 4, 4, 20, 7, 4],
      [16, 1, 4, 100, 1, 1],
      [96, 6, 3, 500, 4, 6],
      [32, 2, 3, 200, 2, 2],
      [25, 15, 4, 30, 9, 15],
    ],
  );
  // keydoor takes no state; the others only their own count
  assert.is(rel.fn.env_reset(1, 0), 0);
  assert.is(rel.fn.env_state(io, 7), -1);
  assert.is(rel.fn.env_reset(5, 0), 0);
  assert.is(rel.fn.env_state(io, 9), -1);
  assert.is(rel.fn.env_reset(3, 0), 0);
  assert.is(rel.fn.env_state(io + 16, 2), -1);
});

test.run();
