// Kernel cost on a board (default qemu-m4): instructions per weight of every matvec kernel in wasm3 and the native
// C floor; prints the table and one JSON line. Same library as `bitrl bench` (tools/lib/board/bench.ts).
import { withBoard } from "../tools/lib/board/session.ts";
import { benchBoardKernels, formatBenchTable } from "../tools/lib/board/bench.ts";

const board = process.argv[2] ?? "qemu-m4";
await withBoard(board, { timeoutMs: 120000 }, async (s) => {
  const results = await benchBoardKernels(s.client);
  console.log(formatBenchTable(results, s.info.clock_unit));
  console.log(JSON.stringify({ bench: "board-kernels", board, clock_unit: s.info.clock_unit, results }));
});
