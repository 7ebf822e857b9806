// `bitrl run`: runs the agent on a board (episodes, optional on-device training) and prints returns and ticks.
import type { Command } from "./command.ts";
import { BACKEND_USAGE, intFlag, MAX_EPISODES, seedFlag, parseCommandArgs } from "./command.ts";
import { BOARD_FLAGS, boardOrDefault, JSON_FLAG, openBoardFromFlags, switchFlags, valueFlags } from "./options.ts";
import { DEFAULT_BOARD, tickKind } from "../lib/board/profiles.ts";
import { readFileChecked } from "../lib/util/files.ts";
import { decodeBlobBytes } from "../lib/format/blob-file.ts";
import { BitrlError } from "../lib/util/errors.ts";

export const runCommand: Command = {
  name: "run",
  summary: "run the agent on a board: episodes (and on-device training) with tick counts",
  usage: `usage: bitrl run --board B [--backend wasm3|wasm3+native|aot|wamr] [--port P] [--model FILE] [options]

Boots (emulated/host boards) or connects to (--port) the board, uploads --model if given, then runs
--train N training episodes (agent_train) and --episodes N evaluation episodes (agent_episode). Tick counts are
the board's clock: instructions on QEMU boards (emulated), cycles on real boards (measured), ns on host.
  --board B       board profile (default ${DEFAULT_BOARD})
${BACKEND_USAGE}
  --port P        serial port of a real board
  --model FILE    upload this .bitrl first (else the board's active model)
  --flash FILE    flash file of an emulated or host board
  --episodes N    evaluation episodes (default 3)
  --train N       training episodes before evaluating (default 0)
  --seed S        first seed (default 1; episode k uses S + k)
  --max-steps N   step limit per episode (default 500)
  --sample        sample actions instead of greedy
  --json          print the result as JSON`,
  async run(argv) {
    const a = parseCommandArgs(this, argv, {
      ...BOARD_FLAGS,
      ...valueFlags("model", "flash", "episodes", "train", "seed", "max-steps"),
      ...switchFlags("sample"),
      ...JSON_FLAG,
    });
    if (!a) return 0;
    const v = a.values;
    const board = boardOrDefault(v);
    const episodes = intFlag("episodes", v.episodes, 3, 0, MAX_EPISODES);
    const trainEpisodes = intFlag("train", v.train, 0, 0, MAX_EPISODES);
    if (episodes === 0 && trainEpisodes === 0)
      throw new BitrlError("nothing to run: --episodes and --train are both 0");
    const seed = seedFlag(v.seed, 1);
    const maxSteps = intFlag("max-steps", v["max-steps"], 500, 1, MAX_EPISODES);
    const blob = v.model ? readFileChecked(v.model, "model") : null;
    if (blob && v.model) decodeBlobBytes(v.model, blob);
    const s = await openBoardFromFlags(board, v, { flashPath: v.flash, timeoutMs: 60000 });
    try {
      if (blob) await s.client.loadModel(blob);
      const kind = tickKind(board);
      const train = trainEpisodes > 0 ? await s.client.train(seed, trainEpisodes) : null;
      const runs = [];
      for (let k = 0; k < episodes; k++)
        runs.push({ seed: seed + k, ...(await s.client.episode(seed + k, maxSteps, !v.sample)) });
      const unit = s.info.clock_unit;
      if (v.json) {
        console.log(JSON.stringify({ board: board.id, via: s.via, clock_unit: unit, kind, train, episodes: runs }));
      } else {
        if (train)
          console.log(
            `trained ${train.episodes} episodes in ${train.ticks} ${unit} (${kind}); last returns: ${train.returns
              .slice(-5)
              .map((r) => r.toFixed(1))
              .join(", ")}`,
          );
        for (const r of runs) {
          console.log(
            `seed ${r.seed}: return ${r.return.toFixed(2)} in ${r.steps} steps${r.terminated ? " (terminated)" : r.truncated ? " (truncated)" : ""}, ${r.ticks} ${unit} (${kind}), ${r.steps ? Math.round(r.ticks / r.steps) : 0} per step`,
          );
        }
      }
      return 0;
    } finally {
      await s.close();
    }
  },
};
