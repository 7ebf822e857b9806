// Replays an environment step by step through the module's env_* exports: states, rewards and tokens per action.
import { BitrlError } from "../util/errors.ts";
import { ENV_IDS, type EnvName } from "../reference/envs.ts";
import type { AgentModule } from "../runtime/wasm.ts";
import { envSizes } from "../runtime/env-sizes.ts";
import { loadAgentModule } from "./runner.ts";

export interface ReplayResult {
  env: EnvName;
  seed: number;
  /** internal state before the first action, Gymnasium's (cartpole: x, x_dot, theta, theta_dot; acrobot: theta1,
   *  theta2, dtheta1, dtheta2, not the 6-value observation; mountaincar: position, velocity; f64) */
  initial_state: number[];
  /** internal state after each step */
  states: number[][];
  rewards: number[];
  /** tokens of the observation after each step */
  tokens: number[][];
  terminated: boolean;
  truncated: boolean;
}

/**
 * Steps env through `actions` in the wasm module (env_* exports): reset with seed, optionally replace the state
 * (Gymnasium's internal state: cartpole and acrobot 4 values, mountaincar 2, frozenlake 1), then one env_step per action. An action after the episode ended is an error.
 */
export function replayEnv(
  env: EnvName,
  actions: number[],
  opts: { seed?: number; state?: number[] } = {},
  mod: AgentModule = loadAgentModule(),
): ReplayResult {
  const id = ENV_IDS[env];
  const seed = opts.seed ?? 0;
  const f = mod.fn;
  const io = mod.ioBase;
  const dv = () => new DataView(mod.memory.buffer);
  const readState = (): number[] => {
    const n = f.env_state(io + 16, 0);
    return Array.from({ length: n }, (_, i) => dv().getFloat64(io + 16 + 8 * i, true));
  };
  const readTokens = (): number[] => {
    const n = f.env_tokens(io + 96);
    return Array.from({ length: n }, (_, i) => dv().getInt32(io + 96 + 4 * i, true));
  };
  if (f.env_reset(id, seed) !== 0) throw new BitrlError(`env_reset(${id}) failed`);
  if (opts.state) {
    const want = envSizes(mod, id).state;
    if (opts.state.length !== want || env === "keydoor" || env === "textroom") {
      throw new BitrlError(
        env === "keydoor" || env === "textroom"
          ? `${env} takes no --state (its layout comes from --seed)`
          : `${env} state has ${want} values, got ${opts.state.length}`,
      );
    }
    opts.state.forEach((v, i) => dv().setFloat64(io + 16 + 8 * i, v, true));
    if (f.env_state(io + 16, opts.state.length) !== 0)
      throw new BitrlError(`state ${opts.state.join(",")} is not valid for ${env}`);
  }
  const result: ReplayResult = {
    env,
    seed,
    initial_state: readState(),
    states: [],
    rewards: [],
    tokens: [],
    terminated: false,
    truncated: false,
  };
  const nActions = envSizes(mod, id).actions;
  actions.forEach((a, step) => {
    if (result.terminated || result.truncated)
      throw new BitrlError(`action ${step + 1} comes after the episode ended at step ${step}`);
    if (!Number.isInteger(a) || a < 0 || a >= nActions)
      throw new BitrlError(`action ${step + 1} is '${a}', ${env} takes 0..${nActions - 1}`);
    const flags = f.env_step(a);
    if (flags < 0) throw new BitrlError(`env_step(${a}) failed (${flags})`);
    result.rewards.push(dv().getFloat64(io, true));
    result.states.push(readState());
    result.tokens.push(readTokens());
    result.terminated = (flags & 1) !== 0;
    result.truncated = (flags & 2) !== 0;
  });
  return result;
}
