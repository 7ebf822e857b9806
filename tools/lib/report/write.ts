// Writes a report file safely: a temp file in the same folder, then a rename, so a crash never leaves half a page.
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { readRuns } from "../runlog.ts";
import { renderReport, type ReportOptions } from "./render.ts";

export function writeFileAtomic(path: string, text: string): void {
  const full = resolve(path);
  mkdirSync(dirname(full), { recursive: true });
  const tmp = `${full}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, full);
}

/** Reads the run logs at `paths`, renders them and writes `out`; returns how many records went in. */
export function buildReport(paths: string[], out: string, opts: ReportOptions = {}): { records: number; bytes: number } {
  const records = readRuns(paths);
  const html = renderReport(records, { sources: paths, ...opts });
  writeFileAtomic(out, html);
  return { records: records.length, bytes: Buffer.byteLength(html) };
}
