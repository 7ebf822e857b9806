// Twin of the language-model runtime (assembly/lm/lm.ts, sample.ts): logits of the last position by the full
// integer forward of the whole prefix (reference/backbone.ts residualInt: no KV cache, so the module's cache is
// checked against a recomputation), the tied int8 head, and the token pick. Same integers as the module.
import { BitrlError } from "../util/errors.ts";
import { backboneHidden, residualInt, type BackboneWeights } from "./backbone.ts";
import { Pcg32 } from "./envs.ts";
import * as fx from "./fixed.ts";

const LOG2E = Math.fround(1.4426950408889634);

/** Logits i32[vocab] (8 fractional bits) after tokens[0..n): the final norm quantized to int8, dot the head's rows
 *  (the int8 embedding's when tied), each rescaled by its multiplier. */
export function lmLogits(w: BackboneWeights, tokens: ArrayLike<number>, n: number): Int32Array {
  const c = w.config;
  const D = c.dim;
  if (w.emb.type === "f32") throw new BitrlError("lm: the integer head needs an int8 embedding (not an fp32 model)");
  const { x, gains, shifts } = residualInt(w, tokens, n);
  const q = new Int8Array(D);
  const r = 2 * c.layers;
  const a = fx.normQuant(x, (n - 1) * D, gains, r * D, shifts[r], D, q, 0);
  const out = new Int32Array(c.vocab);
  const E = w.head ?? w.emb;
  if (E.type === "f32") throw new BitrlError("lm: the integer head needs a quantized head matrix");
  for (let v = 0; v < c.vocab; v++) {
    let acc = 0;
    for (let i = 0; i < D; i++) acc += E.q[v * D + i] * q[i];
    const fe = fx.fxFromF32Bits(fx.f32Bits(E.scales.length === 1 ? E.scales[0] : E.scales[v]));
    out[v] = fx.mulShift64(acc, fx.fxMul(a, fe), 8);
  }
  return out;
}

/** The multiplier log2(e) / T (0: greedy), as assembly/lm/sample.ts temperatureFx. */
export function temperatureFx(temperature: number): number {
  const t = Math.fround(temperature);
  return t > 0 ? fx.fxFromF32Bits(fx.f32Bits(Math.fround(LOG2E / t))) : 0;
}

const zOf = (logit: number, tfx: number) => Math.min(Math.max(fx.mulShift64(logit, tfx, 0), -(1 << 24)), 1 << 24);
const weight = (d: number) => (d >= 15 << 8 ? 0 : fx.EXP2[d & 255] >>> (d >> 8));

/** The token sampleLogits picks (greedy when tfx is 0, else one draw of rng). */
export function sampleLogits(logits: Int32Array, tfx: number, rng: Pcg32): number {
  if (tfx === 0) {
    let best = 0;
    for (let v = 1; v < logits.length; v++) if (logits[v] > logits[best]) best = v;
    return best;
  }
  const z = Array.from(logits, (l) => zOf(l, tfx));
  const zmax = Math.max(...z);
  const e = z.map((zv) => weight(zmax - zv));
  let r = rng.below(e.reduce((s, v) => s + v, 0));
  for (let v = 0; v < e.length; v++) {
    if (r < e[v]) return v;
    r -= e[v];
  }
  return e.length - 1;
}

/** lm_generate's tokens: the prompt, then `count` picks (each fed back), stopping when the context is full. */
export function generateReference(
  w: BackboneWeights,
  prompt: ArrayLike<number>,
  count: number,
  temperature: number,
  seed: number,
): number[] {
  const c = w.config;
  if (prompt.length < 1 || prompt.length > c.ctx)
    throw new BitrlError(`lm: prompt of ${prompt.length} tokens, context ${c.ctx}`);
  const rng = new Pcg32(seed >>> 0);
  const tfx = temperatureFx(temperature);
  const seq = Array.from(prompt);
  const out: number[] = [];
  while (out.length < count) {
    const tok = sampleLogits(lmLogits(w, seq, seq.length), tfx, rng);
    out.push(tok);
    if (out.length === count || seq.length >= c.ctx) break;
    seq.push(tok);
  }
  return out;
}

/** lm_state after tokens[0..n): the final RMSNorm of the last position's residual, f32[dim] (normF32; the fp32
 *  kind: the float forward's, backboneHidden). */
export function lmState(w: BackboneWeights, tokens: ArrayLike<number>, n: number): Float32Array {
  const c = w.config,
    D = c.dim,
    r = 2 * c.layers;
  if (c.kind === "fp32") return backboneHidden(w, tokens, n).slice((n - 1) * D, n * D);
  const { x, gains, shifts } = residualInt(w, tokens, n);
  const out = new Float32Array(D);
  fx.normF32(x, (n - 1) * D, gains, r * D, shifts[r], D, out, 0);
  return out;
}

/** An agent's LM features for an observation's text (assembly/rl/features.ts): each sentence (up to and including
 *  its '.', leading spaces dropped) read from an empty cache, the mean of its positions' states (f32 sums in
 *  order, then / count) appended. */
export function textFeatures(w: BackboneWeights, text: string, sentences: number): Float32Array {
  const D = w.config.dim;
  const f = Math.fround;
  const out = new Float32Array(sentences * D);
  let k = 0,
    cur: number[] = [];
  for (const ch of text) {
    if (k >= sentences) break;
    const b = ch.charCodeAt(0);
    if (b === 32 && cur.length === 0) continue;
    cur.push(b);
    const s = lmState(w, cur, cur.length);
    for (let c = 0; c < D; c++) out[k * D + c] = f(out[k * D + c] + s[c]);
    if (b === 46) {
      for (let c = 0; c < D; c++) out[k * D + c] = f(out[k * D + c] / cur.length);
      k++;
      cur = [];
    }
  }
  return out;
}
