// File I/O for the library: checked reads with one-line errors, and atomic writes (temp file, fsync, rename).
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { decodeBlob, encodeBlob } from "./blob.ts";
import { BitrlError } from "./errors.ts";
import type { Blob } from "./types.ts";

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
 * Writes `bytes` to `path` so that it is either the old file or the complete new one: a temp file in the same
 * folder, fsync, then rename over the target. On failure the temp file is removed and the target is untouched.
 */
export function writeFileAtomic(path: string, bytes: Uint8Array): void {
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

/** Reads and fully validates a .bitrl file; errors name the file and the problem. */
export function readBlobFile(path: string): Blob {
  return decodeBlobBytes(path, readFileChecked(path, "model blob"));
}

/** decodeBlob with the file's path put in front of any error. */
export function decodeBlobBytes(path: string, bytes: Uint8Array): Blob {
  try {
    return decodeBlob(bytes);
  } catch (e) {
    if (e instanceof BitrlError) throw new BitrlError(`${path}: ${e.message}`);
    throw e;
  }
}

/** Encodes (validating) and writes atomically; returns the bytes written. */
export function writeBlobFile(path: string, blob: Blob): Uint8Array {
  const bytes = encodeBlob(blob);
  writeFileAtomic(path, bytes);
  return bytes;
}
