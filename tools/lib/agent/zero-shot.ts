// The zero-shot baseline (#16): a pretrained backbone's tied output layer read as a policy, with no RL at all. The
// backbone learned to predict the action token that follows an observation's tokens, so its logits over the action
// tokens at the observation's last position are a policy: the scripted expert's, when its transcripts contained one
// (`bitrl pretrain --play mixed`), roughly none when they did not (`--play random`). An RL head on the frozen
// backbone has to beat this to show that it learned anything. Episodes run through the module's env_* exports (the
// env code the agent runs) and reset with evalSeed(i), the seeds agents are evaluated on; the logits come from the
// reference forward (backboneHidden: the integer forward for the quantized kinds, what the board runs).
import { BitrlError } from "../util/errors.ts";
import type { Blob } from "../format/types.ts";
import { backboneFromBlob, backboneHidden, dequantizedRows, type BackboneWeights } from "../reference/backbone.ts";
import { ENV_IDS, type EnvName } from "../reference/envs.ts";
import { envSizes } from "../runtime/env-sizes.ts";
import type { AgentModule } from "../runtime/wasm.ts";
import { loadAgentModule } from "./runner.ts";
import { mean } from "../util/stats.ts";
import { evalByTokens } from "./token-episodes.ts";

/** The greedy action of the readout for one observation's tokens: the largest action-token logit (first on ties). */
export function zeroShotAction(
  w: BackboneWeights,
  rows: Float32Array,
  tokens: ArrayLike<number>,
  obsVocab: number,
  actions: number,
): number {
  const n = tokens.length,
    d = w.config.dim;
  const h = backboneHidden(w, tokens, n);
  let best = 0,
    top = -Infinity;
  for (let a = 0; a < actions; a++) {
    const row = (obsVocab + a) * d;
    let logit = 0;
    for (let i = 0; i < d; i++) logit += h[(n - 1) * d + i] * rows[row + i];
    if (logit > top) {
      top = logit;
      best = a;
    }
  }
  return best;
}

/** Greedy episodes of the zero-shot readout of `backbone` on env, reset seeds evalSeed(0..episodes-1). */
export function zeroShotEval(
  backbone: Blob,
  env: EnvName,
  episodes = 20,
  mod: AgentModule = loadAgentModule(),
): { returns: number[]; mean: number } {
  const w = backboneFromBlob(backbone);
  const id = ENV_IDS[env];
  const { actions, vocab } = envSizes(mod, id);
  if (w.config.vocab < vocab + actions)
    throw new BitrlError(
      `zero-shot: the backbone's vocabulary (${w.config.vocab}) has no action tokens for ${env} (needs ${vocab + actions})`,
    );
  const rows = dequantizedRows(w.emb); // the tied output layer
  const returns = evalByTokens(mod, id, episodes, (obs) => zeroShotAction(w, rows, obs, vocab, actions));
  return { returns, mean: mean(returns) };
}
