// wasm3's operations scored without a firmware build (static: disassembly weighted by an emulated profile). Each
// operation's instructions on its straight path (entry to its tail call, following unconditional branches inside
// it), from arm-none-eabi-objdump of wasm3's m3_compile.c (where the operations are compiled) built with qemu-m4's
// flags, times how often `bench/profile.ts --backend wasm3` saw it run: the sum matches the profile's count of those
// operations within about 0.3% (both printed; operations with loops inside, op_Entry, count one pass), so a compiler
// flag or an edit of .bitrl/wasm3 can be compared in seconds.
// docs/firmware.md "wasm3 from 2.34M to 1.73M".
//   node --import tsx bench/op-costs.ts [--profile FILE] [--flags="<extra flags to compare>"] [--top 30]
// --profile: the JSON line of bench/profile.ts (default: profile one episode now, about a minute).
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { encodeBlob } from "../tools/lib/format/blob.ts";
import { readBlobFile } from "../tools/lib/format/blob-file.ts";
import { type FunctionPerStep, perStep, profileEpisode } from "./profile/profile-episode.ts";

const { values: a } = parseArgs({
  options: {
    profile: { type: "string" },
    flags: { type: "string", default: "" },
    top: { type: "string", default: "30" },
  },
});
const root = join(import.meta.dirname, "..");
const wasm3 = join(root, ".bitrl", "wasm3");

/** The flags the qemu-m4 firmware compiles wasm3's files with, read from where the build takes them: the builder's
 *  Arm code generation and common flags (firmware/platform/builder/main.py, the CPU from the board's JSON),
 *  platformio.ini's -O2, [bitrl] wasm3_flags and the env's -D settings, and bitrl_sources.py's engine flags. */
function firmwareFlags(): string[] {
  const ini = readFileSync(join(root, "platformio.ini"), "utf8");
  const section = (name: string) => ini.split(`[${name}]`)[1]?.split(/\n\[/)[0] ?? "";
  const defines = (text: string) => text.match(/-D\S+/g) ?? [];
  const builder = join(root, "firmware", "platform", "builder");
  // the string items of a Python list literal that follows `prefix` in text
  const pyList = (text: string, prefix: string, file: string) => {
    const at = text.indexOf(prefix);
    const body = at < 0 ? undefined : /^\[([^\]]*)\]/.exec(text.slice(at + prefix.length))?.[1];
    if (body === undefined) throw new Error(`op-costs: ${file} no longer has \`${prefix}[...]\``);
    return [...body.matchAll(/"([^"]+)"/g)].map((m) => m[1]);
  };
  const main = readFileSync(join(builder, "main.py"), "utf8");
  const arm = main.split('if arch == "arm":')[1]?.split(/\nelse:/)[0] ?? "";
  const board = JSON.parse(readFileSync(join(root, "firmware", "platform", "boards", "qemu-m4.json"), "utf8"));
  // `"-mcpu=%s" % board.get("build.cpu")`: the flag with the board's CPU, the key's string dropped
  const cpu = pyList(arm, "cpu = ", "main.py")
    .filter((f) => f.startsWith("-"))
    .map((f) => f.replace("%s", board.build.cpu));
  const common = pyList(main, "CCFLAGS=cpu + libc + ", "main.py").filter((f) => f !== "-Wall");
  const sources = readFileSync(join(builder, "bitrl_sources.py"), "utf8");
  const engine = [
    ...pyList(sources, "engine_abi = ", "bitrl_sources.py"),
    ...pyList(sources, "engine_tune = ", "bitrl_sources.py"),
  ];
  return [
    ...cpu,
    ...pyList(arm, "libc = ", "main.py"),
    ...common,
    ...pyList(main, " CFLAGS=", "main.py"),
    "-O2",
    "-w",
    ...defines(section("bitrl")),
    ...defines(section("env:qemu-m4")).filter((d) => d.startsWith("-Dd_m3")),
    ...engine,
  ];
}

type Insn = { addr: number; op: string; args: string };

/** Every function of the object: its instructions in address order. */
function disassemble(obj: string): Map<string, Insn[]> {
  const text = execFileSync("arm-none-eabi-objdump", ["-d", obj], { maxBuffer: 1 << 28 }).toString();
  const fns = new Map<string, Insn[]>();
  let cur: Insn[] | null = null;
  for (const line of text.split("\n")) {
    const head = /^[0-9a-f]+ <([^>]+)>:$/.exec(line);
    if (head) fns.set(head[1], (cur = []));
    const m = /^\s+([0-9a-f]+):\t[0-9a-f ]+\t(\S+)\s*(.*)$/.exec(line);
    if (m && cur && !m[2].startsWith(".")) cur.push({ addr: parseInt(m[1], 16), op: m[2], args: m[3] });
  }
  return fns;
}

/** Instructions from the entry to the tail call (`bx` through a register other than lr, or a branch out), following
 *  unconditional branches inside the function and falling through conditional ones; 0 for a function that returns. */
function straightPath(insns: Insn[]): number {
  const at = new Map(insns.map((x, i) => [x.addr, i]));
  for (let i = 0, n = 0; i < insns.length && n < 400;) {
    const x = insns[i];
    n++;
    if (x.op.startsWith("bx")) return x.args.startsWith("lr") ? 0 : n;
    if (/^(pop|ldmia)/.test(x.op) && x.args.includes("pc")) return 0;
    if (/^b(\.[nw])?$/.test(x.op)) {
      const to = at.get(parseInt(x.args, 16));
      if (to === undefined) return n;
      i = to;
    } else i++;
  }
  return 0;
}

function compile(extra: string[], dir: string, name: string): Map<string, Insn[]> {
  const obj = join(dir, `${name}.o`);
  const args = [...firmwareFlags(), ...extra, `-I${wasm3}`, "-c", join(wasm3, "m3_compile.c"), "-o", obj];
  execFileSync("arm-none-eabi-gcc", args, { stdio: ["ignore", "ignore", "inherit"] });
  return disassemble(obj);
}

const profile: { per_step: number; functions: FunctionPerStep[] } = a.profile
  ? JSON.parse(
      readFileSync(a.profile, "utf8")
        .split("\n")
        .find((l) => l.startsWith("{")) ?? "",
    )
  : await profileEpisode({
      board: "qemu-m4",
      backend: "wasm3",
      model: encodeBlob(readBlobFile(join(root, "models", "cartpole-ternary.bitrl"))),
      seed: 18,
    }).then(perStep);

const dir = mkdtempSync(join(tmpdir(), "bitrl-op-costs-"));
try {
  const extra = a.flags ? a.flags.split(/\s+/).filter(Boolean) : [];
  const base = compile([], dir, "base");
  const variant = extra.length ? compile(extra, dir, "variant") : null;
  const rows = [];
  let measured = 0,
    staticBase = 0,
    staticVariant = 0;
  for (const f of profile.functions) {
    const insns = base.get(f.name);
    const b = insns ? straightPath(insns) : 0;
    if (!f.name.startsWith("op_") || b === 0) continue;
    const v = variant ? straightPath(variant.get(f.name) ?? []) || b : b;
    measured += f.per_step;
    staticBase += b * f.entries_per_step;
    staticVariant += v * f.entries_per_step;
    rows.push({
      op: f.name,
      entries: f.entries_per_step,
      measured: f.per_step / f.entries_per_step,
      base: b,
      variant: v,
    });
  }
  const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
  console.log(
    `wasm3 operations on their straight path, weighted by a profile of ${fmt(profile.per_step)} instructions a step (emulated counts; the static figures are a model of them)`,
  );
  const cols = [
    "operation",
    "entries per step",
    "measured per entry",
    "static",
    ...(variant ? ["static with the flags"] : []),
  ];
  console.log(`| ${cols.join(" | ")} |`);
  console.log(`|${"---|".repeat(cols.length)}`);
  for (const r of rows.slice(0, Number(a.top))) {
    const cells = [
      r.op,
      fmt(r.entries),
      r.measured.toFixed(1),
      String(r.base),
      ...(variant ? [String(r.variant)] : []),
    ];
    console.log(`| ${cells.join(" | ")} |`);
  }
  console.log(
    `operations measured ${fmt(measured)} a step, static ${fmt(staticBase)}${variant ? `, static with ${extra.join(" ")} ${fmt(staticVariant)} (${(((staticVariant - staticBase) / staticBase) * 100).toFixed(1)}%)` : ""}`,
  );
  console.log(
    JSON.stringify({
      bench: "op-costs",
      kind: "static (disassembly) weighted by an emulated profile",
      flags: extra,
      measured_per_step: measured,
      static_per_step: staticBase,
      static_variant_per_step: variant ? staticVariant : null,
    }),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
