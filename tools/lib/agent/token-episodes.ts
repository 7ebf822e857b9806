// Greedy evaluation episodes of a policy that reads the observation's tokens, played through the module's env_*
// exports (the env code the agent runs) on the held-out reset seeds evalSeed(i): the baselines that are not agent
// blobs (the lookup table, the zero-shot readout) are scored on the same episodes as the agents.
import { BitrlError } from "../util/errors.ts";
import type { AgentModule } from "../runtime/wasm.ts";
import { evalSeed } from "./seeds.ts";

/** The return of each of `episodes` episodes of env `id`, actions from `act` on each observation's tokens (as many
 *  as env_tokens gives: textroom's sentences vary in length). */
export function evalByTokens(
  mod: AgentModule,
  id: number,
  episodes: number,
  act: (obs: Int32Array) => number,
): number[] {
  const io = mod.ioBase;
  const returns: number[] = [];
  for (let i = 0; i < episodes; i++) {
    if (mod.fn.env_reset(id, evalSeed(i)) !== 0) throw new BitrlError(`env_reset(${id}) failed`);
    let ret = 0,
      flags = 0;
    while (flags === 0) {
      const n = mod.fn.env_tokens(io + 96);
      flags = mod.fn.env_step(act(new Int32Array(mod.memory.buffer, io + 96, n).slice()));
      if (flags < 0) throw new BitrlError(`env_step failed with ${flags}`);
      ret += new DataView(mod.memory.buffer).getFloat64(io, true);
    }
    returns.push(ret);
  }
  return returns;
}
