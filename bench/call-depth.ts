// The deepest call chain each runtime runs before its call-stack bound traps: probe_recurse's depth bisected on
// each board and backend (docs/firmware.md "Call stack bounds"). Emulated boards count instructions, but this is a
// count of nested calls, the same on any clock. Prints a table and one JSON line.
// usage: node --import tsx bench/call-depth.ts
import { withBoard } from "../tools/lib/board/session.ts";
import { tempFlashPath } from "../tools/lib/board/qemu.ts";
import type { Backend } from "../tools/lib/board/firmware-build.ts";

const RUNS: [string, Backend][] = [
  ["qemu-m4", "wasm3"],
  ["qemu-m4", "wasm3+native"],
  ["qemu-m4", "aot"],
  ["qemu-m4", "wamr"],
  ["qemu-rv32", "wasm3"],
  ["host", "wasm3"],
  ["host", "aot"],
];

const rows: { board: string; backend: Backend; deepest: number; trap: string }[] = [];
for (const [board, backend] of RUNS) {
  await withBoard(board, { flashPath: tempFlashPath(), backend, timeoutMs: 60000 }, async (s) => {
    // ok below lo, a trap at hi; the board answers after each trap (the tests check that)
    let lo = 1,
      hi = 1 << 21,
      trap = "";
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      try {
        await s.client.kernel("probe_recurse", [mid]);
        lo = mid;
      } catch (e) {
        hi = mid;
        trap = (e as Error).message.replace(/^.*ERR_TRAP: /, "");
      }
    }
    rows.push({ board, backend, deepest: lo, trap });
  });
}
console.log("| board | backend | deepest chain that runs (calls) | trap past it |");
console.log("|---|---|---|---|");
for (const r of rows) console.log(`| ${r.board} | ${r.backend} | ${r.deepest} | ${r.trap} |`);
console.log(JSON.stringify({ bench: "call-depth", kind: "emulated (host: native)", rows }));
