// File I/O for the library: checked reads with one-line errors, and the one atomic writer (temp file, fsync, rename).
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { BitrlError } from "./errors.ts";

function describe(e: NodeJS.ErrnoException): string {
  switch (e.code) {
    case "ENOENT": return "not found";
    case "EISDIR": return "is a directory";
    case "EACCES":
    case "EPERM": return "permission denied";
    case "ENOTDIR": return "a parent is not a directory";
    case "ENOSPC": return "no space left on the device";
    default: return e.message.split("\n")[0];
  }
}

/** Reads a whole file; `what` names it in errors ("model blob 'x.bitrl' not found"). */
export function readFileChecked(path: string, what: string): Uint8Array {
  try {
    const b = readFileSync(path);
    return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  } catch (e) {
    throw new BitrlError(`${what} '${path}': ${describe(e as NodeJS.ErrnoException)}`);
  }
}

/**
 * Writes `data` (bytes, or text as UTF-8) to `path` so that it is either the old file or the complete new one: a temp file in the same
 * folder, fsync, then rename over the target. On failure the temp file is removed and the target is untouched.
 */
export function writeFileAtomic(path: string, data: Uint8Array | string): void {
  const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now().toString(36)}.tmp`);
  let fd = -1;
  try {
    fd = openSync(tmp, "wx", 0o644);
    for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at, bytes.length - at);
    fsyncSync(fd);
    closeSync(fd);
    fd = -1;
    renameSync(tmp, path);
  } catch (e) {
    if (fd >= 0) closeSync(fd);
    try {
      unlinkSync(tmp);
    } catch {
      // the temp file was never created, or is gone already
    }
    throw new BitrlError(`cannot write '${path}': ${describe(e as NodeJS.ErrnoException)}`);
  }
}

/** Refuses an output path that names one of the inputs (the same path, or the same file through a link or another
 *  spelling): the write would replace the input, which is then lost. Checked before any work starts. */
export function refuseOutputOverInput(out: string, inputs: string[]): void {
  const outStat = statOrNull(out);
  for (const input of inputs) {
    const inStat = statOrNull(input);
    const same = resolve(out) === resolve(input) || (outStat && inStat && outStat.dev === inStat.dev && outStat.ino === inStat.ino);
    if (same) throw new BitrlError(`output '${out}' is the input file '${input}': choose another output (writing it would destroy the input)`);
  }
}

function statOrNull(path: string) {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}
