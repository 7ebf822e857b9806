// One greedy episode's executed instructions per firmware function on an emulated board (emulated: exact counts
// from a QEMU plugin of the project's own, insn-profile.c beside this file). Two sessions on the same image: one
// greedy episode (seed S), then two (S, S + 1); their difference is exactly episode S + 1 (its reset, steps and
// the episode command), free of boot, module load and wasm3's compilation; the serial I/O, which waits for the
// host, is left out (its count follows the host's timing). Used by bench/profile.ts.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { withBoard } from "../../tools/lib/board/session.ts";
import { buildFirmware, type Backend } from "../../tools/lib/board/firmware-build.ts";
import { tempFlashPath } from "../../tools/lib/board/qemu.ts";
import { repoRoot } from "../../tools/lib/util/paths.ts";

export interface ProfileOptions {
  board: string;
  backend: Backend;
  /** the agent blob's bytes (loaded before the episodes) */
  model: Uint8Array;
  /** the first session runs episode `seed`, the second `seed` and `seed + 1`: the profile is episode seed + 1 */
  seed: number;
  /** extra firmware build flags */
  buildFlags?: string[];
  /** the boards' persistent flash file; default: one in a fresh temp folder */
  flashPath?: string;
}

export interface FunctionCount {
  /** the symbol; a wasm2c function w2c_f<n> also carries the module's name for it */
  name: string;
  /** instructions executed in it during the episode */
  instructions: number;
  /** runs of its first block (calls, or a loop whose head is the function's first address) */
  entries: number;
}

export interface EpisodeProfile {
  board: string;
  backend: Backend;
  seed: number;
  steps: number;
  /** the board's own clock over the episode (its `episode` reply), for comparison with the plugin's total */
  ticks: number;
  /** instructions the plugin counted over the episode, the board's serial I/O left out */
  total: number;
  /** the difference in serial I/O between the two sessions (host timing; not part of the total) */
  idle: number;
  /** by instructions, largest first */
  functions: FunctionCount[];
}

type Blocks = Map<number, { insns: number; execs: number }>;

/** The HAL's serial calls: between commands the firmware spins in its receive poll as long as the host takes to
 *  send, and its transmit waits while the host drains the UART; both counts follow the host's timing. */
const IDLE_POLL = new Set(["hal_serial_read", "hal_serial_write"]);

/** The plugin as a shared object, rebuilt when its source is newer. */
function buildPlugin(): string {
  const src = join(repoRoot, "bench", "profile", "insn-profile.c");
  const dir = join(repoRoot, ".bitrl", "profile");
  mkdirSync(dir, { recursive: true });
  const so = join(dir, "insn-profile.so");
  if (!existsSync(so) || statSync(so).mtimeMs < statSync(src).mtimeMs)
    execFileSync("cc", ["-O2", "-shared", "-fPIC", "-Wall", "-o", so, src], { stdio: "inherit" });
  return so;
}

/** Per block start address ("<hex> <insns> <execs>" lines, summed over re-translations): instructions executed,
 *  and how often a block starting there ran. */
function readBlocks(path: string): Blocks {
  const m: Blocks = new Map();
  for (const line of readFileSync(path, "utf8").split("\n")) {
    if (!line) continue;
    const [addr, insns, execs] = line.split(" ");
    const at = parseInt(addr, 16);
    const b = m.get(at) ?? { insns: 0, execs: 0 };
    b.insns += Number(insns) * Number(execs);
    b.execs += Number(execs);
    m.set(at, b);
  }
  return m;
}

/** Runs `episodes` greedy episodes from `seed` under the plugin (QEMU's atexit writes the profile when the
 *  session stops it); returns the blocks, each episode's steps and ticks. */
async function profiledRun(
  o: ProfileOptions,
  elf: string,
  so: string,
  episodes: number,
): Promise<{ blocks: Blocks; steps: number[]; ticks: number[] }> {
  const dir = mkdtempSync(join(tmpdir(), "bitrl-profile-"));
  const out = join(dir, "blocks.txt");
  const steps: number[] = [],
    ticks: number[] = [];
  try {
    const session = {
      backend: o.backend,
      image: elf,
      flashPath: o.flashPath ?? tempFlashPath(),
      timeoutMs: 600000,
      qemuPlugin: `${so},out=${out}`,
    };
    await withBoard(o.board, session, async (s) => {
      await s.client.loadModel(o.model);
      for (let i = 0; i < episodes; i++) {
        const r = await s.client.episode(o.seed + i, 0, true);
        steps.push(r.steps);
        ticks.push(r.ticks);
      }
    });
    if (!existsSync(out)) throw new Error(`the QEMU plugin wrote no profile (${out})`);
    return { blocks: readBlocks(out), steps, ticks };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface Symbol {
  start: number;
  end: number;
  name: string;
}

/** Function symbols of the ELF, sorted by address (nm of the board's toolchain). */
function functionSymbols(board: string, elf: string): Symbol[] {
  const nm = board === "qemu-rv32" ? "riscv64-unknown-elf-nm" : "arm-none-eabi-nm";
  const syms: Symbol[] = [];
  for (const line of execFileSync(nm, ["-n", "-S", "--defined-only", elf], { encoding: "utf8" }).split("\n")) {
    const f = line.trim().split(/\s+/);
    if (f.length !== 4 || !/[tTwW]/.test(f[2])) continue;
    const at = parseInt(f[0], 16);
    const start = at - (at & 1); // Thumb symbols carry bit 0 (no 32-bit bit ops: RV32 code sits at 0x80000000)
    syms.push({ start, end: start + parseInt(f[1], 16), name: f[3] });
  }
  return syms;
}

/** The symbol holding address `at`, and whether `at` is its first address. */
function owner(syms: Symbol[], at: number): { name: string; entry: boolean } {
  let lo = 0,
    hi = syms.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (syms[mid].start <= at) lo = mid + 1;
    else hi = mid - 1;
  }
  const s = syms[hi];
  return s && at < s.end ? { name: s.name, entry: at === s.start } : { name: `?0x${at.toString(16)}`, entry: false };
}

/** The module's function names by index (imports first), from the text of the build the backend runs (the AOT
 *  build compiles build/agent.aot.wasm): wasm2c names an unexported function w2c_f<index>. */
function moduleFunctionNames(backend: string): string[] {
  const wat = join(repoRoot, "build", backend === "aot" ? "agent.aot.wat" : "agent.wat");
  if (!existsSync(wat)) return [];
  const names: string[] = [];
  for (const m of readFileSync(wat, "utf8").matchAll(/^ \((?:import "[^"]*" "[^"]*" \()?func \$(\S+)/gm))
    names.push(m[1]);
  return names;
}

/** A function's counts per environment step, as bench/profile.ts prints them in its JSON line. */
export interface FunctionPerStep {
  name: string;
  per_step: number;
  entries_per_step: number;
}

/** The profile per environment step: the total and each function's instructions and entries. */
export function perStep(p: EpisodeProfile): { per_step: number; functions: FunctionPerStep[] } {
  return {
    per_step: p.total / p.steps,
    functions: p.functions.map((f) => ({
      name: f.name,
      per_step: f.instructions / p.steps,
      entries_per_step: f.entries / p.steps,
    })),
  };
}

/** Profiles greedy episode seed + 1 of the agent on the board (see the file's head). */
export async function profileEpisode(o: ProfileOptions): Promise<EpisodeProfile> {
  const so = buildPlugin();
  const image = await buildFirmware(o.board, { backend: o.backend, buildFlags: o.buildFlags ?? [] });
  const one = await profiledRun(o, image.path, so, 1);
  const two = await profiledRun(o, image.path, so, 2);
  const syms = functionSymbols(o.board, image.path);
  const moduleNames = moduleFunctionNames(o.backend);
  // w2c_f112 (or w2c_f112.isra.0) -> "w2c_f112.isra.0 splitLookup"
  const label = (fn: string) => {
    const m = /^w2c_f(\d+)/.exec(fn);
    const name = m ? moduleNames[Number(m[1])] : undefined;
    return name ? `${fn} ${name.split("/").pop()}` : fn;
  };
  const perFn = new Map<string, FunctionCount>();
  let idle = 0;
  for (const [at, b] of two.blocks) {
    const before = one.blocks.get(at) ?? { insns: 0, execs: 0 };
    const d = b.insns - before.insns;
    if (d === 0) continue;
    const w = owner(syms, at);
    // the board's serial I/O waits for the host: its count follows the host's timing, not the episode
    if (IDLE_POLL.has(w.name)) {
      idle += d;
      continue;
    }
    const name = label(w.name);
    const f = perFn.get(name) ?? { name, instructions: 0, entries: 0 };
    f.instructions += d;
    if (w.entry) f.entries += b.execs - before.execs;
    perFn.set(name, f);
  }
  const functions = [...perFn.values()].sort((x, y) => y.instructions - x.instructions);
  return {
    board: o.board,
    backend: o.backend,
    seed: o.seed + 1,
    steps: two.steps[1],
    ticks: two.ticks[1],
    total: functions.reduce((x, f) => x + f.instructions, 0),
    idle,
    functions,
  };
}
