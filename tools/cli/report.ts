// `bitrl report`: renders JSONL run logs into one self-contained HTML page (docs/report.md).
import type { Command } from "./command.ts";
import { parseCommandArgs } from "./command.ts";
import { JSON_FLAG, OUT_FLAG, valueFlags } from "./options.ts";
import { runsDir } from "../lib/report/runlog.ts";
import { buildReport } from "../lib/report/write.ts";
import { studyFigures } from "../lib/report/study-figures.ts";
import { checkOutputFolder, refuseOutputOverInput } from "../lib/util/files.ts";

export const reportCommand: Command = {
  name: "report",
  summary: "render run logs (.bitrl/runs/*.jsonl) to one HTML page with inline SVG plots",
  usage: `usage: bitrl report [RUNS...] [-o report/index.html] [--title T] [--json]

RUNS are JSONL run logs or folders of them (default: .bitrl/runs). The page is one file: inline CSS and SVG,
no scripts, no network. Numbers sit in tables beside each plot; every figure keeps its kind
(measured / emulated / estimated).
  -o, --out FILE   where to write (default report/index.html); written to a temp file, then renamed
  --title T        page title
  --json           print {"out", "records", "bytes"} instead of a sentence`,
  async run(argv) {
    const a = parseCommandArgs(this, argv, { ...OUT_FLAG, ...valueFlags("title"), ...JSON_FLAG });
    if (!a) return 0;
    const inputs = a.positionals.length ? a.positionals : [runsDir()];
    const out = a.values.out ?? "report/index.html";
    refuseOutputOverInput(out, inputs);
    if (a.values.out !== undefined) checkOutputFolder(out); // the default report/ folder is created
    const r = buildReport(inputs, out, { title: a.values.title, figures: studyFigures() });
    if (a.values.json) console.log(JSON.stringify({ out, records: r.records, bytes: r.bytes }));
    else console.log(`report: ${r.records} records -> ${out} (${r.bytes} bytes)`);
    return 0;
  },
};
