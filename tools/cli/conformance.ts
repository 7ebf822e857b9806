// `bitrl conformance`: every golden vector through a board's firmware, compared with the TypeScript expectation.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "./command.ts";
import { BACKEND_USAGE, parseCommandArgs } from "./command.ts";
import { BOARD_FLAGS, boardOrDefault, JSON_FLAG, openBoardFromFlags } from "./options.ts";
import { DEFAULT_BOARD } from "../lib/board/profiles.ts";
import { BitrlError } from "../lib/util/errors.ts";
import { runConformance } from "../lib/board/conformance.ts";
import { loadGoldenFile } from "../lib/runtime/golden.ts";
import { repoRoot } from "../lib/board/toolchain.ts";

export const conformanceCommand: Command = {
  name: "conformance",
  summary: "run every golden vector through a board's firmware and compare with the TypeScript reference",
  usage: `usage: bitrl conformance --board B [--backend wasm3|wasm3+native|aot|wamr] [--port P] [--golden FILE ...] [--json]

Writes each case's inputs into the board's I/O arena, calls the export, reads the output back and compares it
with the expectation from the TypeScript reference (exact for integer paths, the case's tolerance for floats).
  --board B       qemu-m4, host, or a real board with --port (default ${DEFAULT_BOARD})
${BACKEND_USAGE}
  --port P        serial port of a real board
  --golden FILE   golden file(s) to run (default: every test/golden/*.json)
  --json          one JSON line: board, passed, failed, cases [{name, ok, detail?}]
Exit code 1 when any case fails.`,
  async run(argv) {
    const a = parseCommandArgs(this, argv, {
      ...BOARD_FLAGS,
      golden: { type: "string", multiple: true },
      ...JSON_FLAG,
    });
    if (!a) return 0;
    const board = boardOrDefault(a.values);
    const dir = join(repoRoot, "test", "golden");
    const paths =
      a.values.golden ??
      readdirSync(dir)
        .filter((f) => f.endsWith(".json"))
        .sort()
        .map((f) => join(dir, f));
    if (paths.length === 0) throw new BitrlError(`no golden files in ${dir}`);
    const files = paths.map((p) => loadGoldenFile(p));
    const s = await openBoardFromFlags(board, a.values);
    try {
      const report = await runConformance(s.client, files);
      if (a.values.json) {
        console.log(JSON.stringify({ ...report, board: board.id }));
      } else {
        for (const c of report.cases.filter((x) => !x.ok)) console.log(`FAIL ${c.name}: ${c.detail}`);
        console.log(
          `${board.id} (${s.via}, ${report.backend}): ${report.passed} passed, ${report.failed} failed of ${report.cases.length}`,
        );
      }
      return report.failed === 0 ? 0 : 1;
    } finally {
      await s.close();
    }
  },
};
