// An environment's sizes from the module's one env_size(id, what) export (docs/abi.md "Environments").
import type { AgentModule } from "./wasm.ts";

/** The kinds env_size reports, in its order (assembly/envs/env.ts SIZE_*). */
const KINDS = ["obs", "actions", "tokens", "vocab", "maxSteps", "state"] as const;
export type EnvSizes = Record<(typeof KINDS)[number], number>;

/** Sizes of env id in mod (each -1 for an unknown id). */
export function envSizes(mod: AgentModule, id: number): EnvSizes {
  return Object.fromEntries(KINDS.map((k, what) => [k, mod.fn.env_size(id, what)])) as EnvSizes;
}
