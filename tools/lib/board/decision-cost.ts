// One decision's cost (tokenize, backbone, head, env step) per backend and agent on an emulated or real board: a
// short greedy episode after a warm-up one (wasm3 compiles each function on its first call, which is not a
// per-decision cost). One boot per agent and backend: wasm3 keeps every function it compiled in its fixed heap, and
// two agents' forwards together do not fit a 256 KiB board. Used by the main job's summary (bench/model.ts still
// measures its decision row in its own per-stage session: a second copy of this episode pair, not yet folded in).
import { openBoard } from "./session.ts";
import type { Backend } from "./firmware-build.ts";

export interface DecisionCost {
  backend: Backend;
  agent: string;
  /** clock ticks per decision over `steps` greedy steps (instructions on QEMU boards, cycles on real ones) */
  ticksPerDecision: number;
  steps: number;
  tickUnit: string;
}

/** Ticks per decision of each agent (name, blob bytes) under each backend, from episode `seed` capped at `steps`. */
export async function measureDecisionCosts(
  boardId: string,
  backends: readonly Backend[],
  agents: readonly { name: string; blob: Uint8Array }[],
  opts: { seed: number; steps?: number; port?: string; onDone?: (c: DecisionCost) => void },
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
        const c = {
          backend,
          agent: a.name,
          ticksPerDecision: e.ticks / e.steps,
          steps: e.steps,
          tickUnit: String(s.info.clock_unit ?? "ticks"),
        };
        out.push(c);
        opts.onDone?.(c);
      } finally {
        await s.close();
      }
    }
  }
  return out;
}
