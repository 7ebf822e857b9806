// A language model too big for a board is refused before an upload, with the numbers (tools/lib/lm/fit.ts), and the
// host's arithmetic is the module's: lmBytes equals lm_memory for every kind and value-cache width; the shipped LM
// keydoor agent is refused with qemu-m4's AOT pool mapped (docs/lm.md has the numbers).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { encodeBlob } from "../../tools/lib/format/blob.ts";
import { backboneTensors, kvWidth, type BackboneConfig } from "../../tools/lib/reference/backbone.ts";
import { exportWeights, initParams } from "../../tools/lib/train/model.ts";
import { loadAgent } from "../../tools/lib/runtime/wasm.ts";
import { assertLmFits, boardLinearMemory, lmBytes, lmLayoutOf } from "../../tools/lib/lm/fit.ts";
import { assertBitrlError } from "../fixtures/bitrl-error.ts";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "../../tools/lib/util/paths.ts";

const shipped: BackboneConfig = {
  kind: "ternary",
  vocab: 256,
  ctx: 64,
  dim: 96,
  layers: 3,
  heads: 4,
  ffn: 192,
  featTokens: 64,
};

test("lmBytes is what the module's lm_load allocates (lm_memory)", () => {
  const mod = loadAgent("release");
  for (const c of [
    { ...shipped, ctx: 8, featTokens: 8, dim: 16, heads: 2, ffn: 24, layers: 2 },
    { ...shipped, kind: "int8" as const, ctx: 9, featTokens: 9, dim: 12, heads: 3, ffn: 30, layers: 1, vocab: 50 },
    { ...shipped, kind: "binary" as const, ctx: 5, featTokens: 5, dim: 260, heads: 2, ffn: 8, layers: 1, vocab: 20 },
  ]) {
    mod.setBlob(encodeBlob({ version: 1, meta: {}, tensors: backboneTensors(exportWeights(c, initParams(c, 1))) }));
    assert.is(mod.fn.lm_load(), 0, mod.logs.join("; "));
    assert.is(mod.fn.lm_memory(), lmBytes(c), JSON.stringify(c));
  }
  // llama-style: grouped KV heads (a smaller cache), SwiGLU (a second hidden buffer), per-row scales (i32 values)
  const c: BackboneConfig = { ...shipped, ctx: 7, featTokens: 7, dim: 24, heads: 4, kvHeads: 2, ffn: 40, layers: 2 };
  const w = exportWeights(c, initParams({ ...c, kvHeads: 0 }, 1));
  const S = 2 * c.dim + 2 * kvWidth(c);
  for (const L of w.layers) {
    if (L.wqkvo.type === "f32") throw new Error("quantized");
    L.wqkvo = { ...L.wqkvo, rows: S, q: L.wqkvo.q.slice(0, S * c.dim), scales: new Float32Array(S).fill(0.01) };
    L.gate = L.up;
  }
  mod.setBlob(encodeBlob({ version: 1, meta: {}, tensors: backboneTensors(w) }));
  assert.is(mod.fn.lm_load(), 0, mod.logs.join("; "));
  assert.equal(lmLayoutOf(w), { perRowScales: true, gated: true });
  assert.is(mod.fn.lm_memory(), lmBytes(c, lmLayoutOf(w)));
  assert.ok(lmBytes(c, lmLayoutOf(w)) < lmBytes({ ...c, kvHeads: 0 }, lmLayoutOf(w)), "fewer KV heads, less cache");
});

test("the shipped LM is refused for qemu-m4 with wasm3 before an upload, naming the bytes; AOT and qemu-m4-esp32 take it", () => {
  const heap = loadAgent("release").fn.heap_top();
  assertBitrlError(
    () => assertLmFits(shipped, heap, "qemu-m4", "wasm3"),
    /does not fit qemu-m4 \(wasm3\): its buffers and KV cache need 81840 B .* the board gives 114688 B of linear memory: the wasm3 memory limit/,
  );
  assertLmFits(shipped, heap, "qemu-m4", "aot"); // its 192 KiB pool
  assertBitrlError(() => assertLmFits(shipped, heap, "qemu-stm32f4", "aot"), /gives 98304 B .* static pool/);
  assertLmFits(shipped, heap, "qemu-m4-esp32", "wasm3");
  assertLmFits(shipped, heap, "qemu-m4-esp32", "aot");
  assertBitrlError(
    () => assertLmFits({ ...shipped, ctx: 1024, featTokens: 1024 }, heap, "qemu-m4-esp32", "aot"),
    /does not fit qemu-m4-esp32 \(aot\).*shorter context/,
  );
  assert.is(boardLinearMemory("host", "wasm3"), null, "the host build grows as it needs");
});

test("the shipped LM keydoor agent plays within qemu-m4's AOT pool but cannot train there (the training state waits for agent_train); the esp32 pool trains it (V8)", () => {
  const blob = new Uint8Array(readFileSync(join(repoRoot, "models", "keydoor-lm-ternary.bitrl")));
  const pool = (board: string) => boardLinearMemory(board, "aot")!.bytes;
  assert.is(pool("qemu-m4"), 196608);
  const small = loadAgent("release", { blob });
  small.fn.memory_map(pool("qemu-m4"));
  assert.is(small.fn.agent_load(), 0, small.logs.join("; "));
  const host = loadAgent("release", { blob });
  assert.is(host.fn.agent_load(), 0);
  for (const seed of [1, 2]) {
    assert.is(small.fn.agent_episode(seed, 0, 1), host.fn.agent_episode(seed, 0, 1));
    const ret = (m: typeof small) => new DataView(m.memory.buffer).getFloat64(m.ioBase, true);
    assert.is(ret(small), ret(host), `seed ${seed}: the same return with and without room`);
  }
  assert.ok(small.fn.heap_top() <= pool("qemu-m4"), `heap top ${small.fn.heap_top()}`);
  assert.is(small.fn.agent_train(1, 1), -3);
  assert.match(small.logs.at(-1) ?? "", /agent_train: no room for the optimiser state/);
  const big = loadAgent("release", { blob });
  big.fn.memory_map(pool("qemu-m4-esp32"));
  assert.is(big.fn.agent_load(), 0, big.logs.join("; "));
  assert.is(big.fn.agent_rollout_steps(), 96);
});

test.run();
