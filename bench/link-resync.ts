// How fast the board recovers from garbage on the line (issue #15 item 8: within 0.5 s): the three scenarios of
// test/fixtures/link-recovery.ts on each board, wall time from the burst to the answer (*host* wall clock: QEMU
// boards run at this machine's speed, so a loaded machine reads slower). Prints a table and one JSON line.
//   node --import tsx bench/link-resync.ts [board ...]      (default: qemu-m4 host)
import { openBoard } from "../tools/lib/board/session.ts";
import { tempFlashPath } from "../tools/lib/board/qemu.ts";
import { recoveryScenarios } from "../test/fixtures/link-recovery.ts";

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const ANSWER_MS = 5000; // per try of info and kernel: recovery is timed, not bounded, here
const RETRY_MS = 250; // per try of the swallowed request: its first try always waits this out (unless the idle drop)
const boards = process.argv.length > 2 ? process.argv.slice(2) : ["qemu-m4", "host"];
const rows = [];
console.log("| board | scenario | median ms | max ms | tries (max) | runs |");
console.log("|---|---|---|---|---|---|");
for (const board of boards) {
  const s = await openBoard(board, { flashPath: tempFlashPath(), timeoutMs: 20000 });
  try {
    for (const sc of await recoveryScenarios(s, ANSWER_MS, RETRY_MS)) {
      const ms = sc.runs.map((r) => r.ms);
      const row = {
        board,
        scenario: sc.name,
        what: sc.what,
        median_ms: Math.round(median(ms)),
        max_ms: Math.round(Math.max(...ms)),
        max_tries: Math.max(...sc.runs.map((r) => r.tries)),
        runs: sc.runs.length,
      };
      rows.push(row);
      console.log(`| ${board} | ${sc.what} | ${row.median_ms} | ${row.max_ms} | ${row.max_tries} | ${row.runs} |`);
    }
  } finally {
    await s.close();
  }
}
console.log(JSON.stringify({ bench: "link-resync", how: "host wall clock", target_ms: 500, rows }));
