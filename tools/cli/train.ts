// `bitrl train`: trains an agent's head inside the wasm module (PPO or REINFORCE) over several seeds and writes
// the best agent atomically.
import { appendRun } from "../lib/report/runlog.ts";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { ENV_NAMES } from "../lib/reference/envs.ts";
import {
  ALGOS,
  backboneKindOf,
  buildAgentBlob,
  DEFAULT_PPO,
  DEFAULT_RUN,
  defaultTrain,
  envIdOf,
  meanStd,
  REINFORCE_SELECT,
  trainOnBoard,
  trainSeeds,
  type Algo,
  type TrainConfig,
} from "../lib/agent/index.ts";
import { BitrlError } from "../lib/util/errors.ts";
import { readBlobFile, writeBlobFile } from "../lib/format/blob-file.ts";
import { f32Tensor } from "../lib/format/blob-tensors.ts";
import { progress } from "../lib/util/progress.ts";
import { backendFlag, intFlag, numberFlag, parseFlags, type Command } from "./command.ts";
import { BOARD_FLAGS, JSON_FLAG, valueFlags } from "./options.ts";
import { mean } from "../lib/util/stats.ts";
import { checkOutputFolder, refuseOutputOverInput } from "../lib/util/files.ts";

export const trainCommand: Command = {
  name: "train",
  summary: "train an agent's head on a frozen backbone (PPO or REINFORCE inside the wasm module)",
  usage: `usage: bitrl train --env E --backbone FILE|none [--algo ppo|reinforce] [--seeds N] [--steps S | --episodes K] [--out FILE] [--json]

For each seed 1..N: builds the agent (backbone tensors + agent.config + agent.hparams + head.params), trains its
head with agent_train in build/agent.wasm under Node (V8) (PPO-clip with GAE on a rollout of cached features, or
REINFORCE with a learned baseline; docs/agents.md), keeps the head of the best greedy check (seeds 2000000 + i),
then runs greedy episodes on reset seeds 1000000 + i (disjoint from training and checks). Writes the agent with
the best greedy mean (the first on ties) to --out (temp file, then rename) and reports every seed's curve.
  --env E            ${ENV_NAMES.join(", ")}
  --backbone FILE    backbone blob (from the backbone tools), or 'none' for the one-hot baseline
  --algo A           ppo (default) or reinforce
  --seeds N          seeds to train (default 1)
  --steps S          ppo: environment steps per seed, every training and check step counted (default cartpole
                     ${DEFAULT_RUN.cartpole.steps}, keydoor ${DEFAULT_RUN.keydoor.steps}, frozenlake ${DEFAULT_RUN.frozenlake.steps}, acrobot ${DEFAULT_RUN.acrobot.steps}, mountaincar ${DEFAULT_RUN.mountaincar.steps},
                     textroom ${DEFAULT_RUN.textroom.steps});
                     the step size anneals over it
  --episodes K       reinforce: training episodes per seed (default with a backbone / with none: cartpole
                     ${DEFAULT_RUN.cartpole.backboneEpisodes} / ${DEFAULT_RUN.cartpole.episodes}, keydoor ${DEFAULT_RUN.keydoor.backboneEpisodes} / ${DEFAULT_RUN.keydoor.episodes}, frozenlake ${DEFAULT_RUN.frozenlake.backboneEpisodes} / ${DEFAULT_RUN.frozenlake.episodes},
                     acrobot ${DEFAULT_RUN.acrobot.backboneEpisodes} / ${DEFAULT_RUN.acrobot.episodes}, mountaincar ${DEFAULT_RUN.mountaincar.backboneEpisodes} / ${DEFAULT_RUN.mountaincar.episodes},
                     textroom ${DEFAULT_RUN.textroom.backboneEpisodes} / ${DEFAULT_RUN.textroom.episodes})
  --hidden H         hidden ReLU units in the head, 0 = linear (default 0; keydoor and textroom with none ${DEFAULT_RUN.keydoor.hidden},
                     ${DEFAULT_RUN.textroom.hidden})
  --lr X, --gamma X, --entropy X   override the defaults (docs/agents.md)
  --rollout T        ppo: steps per rollout (default cartpole ${DEFAULT_PPO.cartpole.rollout}, keydoor ${DEFAULT_PPO.keydoor.rollout}, frozenlake ${DEFAULT_PPO.frozenlake.rollout}, acrobot ${DEFAULT_PPO.acrobot.rollout},
                     mountaincar ${DEFAULT_PPO.mountaincar.rollout}, textroom ${DEFAULT_PPO.textroom.rollout}; 0: the most that fit in the module's free memory; one that does
                     not fit is refused before training)
  --epochs N, --minibatches N      ppo: passes over a rollout and minibatches per pass
  --batch N, --lr-decay X          reinforce: episodes per update, step-size decay per update
  --select-every N   greedy checks every N training steps (ppo) or episodes (reinforce, a multiple of 50) keep
                     the best head seen (defaults: ppo per env, e.g. cartpole ${DEFAULT_RUN.cartpole.select.every} steps x ${DEFAULT_RUN.cartpole.select.episodes} episodes; reinforce
                     100 x 10; 0 = keep the last head)
  --select-episodes N  greedy episodes per check (seeds 2000000 + i; default ppo per env, e.g. cartpole
                     ${DEFAULT_RUN.cartpole.select.episodes}; reinforce 10): more make a perfect check harder to reach by luck
  --eval-episodes M  greedy episodes after training (default 20; not counted in --steps)
  --out FILE         default models/<env>-<backbone kind>.bitrl
  --board B          train on a board instead (qemu-m4 emulated, host, or a real one with --port): one seed,
                     the firmware's train command runs agent_train there; same calls, curve and head as in V8;
                     the best head is kept in the board's inactive model slot, and a run resumes from it
  --backend B        wasm3 (default) or aot: how the board runs the module (PPO needs aot on qemu-m4)
  --port P           serial port of a real board
  --json             one JSON line: env, backbone, out, hidden, best_seed, seeds [{seed, curve, eval_mean_return, ...,
                     head (V8 runs): the kept head.params as f32 little-endian bytes, base64}]`,
  async run(argv) {
    const v = parseFlags(this, argv, {
      ...valueFlags("env", "backbone", "seeds", "episodes", "hidden", "out"),
      ...valueFlags("lr", "gamma", "entropy", "batch", "lr-decay", "eval-episodes", "select-every"),
      ...valueFlags("select-episodes"),
      ...valueFlags("algo", "steps", "rollout", "epochs", "minibatches"),
      ...BOARD_FLAGS,
      ...JSON_FLAG,
    });
    if (!v) return 0;
    if (!v.env) throw new BitrlError("missing --env (one of " + ENV_NAMES.join(", ") + ")");
    if (!v.backbone) throw new BitrlError("missing --backbone FILE (or 'none' for the one-hot baseline)");
    const env = envIdOf(v.env);
    const algo = (v.algo ?? "ppo") as Algo;
    if (!ALGOS.includes(algo)) throw new BitrlError(`--algo must be one of ${ALGOS.join(", ")}, got '${v.algo}'`);
    const ppo = algo === "ppo";
    if (ppo && v.episodes !== undefined)
      throw new BitrlError("--episodes is for --algo reinforce; ppo trains by --steps");
    if (!ppo && v.steps !== undefined)
      throw new BitrlError("--steps is for --algo ppo; reinforce trains by --episodes");
    const backbone = v.backbone === "none" ? null : readBlobFile(v.backbone);
    const kind = backboneKindOf(backbone);
    const seeds = intFlag("seeds", v.seeds, 1, 1);
    const run = DEFAULT_RUN[env];
    const episodes = ppo
      ? Infinity
      : intFlag("episodes", v.episodes, backbone ? run.backboneEpisodes : run.episodes, 1);
    const steps = ppo ? intFlag("steps", v.steps, run.steps, 1) : undefined;
    const hidden = intFlag("hidden", v.hidden, backbone ? run.backboneHidden : run.hidden, 0);
    const evalEpisodes = intFlag("eval-episodes", v["eval-episodes"], 20, 1);
    const selectEvery = intFlag("select-every", v["select-every"], ppo ? run.select.every : REINFORCE_SELECT.every, 0);
    if (!ppo && selectEvery % 50 !== 0)
      throw new BitrlError(`--select-every must be a multiple of 50 (the training chunk), got ${selectEvery}`);
    const selectEpisodes = intFlag(
      "select-episodes",
      v["select-episodes"],
      ppo ? run.select.episodes : REINFORCE_SELECT.episodes,
      1,
    );
    if (selectEvery === 0 && v["select-episodes"] !== undefined)
      throw new BitrlError("--select-episodes needs checks (--select-every above 0)");
    const select =
      selectEvery === 0
        ? undefined
        : ppo
          ? { ...run.select, every: selectEvery, episodes: selectEpisodes }
          : { every: selectEvery, episodes: selectEpisodes };
    const d = defaultTrain(env, backbone ? "blob" : "none", algo);
    const train: TrainConfig = {
      ...d,
      lr: numberFlag("lr", v.lr, d.lr, 0, 1, true),
      gamma: numberFlag("gamma", v.gamma, d.gamma, 0, 1),
      entropy: numberFlag("entropy", v.entropy, d.entropy, 0, 1),
      batch: intFlag("batch", v.batch, d.batch, 1),
      lrDecay: numberFlag("lr-decay", v["lr-decay"], d.lrDecay, 0, 1, true),
      rollout: intFlag("rollout", v.rollout, d.rollout, 0),
      epochs: intFlag("epochs", v.epochs, d.epochs, 1),
      minibatches: intFlag("minibatches", v.minibatches, d.minibatches, 1),
      horizon: ppo ? (steps as number) : 0,
    };
    const out = v.out ?? `models/${env}-${kind}.bitrl`;
    if (v.backbone !== "none") refuseOutputOverInput(out, [v.backbone]);
    if (v.out !== undefined) checkOutputFolder(out);
    // the first fields of the --json line, on a board or in V8
    const summary = { env, backbone: kind, out, algo, hidden };
    if (v.board !== undefined) {
      if (seeds !== 1) throw new BitrlError("--board trains one seed (drop --seeds or use 1)");
      const start = buildAgentBlob({
        env,
        backbone,
        hidden,
        train,
        initSeed: 1,
        meta: { backbone_file: v.backbone },
      });
      const bar = progress(`train ${env} on ${v.board}`, steps ?? episodes);
      const r = await trainOnBoard(v.board, start, 1, episodes, {
        port: v.port,
        backend: backendFlag(v.backend),
        steps,
        select,
        onProgress: (d, last) => bar.tick(d, `return ${last.toFixed(1)}`),
      });
      bar.done();
      const runtime = `${backendFlag(v.backend)} on ${v.board}`;
      const blob = {
        ...r.blob,
        meta: {
          ...r.blob.meta,
          training: {
            seed: 1,
            episodes: r.curve.length,
            steps: r.steps,
            seeds: 1,
            runtime: `${runtime} (${r.via})`,
            select: select ?? null,
            kept: r.kept,
            resumed_at: r.resumedAt,
          },
        },
      };
      mkdirSync(dirname(out), { recursive: true });
      writeBlobFile(out, blob);
      const ticks = r.ticks.reduce((a, t) => a + t, 0);
      appendRun("train", {
        env,
        agent: `${kind} (on ${v.board})`,
        seed: 1,
        returns: r.curve,
        runtime,
        ticks,
        tick_unit: r.tick_unit,
      });
      if (v.json) {
        console.log(
          JSON.stringify({
            ...summary,
            steps: r.steps,
            episodes: r.curve.length,
            train,
            best_seed: 1,
            runtime,
            via: r.via,
            ticks,
            tick_unit: r.tick_unit,
            kept: r.kept,
            checkpoints: r.checkpoints,
            resumed_at: r.resumedAt,
            seeds: [{ seed: 1, curve: r.curve, curve_steps: r.curveSteps }],
          }),
        );
      } else {
        const last = meanStd(r.curve.slice(-Math.min(50, r.curve.length))).mean_return;
        if (r.resumedAt)
          console.log(
            `resumed from the checkpoint on the board at ${r.resumedAt.steps} steps (${r.resumedAt.episodes} episodes)`,
          );
        console.log(
          `trained on ${v.board} (${r.via}): ${r.steps} steps, ${r.curve.length} episodes, last-50 mean return ${last.toFixed(2)}, ${ticks} ${r.tick_unit}`,
        );
        if (r.kept)
          console.log(
            `kept the head of the best greedy check (mean ${r.kept.mean.toFixed(2)} at training step ${r.kept.atStep}); ${r.checkpoints} checkpoints written to the board's inactive slot`,
          );
        console.log(`wrote ${out} (backbone ${kind}); evaluate: bitrl eval --env ${env} --model ${out}`);
      }
      return 0;
    }
    const bar = progress(`train ${env}`, seeds * (steps ?? episodes));
    const result = trainSeeds(env, backbone, {
      seeds,
      episodes,
      steps,
      hidden,
      train,
      evalEpisodes,
      select,
      onProgress: (done, note) => bar.tick(done, note),
      meta: { backbone_file: v.backbone },
    });
    bar.done();
    mkdirSync(dirname(out), { recursive: true });
    writeBlobFile(out, result.blob);
    const best = result.runs[result.best];
    for (const r of result.runs)
      appendRun("train", {
        env,
        agent: kind,
        seed: r.seed,
        returns: r.curve,
        evalMeanReturn: r.eval.mean_return,
        runtime: "wasm (V8)",
      });
    if (v.json) {
      console.log(
        JSON.stringify({
          ...summary,
          steps: steps ?? null,
          episodes: ppo ? null : episodes,
          train,
          select: select ?? null,
          best_seed: best.seed,
          runtime: "wasm (V8)",
          mean_eval_return: meanStd(result.runs.map((r) => r.eval.mean_return)).mean_return,
          seeds: result.runs.map((r) => ({
            seed: r.seed,
            steps: r.steps,
            episodes: r.curve.length,
            curve: r.curve,
            curve_steps: r.curveSteps,
            eval_mean_return: r.eval.mean_return,
            eval_std_return: r.eval.std_return,
            eval_success_rate: r.eval.success_rate,
            eval_returns: r.eval.returns,
            head: Buffer.from(f32Tensor("head.params", [r.head.length], r.head).data).toString("base64"),
          })),
        }),
      );
      return 0;
    }
    const tail = (c: number[]) => c.slice(-Math.min(50, c.length));
    console.log(`seed  steps    episodes  first-50 mean  last-50 mean  greedy eval (${evalEpisodes} eps)`);
    for (const r of result.runs) {
      console.log(
        `${String(r.seed).padStart(4)}  ${String(r.steps).padStart(7)}  ${String(r.curve.length).padStart(8)}  ${mean(r.curve.slice(0, 50)).toFixed(2).padStart(13)}  ${mean(tail(r.curve)).toFixed(2).padStart(12)}  ${r.eval.mean_return.toFixed(2)} +- ${r.eval.std_return.toFixed(2)}`,
      );
    }
    console.log(
      `mean greedy eval over ${result.runs.length} seeds: ${meanStd(result.runs.map((r) => r.eval.mean_return)).mean_return.toFixed(2)} (${algo})`,
    );
    console.log(`wrote ${out} (seed ${best.seed}, backbone ${kind})`);
    return 0;
  },
};
