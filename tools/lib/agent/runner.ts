// One agent module instance in V8 with an agent blob loaded: episodes, on-module training, actions, the head.
import { BitrlError } from "../util/errors.ts";
import { encodeBlob } from "../format/blob.ts";
import type { Blob } from "../format/types.ts";
import { loadAgent, type AgentHostOptions, type AgentModule } from "../runtime/wasm.ts";

/** The agent module for host runs (tools/lib/runtime/wasm.ts finds build/ from sources and from the bundled CLI alike). */
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
    if (this.mod.fn.agent_load() !== 0) throw new BitrlError(`agent_load failed: ${this.mod.logs.at(-1) ?? "no message"}`);
  }
  private dv(): DataView {
    return new DataView(this.mod.memory.buffer);
  }
  /** agent_episode: one seeded episode (greedy or sampled), at most maxSteps (0 = the env's limit). */
  episode(seed: number, greedy: boolean, maxSteps = 0): EpisodeResult {
    const steps = this.mod.fn.agent_episode(seed | 0, maxSteps, greedy ? 1 : 0);
    if (steps < 0) throw new BitrlError(`agent_episode failed (${steps})`);
    const dv = this.dv(), io = this.mod.ioBase;
    return { steps, return: dv.getFloat64(io, true), terminated: dv.getInt32(io + 8, true) === 1, truncated: dv.getInt32(io + 12, true) === 1 };
  }
  /** agent_train: `episodes` training episodes from seed; the return of each. */
  train(seed: number, episodes: number): number[] {
    const n = this.mod.fn.agent_train(seed | 0, episodes);
    if (n !== episodes) throw new BitrlError(`agent_train(${seed}, ${episodes}) failed (${n})`);
    return Array.from(new Float32Array(this.mod.memory.buffer, this.mod.ioBase, n));
  }
  /** agent_act on one observation. */
  act(obs: ArrayLike<number>): number {
    new Float32Array(this.mod.memory.buffer, this.mod.ioBase, obs.length).set(obs);
    return this.mod.fn.agent_act(this.mod.ioBase);
  }
  /** Replaces the head's parameters in the module (a checkpoint's bytes); Adam's moments stay. */
  setHead(head: Float32Array): void {
    const ptr = this.mod.fn.agent_head_ptr(), bytes = this.mod.fn.agent_head_bytes();
    if (head.byteLength !== bytes) throw new BitrlError(`head of ${head.byteLength} bytes, the module's is ${bytes}`);
    new Float32Array(this.mod.memory.buffer, ptr, head.length).set(head);
  }
  /** A copy of the head's parameters (agent_head_ptr / agent_head_bytes). */
  head(): Float32Array {
    const ptr = this.mod.fn.agent_head_ptr(), bytes = this.mod.fn.agent_head_bytes();
    return new Float32Array(this.mod.memory.buffer.slice(ptr, ptr + bytes));
  }
}
