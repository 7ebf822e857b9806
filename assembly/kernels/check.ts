// Entry checks shared by every kernel: sizes and pointer ranges are validated once, so hot loops run unchecked.

/** Bytes of linear memory right now (memory is fixed, so this is constant after start). */
@inline function memoryBytes(): u64 {
  return (<u64>memory.size()) << 16;
}

/** Traps (trap: log, then unreachable) unless [ptr, ptr + bytes) lies inside linear memory. */
export function checkRange(ptr: i32, bytes: u64, what: string): void {
  if (ptr < 0 || <u64>ptr + bytes > memoryBytes()) trap(what);
}

/** Traps unless 1 <= n <= 2^24: a dimension, bounded so products of two stay inside u64 with room. */
export function checkDim(n: i32, what: string): void {
  if (n < 1 || n > 1 << 24) trap(what);
}

/** Entry checks of a kernel over n 4-byte words: 1 <= n <= 2^24, a and b hold n words, c holds n * cWords; one
 *  message for all. */
export function checkWords3(n: i32, a: i32, b: i32, c: i32, cWords: i32, message: string): void {
  checkDim(n, message);
  checkRange(a, <u64>n * 4, message);
  checkRange(b, <u64>n * 4, message);
  checkRange(c, <u64>n * 4 * <u64>cWords, message);
}

/** Logs the message through the host's log import, then traps (the module's abort). */
export function trap(message: string): void {
  abort(message, null, 0, 0);
}
