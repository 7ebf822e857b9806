// Kernel cost on a board: instructions (or cycles) per weight of every matvec kernel of the module, interpreted by
// the firmware's engine, plus the firmware's native C ternary kernels (plain i2, and t3 lookup tables: the floor). Row blocks sized to the I/O arena;
// only the kernel calls are timed (on the board, between two hal_clock() reads), never the serial traffic.
import type { BoardClient, BoardInfo, NativeKernel } from "./client.ts";
import { BoardError } from "./client.ts";
import { seededRandom as rng } from "../util/seeded-random.ts";

/** The runtime label of a row from the firmware's `info.backend` (the engine and, for wasm3, the kernel binding). */
function runtimeOf(backend: string): KernelBenchResult["runtime"] {
  return backend === "aot" || backend === "wamr" || backend === "wasm3+native" ? backend : "wasm3";
}

export interface BenchShape {
  rows: number;
  cols: number;
}

export interface KernelBenchResult {
  kernel: string;
  /** "ROWSxCOLS" */
  shape: string;
  runtime: "wasm3" | "wasm3+native" | "aot" | "wamr" | "native";
  /** board ticks per weight; ticks are instructions on QEMU boards, hence the name */
  instructions_per_weight: number;
  /** total ticks over the whole matrix (sum of row blocks; LUT kernels include one table build) */
  ticks: number;
  /** rows per call (how the matrix was split to fit the arena) */
  block_rows: number;
  /** LUT kernels: ticks of the one table build included above */
  build_ticks?: number;
  /** "emulated" on QEMU boards (instruction counts), "measured" on real boards (cycle counter), "host" on the native build */
  kind: "emulated" | "measured" | "host";
}

export const DEFAULT_SHAPES: BenchShape[] = [
  { rows: 256, cols: 256 },
  { rows: 1024, cols: 256 },
];

interface KernelSpec {
  name: string;
  /** bytes of one weight row */
  rowBytes(cols: number): number;
  /** bytes of one input vector */
  xBytes(cols: number): number;
  /** table built from x before the matvec (LUT kernels): export and its bytes */
  lut?: { build: string; bytes(cols: number): number };
  /** a valid random weight byte (ternary packings have invalid codes) */
  weightByte(rand: () => number): number;
  /** i32 args of the matvec call */
  args(w: number, xOrLut: number, out: number, rows: number, cols: number): number[];
}

const t3Byte = (rand: () => number) => Math.floor(rand() * 243);
const i2Byte = (rand: () => number) => {
  let b = 0;
  for (let j = 0; j < 4; j++) b |= Math.floor(rand() * 3) << (2 * j);
  return b;
};
const f32Byte = (rand: () => number) => Math.floor(rand() * 256);

/** A kernel called as (w, x, out, rows, cols), its input `xWidth` bytes a column. */
function plainKernel(
  name: string,
  rowBytes: (cols: number) => number,
  xWidth: number,
  weightByte: KernelSpec["weightByte"],
): KernelSpec {
  return { name, rowBytes, xBytes: (c) => xWidth * c, weightByte, args: (w, x, o, r, c) => [w, x, o, r, c] };
}

/** A lookup-table kernel over groups of `group` ternary weights a byte: `build` makes the table from x, then the
 *  matvec is called as (w, lut, out, rows, cols, groups, 0). */
function lutKernel(
  name: string,
  group: number,
  weightByte: KernelSpec["weightByte"],
  build: string,
  lutBytes: (cols: number) => number,
): KernelSpec {
  const groups = (c: number) => Math.ceil(c / group);
  return {
    name,
    rowBytes: groups,
    xBytes: (c) => c,
    weightByte,
    lut: { build, bytes: lutBytes },
    args: (w, lut, o, r, c) => [w, lut, o, r, c, groups(c), 0],
  };
}

/** The module's matvec kernels (assembly/kernels/), in the order the table prints them. */
export const KERNELS: KernelSpec[] = [
  plainKernel("matvec_f32", (c) => 4 * c, 4, f32Byte),
  plainKernel("matvec_i8", (c) => c, 1, f32Byte),
  plainKernel("matvec_i2", (c) => Math.ceil(c / 4), 1, i2Byte),
  plainKernel("matvec_t3", (c) => Math.ceil(c / 5), 1, t3Byte),
  lutKernel("matvec_i2_lut", 4, i2Byte, "lut_build_i2", (c) => Math.ceil(c / 4) * 512),
  lutKernel("matvec_t3_lut", 5, t3Byte, "lut_build_t3", (c) => Math.ceil(c / 5) * 486 + 26), // + the slack invalid bytes may read
];

const align16 = (n: number) => Math.ceil(n / 16) * 16;

function kindOf(info: BoardInfo): KernelBenchResult["kind"] {
  if (info.board === "host") return "host";
  return info.clock_unit === "instructions" ? "emulated" : "measured";
}

/** Largest row block (<= rows, a divisor of rows) whose weights, x, table and outputs fit the arena. */
function blockRows(spec: KernelSpec, shape: BenchShape, ioSize: number, extraPerRow = 0): number {
  const fixed = align16(spec.xBytes(shape.cols)) + (spec.lut ? align16(spec.lut.bytes(shape.cols)) : 0) + 64;
  let rows = shape.rows;
  while (
    rows > 1 &&
    fixed + align16(rows * spec.rowBytes(shape.cols)) + align16(4 * rows) + extraPerRow * rows > ioSize
  )
    rows = Math.ceil(rows / 2);
  if (fixed + align16(rows * spec.rowBytes(shape.cols)) + 4 * rows > ioSize) {
    throw new BoardError(
      "ERR_MEM",
      `${spec.name} ${shape.rows}x${shape.cols}: even one row does not fit the ${ioSize}-byte arena`,
    );
  }
  if (shape.rows % rows !== 0)
    throw new BoardError("ERR_MEM", `${spec.name}: ${shape.rows} rows do not split into blocks of ${rows}`);
  return rows;
}

/** Native C kernels of the firmware, each run on the same bytes as one module kernel and checked against its output
 *  (`code`: native-bench's kernel number, 1 the lookup-table one that builds its tables; the baselines' int8 and f32
 *  kernels are in the wasm3+native build only). */
const NATIVE: Record<string, { kernel: string; code: NativeKernel; nativeBuild?: boolean }> = {
  matvec_i2: { kernel: "native_i2_plain", code: 0 },
  matvec_t3_lut: { kernel: "native_t3_lut", code: 1 },
  matvec_i8: { kernel: "native_i8", code: 2, nativeBuild: true },
  matvec_f32: { kernel: "native_f32", code: 3, nativeBuild: true },
};

/** Benchmarks every kernel at every shape on the board, and the native kernels on the same bytes as their twins. */
export async function benchBoardKernels(
  client: BoardClient,
  shapes: BenchShape[] = DEFAULT_SHAPES,
  onResult?: (r: KernelBenchResult) => void,
  kernels: KernelSpec[] = KERNELS,
): Promise<KernelBenchResult[]> {
  const info = await client.info();
  const kind = kindOf(info);
  const io = await client.ioBase();
  const ioSize = (await client.kernel("io_size", [])).value.value as number;
  // Tables built at lut_fast_base() let the LUT kernels fold their table addresses into constants (docs/kernels.md):
  // the way the backbone and any speed-minded caller use them. Everything else of a LUT case then sits below it.
  const lutFast = (await client.kernel("lut_fast_base", [])).value.value as number;
  const results: KernelBenchResult[] = [];
  const push = (r: KernelBenchResult) => {
    results.push(r);
    onResult?.(r);
  };
  for (const shape of shapes) {
    for (const spec of kernels) {
      const rand = rng(shape.rows * 65536 + shape.cols);
      // a native twin's output goes to a second out buffer for the bit-exact check
      const twin = NATIVE[spec.name];
      const native = twin && (!twin.nativeBuild || info.backend === "wasm3+native") ? twin : undefined;
      const fast = spec.lut !== undefined && lutFast + spec.lut.bytes(shape.cols) <= io + ioSize;
      // arena layout: x | [lut] | w block | out | native out, with a fast-path lut at lut_fast_base() instead (the
      // native LUT kernel then builds its tables there too, after the module's run)
      const rows = fast
        ? blockRows({ ...spec, lut: undefined }, shape, lutFast - io, native ? 4 : 0)
        : blockRows(spec, shape, ioSize, native ? 4 : 0);
      const xAt = io;
      const lutAt = fast ? lutFast : xAt + align16(spec.xBytes(shape.cols));
      const wAt = fast
        ? xAt + align16(spec.xBytes(shape.cols))
        : lutAt + (spec.lut ? align16(spec.lut.bytes(shape.cols)) : 0);
      const outAt = wAt + align16(rows * spec.rowBytes(shape.cols));
      const nativeAt = outAt + align16(4 * rows);
      const x = new Uint8Array(spec.xBytes(shape.cols));
      if (spec.name === "matvec_f32") {
        const f = new Float32Array(x.buffer);
        for (let i = 0; i < f.length; i++) f[i] = rand() * 2 - 1;
      } else {
        for (let i = 0; i < x.length; i++) x[i] = Math.floor(rand() * 255) - 127;
      }
      await client.memWrite(xAt, x);
      // wasm3 compiles a function on its first call: one untimed call of each first, so no compile cost is counted
      let buildTicks = 0;
      if (spec.lut) {
        await client.kernel(spec.lut.build, [xAt, shape.cols, lutAt]);
        buildTicks = (await client.bench(spec.lut.build, [xAt, shape.cols, lutAt], 1)).ticks;
      }
      // One block of weights is written once and the kernel runs over it (rows / block) times in one `bench`
      // call: the cost of these kernels does not depend on the weight values, and the serial link moves at most
      // one arena of data per kernel instead of the whole matrix.
      const blocks = shape.rows / rows;
      const w = new Uint8Array(rows * spec.rowBytes(shape.cols));
      if (spec.name === "matvec_f32") {
        const f = new Float32Array(w.buffer);
        for (let i = 0; i < f.length; i++) f[i] = rand() * 2 - 1;
      } else {
        for (let i = 0; i < w.length; i++) w[i] = spec.weightByte(rand);
      }
      await client.memWrite(wAt, w);
      await client.kernel(spec.name, spec.args(wAt, spec.lut ? lutAt : xAt, outAt, rows, shape.cols));
      const ticks =
        buildTicks +
        (await client.bench(spec.name, spec.args(wAt, spec.lut ? lutAt : xAt, outAt, rows, shape.cols), blocks)).ticks;
      let nativeTicks = 0;
      if (native) {
        nativeTicks = (await client.nativeBench(native.code, wAt, xAt, nativeAt, rows, shape.cols, blocks, lutAt))
          .ticks;
        const [a, b] = [await client.memRead(outAt, 4 * rows), await client.memRead(nativeAt, 4 * rows)];
        if (a.some((v, i) => v !== b[i]))
          throw new BoardError(
            "ERR_MISMATCH",
            `${native.kernel} disagrees with ${spec.name} at ${shape.rows}x${shape.cols}`,
          );
      }
      const weights = shape.rows * shape.cols;
      const base = { shape: `${shape.rows}x${shape.cols}`, block_rows: rows, kind };
      push({
        kernel: spec.name,
        runtime: runtimeOf(info.backend),
        instructions_per_weight: ticks / weights,
        ticks,
        ...base,
        ...(spec.lut ? { build_ticks: buildTicks } : {}),
      });
      if (native)
        push({
          kernel: native.kernel,
          runtime: "native",
          instructions_per_weight: nativeTicks / weights,
          ticks: nativeTicks,
          ...base,
        });
    }
  }
  return results;
}

/** Shape of the whole-layer rows: the int8 layer's weights (32 KiB) fit the arena, so one call is the whole layer. */
export const LAYER_SHAPE: BenchShape = { rows: 128, cols: 256 };

/** Whole BitLinear layers (f32 in, f32 out): quantize the activations, matvec, rescale each output. */
const LAYERS = [
  { name: "bitlinear_t3", packing: "t3" as const, rowBytes: (c: number) => Math.ceil(c / 5), weightByte: t3Byte },
  { name: "bitlinear_i8", packing: "i8" as const, rowBytes: (c: number) => c, weightByte: f32Byte },
];

/**
 * One call of each whole-layer kernel at LAYER_SHAPE (activation quantization, table build, matvec and rescale
 * all counted once, as a forward pays them), beside the bare matvec rows of benchBoardKernels. The fp32 layer is
 * matvec_f32 itself (f32 in and out, nothing to quantize or rescale).
 */
export async function benchBoardLayers(
  client: BoardClient,
  onResult?: (r: KernelBenchResult) => void,
): Promise<KernelBenchResult[]> {
  const info = await client.info();
  const io = await client.ioBase();
  const lutFast = (await client.kernel("lut_fast_base", [])).value.value as number;
  const ioSize = (await client.kernel("io_size", [])).value.value as number;
  const { rows, cols } = LAYER_SHAPE;
  const results: KernelBenchResult[] = [];
  for (const layer of LAYERS) {
    const rand = rng(rows * 65536 + cols + 1);
    const x = new Float32Array(cols).map(() => rand() * 2 - 1);
    const w = Uint8Array.from({ length: rows * layer.rowBytes(cols) }, () => layer.weightByte(rand));
    // arena: x f32 | scale | w | out | scratch; t3's scratch ends where lut_fast_base() starts, so its tables
    // take the fast path, as the backbone's do
    const xAt = io,
      scaleAt = xAt + align16(4 * cols),
      wAt = scaleAt + 16,
      outAt = wAt + align16(w.length);
    const scratchBytes = (await client.kernel(`${layer.name}_scratch`, [cols])).value.value as number;
    const scratchAt = layer.packing === "t3" ? lutFast - ((cols + 3) & ~3) : outAt + align16(4 * rows);
    if (outAt + 4 * rows > scratchAt)
      throw new BoardError("ERR_MEM", `${layer.name} ${rows}x${cols} does not fit the arena`);
    await client.memWrite(xAt, new Uint8Array(x.buffer));
    await client.memWrite(scaleAt, new Uint8Array(Float32Array.of(0.05).buffer));
    await client.memWrite(wAt, w);
    const args = [wAt, scaleAt, 1, xAt, outAt, rows, cols, scratchAt];
    if (scratchAt + scratchBytes > io + ioSize)
      throw new BoardError("ERR_MEM", `${layer.name}: scratch outside the arena`);
    await client.kernel(layer.name, args); // wasm3 compiles on the first call: not counted
    const ticks = (await client.bench(layer.name, args, 1)).ticks;
    const r: KernelBenchResult = {
      kernel: layer.name,
      shape: `${rows}x${cols}`,
      runtime: runtimeOf(info.backend),
      instructions_per_weight: ticks / (rows * cols),
      ticks,
      block_rows: rows,
      kind: kindOf(info),
    };
    results.push(r);
    onResult?.(r);
  }
  return results;
}

/** The results as a text table (kernel rows, one column per shape). */
export function formatBenchTable(results: KernelBenchResult[], clockUnit: string): string {
  const shapes = [...new Set(results.map((r) => r.shape))];
  const names = [...new Set(results.map((r) => `${r.kernel} (${r.runtime})`))];
  const head = ["kernel (runtime)", ...shapes.map((s) => `${s} ${clockUnit}/weight`)];
  const rows = names.map((n) => [
    n,
    ...shapes.map((s) => {
      const r = results.find((x) => `${x.kernel} (${x.runtime})` === n && x.shape === s);
      return r ? r.instructions_per_weight.toFixed(2) : "-";
    }),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  return [line(head), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}
