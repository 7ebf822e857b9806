// The module's host imports: the whole ABI towards Node, wasm3 and the AOT firmware (docs/abi.md).
// The firmware mirrors this file with one table (firmware/src/host_imports.c).

/** Copies bytes [offset, offset + len) of the loaded model blob to linear memory at dst. 0 = ok, < 0 = error. */
@external("bitrl", "blob_read")

export declare function blobRead(offset: u32, dst: usize, len: u32): i32;

/** Size in bytes of the loaded model blob; 0 when none is loaded. */
@external("bitrl", "blob_size")

export declare function blobSize(): u32;

/** Monotonic tick counter: guest instructions on QEMU boards, CPU cycles on real boards, ns on the host. */
@external("bitrl", "clock")

export declare function clock(): i64;

/** Writes len bytes of UTF-8 text at ptr to the host's log. */
@external("bitrl", "log")

export declare function log(ptr: usize, len: u32): void;

/** Writes a string to the host's log as UTF-8. */
export function logText(text: string): void {
  const utf8 = String.UTF8.encode(text);
  log(changetype<usize>(utf8), <u32>utf8.byteLength);
}

/** Replaces AssemblyScript's env.abort (asconfig `use: abort=assembly/host/abort`): log the message, then trap. */
export function abort(message: string | null, fileName: string | null, line: u32, column: u32): void {
  const text =
    "abort: " +
    (message ? message : "") +
    " at " +
    (fileName ? fileName : "?") +
    ":" +
    line.toString() +
    ":" +
    column.toString();
  logText(text);
  unreachable();
}
