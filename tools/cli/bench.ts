// `bitrl bench`: instructions (ticks) per weight of every matvec kernel on a board, wasm3 and the native floor.
import { appendRun } from "../lib/report/runlog.ts";
import type { Command } from "./command.ts";
import { BACKEND_USAGE, parseCommandArgs } from "./command.ts";
import { BOARD_FLAGS, boardOrDefault, JSON_FLAG, openBoardFromFlags } from "./options.ts";
import { DEFAULT_BOARD } from "../lib/board/profiles.ts";
import { benchBoardKernels, benchBoardLayers, formatBenchTable } from "../lib/board/bench.ts";
import { engineLabel } from "../lib/board/toolchain.ts";

export const benchCommand: Command = {
  name: "bench",
  summary: "kernel instructions per weight on a board (wasm3 kernels and the native C floor)",
  usage: `usage: bitrl bench --board B [--backend wasm3|wasm3+native|aot|wamr] [--port P] [--json]

Runs every matvec kernel of the module (fp32, int8, ternary i2/t3 plain and lookup-table) at 256x256 and 1024x256
inside the board's engine (wasm3, AOT or WAMR), the firmware's native C ternary kernels on the same bytes (plain i2, and t3 lookup
tables with their build: the floor), and whole BitLinear layers (quantize, matvec, rescale) at 128x256, timing only
the kernel calls on the board. On QEMU boards the ticks are guest instructions (-icount), so the figures are 'emulated'
instructions per weight; on real boards cycles ('measured'); on host ns.
  --board B   board profile (default ${DEFAULT_BOARD})
${BACKEND_USAGE}
  --port P    serial port of a real board
  --json      the table on stderr, one JSON line on stdout: board, clock_unit, backend, engine, firmware (flash_text and
              ram_linked bytes of an emulated board's image), results [{kernel, shape, runtime, instructions_per_weight, kind, ...}]`,
  async run(argv) {
    const a = parseCommandArgs(this, argv, { ...BOARD_FLAGS, ...JSON_FLAG });
    if (!a) return 0;
    const board = boardOrDefault(a.values);
    const s = await openBoardFromFlags(board, a.values, { timeoutMs: 120000 });
    try {
      const show = a.values.json
        ? undefined
        : (r: { kernel: string; shape: string; instructions_per_weight: number }) =>
            process.stderr.write(`  ${r.kernel} ${r.shape}: ${r.instructions_per_weight.toFixed(2)}\n`);
      const results = [
        ...(await benchBoardKernels(s.client, undefined, show)),
        ...(await benchBoardLayers(s.client, show)),
      ];
      for (const r of results)
        appendRun("bench", {
          name: `${r.kernel} ${r.shape} (${r.runtime})`,
          metric: "instructions/weight",
          value: r.instructions_per_weight,
          figure: r.kind,
          board: board.id,
        });
      const ternary = results.filter(
        (r) => r.shape === "1024x256" && r.runtime !== "native" && /_(i2|t3)/.test(r.kernel),
      );
      const best = ternary.sort((x, y) => x.instructions_per_weight - y.instructions_per_weight)[0] ?? null;
      if (a.values.json) {
        process.stderr.write(formatBenchTable(results, s.info.clock_unit) + "\n"); // the table for people, stdout stays one JSON line
        const firmware = s.sizes ? { flash_text: s.sizes.text, ram_linked: s.sizes.ram } : null;
        console.log(
          JSON.stringify({
            board: board.id,
            via: s.via,
            clock_unit: s.info.clock_unit,
            backend: s.info.backend,
            engine: engineLabel(s.info.backend),
            firmware,
            best_ternary_1024x256: best,
            results,
          }),
        );
      } else {
        console.log(
          `${board.id} (${s.via}, ${engineLabel(s.info.backend)}), ${s.info.clock_unit} per weight, kind ${results[0]?.kind}:`,
        );
        if (s.sizes) console.log(`firmware: ${s.sizes.text} B flash (text), ${s.sizes.ram} B RAM linked`);
        console.log(formatBenchTable(results, s.info.clock_unit));
        if (best)
          console.log(
            `best ternary kernel at 1024x256 in ${s.info.backend}: ${best.kernel}, ${best.instructions_per_weight.toFixed(2)} ${s.info.clock_unit}/weight (${best.kind})`,
          );
      }
      return 0;
    } finally {
      await s.close();
    }
  },
};
