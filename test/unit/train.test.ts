// Backbone training: the hand-written backward matches finite differences, a QAT step lowers the loss, exact QAT's
// forward is the integer forward that ships, a tiny
// pretraining run is deterministic from its seed, and its blob decodes and loads in the wasm module.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { encodeBlob } from "../../tools/lib/format/blob.ts";
import { BitrlError } from "../../tools/lib/util/errors.ts";
import { readBlobFile, writeBlobFile } from "../../tools/lib/format/blob-file.ts";
import { backboneFeatures, backboneFromBlob, type BackboneConfig } from "../../tools/lib/reference/backbone.ts";
import { Adam, ADAM_DEFAULTS } from "../../tools/lib/train/adam.ts";
import {
  effectiveWeights,
  exportWeights,
  initParams,
  lossAndGrad,
  paramArrays,
  zerosLike,
} from "../../tools/lib/train/model.ts";
import {
  backboneBlob,
  exportedLoss,
  pretrainBackbone,
  PRETRAIN_DEFAULTS,
  type PretrainOptions,
} from "../../tools/lib/train/pretrain.ts";
import { rng } from "../../tools/lib/train/rng.ts";
import type { Blob } from "../../tools/lib/format/types.ts";
import { quantizeBackboneBlob as ptqBackbone } from "../../tools/lib/train/ptq.ts";
import { repoRoot } from "../../tools/lib/util/paths.ts";
import { envInfo, playTranscripts, type TranscriptPlay } from "../../tools/lib/train/transcripts.ts";
import { loadAgent } from "../../tools/lib/runtime/wasm.ts";
import { pretrainCommand } from "../../tools/cli/pretrain.ts";

const tiny = (kind: BackboneConfig["kind"]): BackboneConfig => ({
  kind,
  vocab: 9,
  ctx: 6,
  dim: 8,
  layers: 2,
  heads: 2,
  ffn: 12,
  featTokens: 2,
});
const seqsOf = (seed: number, n: number, T: number, V: number) => {
  const r = rng(seed);
  return Array.from({ length: n }, () => Int32Array.from({ length: T }, () => r.below(V)));
};

test("should match central finite differences with the hand-written backward (fp32)", () => {
  const c = tiny("fp32");
  const p = initParams(c, 3);
  const seqs = seqsOf(5, 2, 6, 9);
  const g = zerosLike(p);
  lossAndGrad(c, p, effectiveWeights(c, p), seqs, g);
  const P = paramArrays(p),
    G = paramArrays(g);
  let checked = 0;
  for (let a = 0; a < P.length; a++) {
    for (const i of [0, 5, Math.floor(P[a].length / 2), P[a].length - 1]) {
      const h = 1e-5,
        o = P[a][i];
      P[a][i] = o + h;
      const lp = lossAndGrad(c, p, effectiveWeights(c, p), seqs, null);
      P[a][i] = o - h;
      const lm = lossAndGrad(c, p, effectiveWeights(c, p), seqs, null);
      P[a][i] = o;
      const num = (lp - lm) / (2 * h);
      assert.ok(
        Math.abs(num - G[a][i]) <= 1e-6 + 1e-4 * Math.abs(num),
        `param ${a}[${i}]: numeric ${num}, backward ${G[a][i]}`,
      );
      checked++;
    }
  }
  assert.is(checked, 4 * P.length);
});

for (const kind of ["ternary", "binary", "int8"] as const) {
  test(`should reduce the loss on a tiny batch with QAT steps (${kind})`, () => {
    const c = tiny(kind);
    const p = initParams(c, 1);
    const seqs = seqsOf(2, 4, 6, 9);
    const before = lossAndGrad(c, p, effectiveWeights(c, p), seqs, null);
    const adam = new Adam(paramArrays(p), { ...ADAM_DEFAULTS, lr: 1e-2 });
    for (let s = 0; s < 20; s++) {
      const g = zerosLike(p);
      lossAndGrad(c, p, effectiveWeights(c, p), seqs, g);
      adam.step(paramArrays(p), paramArrays(g), 1e-2);
    }
    const after = lossAndGrad(c, p, effectiveWeights(c, p), seqs, null);
    assert.ok(after < before - 0.3, `loss ${before} -> ${after}`);
  });
}

for (const kind of ["ternary", "binary", "int8"] as const) {
  test(`exact QAT's forward is the board's integer forward (the shipped model's loss, to the bit), ${kind}`, () => {
    const c = { ...tiny(kind), ctx: 9 };
    const p = initParams(c, 3);
    const seqs = seqsOf(5, 3, 9, 9);
    // a few steps first, so the weights are not the initialisation's
    const adam = new Adam(paramArrays(p), { ...ADAM_DEFAULTS, lr: 1e-2 });
    for (let s = 0; s < 5; s++) {
      const g = zerosLike(p);
      lossAndGrad(c, p, effectiveWeights(c, p), seqs, g);
      adam.step(paramArrays(p), paramArrays(g), 1e-2);
    }
    const shipped = exportedLoss(exportWeights(c, p), seqs);
    assert.is(lossAndGrad(c, p, effectiveWeights(c, p, "exact"), seqs, null), shipped);
    const approx = lossAndGrad(c, p, effectiveWeights(c, p, "approx"), seqs, null);
    assert.ok(approx !== shipped && Math.abs(approx - shipped) < 0.05, `approx ${approx} vs shipped ${shipped}`);
    // both backwards read their forward's caches the same way: the gradients point the same way
    const ge = zerosLike(p),
      ga = zerosLike(p);
    lossAndGrad(c, p, effectiveWeights(c, p, "exact"), seqs, ge);
    lossAndGrad(c, p, effectiveWeights(c, p, "approx"), seqs, ga);
    const flat = (g: typeof ge) => paramArrays(g).flatMap((a) => Array.from(a));
    const a = flat(ge),
      b = flat(ga);
    let dot = 0,
      na = 0,
      nb = 0;
    for (let i = 0; i < a.length; i++) ((dot += a[i] * b[i]), (na += a[i] * a[i]), (nb += b[i] * b[i]));
    assert.ok(dot / Math.sqrt(na * nb) > 0.9, `cosine of exact and approx gradients ${dot / Math.sqrt(na * nb)}`);
  });
}

const quick = (seed: number): PretrainOptions => ({
  ...PRETRAIN_DEFAULTS,
  kind: "ternary",
  steps: 4,
  batch: 4,
  episodes: 6,
  dim: 16,
  ffn: 32,
  seed,
});

test("should pretrain deterministically from the seed (same seed, same bytes)", () => {
  const mod = loadAgent("release");
  const a = encodeBlob(backboneBlob(pretrainBackbone(mod, "cartpole", quick(3)), quick(3)));
  const b = encodeBlob(backboneBlob(pretrainBackbone(mod, "cartpole", quick(3)), quick(3)));
  const c = encodeBlob(backboneBlob(pretrainBackbone(mod, "cartpole", quick(4)), quick(4)));
  assert.equal(a, b);
  assert.not.equal(a, c);
});

test("--play random: transcripts of uniformly random actions only (no scripted play), recorded in the blob", () => {
  const mod = loadAgent("release");
  const env = envInfo(mod, "cartpole");
  const actionsOf = (play: TranscriptPlay) => {
    const { stream } = playTranscripts(mod, env, 40, 7, play);
    return Array.from(stream).filter((t) => t >= env.obsVocab);
  };
  const random = actionsOf("random"),
    mixed = actionsOf("mixed");
  // random play keeps CartPole short (about 22 steps an episode); the scripted episodes of "mixed" run long
  assert.ok(random.length < 40 * 40, `${random.length} random steps`);
  assert.ok(mixed.length > 2 * random.length, `${mixed.length} mixed vs ${random.length} random steps`);
  const right = random.filter((t) => t === env.obsVocab + 1).length / random.length;
  assert.ok(Math.abs(right - 0.5) < 0.05, `random play pushes right ${right} of the time`);
  const o = { ...quick(2), play: "random" as const };
  assert.is(backboneBlob(pretrainBackbone(mod, "cartpole", o), o).meta.play, "random");
  assert.is(backboneBlob(pretrainBackbone(mod, "cartpole", quick(2)), quick(2)).meta.play, undefined);
  // meta.qat: "exact" for quantized kinds trained so; absent for approx QAT and fp32 (older backbones' bytes)
  const approx = { ...quick(2), qat: "approx" as const };
  assert.is(backboneBlob(pretrainBackbone(mod, "cartpole", approx), approx).meta.qat, undefined);
  const fp32 = { ...quick(2), kind: "fp32" as const };
  assert.is(backboneBlob(pretrainBackbone(mod, "cartpole", fp32), fp32).meta.qat, undefined);
});

test("should let acrobot's scripted play read the first link's velocity (its fifth observation value)", () => {
  const mod = loadAgent("release");
  const env = envInfo(mod, "acrobot");
  assert.is(env.obs, 6);
  // episodes 2 and 3 of "mixed" play are 80% and 95% scripted: pushing along the swing uses both torques about
  // equally, where a policy that could not see the velocity pushed one way (torque +1 only by the random actions)
  const { stream } = playTranscripts(mod, env, 4, 11, "mixed");
  const actions = Array.from(stream).filter((t) => t >= env.obsVocab);
  const last = actions.slice(-400);
  const plus = last.filter((t) => t === env.obsVocab + 2).length / last.length;
  assert.ok(plus > 0.25 && plus < 0.75, `torque +1 in ${(100 * plus).toFixed(1)}% of scripted steps`);
});

/** Loads `blob` as the module's backbone and checks its features of `tokens` equal the reference's; returns their count. */
function assertModuleFeatures(mod: ReturnType<typeof loadAgent>, blob: Blob, tokens: number[]): number {
  mod.setBlob(encodeBlob(blob));
  assert.is(mod.fn.backbone_load(), 0, mod.logs.join("; "));
  const tok = mod.ioBase + 256,
    out = mod.ioBase + 1024;
  new Int32Array(mod.memory.buffer, tok, tokens.length).set(tokens);
  const size = mod.fn.backbone_features(tok, tokens.length, out);
  const want = backboneFeatures(backboneFromBlob(blob), tokens, tokens.length);
  assert.equal(new Float32Array(mod.memory.buffer, out, size).slice(), want);
  return size;
}

test("should write a blob that decodes, that backbone_load accepts, with wasm features equal to the reference", () => {
  const dir = mkdtempSync(join(tmpdir(), "bitrl-train-"));
  try {
    const mod = loadAgent("release");
    const o = quick(1);
    const res = pretrainBackbone(mod, "keydoor", o);
    assert.ok(
      res.validLossExported < res.uniformLoss,
      `validation ${res.validLossExported} vs uniform ${res.uniformLoss}`,
    );
    // exact QAT (the default) trained the integer forward that ships: the same validation loss
    assert.is(res.validLoss, res.validLossExported);
    assert.is(backboneBlob(res, o).meta.qat, "exact");
    const path = join(dir, "kd.bitrl");
    writeBlobFile(path, backboneBlob(res, o));
    const blob = readBlobFile(path);
    const w = backboneFromBlob(blob);
    assert.equal(w.config, res.config);
    assert.is(assertModuleFeatures(mod, blob, [1, 0, 3, 4]), 4 * 16);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("PTQ: the fp32 backbone exported as fp32 is itself; as ternary it loads in the module with the reference's features", () => {
  const fp = readBlobFile(join(repoRoot, "models", "cartpole-backbone-fp32.bitrl"));
  const strip = (b: ReturnType<typeof readBlobFile>) => encodeBlob({ ...b, meta: {} });
  assert.equal(strip(ptqBackbone(fp, "fp32")), strip(fp));
  const t = ptqBackbone(fp, "ternary");
  assert.is(t.meta.ptq_from, "fp32");
  assert.throws(() => ptqBackbone(t, "int8"), /needs an fp32 backbone, got ternary/);
  assertModuleFeatures(loadAgent("release"), t, [3, 20, 40, 55]);
});

async function rejects(p: Promise<unknown>, re: RegExp): Promise<void> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof BitrlError, `not a BitrlError: ${e}`);
    assert.match((e as Error).message, re);
    assert.not.match((e as Error).message, /\n/);
    return;
  }
  assert.unreachable(`expected an error matching ${re}`);
}

test("should refuse a bad --backbone, a missing -o and an unknown env with one-line errors", async () => {
  await rejects(
    pretrainCommand.run(["--env", "cartpole", "--backbone", "ternery", "-o", "/tmp/x.bitrl"]),
    /--backbone must be one of/,
  );
  await rejects(pretrainCommand.run(["--env", "cartpole"]), /missing -o/);
  await rejects(pretrainCommand.run(["--env", "pong", "-o", "/tmp/never.bitrl", "--steps", "1"]), /unknown env 'pong'/);
  await rejects(
    pretrainCommand.run(["--env", "cartpole", "--play", "expert", "-o", "/tmp/x.bitrl"]),
    /--play must be one of mixed, random/,
  );
  await rejects(
    pretrainCommand.run(["--env", "cartpole", "--qat", "exakt", "-o", "/tmp/x.bitrl"]),
    /--qat must be one of exact, approx, got 'exakt'/,
  );
});

test.run();
