// .bitrl files on disk: read and fully validate, encode and write atomically; errors name the file.
import { BitrlError } from "../util/errors.ts";
import { readFileChecked, writeFileAtomic } from "../util/files.ts";
import { decodeBlob, encodeBlob } from "./blob.ts";
import type { Blob } from "./types.ts";

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
