// A llama-architecture GGUF with TQ2_0 weights, written by llama.cpp's gguf-py (test/fixtures/llama_gguf.py, in its
// own venv), converts (`bitrl pack`) and generates (`bitrl generate`) the same 32 greedy tokens as an independent
// NumPy forward of the same file (read by gguf-py, float64, BitNet's int8 activations), with every logit close to
// it; what the runtime cannot run is refused naming the key or tensor. Needs Python and PyPI (the board tier).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repoRoot } from "../../tools/lib/util/paths.ts";
import { parseGguf, writeGguf, type GgufFile, type GgufValue } from "../../tools/lib/format/gguf/container.ts";
import { llamaGgufToBlob } from "../../tools/lib/lm/gguf-llama.ts";
import { tokenizerOf } from "../../tools/lib/lm/tokenizer.ts";
import { readBlobFile } from "../../tools/lib/format/blob-file.ts";
import { encodeBlob } from "../../tools/lib/format/blob.ts";
import { loadAgent } from "../../tools/lib/runtime/wasm.ts";
import { assertBitrlError } from "../fixtures/bitrl-error.ts";

const script = join(repoRoot, "test", "fixtures", "llama_gguf.py");
const dir = mkdtempSync(join(tmpdir(), "bitrl-gguf-llama-"));
const gguf = join(dir, "tiny.gguf"),
  packed = join(dir, "tiny.bitrl");
const TOKENS = 32;

function python(...args: string[]): string {
  const r = spawnSync("python3", [script, ...args], { encoding: "utf8", cwd: repoRoot, maxBuffer: 64 << 20 });
  assert.is(r.status, 0, `llama_gguf.py ${args[0]}: ${r.stderr}`);
  return r.stdout;
}

function bitrl(...args: string[]) {
  return spawnSync(process.execPath, [join(repoRoot, "bin", "bitrl.mjs"), ...args], {
    encoding: "utf8",
    cwd: repoRoot,
  });
}

test.after(() => rmSync(dir, { recursive: true, force: true }));

test("gguf-py's tiny llama (TQ2_0, grouped KV heads, SwiGLU, untied head) generates NumPy's 32 greedy tokens", () => {
  python("make", gguf);
  const pack = bitrl("pack", gguf, "-o", packed);
  assert.is(pack.status, 0, pack.stderr);
  const blob = readBlobFile(packed);
  const tok = tokenizerOf(blob)!;
  const prompt = Array.from(tok.encode("the"));
  assert.equal(prompt, [1, 30], "BOS, then the vocabulary's '\u2581the'");
  const ref = JSON.parse(python("generate", gguf, String(TOKENS), ...prompt.map(String))) as {
    tokens: number[];
    logits: number[][];
    margins: number[];
  };
  const gen = bitrl("generate", "--model", packed, "--prompt", "the", "--tokens", `${TOKENS}`, "--temperature", "0");
  assert.is(gen.status, 0, gen.stderr);
  const out = JSON.parse(
    bitrl("generate", "--model", packed, "--prompt", "the", "--tokens", `${TOKENS}`, "--temperature", "0", "--json")
      .stdout,
  );
  assert.equal(out.tokens, ref.tokens, `margins of NumPy's picks: ${ref.margins.map((m) => m.toFixed(2))}`);
  assert.is(out.text, tok.decode(ref.tokens));
  // logits along NumPy's path (teacher forcing): the integer forward stays within 10% of the logits' spread
  const mod = loadAgent("release");
  mod.setBlob(encodeBlob(blob));
  assert.is(mod.fn.lm_load(), 0, mod.logs.join("; "));
  const at = mod.ioBase + 256,
    V = ref.logits[0].length;
  for (const t of prompt) mod.fn.lm_step(t, at);
  let worst = 0,
    spread = 0;
  ref.tokens.forEach((t, i) => {
    const got = new Int32Array(mod.memory.buffer, at, V);
    const want = ref.logits[i];
    const mean = want.reduce((a, b) => a + b, 0) / V;
    spread = Math.max(spread, Math.sqrt(want.reduce((a, b) => a + (b - mean) ** 2, 0) / V));
    want.forEach((w, k) => (worst = Math.max(worst, Math.abs(got[k] / 256 - w))));
    mod.fn.lm_step(t, at);
  });
  assert.ok(worst < 0.1 * spread, `max |logit - NumPy's| ${worst.toFixed(3)}, logit sd ${spread.toFixed(3)}`);
});

/** The test model with one metadata key or tensor changed. */
function variant(change: (f: GgufFile) => void) {
  const f = parseGguf(new Uint8Array(readFileSync(gguf)));
  change(f);
  return parseGguf(writeGguf(f));
}
const set = (key: string, v: GgufValue) => (f: GgufFile) => f.kv.set(key, v);

test("what the runtime cannot run is refused naming the key or the tensor", () => {
  const refused: [string, (f: GgufFile) => void, RegExp][] = [
    ["RoPE base", set("llama.rope.freq_base", { type: "f32", value: 500000 }), /llama\.rope\.freq_base = 500000/],
    [
      "RMSNorm epsilon",
      set("llama.attention.layer_norm_rms_epsilon", { type: "f32", value: 1e-6 }),
      /layer_norm_rms_epsilon .*1e-5/,
    ],
    [
      "BPE tokenizer",
      set("tokenizer.ggml.model", { type: "string", value: "gpt2" }),
      /tokenizer\.ggml\.model = 'gpt2'/,
    ],
    ["no block count", (f) => f.kv.delete("llama.block_count"), /missing key 'llama\.block_count'/],
    ["another architecture", set("general.architecture", { type: "string", value: "bitnet" }), /not 'llama'/],
    [
      "an unknown tensor",
      (f) => f.tensors.push({ ...f.tensors.find((t) => t.name === "output_norm.weight")!, name: "rope_freqs.weight" }),
      /tensor 'rope_freqs\.weight' has no place/,
    ],
    [
      "a missing tensor",
      (f) => (f.tensors = f.tensors.filter((t) => t.name !== "blk.1.ffn_gate.weight")),
      /blk\.1\.ffn_gate/,
    ],
  ];
  for (const [what, change, message] of refused) {
    try {
      assertBitrlError(() => llamaGgufToBlob(variant(change)), message);
    } catch (e) {
      throw new Error(`${what}: ${(e as Error).message}`);
    }
  }
  const r = bitrl("pack", gguf, "-o", join(dir, "x.bitrl"));
  assert.is(r.status, 0, "the unchanged file still converts");
});

test.run();
