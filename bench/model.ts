// Backbone benchmark: cost of one decision's forward (backbone_features on one observation's tokens) for every
// shipped backbone kind of an env, side by side: microseconds in Node (V8), and with --board qemu-m4 the
// *emulated* instruction count in wasm3 on the QEMU Cortex-M4 (-icount: exact, deterministic), plus blob bytes
// and the runtime's RAM. A table, then one JSON line. Not a test.
// Run: node --import tsx bench/model.ts [--env cartpole] [--board qemu-m4]
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
  qemu_instructions?: number;
  qemu_instructions_per_mac?: number;
}

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
  rows.push({ kind, blob_bytes: bytes.length, runtime_ram_bytes: mod.fn.backbone_memory(), macs: macs(c, t.length), v8_us: best });
}

if (values.board) {
  const { openBoard } = await import("../tools/lib/board/session.ts");
  const s = await openBoard(values.board, { timeoutMs: 60000 });
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
      r.qemu_instructions = b.ticks / b.reps;
      r.qemu_instructions_per_mac = r.qemu_instructions / r.macs;
    }
  } finally {
    await s.close();
  }
}

const head = ["kind", "blob bytes", "RAM bytes", "MACs", "V8 us", ...(values.board ? [`${values.board} instr (emulated)`, "instr/MAC"] : [])];
const table = rows.map((r) => [r.kind, String(r.blob_bytes), String(r.runtime_ram_bytes), String(r.macs), r.v8_us.toFixed(1),
  ...(values.board ? [String(r.qemu_instructions), (r.qemu_instructions_per_mac ?? 0).toFixed(2)] : [])]);
const widths = head.map((h, i) => Math.max(h.length, ...table.map((t) => t[i].length)));
console.log(`backbone forward, one ${env} decision (${rows.length ? tokensFor(backboneFromBlob(readBlobFile(join(root, "models", `${env}-backbone-fp32.bitrl`))).config).length : 0} tokens)`);
for (const r of [head, ...table]) console.log(r.map((c, i) => (i ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join("  "));
console.log(JSON.stringify({ bench: "model", env, board: values.board ?? null, how: { v8_us: "measured on this host (best of 5 x 200 calls)", qemu_instructions: "emulated (QEMU -icount, wasm3)" }, rows }));
