// Text generation with the language-model runtime: in this process (the module in V8) or on a board (the same
// module through the protocol's `kernel` call: mem-write the prompt, lm_load, lm_generate). Both run lm_generate,
// so the same seed gives the same tokens (test/unit/lm.test.ts checks the module against the reference).
import { BitrlError } from "../util/errors.ts";
import type { AgentModule } from "../runtime/wasm.ts";
import type { BoardClient } from "../board/client.ts";

export interface GenerateRequest {
  prompt: Int32Array;
  /** tokens to pick after the prompt */
  tokens: number;
  /** 0 = greedy */
  temperature: number;
  seed: number;
}

const f32Bits = (x: number) => new Uint32Array(Float32Array.of(x).buffer)[0] | 0;

/** lm_load's codes (assembly/lm/lm.ts). */
const LOAD_ERRORS: Record<number, string> = {
  [-1]: "no model blob loaded",
  [-2]: "bad blob header or tensor table",
  [-3]: "a tensor is missing",
  [-4]: "bad model.config (or an fp32 model: generation runs the quantized kinds)",
  [-5]: "a tensor has the wrong shape, packing or scales",
  [-6]: "the model's buffers and KV cache do not fit the linear memory",
};
const GENERATE_ERRORS: Record<number, string> = {
  [-1]: "no language model loaded",
  [-2]: "prompt empty or longer than the context",
  [-3]: "a buffer outside memory",
  [-4]: "a prompt token outside the vocabulary",
  [-5]: "bad count or temperature",
};

/** Prompt and picks go to the I/O arena's first 16 KiB (the lookup tables use the rest during a step). */
function checkArena(r: GenerateRequest): void {
  if (4 * (r.prompt.length + r.tokens) > 16 * 1024)
    throw new BitrlError(`prompt plus tokens is ${r.prompt.length + r.tokens} tokens; one call takes at most 4096`);
}

function loadFailed(rc: number, logs: string[]): never {
  const why = logs.filter((l) => l.startsWith("lm:")).pop();
  throw new BitrlError(`lm_load failed (${rc}): ${why ? why.slice(4) : (LOAD_ERRORS[rc] ?? "unknown error")}`);
}

/** Generates in V8; returns the picked tokens and the wall-clock ms of lm_generate (host, measured). */
export function generateOnHost(
  mod: AgentModule,
  blob: Uint8Array,
  r: GenerateRequest,
): { tokens: number[]; ms: number } {
  mod.setBlob(blob);
  const rc = mod.fn.lm_load();
  if (rc !== 0) loadFailed(rc, mod.logs);
  const promptAt = mod.ioBase,
    outAt = promptAt + 4 * r.prompt.length;
  checkArena(r);
  new Int32Array(mod.memory.buffer, promptAt, r.prompt.length).set(r.prompt);
  const t0 = performance.now();
  const n = mod.fn.lm_generate(promptAt, r.prompt.length, outAt, r.tokens, f32Bits(r.temperature), r.seed);
  const ms = performance.now() - t0;
  if (n < 0) throw new BitrlError(`lm_generate failed (${n}): ${GENERATE_ERRORS[n] ?? "unknown error"}`);
  return { tokens: Array.from(new Int32Array(mod.memory.buffer, outAt, n)), ms };
}

/** Generates on a board whose active model is the LM; ticks of lm_generate (prompt and picks) and of lm_load. */
export async function generateOnBoard(
  client: BoardClient,
  r: GenerateRequest,
): Promise<{ tokens: number[]; ticks: number; promptTicks: number }> {
  const load = await client.kernel("lm_load", []);
  if (load.value.value !== 0) loadFailed(Number(load.value.value), []);
  const promptAt = await client.ioBase(),
    outAt = promptAt + 4 * r.prompt.length;
  checkArena(r);
  await client.memWrite(promptAt, new Uint8Array(r.prompt.buffer, r.prompt.byteOffset, r.prompt.byteLength));
  // the prompt alone (0 picks) first: its ticks are subtracted so ticks per token count the picks only
  const pre = await client.kernel("lm_generate", [promptAt, r.prompt.length, outAt, 0, 0, r.seed]);
  const res = await client.kernel(
    "lm_generate",
    [promptAt, r.prompt.length, outAt, r.tokens, f32Bits(r.temperature), r.seed],
    outAt,
    4 * r.tokens,
  );
  const n = Number(res.value.value);
  if (n < 0) throw new BitrlError(`lm_generate failed on the board (${n}): ${GENERATE_ERRORS[n] ?? "unknown error"}`);
  const out = new Int32Array(res.output.buffer.slice(res.output.byteOffset, res.output.byteOffset + 4 * n));
  return { tokens: Array.from(out), ticks: res.ticks, promptTicks: pre.ticks };
}
