// Rebuilds every shipped backbone from scratch (deterministic: same code, same bytes): pretrains each env x kind
// with fixed settings, writes models/<env>-backbone-<kind>.bitrl atomically and its card models/<env>-backbone-<kind>.md.
// Usage: node --import tsx scripts/build-models.ts [--env cartpole,keydoor] [--kind ternary,fp32] [--play random]
// (--play random: the backbones pretrained on uniformly random play, models/<env>-backbone-<kind>-random.*; by
// default those of RANDOM_PLAY_ENVS)
import { writeFileSync, renameSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { writeBlobFile } from "../tools/lib/format/blob-file.ts";
import { progress } from "../tools/lib/util/progress.ts";
import { BACKBONE_KINDS, type BackboneKind } from "../tools/lib/reference/backbone.ts";
import { inspectBlob } from "../tools/lib/format/blob-tensors.ts";
import {
  backboneBlob,
  pretrainBackbone,
  PRETRAIN_DEFAULTS,
  shippedSteps,
  type PretrainOptions,
} from "../tools/lib/train/pretrain.ts";
import { loadAgent } from "../tools/lib/runtime/wasm.ts";
import { repoRoot as root } from "../tools/lib/util/paths.ts";

const { values } = parseArgs({
  options: { env: { type: "string" }, kind: { type: "string" }, play: { type: "string" } },
});
const play = values.play === "random" ? "random" : "mixed";
if (values.play !== undefined && values.play !== play) throw new Error(`--play must be random, got '${values.play}'`);
/** The envs whose backbones ship, per data: the expert-mixed ones, and the random-play ones of the pretraining
 *  study (scripts/study-pretraining.ts, issue #16). */
const MIXED_ENVS = ["cartpole", "keydoor", "frozenlake"];
const RANDOM_PLAY_ENVS = ["cartpole", "acrobot", "mountaincar", "keydoor", "frozenlake", "textroom"];
const envs = (values.env ?? (play === "random" ? RANDOM_PLAY_ENVS : MIXED_ENVS).join(",")).split(",");
const kinds = (values.kind ?? BACKBONE_KINDS.join(",")).split(",") as BackboneKind[];

/** What a terminated episode means per env, for the card (cartpole's is a fall, frozenlake's a hole or the goal:
 *  not reported). */
const GOAL: Record<string, string> = {
  acrobot: "swung the tip above the line",
  mountaincar: "reached the flag",
  keydoor: "left through the door",
  textroom: "left through the door",
};

/** The shipped settings: PRETRAIN_DEFAULTS (docs/model.md), seed 1, the env's steps, for every kind. */
const settings = (env: string, kind: BackboneKind): PretrainOptions => ({
  ...PRETRAIN_DEFAULTS,
  kind,
  seed: 1,
  steps: shippedSteps(env),
  ...(play === "random" ? { play } : {}),
});

const mod = loadAgent("release");
for (const env of envs) {
  for (const kind of kinds) {
    const o = settings(env, kind);
    const name = `${env}-backbone-${kind}${play === "random" ? "-random" : ""}`;
    const bar = progress(name, o.steps);
    const t0 = Date.now();
    let last = 0;
    const res = pretrainBackbone(mod, env, o, (s, loss) => {
      last = loss;
      if (s % 20 === 19) bar.tick(s + 1, `loss ${loss.toFixed(3)}`);
    });
    bar.done();
    const secs = (Date.now() - t0) / 1000;
    const blob = backboneBlob(res, o);
    const path = join(root, "models", `${name}.bitrl`);
    const bytes = writeBlobFile(path, blob);
    const st = inspectBlob(blob, bytes.length);
    const tail = res.log.slice(-50).reduce((a, l) => a + l.loss, 0) / Math.min(50, res.log.length);
    const c = res.config;
    const playFlag = play === "random" ? " --play random" : "";
    const cmd = `bitrl pretrain --env ${env} --backbone ${kind} --steps ${o.steps} --seed ${o.seed}${playFlag} -o models/${name}.bitrl`;
    const policy =
      play === "random"
        ? "uniformly random actions only (no scripted play: the data does not contain the policy)"
        : "random actions with probability 1, 0.5, 0.2, 0.05 (cycling per episode) else a scripted policy";
    const goals = GOAL[env]
      ? `; ${res.terminatedEpisodes} of the ${o.episodes} training episodes ${GOAL[env]} (the rest hit the ${env} time limit)`
      : "";
    const card = `# ${name}

The ${kind} backbone for \`${env}\` (architecture: [docs/model.md](../docs/model.md)). Frozen; the RL head is trained on
its features (\`featTokens * dim\` = ${c.featTokens * c.dim} values).

| field | value |
|---|---|
| architecture | vocab ${c.vocab}, ctx ${c.ctx}, dim ${c.dim}, layers ${c.layers}, heads ${c.heads}, ffn ${c.ffn} (ReLU^2), features ${c.featTokens} positions x ${c.dim} |
| weights | ${kind === "fp32" ? "fp32 everywhere" : kind === "int8" ? "int8 absmax per row, int8 activations; embedding int8 per tensor" : kind === "ternary" ? "ternary absmean per tensor (t3 packing), int8 activations; embedding int8 per tensor" : "binary sign with absmean scale per tensor (stored t3), int8 activations; embedding int8 per tensor"} |
| data | transcripts of ${o.episodes} ${env} episodes (seeds ${o.seed * 100003}+e) played through build/agent.wasm, ${policy}${goals}; ${res.trainWindows} windows of ${o.ctx} tokens starting at an observation; validation: ${res.validWindows} windows from other seeds |
| training | ${o.steps} Adam steps, batch ${o.batch}, peak lr ${o.lr} (5% warm-up, cosine to 10%), grad-norm clip 1, ${kind === "fp32" ? "no quantization" : "exact QAT (the forward is the integer forward the board runs, every fixed-point step; straight-through gradients)"}, seed ${o.seed}; ${secs.toFixed(0)} s on this 2-core machine |
| loss (nats/token) | train ${tail.toFixed(3)} (mean of the last 50 steps), validation ${res.validLossExported.toFixed(3)} as shipped (reference forward on the exported weights; QAT forward ${res.validLoss.toFixed(3)}); uniform guess ${res.uniformLoss.toFixed(3)} |
| size | ${bytes.length} bytes; the same tensors in fp32: ${st.fp32_bytes} bytes; ratio ${st.ratio_vs_fp32.toFixed(2)}x${st.bits_per_weight ? `; ${st.bits_per_weight.toFixed(3)} bits per ternary weight incl. scales` : ""} |

Rebuild (same bytes): \`${cmd}\`, or every shipped backbone: \`node --import tsx scripts/build-models.ts${playFlag}\`.
`;
    const cardPath = join(root, "models", `${name}.md`);
    writeFileSync(cardPath + ".tmp", card);
    renameSync(cardPath + ".tmp", cardPath);
    console.log(
      `${name}: ${bytes.length} bytes, ratio ${st.ratio_vs_fp32.toFixed(2)}x, valid ${res.validLossExported.toFixed(3)} (last ${last.toFixed(3)}), ${secs.toFixed(0)} s`,
    );
  }
}
