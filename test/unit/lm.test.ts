// The language-model runtime (assembly/lm): the module's KV-cached forward gives the same logits, bit for bit, as
// the reference's full recomputation of every prefix (tools/lib/reference/lm.ts) for every quantized kind, wide
// layers (column blocks of the lookup tables), many layers (two-digit tensor names) and both value-cache widths;
// lm_generate picks the same tokens greedy and sampled; bad calls and models get their codes and reasons.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { encodeBlob } from "../../tools/lib/format/blob.ts";
import {
  backboneTensors,
  kvWidth,
  type BackboneConfig,
  type BackboneKind,
  type BackboneWeights,
  type Matrix,
} from "../../tools/lib/reference/backbone.ts";
import { generateReference, lmLogits, lmState, textFeatures } from "../../tools/lib/reference/lm.ts";
import { exportWeights, initParams } from "../../tools/lib/train/model.ts";
import { rng } from "../../tools/lib/train/rng.ts";
import { loadAgent, type AgentModule } from "../../tools/lib/runtime/wasm.ts";
import { agentInfo, buildAgentBlob, textObservations } from "../../tools/lib/agent/blob.ts";
import { f32Tensor, tensorValues } from "../../tools/lib/format/blob-tensors.ts";
import { keyDoorText } from "../../tools/lib/reference/envs.ts";
import { defaultTrain } from "../../tools/lib/agent/hparams.ts";

const f32Bits = (x: number) => new Uint32Array(Float32Array.of(x).buffer)[0] | 0;

function weights(c: BackboneConfig, seed = 3): BackboneWeights {
  const p = initParams(c, seed);
  const r = rng(seed + 1);
  p.norms.forEach((_, i) => (p.norms[i] = 0.5 + r.next()));
  return exportWeights(c, p);
}

const cfg = (kind: BackboneKind, over: Partial<BackboneConfig> = {}): BackboneConfig => ({
  kind,
  vocab: 40,
  ctx: 12,
  dim: 20,
  layers: 2,
  heads: 2,
  ffn: 330, // > 320: w_down's lookup tables run in two column blocks
  ...over,
  featTokens: over.ctx ?? 12,
});

function load(mod: AgentModule, w: BackboneWeights): void {
  mod.setBlob(encodeBlob({ version: 1, meta: {}, tensors: backboneTensors(w) }));
  assert.is(mod.fn.lm_load(), 0, mod.logs.join("; "));
}

function stepLogits(mod: AgentModule, tok: number, vocab: number): Int32Array {
  const at = mod.ioBase + 256;
  const rc = mod.fn.lm_step(tok, at);
  assert.ok(rc > 0, `lm_step ${rc}: ${mod.logs.join("; ")}`);
  return new Int32Array(mod.memory.buffer, at, vocab).slice();
}

const cases: [string, BackboneConfig][] = [
  ["ternary", cfg("ternary")],
  ["binary", cfg("binary")],
  ["int8", cfg("int8")],
  ["ternary, 11 layers", cfg("ternary", { layers: 11, dim: 8, ffn: 12, heads: 1, ctx: 6 })],
  ["ternary, dim 260 (i32 value cache)", cfg("ternary", { dim: 260, heads: 2, ffn: 40, ctx: 5, layers: 1 })],
];

/** A random llama-style model (the GGUF import's shape): grouped KV heads, SwiGLU, an untied head; per-row scales
 *  on wqkvo (each of q, k, v, o keeps its own scale) when perRow. */
function llama(c: BackboneConfig, perRow: boolean, head: "ternary" | "i8", seed = 5): BackboneWeights {
  const r = rng(seed);
  const D = c.dim,
    S = 2 * D + 2 * kvWidth(c);
  const q = c.kind === "int8" ? "i8" : "ternary";
  const matrix = (rows: number, cols: number, type: "ternary" | "i8", rowScales: boolean): Matrix => {
    const w = new Int8Array(rows * cols).map(() => (type === "i8" ? r.below(255) - 127 : r.below(3) - 1));
    const scale = () => Math.fround((0.5 + r.next()) / (type === "i8" ? 127 : 1) / Math.sqrt(cols));
    const scales = Float32Array.from({ length: rowScales ? rows : 1 }, scale);
    return { type, rows, cols, q: w, scales };
  };
  return {
    config: c,
    emb: matrix(c.vocab, D, "i8", true),
    head: matrix(c.vocab, D, head, head === "i8"),
    norms: Float32Array.from({ length: (2 * c.layers + 1) * D }, () => 0.5 + r.next()),
    layers: Array.from({ length: c.layers }, () => ({
      wqkvo: matrix(S, D, q, perRow),
      up: matrix(c.ffn, D, q, false),
      gate: matrix(c.ffn, D, q, false),
      down: matrix(D, c.ffn, q, false),
    })),
  };
}

const llamaCases: [string, BackboneWeights][] = [
  [
    "llama: 4 heads on 2 KV heads, SwiGLU, untied ternary head",
    llama(cfg("ternary", { dim: 32, heads: 4, kvHeads: 2 }), false, "ternary"),
  ],
  [
    "llama: one KV head, per-row q|k|v|o scales, int8 head",
    llama(cfg("ternary", { dim: 24, heads: 3, kvHeads: 1, ffn: 40 }), true, "i8"),
  ],
  ["llama: int8 weights, SwiGLU", llama(cfg("int8", { dim: 16, heads: 2, kvHeads: 2, ffn: 24 }), false, "i8")],
];

for (const [name, c, given] of [
  ...cases.map(([n, c]) => [n, c, undefined] as const),
  ...llamaCases.map(([n, w]) => [n, w.config, w] as const),
]) {
  test(`lm_step logits equal the reference's full recomputation at every position (${name})`, () => {
    const mod = loadAgent("release");
    const w = given ?? weights(c);
    load(mod, w);
    const r = rng(11);
    const toks = Array.from({ length: c.ctx }, () => r.below(c.vocab));
    for (let t = 0; t < c.ctx; t++) {
      const got = stepLogits(mod, toks[t], c.vocab);
      const want = lmLogits(w, toks, t + 1);
      assert.equal(Array.from(got), Array.from(want), `position ${t}`);
    }
    assert.is(mod.fn.lm_step(0, 0), -2, "context full");
  });
}

test("lm_generate picks the reference's tokens, greedy and sampled, and repeats itself for a seed", () => {
  const mod = loadAgent("release");
  const c = cfg("ternary", { ctx: 16 });
  const w = weights(c);
  load(mod, w);
  const promptAt = mod.ioBase + 256,
    outAt = mod.ioBase + 1024;
  const prompt = [3, 1, 4];
  new Int32Array(mod.memory.buffer, promptAt, 3).set(prompt);
  const run = (count: number, temp: number, seed: number) => {
    const n = mod.fn.lm_generate(promptAt, 3, outAt, count, f32Bits(temp), seed);
    assert.ok(n >= 0, `lm_generate ${n}: ${mod.logs.join("; ")}`);
    return Array.from(new Int32Array(mod.memory.buffer, outAt, n));
  };
  for (const [temp, seed] of [
    [0, 1],
    [0.8, 1],
    [0.8, 2],
    [1.5, 7],
  ]) {
    const got = run(20, temp, seed);
    assert.equal(got, generateReference(w, prompt, 20, temp, seed), `T ${temp} seed ${seed}`);
    assert.equal(run(20, temp, seed), got, "same seed, same tokens");
    assert.is(got.length, 14, "stops when the context (16) is full: 3 prompt + 13 fed + the last pick");
  }
  assert.not.equal(
    run(12, 50, 1),
    run(12, 50, 2),
    "another seed, other tokens (a hot temperature: the random model is peaked)",
  );
});

test("lm exports refuse bad calls with their codes", () => {
  const mod = loadAgent("release");
  assert.is(mod.fn.lm_step(0, 0), -1, "nothing loaded");
  // before the first load the runtime's state block does not exist: position 0, and a reset writes nothing (a
  // pattern over the low addresses, where a state pointer of 0 would reach, stays as it was)
  const low = new Uint8Array(mod.memory.buffer, 0, 512);
  const saved = low.slice();
  low.fill(0xa5);
  mod.fn.lm_reset();
  const pos = mod.fn.lm_position();
  const intact = low.every((b) => b === 0xa5);
  low.set(saved);
  assert.is(pos, 0);
  assert.ok(intact, "lm_reset before a load wrote memory");
  const c = cfg("ternary");
  load(mod, weights(c));
  assert.is(mod.fn.lm_step(40, 0), -4, "token past the vocabulary");
  assert.is(mod.fn.lm_step(-1, 0), -4);
  assert.is(mod.fn.lm_step(0, -8), -3);
  const at = mod.ioBase + 256;
  new Int32Array(mod.memory.buffer, at, 2).set([1, 99]);
  assert.is(mod.fn.lm_generate(at, 2, at + 64, 4, 0, 1), -4, "prompt token past the vocabulary");
  assert.is(mod.fn.lm_generate(at, 0, at + 64, 4, 0, 1), -2);
  assert.is(mod.fn.lm_generate(at, 13, at + 64, 4, 0, 1), -2, "prompt longer than the context");
  assert.is(mod.fn.lm_generate(at, 1, at + 64, 4, f32Bits(-1), 1), -5);
  assert.is(mod.fn.lm_generate(at, 1, at + 64, 4, f32Bits(NaN), 1), -5);
});

test("lm_load names what is wrong: an fp32 model, a missing tensor, a model too big for the memory", () => {
  const mod = loadAgent("release");
  const fp = weights(cfg("fp32"));
  mod.setBlob(encodeBlob({ version: 1, meta: {}, tensors: backboneTensors(fp) }));
  assert.is(mod.fn.lm_load(), -4);
  assert.match(mod.logs.join("\n"), /fp32: quantized kinds only/);
  const w = weights(cfg("ternary"));
  mod.setBlob(
    encodeBlob({ version: 1, meta: {}, tensors: backboneTensors(w).filter((t) => t.name !== "layers.1.w_up") }),
  );
  assert.is(mod.fn.lm_load(), -3);
  assert.match(mod.logs.join("\n"), /missing tensor 'layers\.1\.w_up'/);
  // a board that maps only the first 120 KiB of linear memory: a 1024-token cache does not fit, and the reason
  // gives the numbers
  const small = weights(cfg("ternary", { dim: 16, layers: 1, ffn: 8, ctx: 8 }));
  const tensors = backboneTensors(small).map((t) => {
    if (t.name !== "model.config") return t;
    const v = new Int32Array(t.data.buffer.slice(t.data.byteOffset, t.data.byteOffset + 40));
    v[3] = 1024; // ctx
    return { ...t, data: new Uint8Array(v.buffer) };
  });
  mod.setBlob(encodeBlob({ version: 1, meta: {}, tensors }));
  mod.fn.memory_map(120 * 1024);
  assert.is(mod.fn.lm_load(), -6);
  assert.match(mod.logs.join("\n"), /needs \d+ B \(buffers, KV cache\), \d+ B free, cannot grow \d+ pages/);
  mod.fn.memory_map(0);
  assert.is(mod.fn.lm_load(), 0, "fits once the whole memory may grow");
  assert.ok(mod.fn.lm_memory() > 1024 * 16 * 2, "the cache is sized by ctx");
});

test("lm_state equals the reference's normed final state, and keydoor's text of tokens is env_text", () => {
  const mod = loadAgent("release");
  const c = cfg("ternary", { vocab: 256, ctx: 40, ffn: 60 });
  const w = weights(c);
  load(mod, w);
  const at = mod.ioBase + 256;
  const text = Array.from("you see a red key .", (ch) => ch.charCodeAt(0));
  for (const b of text) assert.ok(mod.fn.lm_step(b, 0) > 0);
  assert.is(mod.fn.lm_state(at), c.dim);
  assert.equal(Array.from(new Float32Array(mod.memory.buffer, at, c.dim)), Array.from(lmState(w, text, text.length)));
  // the text an LM agent reads is the env's own sentence for every state an episode visits
  const tokAt = mod.ioBase + 4096,
    a = mod.ioBase + 8192,
    b = mod.ioBase + 12288;
  const r = rng(5);
  for (let ep = 0; ep < 20; ep++) {
    mod.fn.env_reset(1, ep + 1);
    for (let s = 0; s < 8; s++) {
      const n = mod.fn.env_text(a, 256);
      assert.is(mod.fn.env_tokens(tokAt), 4);
      assert.is(mod.fn.env_text_of(1, tokAt, b, 256), n);
      assert.equal(new Uint8Array(mod.memory.buffer, b, n), new Uint8Array(mod.memory.buffer, a, n));
      if (mod.fn.env_step(r.below(4)) !== 0) break;
    }
  }
  assert.is(mod.fn.env_text_of(0, tokAt, b, 256), 0, "cartpole has no text");
});

for (const kind of ["ternary", "fp32"] as const)
  test(`an LM agent's features are the reference's sentence states minus agent.center, their mean over keydoor's 96 observations, bit for bit (${kind}, REINFORCE: no int8 round trip)`, () => {
    const c = cfg(kind, { vocab: 256, ctx: 40, ffn: 60 });
    const w = weights(c);
    const lm = { version: 1, meta: { tokenizer: "bytes" }, tensors: backboneTensors(w) };
    const blob = buildAgentBlob({
      env: "keydoor",
      backbone: lm,
      hidden: 0,
      train: defaultTrain("keydoor", "blob", "reinforce"),
      initSeed: 1,
    });
    const F = 3 * c.dim;
    assert.is(agentInfo(blob).backbone, "lm");
    assert.is(agentInfo(blob).features, F);
    // agent.center: the reference's features of every observation's text, f64 sums in textObservations' order, / 96
    const centerT = blob.tensors.find((t) => t.name === "agent.center");
    assert.ok(centerT && centerT.packing === "f32" && centerT.shape.join() === `${F}`);
    const center = Float32Array.from(tensorValues(centerT));
    const obs = textObservations("keydoor");
    assert.is(obs.length, 96);
    const textOf = ([seen, held, door, state]: number[]) =>
      keyDoorText({ slots: [seen, 0, 0], view: 0, held, door, open: state === 5, steps: 0 });
    const sum = new Float64Array(F);
    for (const o of obs) textFeatures(w, textOf(o), 3).forEach((x, i) => (sum[i] += x));
    assert.equal(Array.from(center), Array.from(Float32Array.from(sum, (v) => v / 96)));
    const centred = (text: string) => Array.from(textFeatures(w, text, 3).map((x, i) => Math.fround(x - center[i])));
    const mod = loadAgent("release");
    mod.setBlob(encodeBlob(blob));
    assert.is(mod.fn.agent_load(), 0, mod.logs.join("; "));
    const obsAt = mod.ioBase + 256,
      textAt = mod.ioBase + 512,
      outAt = mod.ioBase + 1024;
    for (const seed of [1, 2, 3]) {
      mod.fn.env_reset(1, seed);
      for (let s = 0; s < 3; s++) {
        mod.fn.env_obs(obsAt);
        const n = mod.fn.env_text(textAt, 256);
        const text = Buffer.from(new Uint8Array(mod.memory.buffer, textAt, n)).toString("latin1");
        assert.is(text, textOf(Array.from(new Float32Array(mod.memory.buffer, obsAt, 4))));
        for (let twice = 0; twice < 2; twice++) {
          // the second call is served from the features cache
          assert.is(mod.fn.agent_features(obsAt, outAt), F);
          assert.equal(Array.from(new Float32Array(mod.memory.buffer, outAt, F)), centred(text), text);
        }
      }
    }
    // an LM agent without agent.center (built before it) reads the LM's features as they are; a bad one is refused
    const old = { ...blob, tensors: blob.tensors.filter((t) => t.name !== "agent.center") };
    const mod2 = loadAgent("release");
    mod2.setBlob(encodeBlob(old));
    assert.is(mod2.fn.agent_load(), 0, mod2.logs.join("; "));
    mod.fn.env_reset(1, 1);
    mod.fn.env_obs(obsAt);
    new Float32Array(mod2.memory.buffer, obsAt, 4).set(new Float32Array(mod.memory.buffer, obsAt, 4));
    assert.is(mod2.fn.agent_features(obsAt, outAt), F);
    const text = textOf(Array.from(new Float32Array(mod.memory.buffer, obsAt, 4)));
    assert.equal(Array.from(new Float32Array(mod2.memory.buffer, outAt, F)), Array.from(textFeatures(w, text, 3)));
    const bad = {
      ...blob,
      tensors: blob.tensors.map((t) =>
        t.name === "agent.center" ? f32Tensor("agent.center", [F - 1], center.subarray(1)) : t,
      ),
    };
    mod2.setBlob(encodeBlob(bad));
    assert.is(mod2.fn.agent_load(), -1);
    assert.match(mod2.logs.at(-1) ?? "", /bad agent.center/);
  });

test("an LM backbone is refused for an env without text, by the blob builder and by the module", () => {
  const w = weights(cfg("ternary", { vocab: 256, ctx: 40, ffn: 60 }));
  const lm = { version: 1, meta: { tokenizer: "bytes" }, tensors: backboneTensors(w) };
  assert.throws(
    () =>
      buildAgentBlob({
        env: "cartpole",
        backbone: lm,
        hidden: 0,
        train: defaultTrain("cartpole", "blob", "reinforce"),
        initSeed: 1,
      }),
    /cartpole has none \(keydoor has/,
  );
});

test.run();
