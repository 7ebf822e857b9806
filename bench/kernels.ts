// Kernel benchmark in Node (V8): ns per weight of every matvec kernel at 256x256 and 1024x1024, side by side in
// one run; a table, then one JSON line. Not a test. Run: node --import tsx bench/kernels.ts [--quick]
// Weights that do not fit the 48 KiB I/O arena run as row blocks (and, for the LUT kernels, column blocks whose
// table fits): one block of weights is written once and reused for every block, so the figure is kernel time,
// not the cost of streaming weights in. LUT figures include building the tables once per input vector (block);
// "general" rows put the tables off the fast-LUT region (the loop form instead of the unrolled one).
import { packTernary, rowBytes } from "../tools/lib/format/ternary-packing.ts";
import { bytesOf, loadAgent, writeArena, type AgentModule } from "../tools/lib/runtime/wasm.ts";
import { randomF32, randomInt8, randomTernary, seededRandom } from "../tools/lib/util/seeded-random.ts";

const quick = process.argv.includes("--quick");
const SHAPES: [number, number][] = [
  [256, 256],
  [1024, 1024],
];
const MIN_MS = quick ? 20 : 150; // time per measurement; the best pass of those is kept

type Kernel =
  | "matvec_f32"
  | "matvec_i8"
  | "matvec_i2"
  | "matvec_t3"
  | "matvec_i2_lut general"
  | "matvec_t3_lut general"
  | "matvec_i2_lut"
  | "matvec_t3_lut"
  | "bitlinear_i2"
  | "bitlinear_t3";
const KERNELS: Kernel[] = [
  "matvec_f32",
  "matvec_i8",
  "matvec_i2",
  "matvec_t3",
  "matvec_i2_lut general",
  "matvec_t3_lut general",
  "matvec_i2_lut",
  "matvec_t3_lut",
  "bitlinear_i2",
  "bitlinear_t3",
];

interface Plan {
  /** one full (rows, cols) matvec as a sequence of export calls */
  pass: () => void;
  blockRows: number;
  blockCols: number;
}

/** Lays a block out in the arena; returns null when even one row does not fit. */
function plan(mod: AgentModule, kernel: Kernel, rows: number, cols: number, rand: () => number): Plan | null {
  const arena = mod.ioSize,
    base = mod.ioBase,
    fn = mod.fn;
  const align = (n: number) => (n + 15) & ~15;
  let at = 0;
  const put = (bytes: Uint8Array) => {
    const a = align(at);
    writeArena(mod, a, bytes);
    at = a + bytes.length;
    return base + a;
  };
  const reserve = (n: number) => {
    const a = align(at);
    at = a + n;
    return at <= arena ? base + a : -1;
  };
  if (kernel === "bitlinear_i2" || kernel === "bitlinear_t3") {
    // one call does the whole layer (quantize, table, matvec, scale): only when everything fits
    const p = kernel === "bitlinear_i2" ? "i2" : "t3";
    const need = rows * rowBytes(p, cols) + 4 * cols + 4 * rows + 4 + fn[`${kernel}_scratch`](cols) + 64;
    if (need > arena) return null;
    // scratch placed so its tables land on the fast-LUT region (lut = scratch + align4(cols)) when they fit
    const scratchBytes = fn[`${kernel}_scratch`](cols),
      xq = (cols + 3) & ~3;
    const fastScratch = fn.lut_fast_base() - xq;
    const w = put(packTernary(randomTernary(rand, rows * cols), rows, cols, p));
    const sc = put(bytesOf(Float32Array.of(0.05))),
      x = put(bytesOf(randomF32(rand, cols)));
    const out = reserve(4 * rows);
    const fits = base + align(at) <= fastScratch && fastScratch + scratchBytes <= base + arena;
    const scratch = fits ? fastScratch : reserve(scratchBytes);
    return { pass: () => fn[kernel](w, sc, 1, x, out, rows, cols, scratch), blockRows: rows, blockCols: cols };
  }
  if (kernel.startsWith("matvec_i2_lut") || kernel.startsWith("matvec_t3_lut")) {
    const p = kernel.startsWith("matvec_i2") ? "i2" : "t3",
      per = p === "i2" ? 4 : 5,
      table = p === "i2" ? 512 : 486;
    const name = `matvec_${p}_lut`,
      general = kernel.endsWith("general");
    const stride = rowBytes(p, cols);
    // fast: tables in the fast-LUT region (the arena's last 32 KiB, up to 64 groups per column block), x, out and
    // a weight block below it; general: the same blocks with the tables 16 bytes past the region's start
    const lut = fn.lut_fast_base() + (general ? 16 : 0);
    const room = base + arena - lut - (p === "t3" ? 26 : 0); // t3 tables are checked with 26 bytes of slack
    const groupsPerBlock = Math.min(stride, 64, Math.floor(room / table));
    const x = put(bytesOf(randomInt8(rand, cols))),
      out = reserve(4 * rows);
    const below = fn.lut_fast_base() - base; // x, out and the weight block live under the region
    const blockRows = Math.min(rows, Math.floor((below - align(at)) / stride));
    if (blockRows < 1) return null;
    const w = put(packTernary(randomTernary(rand, blockRows * cols), blockRows, cols, p));
    const blockCols = Math.min(groupsPerBlock * per, cols);
    return {
      pass: () => {
        for (let c0 = 0; c0 < cols; c0 += blockCols) {
          const n = Math.min(blockCols, cols - c0);
          fn[`lut_build_${p}`](x + c0, n, lut);
          for (let r0 = 0; r0 < rows; r0 += blockRows) {
            fn[name](w + c0 / per, lut, out + 4 * r0, Math.min(blockRows, rows - r0), n, stride, c0 > 0 ? 1 : 0);
          }
        }
      },
      blockRows,
      blockCols,
    };
  }
  // plain kernels: x, out for all rows, then as many weight rows as fit
  const bytesPerRow =
    kernel === "matvec_f32"
      ? 4 * cols
      : kernel === "matvec_i8"
        ? cols
        : rowBytes(kernel === "matvec_i2" ? "i2" : "t3", cols);
  const x = kernel === "matvec_f32" ? put(bytesOf(randomF32(rand, cols))) : put(bytesOf(randomInt8(rand, cols)));
  const out = reserve(4 * rows);
  const blockRows = Math.min(rows, Math.floor((arena - align(at) - 16) / bytesPerRow));
  if (blockRows < 1) return null;
  const weights =
    kernel === "matvec_f32"
      ? bytesOf(randomF32(rand, blockRows * cols))
      : kernel === "matvec_i8"
        ? bytesOf(randomInt8(rand, blockRows * cols, -127, 127))
        : packTernary(randomTernary(rand, blockRows * cols), blockRows, cols, kernel === "matvec_i2" ? "i2" : "t3");
  const w = put(weights);
  return {
    pass: () => {
      for (let r0 = 0; r0 < rows; r0 += blockRows) fn[kernel](w, x, out + 4 * r0, Math.min(blockRows, rows - r0), cols);
    },
    blockRows,
    blockCols: cols,
  };
}

/** Best ns per pass over passes filling MIN_MS, after a warm-up. */
function time(pass: () => void): number {
  for (let i = 0; i < 3; i++) pass();
  let best = Infinity;
  const stop = process.hrtime.bigint() + BigInt(MIN_MS * 1e6);
  do {
    const t0 = process.hrtime.bigint();
    pass();
    best = Math.min(best, Number(process.hrtime.bigint() - t0));
  } while (process.hrtime.bigint() < stop);
  return best;
}

interface Row {
  kernel: Kernel;
  rows: number;
  cols: number;
  ns_per_weight: number | null;
  block_rows: number | null;
  block_cols: number | null;
}
const results: Row[] = [];
const mod = loadAgent("release");
for (const [rows, cols] of SHAPES) {
  for (const kernel of KERNELS) {
    const p = plan(mod, kernel, rows, cols, seededRandom(rows + cols));
    const ns = p ? time(p.pass) / (rows * cols) : null;
    results.push({
      kernel,
      rows,
      cols,
      ns_per_weight: ns === null ? null : +ns.toFixed(4),
      block_rows: p?.blockRows ?? null,
      block_cols: p?.blockCols ?? null,
    });
  }
}

const f32At = (rows: number, cols: number) =>
  results.find((r) => r.kernel === "matvec_f32" && r.rows === rows && r.cols === cols)?.ns_per_weight ?? null;
console.log(
  `kernels in V8 (Node ${process.version}), build/agent.wasm, ns per weight (measured on this host, best pass)`,
);
console.log(
  ["kernel".padEnd(22), ...SHAPES.map(([r, c]) => `${r}x${c}`.padStart(11) + "  vs f32  block".padEnd(20))].join(""),
);
for (const kernel of KERNELS) {
  const cells = SHAPES.map(([rows, cols]) => {
    const r = results.find((x) => x.kernel === kernel && x.rows === rows && x.cols === cols)!;
    if (r.ns_per_weight === null) return "n/a".padStart(11) + "  (needs > arena)".padEnd(20);
    const ratio = (f32At(rows, cols)! / r.ns_per_weight).toFixed(1) + "x";
    return (
      r.ns_per_weight.toFixed(3).padStart(11) + `  ${ratio.padStart(6)}  ${r.block_rows}x${r.block_cols}`.padEnd(20)
    );
  });
  console.log(kernel.padEnd(22) + cells.join(""));
}
console.log(
  JSON.stringify({
    bench: "kernels",
    runtime: "v8",
    kind: "measured-host",
    node: process.version,
    unit: "ns/weight",
    arena_bytes: mod.ioSize,
    quick,
    results,
  }),
);
