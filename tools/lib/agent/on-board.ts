// Agents on a board over the serial protocol: greedy evaluation and on-board training, matching V8 bit for bit.
import { BitrlError } from "../util/errors.ts";
import { encodeBlob } from "../format/blob.ts";
import type { Blob } from "../format/types.ts";
import { peakRamBytes } from "../board/ram.ts";
import type { Backend } from "../board/firmware-build.ts";
import { agentInfo, withHead } from "./blob.ts";
import { meanStd, type EvalResult } from "./eval.ts";
import { chunkSeed } from "./train.ts";

export interface BoardEvalResult extends EvalResult {
  /** how the board was reached (e.g. "QEMU qemu-m4") */
  via: string;
  board: string;
  /** the engine that ran the module there (the firmware's `info`: wasm3, aot or wamr) */
  backend: string;
  /** board clock ticks per episode (instructions on QEMU boards, cycles on real ones) and their unit */
  ticks: number[];
  steps: number[];
  tick_unit: string;
  /** the firmware's RAM accounting after the episodes (bytes): its budget, what the image links, the peak in use */
  ram: { budget: number; linked: number; peak: number; fits: boolean };
}

/**
 * Greedy evaluation on a board through the firmware's `episode` command (agent_episode there): uploads the
 * agent blob, then episode i with reset seed `seed + i`. The board module is the same wasm, so returns match V8's.
 */
export async function evaluateOnBoard(boardId: string, blob: Blob, episodes: number, seed: number, opts: { port?: string; flashPath?: string; backend?: Backend } = {}): Promise<BoardEvalResult> {
  const info = agentInfo(blob);
  const { withBoard } = await import("../board/session.ts"); // loaded only when a board is asked for
  return withBoard(boardId, { port: opts.port, flashPath: opts.flashPath, backend: opts.backend }, async (s) => {
    await s.client.loadModel(encodeBlob(blob));
    const returns: number[] = [], ticks: number[] = [], steps: number[] = [];
    for (let i = 0; i < episodes; i++) {
      const r = await s.client.episode((seed + i) | 0, 0, true);
      returns.push(r.return);
      ticks.push(r.ticks);
      steps.push(r.steps);
    }
    const unit = s.info.clock_unit;
    const r = (await s.client.info()).ram;
    const peak = peakRamBytes(r);
    const ram = { budget: r.budget, linked: r.linked, peak, fits: r.budget > 0 ? Math.max(peak, r.linked) <= r.budget : true };
    return { env: info.env, episodes, ...meanStd(returns), returns, via: s.via, board: boardId, backend: s.info.backend, ticks, steps, tick_unit: unit, ram };
  });
}

export interface BoardTrainResult {
  blob: Blob;
  curve: number[];
  /** board clock ticks per agent_train call, and their unit */
  ticks: number[];
  tick_unit: string;
  via: string;
}

/**
 * Trains on a board (the firmware's `train` command runs agent_train there) in the same chunks and seeds as
 * trainAgent, so the curve and the head match V8 bit for bit; the head is read back from agent_head_ptr.
 */
export async function trainOnBoard(boardId: string, start: Blob, seed: number, episodes: number, opts: { port?: string; flashPath?: string; backend?: Backend; chunk?: number; onProgress?: (done: number, last: number) => void } = {}): Promise<BoardTrainResult> {
  const { withBoard } = await import("../board/session.ts"); // loaded only when a board is asked for
  return withBoard(boardId, { port: opts.port, flashPath: opts.flashPath, backend: opts.backend }, async (s) => {
    await s.client.loadModel(encodeBlob(start));
    const chunk = Math.max(1, Math.min(opts.chunk ?? 50, Math.floor((s.info.max_payload - 16) / 4)));
    const curve: number[] = [], ticks: number[] = [];
    for (let done = 0; done < episodes; ) {
      const n = Math.min(chunk, episodes - done);
      const r = await s.client.train(chunkSeed(seed, done), n);
      if (r.episodes !== n || r.returns.length !== n) throw new BitrlError(`board train(${n}) ran ${r.episodes} episodes, returned ${r.returns.length} returns`);
      curve.push(...r.returns);
      ticks.push(r.ticks);
      done += n;
      opts.onProgress?.(done, r.returns[n - 1]);
    }
    const ptr = (await s.client.kernel("agent_head_ptr", [])).value.value as number;
    const bytes = (await s.client.kernel("agent_head_bytes", [])).value.value as number;
    const raw = await s.client.memRead(ptr, bytes);
    const head = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + bytes));
    return { blob: withHead(start, head), curve, ticks, tick_unit: s.info.clock_unit, via: s.via };
  });
}
