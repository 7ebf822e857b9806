// Entry checks shared by every kernel: sizes and pointer ranges are validated once, so hot loops run unchecked.

/** Bytes of linear memory right now (memory is fixed, so this is constant after start). */
@inline function memoryBytes(): u64 {
  return <u64>memory.size() << 16;
}

/** Traps (trap: log, then unreachable) unless [ptr, ptr + bytes) lies inside linear memory. */
export function checkRange(ptr: i32, bytes: u64, what: string): void {
  if (ptr < 0 || <u64>ptr + bytes > memoryBytes()) trap(what);
}

/** Traps unless 1 <= n <= 2^24: a dimension, bounded so products of two stay inside u64 with room. */
export function checkDim(n: i32, what: string): void {
  if (n < 1 || n > (1 << 24)) trap(what);
}

/** Logs the message through the host's log import, then traps (the module's abort). */
export function trap(message: string): void {
  abort(message, null, 0, 0);
}
