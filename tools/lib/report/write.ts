// Writes a report file safely (util/files.ts: a temp file in the same folder, fsync, then a rename), so a crash never
// leaves half a page.
import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { writeFileAtomic } from "../util/files.ts";
import { BitrlError } from "../util/errors.ts";
import { readRuns } from "./runlog.ts";
import { renderReport, type ReportOptions } from "./render.ts";

/** Reads the run logs at `paths`, renders them and writes `out`; returns how many records went in. */
export function buildReport(
  paths: string[],
  out: string,
  opts: ReportOptions = {},
): { records: number; bytes: number } {
  const records = readRuns(paths);
  if (!records.length)
    throw new BitrlError(
      `no run records in ${paths.map((p) => `'${p}'`).join(", ")}: nothing to report (npm start or bitrl run writes them)`,
    );
  const html = renderReport(records, { sources: paths, ...opts });
  mkdirSync(dirname(resolve(out)), { recursive: true });
  writeFileAtomic(out, html);
  return { records: records.length, bytes: Buffer.byteLength(html) };
}
