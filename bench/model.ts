// Backbone benchmark: cost of one decision's forward (backbone_features on one observation's tokens) for every
// shipped backbone kind of an env, side by side: microseconds in Node (V8), and with --board the *emulated*
// instruction counts (QEMU -icount: exact, deterministic) of each runtime on the emulated boards (wasm3 and AOT on
// qemu-m4, wasm3 on qemu-rv32), with the milliseconds that count takes at each real board's clock (*estimated*:
// one instruction per cycle), plus blob bytes and the runtime's RAM. A table, then one JSON line. Not a test.
// Run: node --import tsx bench/model.ts [--env cartpole] [--board qemu-m4|all]
import { parseArgs } from "node:util";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { encodeBlob } from "../tools/lib/format/blob.ts";
import { readBlobFile } from "../tools/lib/format/blob-file.ts";
import { backboneFromBlob, BACKBONE_KINDS, type BackboneConfig } from "../tools/lib/reference/backbone.ts";
import { loadAgent } from "../tools/lib/runtime/wasm.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const { values } = parseArgs({ options: { env: { type: "string" }, board: { type: "string" } } });
const env = values.env ?? "cartpole";

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
  /** emulated instructions of one forward per runtime, e.g. "qemu-m4/wasm3" */
  emulated: Record<string, number>;
}

/** Real boards' clocks (tools/lib/boards.ts) for the estimated milliseconds. */
const CLOCKS: [string, number][] = [["nRF52840 64 MHz", 64e6], ["STM32F446 180 MHz", 180e6], ["ESP32-C3 160 MHz", 160e6], ["ESP32 240 MHz", 240e6]];
const RUNTIMES: { board: string; backend: "wasm3" | "aot" }[] = [
  { board: "qemu-m4", backend: "wasm3" }, { board: "qemu-m4", backend: "aot" }, { board: "qemu-rv32", backend: "wasm3" },
];

const tokensFor = (c: BackboneConfig) => Int32Array.from({ length: c.featTokens }, (_, i) => (i * 7 + 3) % c.vocab);

const rows: Row[] = [];
for (const kind of BACKBONE_KINDS) {
  const blob = readBlobFile(join(root, "models", `${env}-backbone-${kind}.bitrl`));
  const c = backboneFromBlob(blob).config;
  const bytes = encodeBlob(blob);
  const mod = loadAgent("release", { blob: bytes });
  if (mod.fn.backbone_load() !== 0) throw new Error(`${kind}: ${mod.logs.join("; ")}`);
  const tok = mod.ioBase + 1024, out = mod.ioBase + 2048;
  const t = tokensFor(c);
  new Int32Array(mod.memory.buffer, tok, t.length).set(t);
  let best = Infinity;
  for (let pass = 0; pass < 5; pass++) {
    const reps = 200;
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < reps; i++) mod.fn.backbone_features(tok, t.length, out);
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1000 / reps);
  }
  rows.push({ kind, blob_bytes: bytes.length, runtime_ram_bytes: mod.fn.backbone_memory(), macs: macs(c, t.length), v8_us: best, emulated: {} });
}

const runtimes = values.board === "all" ? RUNTIMES : values.board ? RUNTIMES.filter((r) => r.board === values.board) : [];
for (const rt of runtimes) {
  const { openBoard } = await import("../tools/lib/board/session.ts");
  const s = await openBoard(rt.board, { timeoutMs: 120000, backend: rt.backend });
  try {
    const io = await s.client.ioBase();
    for (const r of rows) {
      const blob = readBlobFile(join(root, "models", `${env}-backbone-${r.kind}.bitrl`));
      const c = backboneFromBlob(blob).config;
      await s.client.loadModel(encodeBlob(blob));
      const load = await s.client.kernel("backbone_load", []);
      if (load.value.value !== 0) throw new Error(`${r.kind}: backbone_load on the board returned ${load.value.value}`);
      const t = tokensFor(c);
      await s.client.memWrite(io + 1024, new Uint8Array(t.buffer));
      // one warm-up call first: wasm3 compiles each function on its first call, which is not per-decision cost
      await s.client.kernel("backbone_features", [io + 1024, t.length, io + 2048]);
      const b = await s.client.bench("backbone_features", [io + 1024, t.length, io + 2048], 2);
      r.emulated[`${rt.board}/${rt.backend}`] = b.ticks / b.reps;
    }
  } finally {
    await s.close();
  }
}

const keys = runtimes.map((r) => `${r.board}/${r.backend}`);
const m4 = keys.includes("qemu-m4/wasm3") ? "qemu-m4/wasm3" : keys[0];
const msAt = (instr: number, hz: number) => ((instr / hz) * 1000).toFixed(2);
const fp32 = rows.find((r) => r.kind === "fp32");
const head = ["kind", "blob bytes", "RAM bytes", "MACs", "V8 us", ...keys.map((k) => `${k} instr (emulated)`), ...(fp32 ? keys.map((k) => `fp32/kind ${k}`) : []),
  ...(m4 ? CLOCKS.map(([name]) => `ms @ ${name} (estimated)`) : [])];
const table = rows.map((r) => [r.kind, String(r.blob_bytes), String(r.runtime_ram_bytes), String(r.macs), r.v8_us.toFixed(1),
  ...keys.map((k) => String(Math.round(r.emulated[k]))), ...(fp32 ? keys.map((k) => (fp32.emulated[k] / r.emulated[k]).toFixed(2)) : []),
  // the clock of the board a runtime stands for: Cortex-M boards for qemu-m4, RISC-V (ESP32-C3) for qemu-rv32
  ...(m4 ? CLOCKS.map(([name, hz]) => msAt(r.emulated[name.startsWith("ESP32-C3") && keys.includes("qemu-rv32/wasm3") ? "qemu-rv32/wasm3" : m4], hz)) : [])]);
const widths = head.map((h, i) => Math.max(h.length, ...table.map((t) => t[i].length)));
console.log(`backbone forward, one ${env} decision (${rows.length ? tokensFor(backboneFromBlob(readBlobFile(join(root, "models", `${env}-backbone-fp32.bitrl`))).config).length : 0} tokens)`);
for (const r of [head, ...table]) console.log(r.map((c, i) => (i ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join("  "));
if (m4) console.log(`ms: ${m4} instructions at each clock, one instruction per cycle (ESP32-C3: qemu-rv32 when measured); estimated, not measured on a board`);
console.log(JSON.stringify({ bench: "model", env, board: values.board ?? null, how: { v8_us: "host: V8 on this machine (best of 5 x 200 calls)", emulated: "emulated (QEMU -icount) per board/runtime", ms: "estimated: emulated instructions / clock, CPI 1" }, rows }));
