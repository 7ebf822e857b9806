// One decision's cost (tokenize, backbone, head, env step) per backend and agent on an emulated or real board: a
// short greedy episode after a warm-up one (wasm3 compiles each function on its first call, which is not a
// per-decision cost). One boot per agent and backend: wasm3 keeps every function it compiled in its fixed heap, and
// two agents' forwards together do not fit a 256 KiB board. Used by the main job's summary (bench/model.ts still
// measures its decision row in its own per-stage session: a second copy of this episode pair, not yet folded in).
// With `stages`, a third episode runs with the backbone's stage counters on (assembly/model/profile.ts).
import { openBoard } from "./session.ts";
import type { Backend } from "./firmware-build.ts";
import type { BoardClient } from "./client.ts";

/** The backbone's profiled stages, in the order of the module's counters (assembly/model/profile.ts). */
export const STAGES = [
  "embedding",
  "RMSNorm + quantize",
  "matvec (tables, lookups, weights)",
  "outputs (rescale, residual, ReLU^2; own kernels: + q/k RoPE)",
  "RoPE",
  "attention q/k quantize",
  "attention (scores, softmax, v; imports: + RoPE, q/k quantize)",
  "quantize o / FFN hidden",
  "final norm (features)",
];

/** Runs `work` on the board with the backbone's stage counters on: its result, and each stage's ticks over all of it
 *  (STAGES order; the counters land at 4 KiB into the I/O arena). */
export async function withStageTicks<T>(
  client: BoardClient,
  work: () => Promise<T>,
): Promise<{ result: T; stages: number[] }> {
  const at = (await client.ioBase()) + 4096;
  await client.kernel("backbone_profile", [1, 0]);
  const result = await work();
  const prof = await client.kernel("backbone_profile", [0, at], at, 8 * STAGES.length);
  const dv = new DataView(prof.output!.buffer, prof.output!.byteOffset, prof.output!.byteLength);
  return { result, stages: STAGES.map((_, i) => Number(dv.getBigInt64(8 * i, true))) };
}

export interface DecisionCost {
  backend: Backend;
  agent: string;
  /** clock ticks per decision over `steps` greedy steps (instructions on QEMU boards, cycles on real ones) */
  ticksPerDecision: number;
  steps: number;
  tickUnit: string;
  /** with `stages`: ticks per decision in each backbone stage (STAGES order; zeros for an agent without one) */
  stages?: number[];
  /** with `stages`: the backbone forward's ticks per decision, the stages less what the counters cost (the
   *  profiled episode's extra ticks: the same seed gives the same observations, so the same work) */
  forward?: number;
}

/** Ticks per decision of each agent (name, blob bytes) under each backend, from episode `seed` capped at `steps`. */
export async function measureDecisionCosts(
  boardId: string,
  backends: readonly Backend[],
  agents: readonly { name: string; blob: Uint8Array }[],
  opts: { seed: number; steps?: number; port?: string; stages?: boolean; onDone?: (c: DecisionCost) => void },
): Promise<DecisionCost[]> {
  const steps = opts.steps ?? 20;
  const out: DecisionCost[] = [];
  for (const backend of backends) {
    for (const a of agents) {
      const s = await openBoard(boardId, { timeoutMs: 120000, backend, port: opts.port });
      try {
        await s.client.loadModel(a.blob);
        await s.client.episode(opts.seed, 2, true);
        const e = await s.client.episode(opts.seed, steps, true);
        const c: DecisionCost = {
          backend,
          agent: a.name,
          ticksPerDecision: e.ticks / e.steps,
          steps: e.steps,
          tickUnit: String(s.info.clock_unit ?? "ticks"),
        };
        if (opts.stages) {
          const { result: p, stages } = await withStageTicks(s.client, () => s.client.episode(opts.seed, steps, true));
          c.stages = stages.map((t) => t / p.steps);
          c.forward = c.stages.reduce((x, v) => x + v, 0) - (p.ticks / p.steps - c.ticksPerDecision);
        }
        out.push(c);
        opts.onDone?.(c);
      } finally {
        await s.close();
      }
    }
  }
  return out;
}
