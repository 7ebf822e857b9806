// Runs the fp32, int8 and ternary agents on one board, one after the other, for the energy comparison: loads
// each model, plays greedy episodes (the firmware raises its marker around each one), sums the board's ticks.
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { BitrlError } from "../util/errors.ts";
import type { AgentWork } from "./estimate.ts";
import type { PowerTrace } from "./integrate.ts";
import type { Meter } from "./meter.ts";
import { readFileChecked } from "../util/files.ts";

/** What the session needs from a board (tools/lib/board/client.ts BoardClient has it). */
export interface AgentBoard {
  loadModel(blob: Uint8Array, onProgress?: (done: number, total: number) => void): Promise<unknown>;
  episode(seed: number, maxSteps: number, greedy: boolean): Promise<{ steps: number; ticks: number; return: number }>;
}

export interface AgentModel {
  agent: string;
  path: string;
}

export interface SessionOptions {
  episodes: number;
  /** episode e of every agent uses seed + e, so all agents face the same starts */
  seed: number;
  maxSteps: number;
  meter?: Meter;
  onEpisode?: (agent: string, done: number, total: number) => void;
}

export interface SessionResult {
  work: AgentWork[];
  /** (agents) mean return over the episodes */
  meanReturn: number[];
  /** the meter's recording when a meter was used */
  trace: PowerTrace | null;
}

export const AGENT_KINDS = ["fp32", "int8", "ternary"] as const;

/** The agents named `<env>-<kind>.bitrl` in `dir` (what `bitrl train` and the main job write), one per kind, all of
 *  one env: the env given (exactly, else the file names starting with it), else the one env with the most kinds
 *  (models/ holds several envs' agents and language models: mixing them would compare unlike agents); backbones
 *  (`*-backbone-*.bitrl`) are not agents and are skipped. */
export function findAgentModels(dir: string, env?: string): AgentModel[] {
  if (!existsSync(dir)) throw new BitrlError(`no model folder '${dir}': pass --fp32, --int8 and --ternary model paths`);
  const byEnv = new Map<string, Map<string, string>>();
  for (const f of readdirSync(dir).sort()) {
    const m = /^(.+)-(fp32|int8|ternary)\.bitrl$/.exec(f);
    if (!m || f.includes("-backbone-") || (env && !f.startsWith(env))) continue;
    if (!byEnv.has(m[1])) byEnv.set(m[1], new Map());
    byEnv.get(m[1])!.set(m[2], f);
  }
  if (!byEnv.size)
    throw new BitrlError(
      `no '*-fp32.bitrl', '*-int8.bitrl' or '*-ternary.bitrl' agents in '${dir}'${env ? ` for env '${env}'` : ""} (npm start trains them into .bitrl/agents/)`,
    );
  const agents = (kinds: Map<string, string>): AgentModel[] =>
    AGENT_KINDS.filter((k) => kinds.has(k)).map((k) => ({ agent: k, path: join(dir, kinds.get(k)!) }));
  const exact = env ? byEnv.get(env) : undefined;
  if (exact) return agents(exact);
  const most = Math.max(...[...byEnv.values()].map((k) => k.size));
  const best = [...byEnv].filter(([, k]) => k.size === most);
  if (best.length > 1)
    throw new BitrlError(
      `'${dir}' holds ${most} agent kind(s) of several envs (${best.map(([e]) => e).join(", ")}): pick one with --env`,
    );
  return agents(best[0][1]);
}

/** Plays `episodes` greedy episodes with each model in turn; with a meter, records the whole session. */
export async function runAgentSession(
  board: AgentBoard,
  models: AgentModel[],
  o: SessionOptions,
): Promise<SessionResult> {
  if (!models.length) throw new BitrlError("no agent models to run");
  if (!Number.isInteger(o.episodes) || o.episodes < 1)
    throw new BitrlError(`--episodes must be an integer >= 1, got ${o.episodes}`);
  const blobs = models.map((m) => {
    return readFileChecked(m.path, `${m.agent} model`);
  });
  const work: AgentWork[] = [];
  const meanReturn: number[] = [];
  if (o.meter) await o.meter.start();
  try {
    for (let k = 0; k < models.length; k++) {
      const on = async <T>(what: string, f: () => Promise<T>): Promise<T> => {
        try {
          return await f();
        } catch (e) {
          throw new BitrlError(
            `${models[k].agent} agent (${models[k].path}), ${what} on the board: ${(e as Error).message}`,
          );
        }
      };
      await on("loading the model", () =>
        board.loadModel(new Uint8Array(blobs[k].buffer, blobs[k].byteOffset, blobs[k].length)),
      );
      let ticks = 0,
        decisions = 0,
        ret = 0;
      for (let e = 0; e < o.episodes; e++) {
        const r = await on(`episode ${e + 1}`, () => board.episode(o.seed + e, o.maxSteps, true));
        if (r.steps < 0)
          throw new BitrlError(`${models[k].agent} agent: episode ${e} failed on the board (${r.steps})`);
        ticks += r.ticks;
        decisions += r.steps;
        ret += r.return;
        o.onEpisode?.(models[k].agent, e + 1, o.episodes);
      }
      work.push({ agent: models[k].agent, ticks, decisions, episodes: o.episodes });
      meanReturn.push(ret / o.episodes);
    }
  } catch (e) {
    if (o.meter) await o.meter.stop().catch(() => null);
    throw e;
  }
  const trace = o.meter ? await o.meter.stop() : null;
  return { work, meanReturn, trace };
}
