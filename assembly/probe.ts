// Memory-safety probe for hosts: a raw load at an address the caller picks, with no check of our own, so a test
// can prove that the runtime itself (V8, wasm3, the AOT bounds checks) traps on an out-of-bounds access.
export function probe_load_u8(addr: u32): i32 {
  return <i32>load<u8>(<usize>addr);
}

/** A load of `size` bytes (1, 2, 4 or 8; the low 32 bits) with a constant offset from the caller's address: 16, or
 *  with `far` 20,000 (past a Thumb-2 load's immediate range). The AOT build checks base and offset apart and, for an
 *  8-byte access at a far offset, adds the offset's 4 KiB-aligned part to the memory's base apart from the rest
 *  (scripts/aot-gen.mjs); wasm3 tests each access size against a limit of its own
 *  (scripts/toolchain/wasm3-access-limits.mjs). So the tests probe every size and both offsets at the memory's edge
 *  and where base + offset passes 2^32. One export for both (each export costs wasm3 a function record). */
export function probe_load_offset(addr: u32, size: i32, far: i32): i32 {
  if (far) {
    if (size == 1) return <i32>load<u8>(<usize>addr, 20000);
    if (size == 2) return <i32>load<u16>(<usize>addr, 20000);
    if (size == 8) return <i32>load<i64>(<usize>addr, 20000);
    return load<i32>(<usize>addr, 20000);
  }
  if (size == 1) return <i32>load<u8>(<usize>addr, 16);
  if (size == 2) return <i32>load<u16>(<usize>addr, 16);
  if (size == 8) return <i32>load<i64>(<usize>addr, 16);
  return load<i32>(<usize>addr, 16);
}

/** The XOR of 1..depth by `depth` nested calls, so a test can prove that each runtime bounds the call stack and traps
 *  by name before a deep chain runs past the board's stack. XOR after the call: gcc turns a sum after a self-call into
 *  a loop (an accumulator), which would leave the AOT build nothing to bound. */
export function probe_recurse(depth: i32): i32 {
  return depth <= 0 ? 0 : probe_recurse(depth - 1) ^ depth;
}
