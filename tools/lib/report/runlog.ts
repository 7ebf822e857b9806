// Append-only JSONL run logs in .bitrl/runs/: every command with figures appends one record per result, and
// `bitrl report` renders them (record shapes in docs/report.md).
import { appendFileSync, existsSync, mkdirSync, readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { BitrlError } from "../util/errors.ts";
import { readFileChecked } from "../util/files.ts";

export const RUNLOG_VERSION = 1;

/** One line of a run log: the envelope fields, then the command's own fields. */
export interface RunRecord {
  v: number;
  /** which kind of result: "train", "bench", "energy", "episode", "memory", ... (docs/report.md) */
  kind: string;
  /** ISO-8601 UTC time the record was written */
  time: string;
  [field: string]: unknown;
}

/** The run-log folder: $BITRL_RUNS, else .bitrl/runs under the current directory. */
export function runsDir(): string {
  return resolve(process.env.BITRL_RUNS ?? join(".bitrl", "runs"));
}

/** Appends one record to `<dir>/<kind>.jsonl` and returns the file's path. One write of one line with O_APPEND
 *  adds to the file without rewriting what is there, so a crash loses at most this record. */
export function appendRun(kind: string, record: Record<string, unknown>, dir = runsDir()): string {
  if (!/^[a-z][a-z0-9-]{0,31}$/.test(kind))
    throw new BitrlError(`run-log kind must be lower-case letters, digits or '-', got '${kind}'`);
  const full: RunRecord = { v: RUNLOG_VERSION, kind, time: new Date().toISOString(), ...record };
  const line = JSON.stringify(full, (_k, v) => (typeof v === "number" && !Number.isFinite(v) ? null : v));
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${kind}.jsonl`);
  appendFileSync(file, line + "\n", { flag: "a" });
  return file;
}

/** Reads records from files and folders (folders: every *.jsonl inside). A bad line is an error naming it. */
export function readRuns(paths: string[]): RunRecord[] {
  const files: string[] = [];
  for (const p of paths) {
    if (!existsSync(p)) throw new BitrlError(`run log '${p}' does not exist`);
    if (statSync(p).isDirectory()) {
      for (const f of readdirSync(p).sort()) if (f.endsWith(".jsonl")) files.push(join(p, f));
    } else files.push(p);
  }
  const out: RunRecord[] = [];
  for (const f of files) {
    const lines = Buffer.from(readFileChecked(f, "run log")).toString("utf8").split("\n");
    lines.forEach((line, i) => {
      if (!line.trim()) return;
      let rec: unknown;
      try {
        rec = JSON.parse(line);
      } catch {
        throw new BitrlError(`${f}:${i + 1}: not JSON`);
      }
      if (!rec || typeof rec !== "object" || Array.isArray(rec) || typeof (rec as RunRecord).kind !== "string")
        throw new BitrlError(`${f}:${i + 1}: a run record must be an object with a string 'kind'`);
      out.push(rec as RunRecord);
    });
  }
  return out;
}
