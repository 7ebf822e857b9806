// Where a decision's instructions go, per firmware function (emulated: a QEMU plugin counts every executed
// instruction per translation block, bench/profile/insn-profile.c). Two sessions on the same image: one greedy
// episode (seed S), then two (S, S + 1); their difference is exactly episode S + 1 (its reset, steps and the
// episode command), free of boot, module load and wasm3's compilation. Prints the functions by instructions per
// step and one JSON line.
//   node --import tsx bench/profile.ts [--board qemu-m4] [--backend wasm3] [--model models/cartpole-ternary.bitrl]
//                                     [--seed 18] [--top 40] [--flags="<extra build flags>"]
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { withBoard } from "../tools/lib/board/session.ts";
import { buildFirmware, type Backend } from "../tools/lib/board/firmware-build.ts";
import { repoRoot } from "../tools/lib/board/toolchain.ts";
import { encodeBlob } from "../tools/lib/format/blob.ts";
import { readBlobFile } from "../tools/lib/format/blob-file.ts";

const { values: a } = parseArgs({
  options: {
    board: { type: "string", default: "qemu-m4" },
    backend: { type: "string", default: "wasm3" },
    model: { type: "string", default: "models/cartpole-ternary.bitrl" },
    seed: { type: "string", default: "18" },
    top: { type: "string", default: "40" },
    // extra firmware build flags, e.g. to try a compiler option: --flags="-fno-schedule-insns2"
    flags: { type: "string", default: "" },
  },
});
const board = a.board!;
const backend = a.backend as Backend;
const seed = Number(a.seed);
const outDir = join(repoRoot, ".bitrl", "profile");
mkdirSync(outDir, { recursive: true });

/** The plugin as a shared object, rebuilt when its source is newer. */
function buildPlugin(): string {
  const src = join(repoRoot, "bench", "profile", "insn-profile.c");
  const so = join(outDir, "insn-profile.so");
  if (!existsSync(so) || statSync(so).mtimeMs < statSync(src).mtimeMs)
    execFileSync("cc", ["-O2", "-shared", "-fPIC", "-Wall", "-o", so, src], { stdio: "inherit" });
  return so;
}

/** Per block start address ("<hex> <insns> <execs>" lines, summed over re-translations): instructions executed,
 *  and how often a block starting there ran. */
function readProfile(path: string): Map<number, { insns: number; execs: number }> {
  const m = new Map<number, { insns: number; execs: number }>();
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

/** Runs `episodes` greedy episodes from `seed` under the plugin; returns the profile and the steps run. */
async function profiledRun(
  elf: string,
  so: string,
  episodes: number,
): Promise<{ blocks: Map<number, { insns: number; execs: number }>; steps: number[] }> {
  const out = join(outDir, `${board}-${backend.replace("+", "-")}-${episodes}.txt`);
  rmSync(out, { force: true });
  process.env.BITRL_QEMU_PLUGIN = `${so},out=${out}`;
  const steps: number[] = [];
  try {
    await withBoard(board, { backend, image: elf, timeoutMs: 600000 }, async (s) => {
      await s.client.loadModel(encodeBlob(readBlobFile(a.model!)));
      for (let i = 0; i < episodes; i++) steps.push((await s.client.episode(seed + i, 0, true)).steps);
    });
  } finally {
    delete process.env.BITRL_QEMU_PLUGIN;
  }
  if (!existsSync(out)) throw new Error(`the QEMU plugin wrote no profile (${out})`);
  return { blocks: readProfile(out), steps };
}

/** Function symbols of the ELF, sorted by address (nm of the board's toolchain). */
function functionSymbols(elf: string): { start: number; end: number; name: string }[] {
  const nm = board === "qemu-rv32" ? "riscv64-unknown-elf-nm" : "arm-none-eabi-nm";
  const syms: { start: number; end: number; name: string }[] = [];
  for (const line of execFileSync(nm, ["-n", "-S", "--defined-only", elf], { encoding: "utf8" }).split("\n")) {
    const f = line.trim().split(/\s+/);
    if (f.length !== 4 || !/[tTwW]/.test(f[2])) continue;
    const start = parseInt(f[0], 16) & ~1; // Thumb symbols carry bit 0
    syms.push({ start, end: start + parseInt(f[1], 16), name: f[3] });
  }
  return syms;
}

/** The module's function names by index (imports first), from the release build's text: wasm2c names an
 *  unexported function w2c_f<index>. */
function moduleFunctionNames(): string[] {
  const wat = join(repoRoot, "build", "agent.wat");
  if (!existsSync(wat)) return [];
  const names: string[] = [];
  for (const m of readFileSync(wat, "utf8").matchAll(/^ \((?:import "[^"]*" "[^"]*" \()?func \$(\S+)/gm))
    names.push(m[1]);
  return names;
}

function owner(syms: { start: number; end: number; name: string }[], at: number): { name: string; entry: boolean } {
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

const so = buildPlugin();
const buildFlags = a.flags ? a.flags.split(/\s+/) : [];
const image = await buildFirmware(board, { backend, buildFlags });
const one = await profiledRun(image.path, so, 1);
const two = await profiledRun(image.path, so, 2);
const steps = two.steps[1];
const syms = functionSymbols(image.path);
const moduleNames = moduleFunctionNames();
// w2c_f112 (or w2c_f112.constprop.0) -> w2c_f112 splitLookup
const label = (fn: string) => {
  const m = /^w2c_f(\d+)/.exec(fn);
  const name = m ? moduleNames[Number(m[1])] : undefined;
  return name ? `${fn} ${name.split("/").pop()}` : fn;
};
// per function: instructions, and entries (runs of a block at its first address: calls, or a loop's head there)
const perFn = new Map<string, { insns: number; entries: number }>();
for (const [at, b] of two.blocks) {
  const before = one.blocks.get(at) ?? { insns: 0, execs: 0 };
  const d = b.insns - before.insns;
  if (d === 0) continue;
  const o = owner(syms, at);
  const fn = label(o.name);
  const f = perFn.get(fn) ?? { insns: 0, entries: 0 };
  f.insns += d;
  if (o.entry) f.entries += b.execs - before.execs;
  perFn.set(fn, f);
}
const total = [...perFn.values()].reduce((x, y) => x + y.insns, 0);
const rows = [...perFn.entries()].map(([name, f]) => [name, f.insns, f.entries] as const).sort((x, y) => y[1] - x[1]);
const top = Number(a.top);
console.log(
  `${board} ${backend}, ${a.model}: episode seed ${seed + 1}, ${steps} steps, ${Math.round(total / steps).toLocaleString("en-US")} instructions per step (emulated: QEMU plugin counts)`,
);
console.log("| function | instructions per step | share | entries per step | instructions per entry |");
console.log("|---|---|---|---|---|");
for (const [name, n, e] of rows.slice(0, top))
  console.log(
    `| ${name} | ${Math.round(n / steps).toLocaleString("en-US")} | ${((100 * n) / total).toFixed(1)}% | ${e ? Math.round(e / steps).toLocaleString("en-US") : "-"} | ${e ? (n / e).toFixed(1) : "-"} |`,
  );
const rest = rows.slice(top).reduce((x, r) => x + r[1], 0);
if (rest)
  console.log(
    `| (${rows.length - top} more) | ${Math.round(rest / steps).toLocaleString("en-US")} | ${((100 * rest) / total).toFixed(1)}% | | |`,
  );
console.log(
  JSON.stringify({
    bench: "profile",
    board,
    backend,
    model: a.model,
    seed: seed + 1,
    steps,
    per_step: total / steps,
    functions: rows.map(([name, n, e]) => ({ name, per_step: n / steps, entries_per_step: e / steps })),
  }),
);
