// `bitrl pretrain`: pretrain a backbone (next-token prediction on env transcripts, QAT) and write its blob.
import { BitrlError } from "../lib/util/errors.ts";
import { writeBlobFile } from "../lib/format/blob-file.ts";
import { progress } from "../lib/util/progress.ts";
import { BACKBONE_KINDS, type BackboneKind } from "../lib/reference/backbone.ts";
import { inspectBlob } from "../lib/format/blob-tensors.ts";
import { backboneBlob, pretrainBackbone, PRETRAIN_DEFAULTS, type PretrainOptions } from "../lib/train/pretrain.ts";
import { QAT_MODES, type QatMode } from "../lib/train/model.ts";
import { ENV_IDS, TRANSCRIPT_PLAYS, type TranscriptPlay } from "../lib/train/transcripts.ts";
import { loadAgent } from "../lib/runtime/wasm.ts";
import { intFlag, numberFlag, parseFlags, seedFlag, type Command } from "./command.ts";
import { JSON_FLAG, OUT_FLAG, valueFlags } from "./options.ts";
import { checkOutputFolder } from "../lib/util/files.ts";
import { ensureFortunes, readFortunes } from "../lib/lm/corpus.ts";
import { lmBlob, pretrainText } from "../lib/lm/pretrain-text.ts";

const d = PRETRAIN_DEFAULTS;

export const pretrainCommand: Command = {
  name: "pretrain",
  summary: "pretrain a ternary/int8/fp32/binary backbone on env transcripts (or a language model on text)",
  usage: `usage: bitrl pretrain --env ENV --backbone KIND -o FILE.bitrl [options]
       bitrl pretrain --corpus fortunes --backbone KIND -o FILE.bitrl [options]

Plays transcripts of ENV through build/agent.wasm (random and scripted play), trains the backbone of
docs/model.md on next-token prediction (QAT with straight-through estimators for int8/ternary/binary, plain
fp32 otherwise) and writes the blob atomically. Same seed and options, same bytes.
  --env ENV          ${Object.keys(ENV_IDS).join(" | ")}
  --corpus fortunes  a byte-level language model on Debian's fortunes instead (installed into .bitrl/cache on
                     first use; vocab 256; runs with 'bitrl generate', limits of docs/lm.md)
  --backbone KIND    ${BACKBONE_KINDS.join(" | ")}
  -o, --out FILE     output blob
  --steps N          optimizer steps (default ${d.steps})
  --seed S           seed for init, batches and transcripts (default ${d.seed})
  --batch B          windows per step (default ${d.batch})
  --lr X             peak Adam step size (default ${d.lr})
  --episodes N       transcript episodes for training (default ${d.episodes})
  --play WHO         who plays the transcripts: mixed (default: random actions with probability 1, 0.5, 0.2,
                     0.05 by episode, a scripted near-expert otherwise) | random (uniformly random actions only,
                     so the data does not contain the policy)
  --qat MODE         how QAT fakes the board's integer forward (int8/ternary/binary): exact (default: the
                     forward is the integer forward itself, every fixed-point step) | approx (fake int8
                     activations, q/k and probabilities only: how backbones without meta.qat were trained)
  --dim D --layers L --heads H --ffn F --ctx T   architecture (defaults ${d.dim}, ${d.layers}, ${d.heads}, ${d.ffn}, ${d.ctx})
  --json             print the summary as one JSON object`,
  async run(argv) {
    const v = parseFlags(this, argv, {
      ...valueFlags("env", "corpus", "backbone", "steps", "seed", "batch", "lr", "episodes", "play", "qat"),
      ...valueFlags("dim", "layers", "heads", "ffn", "ctx"),
      ...OUT_FLAG,
      ...JSON_FLAG,
    });
    if (!v) return 0;
    if (!v.env && !v.corpus) throw new BitrlError("missing --env or --corpus (see 'bitrl pretrain --help')");
    if (v.env && v.corpus) throw new BitrlError("give --env or --corpus, not both");
    if (v.corpus !== undefined && v.corpus !== "fortunes")
      throw new BitrlError(`--corpus must be 'fortunes', got '${v.corpus}'`);
    if (!v.out) throw new BitrlError("missing -o FILE (see 'bitrl pretrain --help')");
    checkOutputFolder(v.out); // before minutes of training
    const kind = (v.backbone ?? "ternary") as BackboneKind;
    if (!BACKBONE_KINDS.includes(kind))
      throw new BitrlError(`--backbone must be one of ${BACKBONE_KINDS.join(", ")}, got '${v.backbone}'`);
    const lr = numberFlag("lr", v.lr, d.lr, 0, 1, true);
    const play = (v.play ?? "mixed") as TranscriptPlay;
    if (!TRANSCRIPT_PLAYS.includes(play))
      throw new BitrlError(`--play must be one of ${TRANSCRIPT_PLAYS.join(", ")}, got '${v.play}'`);
    if (v.corpus && v.play !== undefined) throw new BitrlError("--play is for --env transcripts, not --corpus");
    const qat = (v.qat ?? "exact") as QatMode;
    if (!QAT_MODES.includes(qat)) throw new BitrlError(`--qat must be one of ${QAT_MODES.join(", ")}, got '${v.qat}'`);
    const o: PretrainOptions = {
      kind,
      lr,
      steps: intFlag("steps", v.steps, d.steps, 1),
      seed: seedFlag(v.seed, d.seed),
      batch: intFlag("batch", v.batch, d.batch, 1),
      episodes: intFlag("episodes", v.episodes, d.episodes, 1),
      dim: intFlag("dim", v.dim, d.dim, 2),
      layers: intFlag("layers", v.layers, d.layers, 1),
      heads: intFlag("heads", v.heads, d.heads, 1),
      ffn: intFlag("ffn", v.ffn, d.ffn, 1),
      ctx: intFlag("ctx", v.ctx, d.ctx, 2),
      ...(play === "random" ? { play } : {}),
      qat,
    };
    const bar = progress(`pretrain ${v.env ?? v.corpus} ${kind}`, o.steps);
    let avg = NaN;
    const onStep = (s: number, loss: number) => {
      avg = Number.isNaN(avg) ? loss : 0.95 * avg + 0.05 * loss;
      if (s % 10 === 9 || s === o.steps - 1) bar.tick(s + 1, `loss ${avg.toFixed(3)}`);
    };
    let res, blob;
    if (v.corpus) {
      const dir = ensureFortunes((line) => process.stderr.write(`${line}\n`));
      const text = pretrainText(readFortunes(dir), o, onStep);
      res = text;
      blob = lmBlob(text, o, "debian fortunes");
    } else {
      const env = pretrainBackbone(loadAgent("release"), v.env!, o, onStep);
      res = env;
      blob = backboneBlob(env, o);
    }
    bar.done(`loss ${avg.toFixed(3)}`);
    const bytes = writeBlobFile(v.out, blob);
    const stats = inspectBlob(blob, bytes.length);
    const summary = {
      file: v.out,
      env: v.env ?? null,
      corpus: v.corpus ?? null,
      kind,
      steps: o.steps,
      seed: o.seed,
      play: v.corpus ? null : play,
      train_windows: res.trainWindows,
      final_train_loss: Number(avg.toFixed(4)),
      valid_loss_qat: Number(res.validLoss.toFixed(4)),
      valid_loss_exported: Number(res.validLossExported.toFixed(4)),
      uniform_loss: Number(res.uniformLoss.toFixed(4)),
      bytes: bytes.length,
      fp32_bytes: stats.fp32_bytes,
      ratio_vs_fp32: Number(stats.ratio_vs_fp32.toFixed(2)),
    };
    if (v.json) console.log(JSON.stringify(summary));
    else {
      console.log(`wrote ${v.out}: ${bytes.length} bytes (${summary.ratio_vs_fp32}x smaller than its tensors in fp32)`);
      console.log(
        `validation loss ${summary.valid_loss_exported} nats/token as shipped (QAT forward ${summary.valid_loss_qat}; uniform ${summary.uniform_loss})`,
      );
    }
    return 0;
  },
};
