// The backbone forward: wasm (release and debug builds) equals the TypeScript twin bit for bit, for every kind;
// backboneLoad rejects corrupt configs and tensors with a named reason; blobs round-trip.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { encodeBlob, decodeBlob } from "../../tools/lib/format/blob.ts";
import { BitrlError } from "../../tools/lib/util/errors.ts";
import {
  BACKBONE_KINDS,
  backboneFeatures,
  backboneFromBlob,
  backboneTensors,
  configToI32,
  expf,
  featureSize,
  sincosf,
  type BackboneConfig,
  type BackboneKind,
  type BackboneWeights,
} from "../../tools/lib/reference/backbone.ts";
import { exportWeights, initParams } from "../../tools/lib/train/model.ts";
import { rng } from "../../tools/lib/train/rng.ts";
import { loadAgent, type AgentModule } from "../../tools/lib/runtime/wasm.ts";
import type { Blob } from "../../tools/lib/format/types.ts";
import { withBoard } from "../../tools/lib/board/session.ts";
import { tempFlashPath } from "../../tools/lib/board/qemu.ts";

const small = (kind: BackboneKind): BackboneConfig => ({
  kind,
  vocab: 23,
  ctx: 8,
  dim: 16,
  layers: 2,
  heads: 2,
  ffn: 45,
  featTokens: 3,
});

function weights(kind: BackboneKind, seed = 7): BackboneWeights {
  const c = small(kind);
  const p = initParams(c, seed);
  const r = rng(seed + 1);
  p.norms.forEach((_, i) => (p.norms[i] = 0.5 + r.next())); // gains other than 1, so a wrong norm row shows
  return exportWeights(c, p);
}

const blobOf = (w: BackboneWeights): Blob => ({ version: 1, meta: {}, tensors: backboneTensors(w) });

function wasmFeatures(mod: AgentModule, tokens: number[], size: number): { rc: number; out: Uint8Array } {
  const tokAt = mod.ioBase + 256,
    outAt = mod.ioBase + 1024;
  new Int32Array(mod.memory.buffer, tokAt, tokens.length).set(tokens);
  const rc = mod.fn.backbone_features(tokAt, tokens.length, outAt);
  return { rc, out: new Uint8Array(mod.memory.buffer, outAt, size * 4).slice() };
}

const bytes = (a: Float32Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

for (const [build, kernels] of [
  ["release", "imports"],
  ["debug", "imports"],
  ["release", "own"],
  ["aot", "own"],
] as const) {
  test(`should give bit-identical features in wasm (${build}, kernels ${kernels === "own" ? "called directly" : "through the imports"}) and the TypeScript twin for every kind`, () => {
    const mod = loadAgent(build, { kernels });
    for (const kind of BACKBONE_KINDS) {
      const w = weights(kind);
      mod.setBlob(encodeBlob(blobOf(w)));
      assert.is(mod.fn.backbone_load(), 0, `${kind}: ${mod.logs.join("; ")}`);
      // the AOT module's indexed loops take bases up to 96 KiB (assembly/kernels/indexed.ts): these buffers do
      if (build === "aot") assert.ok(mod.fn.heap_top() <= 96 * 1024, `heap top ${mod.fn.heap_top()}`);
      const size = featureSize(w.config);
      assert.is(mod.fn.backbone_feature_size(), size);
      const r = rng(11);
      for (const n of [1, 2, 3, 5, 8]) {
        const tokens = Array.from({ length: n }, () => r.below(w.config.vocab));
        const got = wasmFeatures(mod, tokens, size);
        assert.is(got.rc, size);
        const want = backboneFeatures(w, tokens, n);
        assert.ok(want.some((v) => v !== 0));
        assert.equal(got.out, bytes(want), `${kind} n=${n} tokens ${tokens}`);
      }
    }
  });
}

const WHERE = { host: "native host build", "qemu-m4": "emulated Cortex-M4", "qemu-rv32": "emulated RV32IMAC (no FPU)" };
for (const [board, backend] of [
  ["host", "wasm3"],
  ["qemu-m4", "wasm3"],
  ["host", "wasm3+native"],
  ["qemu-m4", "wasm3+native"],
  ["qemu-rv32", "wasm3+native"],
] as const) {
  test(`should give bit-identical features in ${backend} on the ${WHERE[board]} for every kind`, async () => {
    await withBoard(board, { flashPath: tempFlashPath(), timeoutMs: 20000, backend }, async (s) => {
      assert.is(s.info.backend, backend);
      const io = await s.client.ioBase();
      for (const kind of BACKBONE_KINDS) {
        const w = weights(kind, 5);
        await s.client.loadModel(encodeBlob(blobOf(w)));
        assert.is((await s.client.kernel("backbone_load", [])).value.value, 0, kind);
        const tokens = Int32Array.of(3, 17, 0, 22, 9);
        await s.client.memWrite(io + 256, new Uint8Array(tokens.buffer));
        const size = featureSize(w.config);
        const r = await s.client.kernel("backbone_features", [io + 256, tokens.length, io + 1024], io + 1024, size * 4);
        assert.is(r.value.value, size, kind);
        assert.equal(r.output, bytes(backboneFeatures(w, tokens, tokens.length)), `${kind} on ${board}`);
      }
    });
  });
}

test("should reject bad calls to backbone_features with a code", () => {
  const mod = loadAgent("release");
  const w = weights("ternary");
  mod.setBlob(encodeBlob(blobOf(w)));
  assert.is(mod.fn.backbone_load(), 0);
  assert.is(wasmFeatures(mod, [], 48).rc, -2);
  assert.is(wasmFeatures(mod, new Array(9).fill(0), 48).rc, -2);
  assert.is(wasmFeatures(mod, [0, 23], 48).rc, -4);
  assert.is(wasmFeatures(mod, [0, -1], 48).rc, -4);
});

function withConfig(w: BackboneWeights, patch: (v: Int32Array) => void): Blob {
  const b = blobOf(w);
  const v = configToI32(w.config);
  patch(v);
  b.tensors[0] = { ...b.tensors[0], data: new Uint8Array(v.buffer) };
  return b;
}

test("should reject a corrupt model.config in wasm and in TypeScript, naming the field", () => {
  const mod = loadAgent("release");
  const w = weights("ternary");
  const cases: [string, (v: Int32Array) => void, RegExp][] = [
    ["vocab", (v) => (v[2] = 999), /vocab 999/],
    ["version", (v) => (v[0] = 2), /version 2/],
    ["kind", (v) => (v[1] = 9), /kind 9/],
    ["heads", (v) => (v[6] = 3), /heads|dim/],
    ["dim (shape mismatch)", (v) => (v[4] = 32), /.+/],
  ];
  for (const [what, patch, re] of cases) {
    const b = withConfig(w, patch);
    mod.logs.length = 0;
    mod.setBlob(encodeBlob(b));
    const rc = mod.fn.backbone_load();
    assert.ok(rc < 0, `${what}: wasm accepted it`);
    assert.ok(
      mod.logs.some((l) => re.test(l)),
      `${what}: log ${mod.logs.join("; ")}`,
    );
    assert.is(mod.fn.backbone_feature_size(), 0);
    assert.throws(
      () => backboneFromBlob(decodeBlob(encodeBlob(b))),
      (e: unknown) => e instanceof BitrlError && re.test((e as Error).message),
    );
  }
});

test("should reject a missing tensor and a wrong packing", () => {
  const mod = loadAgent("release");
  const w = weights("ternary");
  const missing = blobOf(w);
  missing.tensors = missing.tensors.filter((t) => t.name !== "layers.1.w_up");
  mod.setBlob(encodeBlob(missing));
  assert.is(mod.fn.backbone_load(), -3);
  assert.ok(mod.logs.some((l) => l.includes("layers.1.w_up")));
  assert.throws(() => backboneFromBlob(missing), /missing tensor 'layers.1.w_up'/);
  const int8 = blobOf(weights("int8"));
  const mixed = blobOf(w);
  mixed.tensors[3] = { ...int8.tensors[3] }; // layers.0.wqkvo as i8 inside a ternary backbone
  mod.setBlob(encodeBlob(mixed));
  assert.is(mod.fn.backbone_load(), -5);
  assert.throws(() => backboneFromBlob(mixed), /is i8, a ternary backbone needs t3/);
  mod.setBlob(undefined);
  assert.is(mod.fn.backbone_load(), -1);
});

test("should round-trip a backbone through the blob encoder", () => {
  for (const kind of BACKBONE_KINDS) {
    const w = weights(kind, 3);
    const back = backboneFromBlob(decodeBlob(encodeBlob(blobOf(w))));
    assert.equal(back.config, w.config);
    assert.equal(backboneFeatures(back, [1, 2, 3, 4], 4), backboneFeatures(w, [1, 2, 3, 4], 4));
  }
});

test("should compute exp, sin and cos within 2e-6 relative of libm", () => {
  for (let x = -20; x <= 0; x += 0.37) assert.ok(Math.abs(expf(x) - Math.exp(x)) <= 2e-6 * Math.exp(x), `exp(${x})`);
  for (let x = 0; x <= 20; x += 0.13) {
    const [s, c] = sincosf(x);
    assert.ok(Math.abs(s - Math.sin(x)) < 2e-5 && Math.abs(c - Math.cos(x)) < 2e-5, `sincos(${x})`);
  }
});

test.run();
