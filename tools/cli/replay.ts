// `bitrl replay`: steps an environment through given actions in the wasm module and prints the states.
import { ENV_NAMES, textRoomText } from "../lib/reference/envs.ts";
import { envIdOf, replayEnv } from "../lib/agent/index.ts";
import { BitrlError } from "../lib/util/errors.ts";
import { intFlag, seedFlag, parseFlags, type Command } from "./command.ts";
import { parseActions, parseNumbers } from "./values.ts";
import { JSON_FLAG, valueFlags } from "./options.ts";

export const replayCommand: Command = {
  name: "replay",
  summary: "step an environment through given actions (states, rewards, flags)",
  usage: `usage: bitrl replay --env E --actions A,A,... [--state V,V,...] [--seed S] [--json]

Runs the environment inside build/agent.wasm (the same code as on the board): reset with --seed, optionally
replace the state, then one step per action. Prints the state after each step, its reward and the flags.
  --env E        ${ENV_NAMES.join(", ")}
  --actions      comma-separated action numbers (keydoor and textroom also take their words: take,next,open,go)
  --state        Gymnasium's internal state (f64): cartpole x,x_dot,theta,theta_dot; acrobot theta1,theta2,
                 dtheta1,dtheta2; mountaincar position,velocity; frozenlake the cell 0..15 (default: the reset state)
  --seed S       reset seed (default 0)
  --json         one JSON object: env, seed, initial_state, states, rewards, tokens, terminated, truncated`,
  async run(argv) {
    const v = parseFlags(this, argv, { ...valueFlags("env", "actions", "state", "seed"), ...JSON_FLAG });
    if (!v) return 0;
    if (!v.env) throw new BitrlError("missing --env (one of " + ENV_NAMES.join(", ") + ")");
    if (v.actions === undefined) throw new BitrlError("missing --actions (e.g. --actions 0,1,1)");
    const env = envIdOf(v.env);
    const actions = parseActions(env, v.actions);
    const state = v.state === undefined ? undefined : parseNumbers("--state", v.state);
    const seed = seedFlag(v.seed, 0);
    const r = replayEnv(env, actions, { seed, state });
    if (v.json) {
      console.log(JSON.stringify(r));
      return 0;
    }
    console.log(`${env} seed ${seed}: start ${r.initial_state.join(", ")}`);
    r.states.forEach((s, i) =>
      console.log(
        `step ${i + 1}: action ${actions[i]} -> ${s.join(", ")}  reward ${r.rewards[i]}  tokens ${r.tokens[i].join(" ")}` +
          (env === "textroom" ? `  "${textRoomText(r.tokens[i])}"` : ""),
      ),
    );
    console.log(`terminated ${r.terminated}, truncated ${r.truncated}`);
    return 0;
  },
};
