// Memory-safety probe for hosts: a raw load at an address the caller picks, with no check of our own, so a test
// can prove that the runtime itself (V8, wasm3, the AOT bounds checks) traps on an out-of-bounds access.
export function probe_load_u8(addr: u32): i32 {
  return <i32>load<u8>(<usize>addr);
}

/** A load of `size` bytes (1, 2, 4 or 8; the low 32 bits) with a constant offset of 16 from the caller's address: the
 *  AOT build checks base and offset apart (scripts/aot-gen.mjs) and wasm3 tests each access size against a limit of
 *  its own (scripts/toolchain/wasm3-access-limits.mjs), so the tests probe every size at the memory's edge and where
 *  base + 16 passes 2^32. */
export function probe_load_off16(addr: u32, size: i32): i32 {
  if (size == 1) return <i32>load<u8>(<usize>addr, 16);
  if (size == 2) return <i32>load<u16>(<usize>addr, 16);
  if (size == 8) return <i32>load<i64>(<usize>addr, 16);
  return load<i32>(<usize>addr, 16);
}

/** probe_load_off16 with an offset past a Thumb-2 load's immediate range (20,000): for an 8-byte access the AOT
 *  build adds such an offset's 4 KiB-aligned part to the memory's base apart from the rest (scripts/aot-gen.mjs,
 *  bitrl_addr), and the tests hold every size to the same edges. */
export function probe_load_off20000(addr: u32, size: i32): i32 {
  if (size == 1) return <i32>load<u8>(<usize>addr, 20000);
  if (size == 2) return <i32>load<u16>(<usize>addr, 20000);
  if (size == 8) return <i32>load<i64>(<usize>addr, 20000);
  return load<i32>(<usize>addr, 20000);
}
