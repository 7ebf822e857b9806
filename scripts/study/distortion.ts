// Policy distortion between two agents (backbone + trained head) on a fixed set of states: KL between their action
// distributions, greedy-action agreement, value difference, and each policy's entropy. Two state sets: the states
// seed i's fp32 agent visits acting greedily (reset seeds distortSeed(e)), and the states a uniformly random policy
// visits (reset seeds distortSeed(RANDOM_PLAY_OFFSET + e), the same set for every comparison). Shared by the
// retention study (scripts/study.ts) and the pretraining-data study (scripts/study-pretraining.ts).
import { agentInfo, distortSeed } from "../../tools/lib/agent/index.ts";
import { encodeBlob } from "../../tools/lib/format/blob.ts";
import type { Blob } from "../../tools/lib/format/types.ts";
import type { EnvName } from "../../tools/lib/reference/envs.ts";
import { loadAgent } from "../../tools/lib/runtime/wasm.ts";
import { rng } from "../../tools/lib/train/rng.ts";
import { ENV_IDS } from "../../tools/lib/train/transcripts.ts";
import type { DistortionRow } from "./schema.ts";
import { meanOf } from "./stats.ts";

/** Episode index offset of the random-play state set inside the distortion seed range (disjoint from fp32's). */
const RANDOM_PLAY_OFFSET = 500_000;

/** Policy probabilities and value of a head (layout of assembly/rl/head.ts) on features f (F values). */
export function headEval(
  head: Float32Array,
  F: number,
  H: number,
  A: number,
  f: Float32Array,
): { p: number[]; v: number } {
  let x: ArrayLike<number> = f;
  let o = 0;
  if (H > 0) {
    const h = new Float64Array(H);
    for (let j = 0; j < H; j++) {
      let s = head[H * F + j];
      for (let i = 0; i < F; i++) s += head[j * F + i] * f[i];
      h[j] = s > 0 ? s : 0;
    }
    x = h;
    o = H * F + H;
  }
  const K = H > 0 ? H : F;
  const logits = Array.from({ length: A }, (_, a) => {
    let s = head[o + A * K + a];
    for (let i = 0; i < K; i++) s += head[o + a * K + i] * x[i];
    return s;
  });
  const mx = Math.max(...logits);
  const e = logits.map((l) => Math.exp(l - mx));
  const z = e.reduce((a, b) => a + b, 0);
  let v = head[o + A * K + A + K];
  for (let i = 0; i < K; i++) v += head[o + A * K + A + i] * x[i];
  return { p: e.map((q) => q / z), v };
}

/** Features of a state's tokens under one backbone (the wasm module, bit-identical to the reference); memoized. */
export function featurizer(backbone: Blob): (tokens: Int32Array) => Float32Array {
  const mod = loadAgent("release", { blob: encodeBlob(backbone) });
  if (mod.fn.backbone_load() !== 0) throw new Error(`backbone_load: ${mod.logs.join("; ")}`);
  const size = mod.fn.backbone_feature_size();
  const tokAt = mod.ioBase + 2048,
    outAt = mod.ioBase + 4096;
  const memo = new Map<string, Float32Array>();
  return (tokens) => {
    const key = tokens.join(",");
    const hit = memo.get(key);
    if (hit) return hit;
    new Int32Array(mod.memory.buffer, tokAt, tokens.length).set(tokens);
    if (mod.fn.backbone_features(tokAt, tokens.length, outAt) !== size) throw new Error("backbone_features failed");
    const f = new Float32Array(mod.memory.buffer, outAt, size).slice();
    memo.set(key, f);
    return f;
  };
}

/** An agent for the distortion analysis: its features and its trained head. */
export interface PolicyAgent {
  feat: (tokens: Int32Array) => Float32Array;
  head: Float32Array;
}

/** A head.params stored as base64 of its f32 little-endian bytes (the studies' JSON) as values. */
export function headFromBase64(b64: string): Float32Array {
  const b = Buffer.from(b64, "base64");
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return Float32Array.from({ length: b.byteLength / 4 }, (_, i) => v.getFloat32(4 * i, true));
}

/** Head sizes (features, hidden, actions) of an agent blob. */
export const headShape = (agentBlob: Blob) => {
  const i = agentInfo(agentBlob);
  return { F: i.features, H: i.hidden, A: i.actions };
};

/** The token lists of the states `act` visits in `episodes` episodes from reset seeds distortSeed(first + e). */
function visitedStates(
  env: EnvName,
  episodes: number,
  first: number,
  act: (tokens: Int32Array) => number,
): Int32Array[] {
  const mod = loadAgent("release");
  const id = ENV_IDS[env];
  const tokAt = mod.ioBase + 1024;
  const states: Int32Array[] = [];
  for (let e = 0; e < episodes; e++) {
    mod.fn.env_reset(id, distortSeed(first + e));
    for (let flags = 0; flags === 0;) {
      const k = mod.fn.env_tokens(tokAt);
      const tokens = new Int32Array(mod.memory.buffer, tokAt, k).slice();
      states.push(tokens);
      flags = mod.fn.env_step(act(tokens));
      if (flags < 0) throw new Error(`env_step failed with ${flags}`);
    }
  }
  return states;
}

/** States the agent visits acting greedily, episodes reset with distortSeed(e). */
export function greedyStates(env: EnvName, a: PolicyAgent, shape: ReturnType<typeof headShape>, episodes: number) {
  return visitedStates(env, episodes, 0, (t) => {
    const { p } = headEval(a.head, shape.F, shape.H, shape.A, a.feat(t));
    return p.indexOf(Math.max(...p));
  });
}

/** States a uniformly random policy visits (fixed PRNG), episodes reset with distortSeed(RANDOM_PLAY_OFFSET + e). */
export function randomPlayStates(env: EnvName, actions: number, episodes: number): Int32Array[] {
  const r = rng(16);
  return visitedStates(env, episodes, RANDOM_PLAY_OFFSET, () => r.below(actions));
}
export const RANDOM_PLAY_SEEDS = `${distortSeed(RANDOM_PLAY_OFFSET)} + e`;

export interface Distortion {
  states: number;
  /** mean KL(pi_ref || pi_other), nats */
  kl: number;
  /** fraction of states where the greedy actions agree */
  agreement: number;
  /** mean |V_ref - V_other| (the head's reward scale) */
  value_abs_diff: number;
  /** mean policy entropy of each agent (nats) */
  entropy_ref: number;
  entropy_other: number;
}

/** Distortion of `other` against `ref` on `states`. */
export function distortion(
  ref: PolicyAgent,
  other: PolicyAgent,
  shape: ReturnType<typeof headShape>,
  states: Int32Array[],
): Distortion {
  const lg = (x: number) => Math.log(Math.max(x, 1e-12));
  let kl = 0,
    agree = 0,
    dv = 0,
    hRef = 0,
    hOther = 0;
  for (const t of states) {
    const a = headEval(ref.head, shape.F, shape.H, shape.A, ref.feat(t));
    const b = headEval(other.head, shape.F, shape.H, shape.A, other.feat(t));
    for (let i = 0; i < a.p.length; i++) {
      kl += a.p[i] * (lg(a.p[i]) - lg(b.p[i]));
      hRef -= a.p[i] * lg(a.p[i]);
      hOther -= b.p[i] * lg(b.p[i]);
    }
    if (a.p.indexOf(Math.max(...a.p)) === b.p.indexOf(Math.max(...b.p))) agree++;
    dv += Math.abs(a.v - b.v);
  }
  const n = states.length;
  return {
    states: n,
    kl: kl / n,
    agreement: agree / n,
    value_abs_diff: dv / n,
    entropy_ref: hRef / n,
    entropy_other: hOther / n,
  };
}

/** Seed i's partner in a between-seed comparison: seed i+1, the last with the first (10 vs 1). */
export const nextSeed = (i: number, n: number) => (i + 1) % n;

/**
 * One comparison over seeds: pairs[i] = [ref, other] of seed i, on seed i's fp32-visited states (fp32States[i])
 * and on the random-play states; each measure the mean over the pairs, the entropies also per seed.
 */
export function distortionRow(
  label: string,
  what: string,
  pairs: [PolicyAgent, PolicyAgent][],
  shape: ReturnType<typeof headShape>,
  fp32States: Int32Array[][],
  randomStates: Int32Array[],
): DistortionRow {
  const on = (states: (i: number) => Int32Array[]) => {
    const per = pairs.map(([r, o], i) => distortion(r, o, shape, states(i)));
    const avg = (f: (d: Distortion) => number) => meanOf(per.map(f));
    return {
      states: per.reduce((a, d) => a + d.states, 0),
      kl: avg((d) => d.kl),
      agreement: avg((d) => d.agreement),
      value_abs_diff: avg((d) => d.value_abs_diff),
      entropy_ref: avg((d) => d.entropy_ref),
      entropy_other: avg((d) => d.entropy_other),
      entropy_other_per_seed: per.map((d) => d.entropy_other),
      entropy_ref_per_seed: per.map((d) => d.entropy_ref),
    };
  };
  return {
    label,
    what,
    pairs: pairs.length,
    fp32_states: on((i) => fp32States[i]),
    random_states: on(() => randomStates),
  };
}
