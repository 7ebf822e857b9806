// `bitrl eval`: greedy episodes of a trained agent in the wasm module; mean and spread of the returns.
import { agentInfo, envIdOf, evaluateAgent, evaluateOnBoard } from "../lib/agent/index.ts";
import { BitrlError } from "../lib/util/errors.ts";
import { readBlobFile } from "../lib/format/blob-file.ts";
import { engineLabel } from "../lib/board/toolchain.ts";
import { BACKEND_USAGE, backendFlag, intFlag, MAX_EPISODES, seedFlag, parseFlags, type Command } from "./command.ts";
import { BOARD_FLAGS, JSON_FLAG, valueFlags } from "./options.ts";

export const evalCommand: Command = {
  name: "eval",
  summary: "evaluate a trained agent (greedy episodes in the wasm module)",
  usage: `usage: bitrl eval --env E --model FILE [--episodes N] [--seed S] [--json]

Loads the agent blob into build/agent.wasm (agent_load) and runs N greedy episodes (agent_episode), episode i
reset with seed S + i. Runtime: Node (V8), or a board with --board (the firmware's episode command runs
agent_episode in the same module there, or with --backend aot its compiled twin build/agent.aot.wasm, which
computes the same integers; per-episode clock ticks are reported).
  --env E         the env the agent was trained on (checked against its agent.config)
  --model FILE    agent blob written by 'bitrl train'
  --episodes N    episodes (default 20)
  --seed S        first reset seed (default 1)
  --board B       run on a board: qemu-m4 (emulated, default board of the project), host, or a real one with --port
  --port P        serial port of a real board
${BACKEND_USAGE}
  --json          one JSON object: env, episodes, mean_return, std_return (population), success_rate (keydoor,
                  textroom, frozenlake, acrobot, mountaincar: episodes that reached the goal; null for cartpole), returns, seed, model, runtime`,
  async run(argv) {
    const v = parseFlags(this, argv, {
      ...valueFlags("env", "model", "episodes", "seed"),
      ...BOARD_FLAGS,
      ...JSON_FLAG,
    });
    if (!v) return 0;
    if (!v.env) throw new BitrlError("missing --env");
    if (!v.model) throw new BitrlError("missing --model FILE");
    const env = envIdOf(v.env);
    const episodes = intFlag("episodes", v.episodes, 20, 1, MAX_EPISODES);
    const seed = seedFlag(v.seed, 1);
    const blob = readBlobFile(v.model);
    const info = agentInfo(blob);
    if (info.env !== env) throw new BitrlError(`${v.model} is a ${info.env} agent, not ${env}`);
    const backend = backendFlag(v.backend);
    if (v.backend !== undefined && v.board === undefined)
      throw new BitrlError("--backend needs --board (in Node the module runs in V8)");
    if (v.board !== undefined) {
      const b = await evaluateOnBoard(v.board, blob, episodes, seed, { port: v.port, backend });
      const perStep =
        b.ticks.reduce((a, t) => a + t, 0) /
        Math.max(
          1,
          b.steps.reduce((a, t) => a + t, 0),
        );
      if (v.json) {
        console.log(
          JSON.stringify({
            ...b,
            seed,
            model: v.model,
            runtime: `${b.backend} on ${b.board} (${b.via})`,
            engine: engineLabel(b.backend),
            ticks_per_step: perStep,
          }),
        );
        return 0;
      }
      console.log(
        `${env}: ${episodes} greedy episodes from seed ${seed} on ${b.board} (${b.via}, ${engineLabel(b.backend)})`,
      );
      console.log(
        `mean return ${b.mean_return.toFixed(2)} +- ${b.std_return.toFixed(2)} (std); ${perStep.toFixed(0)} ${b.tick_unit} per step`,
      );
      if (b.ram.budget > 0) {
        console.log(
          `RAM: peak ${b.ram.peak} B in use (${b.ram.budget - b.ram.peak} B free), ${b.ram.linked} B linked, of the ${b.ram.budget} B budget: ${b.ram.fits ? "fits" : "DOES NOT FIT"} (firmware accounting)`,
        );
        if (b.ram.stack) console.log(`wasm3 value stack: ${b.ram.stack.peak} of its ${b.ram.stack.bytes} B written`);
      }
      return 0;
    }
    const r = evaluateAgent(blob, episodes, seed);
    if (v.json) {
      console.log(JSON.stringify({ ...r, seed, model: v.model, runtime: "wasm (V8)" }));
      return 0;
    }
    console.log(`${env}: ${episodes} greedy episodes from seed ${seed} (wasm in V8)`);
    console.log(
      `mean return ${r.mean_return.toFixed(2)} +- ${r.std_return.toFixed(2)} (std), min ${Math.min(...r.returns)}, max ${Math.max(...r.returns)}${r.success_rate === null ? "" : `, success ${(100 * r.success_rate).toFixed(0)}%`}`,
    );
    return 0;
  },
};
