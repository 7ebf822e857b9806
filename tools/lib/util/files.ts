// File I/O for the library: checked reads with one-line errors, and the one atomic writer (temp file, fsync, rename).
import {
  closeSync,
  fstatSync,
  fsyncSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { BitrlError } from "./errors.ts";

function describe(e: NodeJS.ErrnoException): string {
  switch (e.code) {
    case "ENOENT":
      return "not found";
    case "EISDIR":
      return "is a directory";
    case "EACCES":
    case "EPERM":
      return "permission denied";
    case "ENOTDIR":
      return "a parent is not a directory";
    case "ENOSPC":
      return "no space left on the device";
    default:
      return e.message.split("\n")[0];
  }
}

/** The most bytes read from a file that is not a regular one (a device, a FIFO): /dev/zero never ends. */
export const NON_REGULAR_READ_LIMIT = 64 * 1024 * 1024;

/** Reads a whole file; `what` names it in errors ("model blob 'x.bitrl' not found"). A device or FIFO is read up
 *  to NON_REGULAR_READ_LIMIT bytes; more is refused. */
export function readFileChecked(path: string, what: string): Uint8Array {
  let fd = -1;
  try {
    fd = openSync(path, "r");
    const st = fstatSync(fd);
    if (st.isDirectory()) throw Object.assign(new Error("is a directory"), { code: "EISDIR" });
    if (st.isFile()) {
      const b = readFileSync(fd);
      return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
    }
    return readLimited(fd, path, what);
  } catch (e) {
    if (e instanceof BitrlError) throw e;
    throw new BitrlError(`${what} '${path}': ${describe(e as NodeJS.ErrnoException)}`);
  } finally {
    if (fd >= 0) closeSync(fd);
  }
}

function readLimited(fd: number, path: string, what: string): Uint8Array {
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    const chunk = Buffer.alloc(1 << 20);
    const n = readSync(fd, chunk, 0, chunk.length, null);
    if (n === 0) break;
    total += n;
    if (total > NON_REGULAR_READ_LIMIT)
      throw new BitrlError(
        `${what} '${path}' is not a regular file and gives more than ${NON_REGULAR_READ_LIMIT >> 20} MiB`,
      );
    chunks.push(chunk.subarray(0, n));
  }
  return new Uint8Array(Buffer.concat(chunks));
}

/** Refuses an output whose folder does not exist or is not a folder, before any work (the house rule: outputs named
 *  by the user are written into existing folders; only default output folders are created). */
export function checkOutputFolder(out: string): void {
  const dir = dirname(resolve(out));
  const st = statOrNull(dir);
  if (!st) throw new BitrlError(`cannot write '${out}': its folder '${dirname(out)}' does not exist`);
  if (!st.isDirectory()) throw new BitrlError(`cannot write '${out}': '${dirname(out)}' is not a folder`);
  const target = statOrNull(out);
  if (target?.isDirectory()) throw new BitrlError(`cannot write '${out}': it is a directory`);
  // the folder must take a new file (permissions, a read-only mount, /proc): try one, so a write that would fail
  // after minutes of training fails now, naming the user's path and never the probe
  const probe = join(dir, `.${basename(out)}.${process.pid}.probe`);
  try {
    closeSync(openSync(probe, "wx", 0o644));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new BitrlError(
      `cannot write '${out}': ${code === "ENOENT" ? "its folder does not take new files" : describe(e as NodeJS.ErrnoException)}`,
    );
  }
  try {
    unlinkSync(probe);
  } catch {
    // gone already
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
    for (let at = 0; at < bytes.length;) at += writeSync(fd, bytes, at, bytes.length - at);
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
    const same =
      resolve(out) === resolve(input) ||
      (outStat && inStat && outStat.dev === inStat.dev && outStat.ino === inStat.ino);
    if (same)
      throw new BitrlError(
        `output '${out}' is the input file '${input}': choose another output (writing it would destroy the input)`,
      );
  }
}

/** JSON indented by one space with every array of numbers on one line ("[1, 2, 3]": a curve reads as one line in a
 *  diff), newline-terminated: the committed study files. */
export function jsonWithInlineArrays(value: unknown): string {
  return (
    JSON.stringify(value, null, 1).replace(/\[[-0-9.e,\snul]*\]/g, (m) => m.replace(/\s+/g, "").replace(/,/g, ", ")) +
    "\n"
  );
}

function statOrNull(path: string) {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}
