// One agent module instance in V8 with an agent blob loaded: episodes, on-module training, actions, the head.
import { BitrlError } from "../util/errors.ts";
import { encodeBlob } from "../format/blob.ts";
import type { Blob } from "../format/types.ts";
import { loadAgent, type AgentHostOptions, type AgentModule } from "../runtime/wasm.ts";
import type { EnvName } from "../reference/envs.ts";
import { agentInfo } from "./blob.ts";

/**
 * Linear memory (64 KiB pages) host runs give an env's agents before agent_load, where the module's own 128 KiB
 * are too little to train: textroom's backbone agents read 15 positions x 40 features, and their PPO state and
 * 160-step rollout (~150 KiB beside the backbone) fit no board's memory, so they train on the host only. The
 * other envs keep the module's memory (their "most that fit" rollouts are sized by it).
 */
export const HOST_MEMORY_PAGES: Partial<Record<EnvName, number>> = { textroom: 6 };

/** The env an agent blob names, or null (not a valid agent blob: agent_load will say why). */
function agentEnv(blob: Blob): EnvName | null {
  try {
    return agentInfo(blob).env;
  } catch {
    return null;
  }
}

/** The agent module for host runs (tools/lib/wasm.ts finds build/ from sources and from the bundled CLI alike). */
export function loadAgentModule(build: "release" | "debug" = "release", options: AgentHostOptions = {}): AgentModule {
  return loadAgent(build, options);
}

export interface EpisodeResult {
  steps: number;
  return: number;
  terminated: boolean;
  truncated: boolean;
}

/** One agent module instance with a blob loaded (agent_load done). */
export class AgentRunner {
  readonly mod: AgentModule;
  constructor(blob: Blob | Uint8Array, build: "release" | "debug" = "release") {
    const bytes = blob instanceof Uint8Array ? blob : encodeBlob(blob);
    this.mod = loadAgentModule(build, { blob: bytes });
    const env = blob instanceof Uint8Array ? null : agentEnv(blob);
    const pages = env ? (HOST_MEMORY_PAGES[env] ?? 0) : 0;
    const have = this.mod.memory.buffer.byteLength >> 16;
    if (pages > have) {
      if (!this.mod.memory.grow) throw new BitrlError(`this host cannot grow the module's memory for ${env}`);
      this.mod.memory.grow(pages - have);
    }
    if (this.mod.fn.agent_load() !== 0)
      throw new BitrlError(`agent_load failed: ${this.mod.logs.at(-1) ?? "no message"}`);
  }
  private dv(): DataView {
    return new DataView(this.mod.memory.buffer);
  }
  /** agent_episode: one seeded episode (greedy or sampled), at most maxSteps (0 = the env's limit). */
  episode(seed: number, greedy: boolean, maxSteps = 0): EpisodeResult {
    const steps = this.mod.fn.agent_episode(seed | 0, maxSteps, greedy ? 1 : 0);
    if (steps < 0) throw new BitrlError(`agent_episode failed (${steps})`);
    const dv = this.dv(),
      io = this.mod.ioBase;
    return {
      steps,
      return: dv.getFloat64(io, true),
      terminated: dv.getInt32(io + 8, true) === 1,
      truncated: dv.getInt32(io + 12, true) === 1,
    };
  }
  /** agent_train: up to `episodes` training episodes from seed (fewer when the step budget runs out); return and steps of each. */
  trainEpisodes(seed: number, episodes: number): { returns: number[]; steps: number[] } {
    const n = this.mod.fn.agent_train(seed | 0, episodes);
    if (n === -3) throw new BitrlError(`cannot train: ${this.mod.logs.at(-1) ?? "no message"}`);
    if (n < 0 || n > episodes) throw new BitrlError(`agent_train(${seed}, ${episodes}) failed (${n})`);
    const io = this.mod.ioBase;
    return {
      returns: Array.from(new Float32Array(this.mod.memory.buffer, io, n)),
      steps: Array.from(new Int32Array(this.mod.memory.buffer, io + 4 * episodes, n)),
    };
  }
  /** agent_train: `episodes` training episodes from seed; the return of each. */
  train(seed: number, episodes: number): number[] {
    const r = this.trainEpisodes(seed, episodes);
    if (r.returns.length !== episodes)
      throw new BitrlError(`agent_train(${seed}, ${episodes}) ran ${r.returns.length} episodes`);
    return r.returns;
  }
  /** agent_set_budget: training steps later train calls may take in total (< 0: no limit). */
  setBudget(steps: number): void {
    if (this.mod.fn.agent_set_budget(Math.min(steps, 0x7fffffff) | 0) !== 0)
      throw new BitrlError("agent_set_budget failed");
  }
  /** Training steps taken since agent_load. */
  trainedSteps(): number {
    return this.mod.fn.agent_trained_steps();
  }
  /** agent_set_trained_steps: the step clock (PPO's step-size schedule) after a restart from a checkpoint. */
  setTrainedSteps(steps: number): void {
    if (this.mod.fn.agent_set_trained_steps(steps | 0) !== 0) throw new BitrlError("agent_set_trained_steps failed");
  }
  /** PPO's rollout steps (0 for REINFORCE). Sets up the training state (the module does at the first train call
   *  otherwise): throws when it does not fit, before anything trains. */
  rolloutSteps(): number {
    const t = this.mod.fn.agent_rollout_steps();
    if (t === -3) throw new BitrlError(`cannot train: ${this.mod.logs.at(-1) ?? "no message"}`);
    return t;
  }
  /** agent_act on one observation. */
  act(obs: ArrayLike<number>): number {
    new Float32Array(this.mod.memory.buffer, this.mod.ioBase, obs.length).set(obs);
    return this.mod.fn.agent_act(this.mod.ioBase);
  }
  /** Replaces the head's parameters in the module (a checkpoint's bytes); Adam's moments stay. */
  setHead(head: Float32Array): void {
    const ptr = this.mod.fn.agent_head_ptr(),
      bytes = this.mod.fn.agent_head_bytes();
    if (head.byteLength !== bytes) throw new BitrlError(`head of ${head.byteLength} bytes, the module's is ${bytes}`);
    new Float32Array(this.mod.memory.buffer, ptr, head.length).set(head);
  }
  /** A copy of the head's parameters (agent_head_ptr / agent_head_bytes). */
  head(): Float32Array {
    const ptr = this.mod.fn.agent_head_ptr(),
      bytes = this.mod.fn.agent_head_bytes();
    return new Float32Array(this.mod.memory.buffer.slice(ptr, ptr + bytes));
  }
}
