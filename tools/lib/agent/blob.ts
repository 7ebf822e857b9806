// Agent blobs: a backbone's tensors plus agent.config, agent.hparams and head.params (docs/agents.md), built from a
// spec and read back.
import { BitrlError } from "../util/errors.ts";
import { f32Tensor, i32Tensor, tensorValues } from "../format/blob-tensors.ts";
import type { Blob } from "../format/types.ts";
import { configFromI32, featureSize as backboneFeatureSize, LM_LIMITS } from "../reference/backbone.ts";
import { ENV_IDS, ENV_NAMES, Pcg32, type EnvName } from "../reference/envs.ts";
import { isLanguageModel, TEXT_SENTENCES } from "../lm/tokenizer.ts";
import { encodeBlob } from "../format/blob.ts";
import { loadAgent } from "../runtime/wasm.ts";
import {
  ALGOS,
  checkTrainConfig,
  defaultTrain,
  HPARAM_ORDER,
  HPARAMS_V1_LEN,
  hparamValues,
  REINFORCE_BASE,
  type TrainConfig,
} from "./hparams.ts";

/** Observation tokens and vocabulary per env (assembly/envs/*; docs/agents.md). */
export const ENV_SHAPES: Record<
  EnvName,
  { tokens: number; vocab: number; actions: number; obs: number; maxSteps: number }
> = {
  cartpole: { tokens: 4, vocab: 64, actions: 2, obs: 4, maxSteps: 500 },
  keydoor: { tokens: 4, vocab: 10, actions: 4, obs: 4, maxSteps: 20 },
  frozenlake: { tokens: 1, vocab: 16, actions: 4, obs: 1, maxSteps: 100 },
  acrobot: { tokens: 6, vocab: 96, actions: 3, obs: 6, maxSteps: 500 },
  mountaincar: { tokens: 2, vocab: 32, actions: 3, obs: 2, maxSteps: 200 },
  // tokens: the longest sentence (an observation gives 11..15: env_tokens returns the count)
  textroom: { tokens: 15, vocab: 25, actions: 4, obs: 15, maxSteps: 30 },
};

export function envIdOf(name: string): EnvName {
  if (!(ENV_NAMES as string[]).includes(name))
    throw new BitrlError(`unknown env '${name}' (known: ${ENV_NAMES.join(", ")})`);
  return name as EnvName;
}

/** Head parameter count for (features, hidden, actions), as assembly/rl/head.ts lays it out. */
export function headParamCount(f: number, h: number, a: number): number {
  const k = h > 0 ? h : f;
  return (h > 0 ? h * f + h : 0) + a * k + a + k + 1;
}

export interface AgentSpec {
  env: EnvName;
  /** the backbone's blob (its tensors are copied in), or null for the one-hot "none" baseline */
  backbone: Blob | null;
  /** hidden ReLU units of the head (0 = linear head) */
  hidden: number;
  train: TrainConfig;
  /** seeds the hidden layer's initial weights (uniform +-1/sqrt(F), from PCG32); output layers start at 0 */
  initSeed: number;
  /** extra metadata for the blob */
  meta?: Record<string, unknown>;
}

/** The agent's config and sizes as read from a blob. */
export interface AgentInfo {
  env: EnvName;
  /** blob: the env-transcript backbone reads tokens; lm: a language model reads the observation's text */
  backbone: "none" | "blob" | "lm";
  features: number;
  hidden: number;
  actions: number;
  tokens: number;
  train: TrainConfig;
}

function featuresOf(env: EnvName, backbone: Blob | null): number {
  // none: one-hot per position, or textroom's bag of words (assembly/rl/features.ts)
  if (!backbone) return (env === "textroom" ? 1 : ENV_SHAPES[env].tokens) * ENV_SHAPES[env].vocab;
  const t = backbone.tensors.find((x) => x.name === "model.config");
  if (!t || t.packing !== "i32") throw new BitrlError("backbone blob has no i32 'model.config' tensor");
  if (isLanguageModel(backbone)) {
    const sentences = TEXT_SENTENCES[env];
    if (!sentences)
      throw new BitrlError(
        `a language-model backbone reads the observation as text; ${env} has none (keydoor has: docs/lm.md)`,
      );
    return sentences * configFromI32(new Int32Array(tensorValues(t)), LM_LIMITS).dim;
  }
  const cfg = configFromI32(new Int32Array(tensorValues(t)));
  if (cfg.vocab < ENV_SHAPES[env].vocab)
    throw new BitrlError(`backbone vocabulary ${cfg.vocab} is smaller than ${env}'s ${ENV_SHAPES[env].vocab}`);
  return backboneFeatureSize(cfg);
}

/** The backbone's kind from its model.config ("fp32", "int8", "ternary", "binary"), or "none" without one. */
export function backboneKindOf(backbone: Blob | null): string {
  if (!backbone) return "none";
  const t = backbone.tensors.find((x) => x.name === "model.config");
  if (!t || t.packing !== "i32") throw new BitrlError("backbone blob has no i32 'model.config' tensor");
  if (isLanguageModel(backbone)) return `lm-${configFromI32(new Int32Array(tensorValues(t)), LM_LIMITS).kind}`;
  return configFromI32(new Int32Array(tensorValues(t))).kind;
}

/** agent.config's backbone field: 0 none, 1 an env-transcript backbone, 2 a language model. */
function backboneMode(backbone: Blob | null): 0 | 1 | 2 {
  return !backbone ? 0 : isLanguageModel(backbone) ? 2 : 1;
}
const MODE_NAMES = ["none", "blob", "lm"] as const;

/** A complete agent blob: the backbone's tensors, agent.config, agent.hparams and an initial head.params. */
export function buildAgentBlob(spec: AgentSpec): Blob {
  checkTrainConfig(spec.train);
  if (!Number.isInteger(spec.hidden) || spec.hidden < 0 || spec.hidden > 256)
    throw new BitrlError(`hidden must be 0..256, got ${spec.hidden}`);
  const shape = ENV_SHAPES[spec.env];
  const f = featuresOf(spec.env, spec.backbone);
  const h = spec.hidden;
  const head = new Float32Array(headParamCount(f, h, shape.actions)); // layout: assembly/rl/head.ts
  if (h > 0) {
    const rng = new Pcg32(spec.initSeed);
    const bound = 1 / Math.sqrt(f);
    for (let i = 0; i < h * f; i++) head[i] = Math.fround(-bound + 2 * bound * rng.uniform());
  }
  const config = [1, ENV_IDS[spec.env], backboneMode(spec.backbone), f, h, shape.actions, shape.tokens, 0];
  const own = new Set(["agent.config", "agent.hparams", "head.params", "agent.center"]);
  const backboneTensors = (spec.backbone?.tensors ?? []).filter((t) => !own.has(t.name));
  const agentTensors = [
    i32Tensor("agent.config", [8], config),
    f32Tensor("agent.hparams", [HPARAM_ORDER.length], hparamValues(spec.train)),
    f32Tensor("head.params", [head.length], head),
  ];
  if (backboneMode(spec.backbone) === 2) {
    const bare = { version: 1, meta: {}, tensors: [...backboneTensors, ...agentTensors] };
    agentTensors.push(f32Tensor("agent.center", [f], lmFeatureCenter(spec.env, bare, f)));
  }
  return {
    version: 1,
    meta: {
      ...(spec.backbone?.meta ?? {}),
      ...spec.meta,
      agent: { env: spec.env, backbone: MODE_NAMES[backboneMode(spec.backbone)], hidden: h, train: spec.train },
    },
    tensors: [...backboneTensors, ...agentTensors],
  };
}

/** Every observation an env's words can form, as its f32 values (keydoor: seen key 0..3 x held key 0..3 x door
 *  colour 1..3 x door state locked/open = 96; the texts a language model reads). */
export function textObservations(env: EnvName): number[][] {
  if (env !== "keydoor") throw new BitrlError(`${env} has no text observations (keydoor has)`);
  const out: number[][] = [];
  for (let seen = 0; seen < 4; seen++)
    for (let held = 0; held < 4; held++)
      for (let door = 1; door < 4; door++) for (const state of [4, 5]) out.push([seen, held, door, state]);
  return out;
}

/**
 * An LM agent's agent.center: the mean of the LM's features (the module's, in V8; equal to the reference's
 * textFeatures bit for bit) over every observation of the env (textObservations), f64 sums in that order, then
 * rounded to f32. The module subtracts it from every observation's features (assembly/rl/features.ts): the LM's
 * states share a large common part (per feature up to 0.99 of the largest value, against a spread of about 0.05
 * between observations), which left the head, and the int8 code PPO stores features in, little of what tells
 * observations apart. `agent` is the agent blob without agent.center (any head, any algorithm).
 */
export function lmFeatureCenter(env: EnvName, agent: Blob, f: number): Float32Array {
  const reinforce = defaultTrain(env, "blob", "reinforce");
  const bare: Blob = {
    ...agent,
    tensors: agent.tensors
      .map((t) =>
        // a REINFORCE agent: agent_features gives the features without PPO's int8 round trip
        t.name === "agent.hparams" ? f32Tensor("agent.hparams", [HPARAM_ORDER.length], hparamValues(reinforce)) : t,
      )
      .filter((t) => t.name !== "agent.center"),
  };
  const mod = loadAgent("release", { blob: encodeBlob(bare) });
  if (mod.fn.agent_load() !== 0) throw new BitrlError(`agent_load failed: ${mod.logs.at(-1) ?? "no message"}`);
  const obs = textObservations(env);
  const sum = new Float64Array(f);
  const obsAt = mod.ioBase,
    outAt = mod.ioBase + 64;
  for (const o of obs) {
    new Float32Array(mod.memory.buffer, obsAt, o.length).set(o);
    if (mod.fn.agent_features(obsAt, outAt) !== f) throw new BitrlError("agent_features failed");
    const x = new Float32Array(mod.memory.buffer, outAt, f);
    for (let i = 0; i < f; i++) sum[i] += x[i];
  }
  return Float32Array.from(sum, (v) => v / obs.length);
}

/** Reads agent.config and agent.hparams from an agent blob (checks what the module checks). */
export function agentInfo(blob: Blob): AgentInfo {
  const cfgT = blob.tensors.find((t) => t.name === "agent.config");
  if (!cfgT || cfgT.packing !== "i32" || cfgT.shape.join() !== "8")
    throw new BitrlError("not an agent blob: no i32[8] 'agent.config' tensor (train one: bitrl train)");
  const c = Array.from(tensorValues(cfgT));
  const env = ENV_NAMES[c[1]];
  if (c[0] !== 1 || env === undefined) throw new BitrlError(`agent.config: version ${c[0]} / env id ${c[1]} not known`);
  const hpT = blob.tensors.find((t) => t.name === "agent.hparams");
  const n = hpT?.shape.length === 1 ? hpT.shape[0] : -1;
  if (!hpT || hpT.packing !== "f32" || (n !== HPARAM_ORDER.length && n !== HPARAMS_V1_LEN))
    throw new BitrlError(`agent blob has no f32[${HPARAM_ORDER.length}] 'agent.hparams' tensor`);
  const v = tensorValues(hpT);
  const train = { ...REINFORCE_BASE } as TrainConfig;
  HPARAM_ORDER.slice(0, n).forEach((k, i) => {
    (train as unknown as Record<string, unknown>)[k] = k === "algo" ? (ALGOS[v[i]] ?? `code ${v[i]}`) : v[i];
  });
  return {
    env,
    backbone: MODE_NAMES[c[2]] ?? "blob",
    features: c[3],
    hidden: c[4],
    actions: c[5],
    tokens: c[6],
    train,
  };
}

/** The same blob with head.params replaced (a trained head). */
export function withHead(blob: Blob, head: Float32Array): Blob {
  const old = blob.tensors.find((t) => t.name === "head.params");
  if (!old || old.shape[0] !== head.length)
    throw new BitrlError(`head of ${head.length} floats does not fit this agent's head.params`);
  return {
    ...blob,
    tensors: blob.tensors.map((t) => (t.name === "head.params" ? f32Tensor("head.params", [head.length], head) : t)),
  };
}
