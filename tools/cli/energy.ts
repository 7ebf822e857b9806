// `bitrl energy`: energy per decision and per episode of the fp32, int8 and ternary agents, side by side,
// estimated (time x the board's cited power) or measured (PPK2 / INA meter). docs/energy.md.
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "./command.ts";
import { backendFlag, intFlag, MAX_EPISODES, seedFlag, parseCommandArgs } from "./command.ts";
import { BitrlError } from "../lib/util/errors.ts";
import { DEFAULT_BOARD } from "../lib/board/profiles.ts";
import { BOARD_FLAGS, boardOrDefault, JSON_FLAG, valueFlags } from "./options.ts";
import { appendRun } from "../lib/report/runlog.ts";
import { progress } from "../lib/util/progress.ts";
import {
  energyOnBoard,
  estimateFromWork,
  formatEnergyTable,
  readCounts,
  type EnergyResult,
  type EnergySource,
} from "../lib/energy/energy.ts";
import { findAgentModels, type AgentModel } from "../lib/energy/session.ts";
import { connectBoard } from "../lib/board/connect.ts";
import { openSerial } from "../lib/energy/serial.ts";
import { Ppk2Meter } from "../lib/energy/ppk2.ts";
import { INA_BAUD, InaMeter } from "../lib/energy/ina.ts";
import type { Meter } from "../lib/energy/meter.ts";

export const energyCommand: Command = {
  name: "energy",
  summary: "energy per decision/episode of the fp32, int8 and ternary agents (estimated or measured)",
  usage: `usage: bitrl energy --source estimate|ppk2|ina --board B [options]

Runs the fp32, int8 and ternary agents on the board one after the other (same seeds) and reports energy per
decision and per episode, each figure labelled: 'estimated' (time x the board profile's cited active power;
time 'emulated' on QEMU boards: instruction counts at the profile's clock) or 'measured' (a current meter;
the firmware's marker GPIO frames each episode, see docs/energy.md).
  --source S          estimate (default), ppk2 or ina
  --board B           board profile (default ${DEFAULT_BOARD})
  --backend B         wasm3 (default), wasm3+native, aot or wamr: how the board runs the agents (docs/aot.md)
  --port P            the meter's serial port (ppk2/ina); for --source estimate, the board's port
  --board-port P      the board's serial port when a meter uses --port (QEMU boards boot without one)
  --counts FILE       estimate from recorded counts instead of running the board:
                      {"clockUnit": "instructions", "agents": [{"agent", "ticks", "decisions", "episodes"}]}
  --models DIR        where the agents <env>-fp32.bitrl, -int8.bitrl, -ternary.bitrl live (default .bitrl/agents/,
                      written by npm start, else models/)
  --fp32 P, --int8 P, --ternary P   model paths (override --models)
  --env NAME          pick models whose file name starts with NAME
  --episodes N        episodes per agent (default 3); --seed S (default 1); --max-steps N (default 500)
  --vdd MV            supply in mV (PPK2 source voltage / ampere-meter supply; default 3000)
  --ppk2-mode M       source (PPK2 powers the board, default) or ampere
  --marker-channel N  PPK2 digital input wired to the marker GPIO (default 0)
  --json              print the result as JSON`,
  async run(argv) {
    const a = parseCommandArgs(this, argv, {
      ...BOARD_FLAGS,
      ...valueFlags("source", "board-port", "counts", "models", "fp32", "int8", "ternary", "env"),
      ...valueFlags("episodes", "seed", "max-steps", "vdd", "ppk2-mode", "marker-channel"),
      ...JSON_FLAG,
    });
    if (!a) return 0;
    const v = a.values;
    const source = (v.source ?? "estimate") as EnergySource;
    if (!["estimate", "ppk2", "ina"].includes(source))
      throw new BitrlError(`--source must be estimate, ppk2 or ina, got '${v.source}'`);
    const board = boardOrDefault(v);
    const episodes = intFlag("episodes", v.episodes, 3, 1, MAX_EPISODES);
    const seed = seedFlag(v.seed, 1);
    const maxSteps = intFlag("max-steps", v["max-steps"], 500, 1, MAX_EPISODES);
    const vdd = intFlag("vdd", v.vdd, 3000, 800, 5000); // the PPK2's source range, mV
    const markerChannel = intFlag("marker-channel", v["marker-channel"], 0, 0, 7); // checked even when unused
    let result: EnergyResult;
    let via = "counts file";
    if (v.counts) {
      if (source !== "estimate") throw new BitrlError("--counts gives estimates only: use --source estimate");
      result = estimateFromWork(board, readCounts(v.counts, board));
    } else {
      const models: AgentModel[] =
        v.fp32 || v.int8 || v.ternary
          ? (["fp32", "int8", "ternary"] as const).filter((k) => v[k]).map((k) => ({ agent: k, path: v[k]! }))
          : findAgentModels(
              v.models ?? (existsSync(join(".bitrl", "agents")) ? join(".bitrl", "agents") : "models"),
              v.env,
            );
      let meter: Meter | undefined;
      if (source !== "estimate") {
        if (!v.port) throw new BitrlError(`--source ${source} needs --port with the meter's serial port`);
        const link = await openSerial(v.port, source === "ina" ? INA_BAUD : 115200);
        meter =
          source === "ppk2"
            ? await Ppk2Meter.open(link, {
                mode: v["ppk2-mode"] === "ampere" ? "ampere" : "source",
                vddMv: vdd,
                markerChannel,
              })
            : await InaMeter.open(link);
      }
      const port = source === "estimate" ? v.port : v["board-port"];
      const bar = progress("energy episodes", models.length * episodes);
      let done = 0;
      const onEpisode = (agent: string) => bar.tick(++done, agent);
      try {
        if (!port && board.kind !== "real" && !meter) {
          // emulated boards boot afresh for each agent (as if flashed with it): one agent's memory use cannot
          // starve the next one's
          const parts: EnergyResult[] = [];
          for (const m of models) {
            const conn = await connectBoard(board, undefined, backendFlag(v.backend));
            via = `${conn.via}, booted per agent`;
            try {
              parts.push(await energyOnBoard(board, conn.client, [m], { episodes, seed, maxSteps, onEpisode }));
            } finally {
              await conn.close();
            }
          }
          result = { figures: parts.flatMap((p) => p.figures), meanReturn: parts.flatMap((p) => p.meanReturn ?? []) };
        } else {
          const conn = await connectBoard(board, port, backendFlag(v.backend));
          via = conn.via;
          try {
            result = await energyOnBoard(board, conn.client, models, { episodes, seed, maxSteps, meter, onEpisode });
          } finally {
            await conn.close();
          }
        }
        bar.done();
      } finally {
        await meter?.close();
      }
    }
    const record = {
      board: board.id,
      source,
      via,
      episodes,
      seed,
      figures: result.figures,
      meanReturn: result.meanReturn,
    };
    appendRun("energy", record);
    if (v.json) console.log(JSON.stringify(record));
    else console.log(`energy on ${board.id} (${source}, ${via}):\n${formatEnergyTable(result.figures)}`);
    return 0;
  },
};
