// Agents on a board over the serial protocol: greedy evaluation and on-board training, matching V8 bit for bit.
import { BitrlError } from "../util/errors.ts";
import { encodeBlob } from "../format/blob.ts";
import type { Blob } from "../format/types.ts";
import { peakRamBytes } from "../board/ram.ts";
import type { Backend } from "../board/firmware-build.ts";
import { agentInfo, withHead } from "./blob.ts";
import { evalResult, type EvalResult } from "./eval.ts";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { writeFileAtomic } from "../util/files.ts";
import { ENV_SHAPES } from "./blob.ts";
import type { TrainOptions } from "./train.ts";
import { TrainPlan } from "./train-plan.ts";
import { modelId } from "../format/blob.ts";

export interface BoardEvalResult extends EvalResult {
  /** how the board was reached (e.g. "QEMU qemu-m4") */
  via: string;
  board: string;
  /** the engine that ran the module there (the firmware's `info`: wasm3, wasm3+native, aot or wamr) */
  backend: string;
  /** board clock ticks per episode (instructions on QEMU boards, cycles on real ones) and their unit */
  ticks: number[];
  steps: number[];
  tick_unit: string;
  /** the firmware's RAM accounting after the episodes (bytes): its budget, what the image links, the peak in use */
  ram: {
    budget: number;
    linked: number;
    peak: number;
    fits: boolean;
    /** wasm3's value stack: its size and the most any call wrote (bytes); null for engines without one */
    stack: { bytes: number; peak: number } | null;
  };
}

/**
 * Greedy evaluation on a board through the firmware's `episode` command (agent_episode there): uploads the
 * agent blob, then episode i with reset seed `seed + i`. The board module is the same wasm, so returns match V8's.
 */
export async function evaluateOnBoard(
  boardId: string,
  blob: Blob,
  episodes: number,
  seed: number,
  opts: { port?: string; flashPath?: string; backend?: Backend } = {},
): Promise<BoardEvalResult> {
  const info = agentInfo(blob);
  const { withBoard } = await import("../board/session.ts"); // loaded only when a board is asked for
  return withBoard(boardId, { port: opts.port, flashPath: opts.flashPath, backend: opts.backend }, async (s) => {
    await s.client.loadModel(encodeBlob(blob));
    const returns: number[] = [],
      ticks: number[] = [],
      steps: number[] = [],
      terminated: boolean[] = [];
    for (let i = 0; i < episodes; i++) {
      const r = await s.client.episode((seed + i) | 0, 0, true);
      returns.push(r.return);
      ticks.push(r.ticks);
      steps.push(r.steps);
      terminated.push(r.terminated);
    }
    const unit = s.info.clock_unit;
    const r = (await s.client.info()).ram;
    const peak = peakRamBytes(r);
    const ram = {
      budget: r.budget,
      linked: r.linked,
      peak,
      fits: r.budget > 0 ? Math.max(peak, r.linked) <= r.budget : true,
      stack: r.wasm3_stack ?? null,
    };
    return {
      ...evalResult(info.env, returns, terminated),
      via: s.via,
      board: boardId,
      backend: s.info.backend,
      ticks,
      steps,
      tick_unit: unit,
      ram,
    };
  });
}

export interface BoardTrainResult {
  blob: Blob;
  curve: number[];
  curveSteps: number[];
  /** environment steps used (training and checks) */
  steps: number;
  /** board clock ticks per agent_train call, and their unit */
  ticks: number[];
  tick_unit: string;
  via: string;
  /** the kept head's check (null without checks) */
  kept: TrainPlan["best"];
  /** checkpoints written to the board's inactive slot */
  checkpoints: number;
  /** set when this run went on from a checkpoint a killed run left on the board */
  resumedAt: { steps: number; episodes: number } | null;
}

export interface BoardTrainOptions extends Pick<TrainOptions, "chunk" | "steps" | "select" | "onProgress"> {
  port?: string;
  backend?: Backend;
  /** file backing an emulated or host board's model flash (default .bitrl/<board>/flash.bin) */
  flashPath?: string;
  /**
   * file recording the run's progress at each checkpoint (default .bitrl/<board>/train-resume.json for emulated
   * and host boards); a run with the same start, seed and budget finds it, checks that the board's active model is
   * that checkpoint, and goes on from there. Removed when the run ends. null: neither written nor read
   */
  resumeFile?: string | null;
}

/**
 * RAM budgets up to this leave wasm3 too little fixed heap for PPO (emulated on qemu-m4, 256 KiB: greedy play of the
 * ternary agent peaks at 233,376 B of the 245,760 B heap, REINFORCE training at 237,680 B; PPO's update adds ~8.5 KB
 * more compiled code; docs/agents.md).
 */
const PPO_WASM3_MIN_BUDGET = 262_144;

interface ResumeState {
  key: string;
  /** the checkpoint's model id (format/blob.ts modelId), as the board reports its active model */
  modelId: string;
  plan: ReturnType<TrainPlan["snapshot"]>;
  head: number[];
}

/**
 * Trains on a board by the same TrainPlan as trainAgent (the firmware's `train` command runs agent_train there;
 * checks run `episode`), so the curve and the head match V8 bit for bit. A new best check is a checkpoint: the
 * agent with that head goes to the board's inactive model slot (load-model: verified, then committed, so it
 * survives a power cut) and the board goes on training from it, as trainAgent does in V8.
 */
export async function trainOnBoard(
  boardId: string,
  start: Blob,
  seed: number,
  episodes: number,
  opts: BoardTrainOptions = {},
): Promise<BoardTrainResult> {
  const { withBoard } = await import("../board/session.ts"); // loaded only when a board is asked for
  const info = agentInfo(start);
  return withBoard(boardId, { port: opts.port, backend: opts.backend, flashPath: opts.flashPath }, async (s) => {
    const heap = s.info.ram?.wasm3_heap;
    if (
      info.train.algo === "ppo" &&
      s.info.backend === "wasm3" &&
      typeof heap === "number" &&
      heap > 0 &&
      s.info.ram.budget > 0 &&
      s.info.ram.budget <= PPO_WASM3_MIN_BUDGET
    ) {
      throw new BitrlError(
        `${boardId} runs wasm3 in a fixed heap of a ${s.info.ram.budget}-byte RAM budget, too small for PPO's compiled update next to the backbone (docs/agents.md); train with --backend aot, or --algo reinforce`,
      );
    }
    const chunk = Math.max(1, Math.min(opts.chunk ?? 50, Math.floor((s.info.max_payload - 16) / 8)));
    const plan = new TrainPlan({
      seed,
      episodes,
      steps: opts.steps ?? Infinity,
      chunk,
      envMaxSteps: ENV_SHAPES[info.env].maxSteps,
      select: opts.select,
    });
    const resumePath =
      opts.resumeFile === undefined
        ? s.flashPath
          ? join(dirname(s.flashPath), "train-resume.json")
          : null
        : opts.resumeFile;
    const startBytes = encodeBlob(start);
    const key = `${modelId(startBytes)}:${seed}:${episodes}:${opts.steps ?? "-"}:${chunk}:${JSON.stringify(opts.select ?? null)}`;
    const ioBase = await s.client.ioBase();
    const i32 = async (name: string, args: number[]) => {
      const v = (await s.client.kernel(name, args)).value.value as number;
      if (v < 0) throw new BitrlError(`${name}(${args.join(", ")}) failed on the board (${v})`);
      return v;
    };
    const readHead = async () => {
      const raw = await s.client.memRead(await i32("agent_head_ptr", []), await i32("agent_head_bytes", []));
      return new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.length));
    };
    // after load-model the firmware runs agent_load on the next agent command: one greedy act makes it happen now
    const reloadAt = async (trainedSteps: number) => {
      await s.client.infer(new Float32Array(ENV_SHAPES[info.env].obs));
      await i32("agent_set_trained_steps", [trainedSteps]);
    };
    let kept: Float32Array | null = null;
    let resumedAt: BoardTrainResult["resumedAt"] = null;
    const saved =
      resumePath && existsSync(resumePath) ? (JSON.parse(readFileSync(resumePath, "utf8")) as ResumeState) : null;
    const active = s.info.model;
    if (saved && saved.key === key && active && active.model_id === saved.modelId) {
      plan.restore(saved.plan);
      kept = Float32Array.from(saved.head);
      await reloadAt(plan.trainedSteps);
      resumedAt = { steps: plan.used, episodes: plan.curve.length };
    } else {
      await s.client.loadModel(startBytes);
      await reloadAt(0);
    }
    const ticks: number[] = [];
    let checkpoints = 0;
    for (let call = plan.next(); call; call = plan.next()) {
      if (call.op === "train") {
        if (call.budget !== null) await i32("agent_set_budget", [Math.min(call.budget, 0x7fffffff)]);
        const r = await s.client.train(call.seed, call.episodes);
        if (r.episodes < 0 || r.episodes > call.episodes)
          throw new BitrlError(`board train(${call.episodes}) failed (${r.episodes})`);
        const raw = await s.client.memRead(ioBase, 8 * call.episodes);
        const dv = new DataView(raw.buffer, raw.byteOffset, raw.length);
        const returns = Array.from({ length: r.episodes }, (_, i) => dv.getFloat32(4 * i, true));
        const steps = Array.from({ length: r.episodes }, (_, i) => dv.getInt32(4 * (call.episodes + i), true));
        plan.trained(returns, steps);
        ticks.push(r.ticks);
        opts.onProgress?.(
          Number.isFinite(plan.o.steps) ? plan.used : plan.curve.length,
          returns[returns.length - 1] ?? 0,
        );
      } else {
        const eps = [];
        for (let i = 0; i < call.seeds.length; i++)
          eps.push(await s.client.episode(call.seeds[i], call.maxSteps[i], true));
        if (
          plan.checked(
            eps.map((e) => e.return),
            eps.map((e) => e.steps),
          )
        ) {
          kept = await readHead();
          const bytes = encodeBlob(withHead(start, kept));
          await s.client.loadModel(bytes);
          await reloadAt(plan.trainedSteps);
          checkpoints++;
          if (resumePath)
            writeFileAtomic(
              resumePath,
              new TextEncoder().encode(
                JSON.stringify({
                  key,
                  modelId: modelId(bytes),
                  plan: plan.snapshot(),
                  head: Array.from(kept),
                } satisfies ResumeState),
              ),
            );
        }
      }
    }
    const head = kept ?? (await readHead());
    if (resumePath && existsSync(resumePath)) rmSync(resumePath);
    return {
      blob: withHead(start, head),
      curve: plan.curve,
      curveSteps: plan.curveSteps,
      steps: plan.used,
      ticks,
      tick_unit: s.info.clock_unit,
      via: s.via,
      kept: plan.best,
      checkpoints,
      resumedAt,
    };
  });
}
