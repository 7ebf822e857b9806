// Pretraining data: transcripts of the environments played through the agent module's env_* exports (the same
// env code the agent runs), by a mix of random and scripted policies, cut into next-token windows.
import { BitrlError } from "../util/errors.ts";
import type { AgentModule } from "../runtime/wasm.ts";
import { envSizes } from "../runtime/env-sizes.ts";
import { rng, type Rng } from "./rng.ts";
import { textRoomOptimalAction, textRoomParse } from "../reference/envs.ts";

export const ENV_IDS: Record<string, number> = {
  cartpole: 0,
  keydoor: 1,
  frozenlake: 2,
  acrobot: 3,
  mountaincar: 4,
  textroom: 5,
};

export interface EnvInfo {
  name: string;
  id: number;
  /** observation tokens per step, the most (textroom's sentences have 11..15: env_tokens gives the count) */
  tokens: number;
  /** observation vocabulary; action a is token obsVocab + a in transcripts */
  obsVocab: number;
  actions: number;
  /** f32 observation values per step (what the scripted policies read) */
  obs: number;
}

export function envInfo(mod: AgentModule, name: string): EnvInfo {
  const id = ENV_IDS[name];
  if (id === undefined) throw new BitrlError(`unknown env '${name}' (known: ${Object.keys(ENV_IDS).join(", ")})`);
  if (!mod.fn.env_reset) throw new BitrlError("agent module has no env_* exports (rebuild: node scripts/build.mjs)");
  const s = envSizes(mod, id);
  return { name, id, tokens: s.tokens, obsVocab: s.vocab, actions: s.actions, obs: s.obs };
}

/** Scripted play: a reasonable policy per env, so transcripts also show long, successful episodes. */
function scripted(name: string, obs: Float32Array, r: Rng): number {
  if (name === "cartpole") return obs[2] + 0.5 * obs[3] + 0.05 * obs[1] > 0 ? 1 : 0;
  if (name === "keydoor") {
    const [seen, held, door, state] = obs; // word ids: keys 1..3, door state 4 locked / 5 open
    if (state === 5) return 3; // go
    if (held === door) return 2; // open
    if (seen === door) return 0; // take
    return 1; // next
  }
  if (name === "textroom") return textRoomOptimalAction(textRoomParse(obs)); // word ids, -1 past the sentence
  if (name === "acrobot") return obs[4] > 0 ? 2 : 0; // torque along the first link's swing (energy pumping)
  if (name === "mountaincar") return obs[1] >= 0 ? 2 : 0; // push the way the car moves
  return r.next() < 0.5 ? 1 : 2; // frozenlake: down or right, toward the goal
}

/** Who plays the transcripts: "mixed" (random actions with probability 1, 0.5, 0.2, 0.05 by episode, the scripted
 *  policy otherwise: the shipped backbones' data, which contains a near-expert policy) or "random" (uniformly random
 *  actions only: data without the answer, issue #16). */
export type TranscriptPlay = "mixed" | "random";
export const TRANSCRIPT_PLAYS: readonly TranscriptPlay[] = ["mixed", "random"];

/**
 * Plays `episodes` episodes (episode e seeded seed + e) and returns one token stream: per step the observation
 * tokens then the action token; the terminal observation closes each episode. Episode e uses random actions
 * with probability eps_e in {1, 0.5, 0.2, 0.05}, cycling, scripted ones otherwise ("mixed"), or always ("random").
 */
export function playTranscripts(
  mod: AgentModule,
  env: EnvInfo,
  episodes: number,
  seed: number,
  play: TranscriptPlay = "mixed",
): { stream: Int32Array; starts: number[]; terminated: number } {
  const r = rng(seed ^ 0x5eed);
  const out: number[] = [];
  const starts: number[] = []; // stream index of every observation's first token
  const scratch = mod.ioBase + 1024; // i32[tokens] then f32[obs] in the arena, away from the reward slot at 0
  const obsAt = scratch + 64;
  const mem = () => mod.memory.buffer;
  const epsCycle = play === "random" ? [1] : [1, 0.5, 0.2, 0.05];
  let terminated = 0; // episodes that ended by termination (the goal, or cartpole's fall), not the time limit
  const pushObs = () => {
    const n = mod.fn.env_tokens(scratch);
    if (n < 1 || n > env.tokens) throw new BitrlError(`env_tokens gave ${n} tokens, expected 1..${env.tokens}`);
    starts.push(out.length);
    out.push(...new Int32Array(mem(), scratch, n));
  };
  for (let e = 0; e < episodes; e++) {
    if (mod.fn.env_reset(env.id, (seed + e) | 0) !== 0) throw new BitrlError(`env_reset(${env.id}) failed`);
    const eps = epsCycle[e % epsCycle.length];
    for (;;) {
      pushObs();
      mod.fn.env_obs(obsAt);
      const obs = new Float32Array(mem(), obsAt, env.obs).slice();
      const a = r.next() < eps ? r.below(env.actions) : scripted(env.name, obs, r);
      out.push(env.obsVocab + a);
      const flags = mod.fn.env_step(a);
      if (flags < 0) throw new BitrlError(`env_step(${a}) failed with ${flags}`);
      if (flags !== 0) {
        if (flags & 1) terminated++;
        pushObs();
        break;
      }
    }
  }
  return { stream: Int32Array.from(out), starts, terminated };
}

/** Windows of `ctx` tokens starting at observation starts (so position 0 is always an observation's first token). */
export function windows(stream: Int32Array, starts: number[], ctx: number): Int32Array[] {
  return starts.filter((s) => s + ctx <= stream.length).map((s) => stream.slice(s, s + ctx));
}
