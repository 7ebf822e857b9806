// textroom's variable-length observations through the agent (issue #16): the module's features for a sentence of n
// words are the reference's (a backbone's 15 positions, zeros past n; without one, the bag of words), for every
// length the env produces, so a head reads exactly the words of the sentence in view.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { join } from "node:path";
import { AgentRunner, buildAgentBlob, defaultTrain, ENV_SHAPES } from "../../tools/lib/agent/index.ts";
import { readBlobFile } from "../../tools/lib/format/blob-file.ts";
import { backboneFeatures, backboneFromBlob } from "../../tools/lib/reference/backbone.ts";
import { Pcg32, textRoomReset, textRoomStep, textRoomTokens } from "../../tools/lib/reference/envs.ts";
import { repoRoot } from "../../tools/lib/util/paths.ts";

/** Sentences of 11..15 words from seeded episodes (random actions), each once. */
function sentences(): number[][] {
  const seen = new Map<string, number[]>();
  const pick = new Pcg32(5);
  for (let seed = 0; seed < 30; seed++) {
    const rng = new Pcg32(seed);
    const s = textRoomReset(rng);
    for (let k = 0; k < 10; k++) {
      const t = textRoomTokens(s);
      seen.set(t.join(","), t);
      if (textRoomStep(s, pick.below(4), rng).terminated) break;
    }
  }
  return [...seen.values()];
}

/** The module's features (agent_features) for an observation given as its word ids. */
function moduleFeatures(runner: AgentRunner, words: number[], f: number): Float32Array {
  const m = runner.mod;
  const obs = [...words, ...Array(ENV_SHAPES.textroom.obs - words.length).fill(-1)];
  new Float32Array(m.memory.buffer, m.ioBase, obs.length).set(obs);
  assert.is(m.fn.agent_features(m.ioBase, m.ioBase + 256), f);
  return new Float32Array(m.memory.buffer, m.ioBase + 256, f).slice();
}

test("should give a textroom backbone agent the reference's features of the sentence's n words, zeros past n", () => {
  const backbone = readBlobFile(join(repoRoot, "models", "textroom-backbone-ternary-random.bitrl"));
  const train = defaultTrain("textroom", "blob", "reinforce"); // no int8 round trip: the features as computed
  const runner = new AgentRunner(buildAgentBlob({ env: "textroom", backbone, hidden: 0, train, initSeed: 1 }));
  const w = backboneFromBlob(backbone);
  const lengths = new Set<number>();
  for (const words of sentences()) {
    const got = moduleFeatures(runner, words, 600);
    assert.equal(Array.from(got), Array.from(backboneFeatures(w, words, words.length)), words.join(" "));
    assert.ok(got.subarray(words.length * 40).every((x) => x === 0));
    assert.ok(got.subarray((words.length - 1) * 40, words.length * 40).some((x) => x !== 0));
    lengths.add(words.length);
  }
  assert.equal([...lengths].sort(), [11, 12, 13, 14, 15]);
});

test("should give a textroom agent without a backbone the bag of its words (each id's count)", () => {
  const train = defaultTrain("textroom", "none", "reinforce");
  const runner = new AgentRunner(buildAgentBlob({ env: "textroom", backbone: null, hidden: 32, train, initSeed: 1 }));
  for (const words of sentences().slice(0, 50)) {
    const want = new Array(25).fill(0);
    for (const t of words) want[t]++;
    assert.equal(Array.from(moduleFeatures(runner, words, 25)), want);
  }
});

test.run();
