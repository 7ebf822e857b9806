// `bitrl train`: trains an agent's head inside the wasm module (REINFORCE with baseline) over several seeds and
// writes the best agent atomically.
import { appendRun } from "../lib/report/runlog.ts";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { ENV_NAMES } from "../lib/reference/envs.ts";
import { backboneKindOf, buildAgentBlob, DEFAULT_RUN, defaultTrain, envIdOf, meanStd, trainOnBoard, trainSeeds, type TrainConfig } from "../lib/agent/index.ts";
import { BitrlError } from "../lib/util/errors.ts";
import { readBlobFile, writeBlobFile } from "../lib/format/blob-file.ts";
import { progress } from "../lib/util/progress.ts";
import { intFlag, parseCommandArgs, type Command } from "./command.ts";
import { mean } from "../lib/util/stats.ts";

function numberFlag(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n)) throw new BitrlError(`--${name} must be a number, got '${value}'`);
  return n;
}

export const trainCommand: Command = {
  name: "train",
  summary: "train an agent's head on a frozen backbone (policy gradient inside the wasm module)",
  usage: `usage: bitrl train --env E --backbone FILE|none [--seeds N] [--episodes K] [--hidden H] [--out FILE] [--json]

For each seed 1..N: builds the agent (backbone tensors + agent.config + agent.hparams + head.params), runs K
training episodes with agent_train (REINFORCE with a learned baseline, Adam; docs/agents.md) in build/agent.wasm
under Node (V8), then 20 greedy episodes (reset seeds 1000000 + i). Writes the agent with the best greedy mean
(the first on ties) to --out (temp file, then rename) and reports every seed's curve.
  --env E            ${ENV_NAMES.join(", ")}
  --backbone FILE    backbone blob (from the backbone tools), or 'none' for the one-hot baseline
  --seeds N          seeds to train (default 1)
  --episodes K       training episodes per seed (default with a backbone / with none: cartpole
                     ${DEFAULT_RUN.cartpole.backboneEpisodes} / ${DEFAULT_RUN.cartpole.episodes}, keydoor ${DEFAULT_RUN.keydoor.backboneEpisodes} / ${DEFAULT_RUN.keydoor.episodes}, frozenlake ${DEFAULT_RUN.frozenlake.backboneEpisodes} / ${DEFAULT_RUN.frozenlake.episodes})
  --hidden H         hidden ReLU units in the head, 0 = linear (default 0; keydoor with none ${DEFAULT_RUN.keydoor.hidden})
  --lr X, --gamma X, --entropy X, --batch N, --lr-decay X   override the defaults (docs/agents.md)
  --select-every N   every N episodes (a multiple of 50), run 10 greedy episodes on seeds 2000000 + i and keep the
                     best head seen (default 100; 0 = keep the last head)
  --eval-episodes M  greedy episodes after training (default 20)
  --out FILE         default models/<env>-<backbone kind>.bitrl
  --board B          train on a board instead (qemu-m4 emulated, host, or a real one with --port): one seed,
                     the firmware's train command runs agent_train there; same curve and head as in V8
                     (the last head is written: no checkpoint selection on a board)
  --port P           serial port of a real board
  --json             one JSON line: env, backbone, out, best_seed, seeds [{seed, curve, eval_mean_return, ...}]`,
  async run(argv) {
    const args = parseCommandArgs(this, argv, {
      env: { type: "string" }, backbone: { type: "string" }, seeds: { type: "string" }, episodes: { type: "string" },
      hidden: { type: "string" }, out: { type: "string" }, json: { type: "boolean" }, lr: { type: "string" },
      gamma: { type: "string" }, entropy: { type: "string" }, batch: { type: "string" }, "lr-decay": { type: "string" }, "eval-episodes": { type: "string" }, "select-every": { type: "string" },
      board: { type: "string" }, port: { type: "string" },
    });
    if (!args) return 0;
    if (args.positionals.length) throw new BitrlError(`unexpected argument '${args.positionals[0]}'`);
    if (!args.values.env) throw new BitrlError("missing --env (one of " + ENV_NAMES.join(", ") + ")");
    if (!args.values.backbone) throw new BitrlError("missing --backbone FILE (or 'none' for the one-hot baseline)");
    const env = envIdOf(args.values.env);
    const backbone = args.values.backbone === "none" ? null : readBlobFile(args.values.backbone);
    const kind = backboneKindOf(backbone);
    const seeds = intFlag("seeds", args.values.seeds, 1, 1);
    const run = DEFAULT_RUN[env];
    const episodes = intFlag("episodes", args.values.episodes, backbone ? run.backboneEpisodes : run.episodes, 1);
    const hidden = intFlag("hidden", args.values.hidden, backbone ? run.backboneHidden : run.hidden, 0);
    const evalEpisodes = intFlag("eval-episodes", args.values["eval-episodes"], 20, 1);
    const selectEvery = intFlag("select-every", args.values["select-every"], 100, 0);
    if (selectEvery % 50 !== 0) throw new BitrlError(`--select-every must be a multiple of 50 (the training chunk), got ${selectEvery}`);
    const select = selectEvery > 0 ? { every: selectEvery, episodes: 10 } : undefined;
    const d = defaultTrain(env, backbone ? "blob" : "none");
    const train: TrainConfig = {
      ...d,
      lr: numberFlag("lr", args.values.lr, d.lr),
      gamma: numberFlag("gamma", args.values.gamma, d.gamma),
      entropy: numberFlag("entropy", args.values.entropy, d.entropy),
      batch: intFlag("batch", args.values.batch, d.batch, 1),
      lrDecay: numberFlag("lr-decay", args.values["lr-decay"], d.lrDecay),
    };
    const out = args.values.out ?? `models/${env}-${kind}.bitrl`;
    if (args.values.board !== undefined) {
      if (seeds !== 1) throw new BitrlError("--board trains one seed (drop --seeds or use 1)");
      const start = buildAgentBlob({ env, backbone, hidden, train, initSeed: 1, meta: { backbone_file: args.values.backbone } });
      const bar = progress(`train ${env} on ${args.values.board}`, episodes);
      const r = await trainOnBoard(args.values.board, start, 1, episodes, { port: args.values.port, onProgress: (d, last) => bar.tick(d, `return ${last.toFixed(1)}`) });
      bar.done();
      const blob = { ...r.blob, meta: { ...r.blob.meta, training: { seed: 1, episodes, seeds: 1, runtime: `wasm3 on ${args.values.board} (${r.via})` } } };
      mkdirSync(dirname(out), { recursive: true });
      writeBlobFile(out, blob);
      const ticks = r.ticks.reduce((a, t) => a + t, 0);
      appendRun("train", { env, agent: `${kind} (on ${args.values.board})`, seed: 1, returns: r.curve, runtime: `wasm3 on ${args.values.board}`, ticks, tick_unit: r.tick_unit });
      if (args.values.json) {
        console.log(JSON.stringify({ env, backbone: kind, out, episodes, best_seed: 1, runtime: `wasm3 on ${args.values.board}`, via: r.via, ticks, tick_unit: r.tick_unit, seeds: [{ seed: 1, curve: r.curve }] }));
      } else {
        const last = meanStd(r.curve.slice(-Math.min(50, r.curve.length))).mean_return;
        console.log(`trained on ${args.values.board} (${r.via}): last-50 mean return ${last.toFixed(2)}, ${ticks} ${r.tick_unit}`);
        console.log(`wrote ${out} (backbone ${kind}); evaluate: bitrl eval --env ${env} --model ${out}`);
      }
      return 0;
    }
    const bar = progress(`train ${env}`, seeds * episodes);
    const result = trainSeeds(env, backbone, {
      seeds, episodes, hidden, train, evalEpisodes, select,
      onProgress: (done, note) => bar.tick(done, note),
      meta: { backbone_file: args.values.backbone },
    });
    bar.done();
    mkdirSync(dirname(out), { recursive: true });
    writeBlobFile(out, result.blob);
    const best = result.runs[result.best];
    for (const r of result.runs) appendRun("train", { env, agent: kind, seed: r.seed, returns: r.curve, evalMeanReturn: r.eval.mean_return, runtime: "wasm (V8)" });
    if (args.values.json) {
      console.log(JSON.stringify({
        env, backbone: kind, out, episodes, best_seed: best.seed, runtime: "wasm (V8)",
        seeds: result.runs.map((r) => ({ seed: r.seed, curve: r.curve, eval_mean_return: r.eval.mean_return, eval_std_return: r.eval.std_return, eval_returns: r.eval.returns })),
      }));
      return 0;
    }
    const tail = (c: number[]) => c.slice(-Math.min(50, c.length));
    console.log(`seed  first-50 mean  last-50 mean  greedy eval (${evalEpisodes} eps)`);
    for (const r of result.runs) {
      console.log(`${String(r.seed).padStart(4)}  ${mean(r.curve.slice(0, 50)).toFixed(2).padStart(13)}  ${mean(tail(r.curve)).toFixed(2).padStart(12)}  ${r.eval.mean_return.toFixed(2)} +- ${r.eval.std_return.toFixed(2)}`);
    }
    console.log(`wrote ${out} (seed ${best.seed}, backbone ${kind})`);
    return 0;
  },
};
