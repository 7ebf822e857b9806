// Decision cost in one table: one decision's backbone forward (backbone_features on one observation's tokens), split
// by stage (assembly/model/profile.ts), for every shipped backbone kind of an env, on each runtime: wasm3,
// wasm3+native (the module's kernel imports bound to C kernels) and AOT on qemu-m4, wasm3 on qemu-rv32. Counts are
// *emulated* (QEMU -icount: exact, deterministic); the whole decision (tokenize, backbone, head, env step) comes from
// a short greedy episode of the shipped agent (cartpole-<kind>.bitrl). Milliseconds at each real board's clock are
// *estimated* (instructions / clock, one instruction per cycle): nRF52840, STM32F446 and ESP32 (Xtensa) from the
// qemu-m4 count, ESP32-C3 from the qemu-rv32 count when that runtime was measured there (else marked "~m4"). Also
// V8 microseconds (host). Prints tables, then one JSON line. Not a test.
// Run: node --import tsx bench/model.ts [--env cartpole] [--board qemu-m4|qemu-rv32|all] [--runtimes wasm3,aot]
//      [--aot-unchecked]: also AOT on qemu-m4 built with every bounds check compiled out (a measurement of what the
//      checks cost, never a configuration the project offers: its column says so)
//      [--svg FILE]: also draw where each decision's instructions go (tools/lib/report/stages.ts) into FILE;
//      [--render JSONFILE --svg FILE]: only redraw that chart from a saved output (its JSON line), no measuring.
// Appends the per-stage counts to the run log (kind "decision-stages"), which `bitrl report` draws.
import { parseArgs } from "node:util";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { encodeBlob } from "../tools/lib/format/blob.ts";
import { readBlobFile } from "../tools/lib/format/blob-file.ts";
import { backboneFromBlob, BACKBONE_KINDS, type BackboneConfig } from "../tools/lib/reference/backbone.ts";
import { loadAgent } from "../tools/lib/runtime/wasm.ts";
import type { Backend } from "../tools/lib/board/firmware-build.ts";
import { withStageTicks } from "../tools/lib/board/decision-cost.ts";
import { appendRun } from "../tools/lib/report/runlog.ts";
import { asDecisionStages, decisionStagesChart, STAGES, type StageCost } from "../tools/lib/report/stages.ts";
import { writeFileAtomic } from "../tools/lib/util/files.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const { values } = parseArgs({
  options: {
    env: { type: "string" },
    board: { type: "string" },
    runtimes: { type: "string" },
    "aot-unchecked": { type: "boolean" },
    svg: { type: "string" },
    render: { type: "string" },
  },
});
const env = values.env ?? "cartpole";

if (values.render) {
  if (!values.svg) throw new Error("--render needs --svg FILE (where to draw the chart)");
  if (!existsSync(values.render))
    throw new Error(`--render ${values.render}: no such file (a saved bench/model.ts output)`);
  const line = readFileSync(values.render, "utf8")
    .split("\n")
    .find((l) => l.startsWith('{"bench":"model"'));
  if (!line) throw new Error(`${values.render}: no JSON line of bench/model.ts in it`);
  writeFileAtomic(values.svg, decisionStagesChart(asDecisionStages(JSON.parse(line)), true) + "\n");
  console.log(`bench/model.ts: drew ${values.svg} from ${values.render}`);
  process.exit(0);
}

/** Multiply-accumulates of one forward over n positions (projections only). */
function macs(c: BackboneConfig, n: number): number {
  return n * c.layers * (4 * c.dim * c.dim + 2 * c.dim * c.ffn);
}

interface Row {
  kind: string;
  blob_bytes: number;
  runtime_ram_bytes: number;
  macs: number;
  v8_us: number;
  /** emulated instructions per runtime, e.g. "qemu-m4/wasm3" */
  emulated: Record<string, StageCost>;
}

/** Real boards' clocks (tools/lib/board/profiles.ts); which emulated ISA stands for each. */
const CLOCKS: { name: string; hz: number; isa: "qemu-m4" | "qemu-rv32" }[] = [
  { name: "nRF52840 64 MHz", hz: 64e6, isa: "qemu-m4" },
  { name: "STM32F446 180 MHz", hz: 180e6, isa: "qemu-m4" },
  { name: "ESP32-C3 160 MHz", hz: 160e6, isa: "qemu-rv32" },
  { name: "ESP32 240 MHz", hz: 240e6, isa: "qemu-m4" },
];
/** A runtime of the table: a board, a backend, and for a measurement-only build its extra flags and column name. */
interface Runtime {
  board: "qemu-m4" | "qemu-rv32";
  backend: Backend;
  name?: string;
  flags?: string[];
}
const ALL: Runtime[] = [
  { board: "qemu-m4", backend: "wasm3" },
  { board: "qemu-m4", backend: "wasm3+native" },
  { board: "qemu-m4", backend: "aot" },
  { board: "qemu-rv32", backend: "wasm3" },
  { board: "qemu-rv32", backend: "wasm3+native" },
];

const tokensFor = (c: BackboneConfig) => Int32Array.from({ length: c.featTokens }, (_, i) => (i * 7 + 3) % c.vocab);
const backbonePath = (kind: string) => join(root, "models", `${env}-backbone-${kind}.bitrl`);
const agentPath = (kind: string) => join(root, "models", `${env}-${kind}.bitrl`);

const rows: Row[] = [];
for (const kind of BACKBONE_KINDS) {
  const blob = readBlobFile(backbonePath(kind));
  const c = backboneFromBlob(blob).config;
  const bytes = encodeBlob(blob);
  const mod = loadAgent("release", { blob: bytes });
  if (mod.fn.backbone_load() !== 0) throw new Error(`${kind}: ${mod.logs.join("; ")}`);
  const tok = mod.ioBase + 1024,
    out = mod.ioBase + 2048;
  const t = tokensFor(c);
  new Int32Array(mod.memory.buffer, tok, t.length).set(t);
  let best = Infinity;
  for (let pass = 0; pass < 5; pass++) {
    const reps = 200;
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < reps; i++) mod.fn.backbone_features(tok, t.length, out);
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1000 / reps);
  }
  rows.push({
    kind,
    blob_bytes: bytes.length,
    runtime_ram_bytes: mod.fn.backbone_memory(),
    macs: macs(c, t.length),
    v8_us: best,
    emulated: {},
  });
}

const boards = values.board === "all" ? ALL : values.board ? ALL.filter((r) => r.board === values.board) : [];
const wanted = values.runtimes?.split(",");
const runtimes = wanted ? boards.filter((r) => wanted.includes(r.backend)) : boards;
if (values["aot-unchecked"])
  runtimes.push({
    board: "qemu-m4",
    backend: "aot",
    name: "aot-unchecked",
    flags: ["-DBITRL_AOT_BENCH_UNCHECKED"],
  });
/** The column of a runtime: board/backend, or board/name for a measurement-only build. */
const keyOf = (r: Runtime) => `${r.board}/${r.name ?? r.backend}`;
const DECISION_STEPS = 20;
for (const rt of runtimes) {
  const { openBoard } = await import("../tools/lib/board/session.ts");
  const key = keyOf(rt);
  // one boot per kind: wasm3 compiles every function it runs into its fixed heap, and the four kinds' forwards
  // together do not fit next to one agent on a 256 KiB board
  for (const r of rows) {
    const s = await openBoard(rt.board, { timeoutMs: 120000, backend: rt.backend, buildFlags: rt.flags });
    try {
      if (s.info.backend !== rt.backend) throw new Error(`${key}: the firmware reports backend ${s.info.backend}`);
      const io = await s.client.ioBase();
      const blob = readBlobFile(backbonePath(r.kind));
      const c = backboneFromBlob(blob).config;
      await s.client.loadModel(encodeBlob(blob));
      const load = await s.client.kernel("backbone_load", []);
      if (load.value.value !== 0) throw new Error(`${r.kind}: backbone_load on the board returned ${load.value.value}`);
      const t = tokensFor(c);
      await s.client.memWrite(io + 1024, new Uint8Array(t.buffer));
      const args = [io + 1024, t.length, io + 2048];
      // one warm-up call first: wasm3 compiles each function on its first call, which is not per-decision cost
      await s.client.kernel("backbone_features", args);
      const b = await s.client.bench("backbone_features", args, 2);
      const { stages } = await withStageTicks(s.client, () => s.client.kernel("backbone_features", args));
      let decision: number | null = null;
      if (existsSync(agentPath(r.kind))) {
        await s.client.loadModel(encodeBlob(readBlobFile(agentPath(r.kind))));
        await s.client.episode(18, 2, true); // compiles the agent's functions
        const e = await s.client.episode(18, DECISION_STEPS, true);
        decision = e.ticks / e.steps;
      }
      r.emulated[key] = { forward: b.ticks / b.reps, stages, decision };
    } finally {
      await s.close();
    }
  }
  // a kind without a shipped agent: its forward plus what the ternary agent spends outside the backbone
  const tern = rows.find((r) => r.kind === "ternary")?.emulated[key];
  for (const r of rows) {
    const e = r.emulated[key];
    if (e && e.decision === null && tern?.decision != null) {
      e.decision = e.forward + (tern.decision - tern.forward);
      e.decisionEstimated = true;
    }
  }
}

const keys = runtimes.map(keyOf);
const fmt = (v: number) => Math.round(v).toLocaleString("en-US");
function print(title: string, head: string[], body: string[][]): void {
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((t) => t[i].length)));
  console.log(`\n${title}`);
  for (const r of [head, ...body])
    console.log(r.map((c, i) => (i ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join("  "));
}

const nTok = tokensFor(backboneFromBlob(readBlobFile(backbonePath("fp32"))).config).length;
console.log(`one ${env} decision: ${nTok} tokens through the backbone, then the head and the env step`);
print(
  "host",
  ["kind", "blob bytes", "RAM bytes", "MACs", "V8 us (host)"],
  rows.map((r) => [r.kind, String(r.blob_bytes), String(r.runtime_ram_bytes), String(r.macs), r.v8_us.toFixed(1)]),
);
if (keys.length) {
  for (const r of rows) {
    const body = STAGES.map((name, i) => [name, ...keys.map((k) => fmt(r.emulated[k].stages[i]))]);
    body.push(["sum of stages (profiled)", ...keys.map((k) => fmt(r.emulated[k].stages.reduce((a, v) => a + v, 0)))]);
    body.push(["backbone forward (unprofiled)", ...keys.map((k) => fmt(r.emulated[k].forward))]);
    body.push([
      "head + tokenize + env step",
      ...keys.map((k) => {
        const e = r.emulated[k];
        if (e.decision === null) return "-";
        // the episode's forwards see other observations than this one; soft-float costs follow the values (fp32 on
        // an FPU-less core), so there the difference can be meaningless, even negative
        const rest = e.decision - e.forward;
        return rest < 0 ? "n/a (values)" : `${e.decisionEstimated ? "~" : ""}${fmt(rest)}`;
      }),
    ]);
    body.push([
      "decision",
      ...keys.map((k) => {
        const e = r.emulated[k];
        return e.decision === null ? "-" : `${e.decisionEstimated ? "~" : ""}${fmt(e.decision)}`;
      }),
    ]);
    print(`${r.kind}: instructions per decision by stage (emulated, QEMU -icount)`, ["stage", ...keys], body);
  }
  // one row per kind and backend: each clock takes the count of the ISA it stands for, or the other ISA's ("~m4")
  const backends = [...new Set(runtimes.map((r) => r.name ?? r.backend))];
  const msRows: string[][] = [];
  for (const r of rows) {
    for (const backend of backends) {
      msRows.push([
        `${r.kind} ${backend}`,
        ...CLOCKS.map((c) => {
          const own = r.emulated[`${c.isa}/${backend}`];
          const e = own ?? r.emulated[`qemu-m4/${backend}`] ?? r.emulated[`qemu-rv32/${backend}`];
          if (!e || e.decision === null) return "-";
          const other = own ? "" : c.isa === "qemu-rv32" ? "~m4 " : "~rv32 ";
          return `${other}${e.decisionEstimated ? "~" : ""}${((e.decision / c.hz) * 1000).toFixed(2)}`;
        }),
      ]);
    }
  }
  print(
    "ms per decision at each board's clock (estimated: emulated instructions / clock, CPI 1; ESP32-C3 from qemu-rv32, the others from qemu-m4; ~m4 = the qemu-m4 count stands in (not measured on qemu-rv32); ~ = a kind without a shipped agent: its forward plus the ternary agent's head and env step)",
    ["kind backend", ...CLOCKS.map((c) => c.name)],
    msRows,
  );
  const fp32 = rows.find((r) => r.kind === "fp32");
  if (fp32) {
    print(
      "fp32 / kind per decision (same runtime)",
      ["kind", ...keys],
      rows.map((r) => [
        r.kind,
        ...keys.map((k) => {
          const a = fp32.emulated[k]?.decision,
            b = r.emulated[k]?.decision;
          return a && b ? (a / b).toFixed(2) : "-";
        }),
      ]),
    );
  }
}
console.log(
  JSON.stringify({
    bench: "model",
    env,
    board: values.board ?? null,
    stages: STAGES,
    decision_steps: DECISION_STEPS,
    how: {
      v8_us: "host: V8 on this machine (best of 5 x 200 calls)",
      emulated: "emulated (QEMU -icount) per board/runtime",
      ms: "estimated: emulated instructions / clock, CPI 1",
    },
    rows,
  }),
);
if (keys.length) {
  appendRun("decision-stages", {
    env,
    board: values.board ?? null,
    source: "bench/model.ts",
    figure: "emulated",
    stages: STAGES,
    rows,
  });
  if (values.svg) {
    writeFileAtomic(values.svg, decisionStagesChart(asDecisionStages({ env, stages: STAGES, rows }), true) + "\n");
    console.log(`bench/model.ts: drew ${values.svg}`);
  }
}
