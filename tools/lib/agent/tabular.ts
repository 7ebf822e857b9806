// The lookup-table baseline (#16): tabular Q-learning over the env's tokens (the binned observation) through the
// module's env_* exports in V8, no network at all. A task a table solves quickly does not need a backbone; the
// study reports it beside the agents. Training episodes reset with chunkSeed(seed, k), evaluation with evalSeed(i)
// (seeds.ts), so the two never share a reset.
import type { EnvName } from "../reference/envs.ts";
import { ENV_IDS } from "../reference/envs.ts";
import type { AgentModule } from "../runtime/wasm.ts";
import { envSizes } from "../runtime/env-sizes.ts";
import { rng } from "../train/rng.ts";
import { loadAgentModule } from "./runner.ts";
import { chunkSeed } from "./seeds.ts";
import { evalByTokens } from "./token-episodes.ts";

export interface TabularOptions {
  episodes: number;
  seed: number;
  /** step size, discount, exploration (epsilon falls linearly from epsilon to epsilonEnd over the episodes) */
  alpha?: number;
  gamma?: number;
  epsilon?: number;
  epsilonEnd?: number;
  /** greedy evaluation episodes (seeds evalSeed(i)) */
  evalEpisodes?: number;
}

export interface TabularResult {
  env: EnvName;
  episodes: number;
  /** states the table saw */
  states: number;
  /** return of each training episode */
  curve: number[];
  /** greedy returns on the evaluation seeds */
  evalReturns: number[];
  evalMean: number;
}

/** Q-learning with an epsilon-greedy policy (ties to the lowest action); the table starts at 0. */
export function trainTabular(env: EnvName, o: TabularOptions, mod: AgentModule = loadAgentModule()): TabularResult {
  const id = ENV_IDS[env];
  const { actions } = envSizes(mod, id);
  const alpha = o.alpha ?? 0.1,
    gamma = o.gamma ?? 0.99,
    eps0 = o.epsilon ?? 1,
    eps1 = o.epsilonEnd ?? 0.05;
  const q = new Map<string, Float64Array>();
  const io = mod.ioBase;
  const key = (): string => {
    const n = mod.fn.env_tokens(io + 96); // the whole sequence: textroom's sentences vary in length
    return Array.from(new Int32Array(mod.memory.buffer, io + 96, n)).join(",");
  };
  const row = (k: string): Float64Array => {
    let r = q.get(k);
    if (!r) q.set(k, (r = new Float64Array(actions)));
    return r;
  };
  const greedy = (r: Float64Array): number => r.reduce((best, v, a) => (v > r[best] ? a : best), 0);
  const r = rng(o.seed);
  const curve: number[] = [];
  for (let e = 0; e < o.episodes; e++) {
    const eps = eps0 + (eps1 - eps0) * (o.episodes > 1 ? e / (o.episodes - 1) : 1);
    mod.fn.env_reset(id, chunkSeed(o.seed, e));
    let s = key(),
      ret = 0,
      flags = 0;
    while (flags === 0) {
      const qs = row(s);
      const a = r.next() < eps ? r.below(actions) : greedy(qs);
      flags = mod.fn.env_step(a);
      const rew = new DataView(mod.memory.buffer).getFloat64(io, true);
      ret += rew;
      const s2 = key();
      // bootstrap unless terminated (a truncated episode's next state still has a value)
      const target = rew + (flags & 1 ? 0 : gamma * Math.max(...row(s2)));
      qs[a] += alpha * (target - qs[a]);
      s = s2;
    }
    curve.push(ret);
  }
  const evalReturns = evalByTokens(mod, id, o.evalEpisodes ?? 20, (obs) =>
    greedy(q.get(Array.from(obs).join(",")) ?? new Float64Array(actions)),
  );
  return {
    env,
    episodes: o.episodes,
    states: q.size,
    curve,
    evalReturns,
    evalMean: evalReturns.reduce((a, b) => a + b, 0) / evalReturns.length,
  };
}
