// Memory-safety probe for hosts: a raw load at an address the caller picks, with no check of our own, so a test
// can prove that the runtime itself (V8, wasm3, the AOT bounds checks) traps on an out-of-bounds access.
export function probe_load_u8(addr: u32): i32 {
  return <i32>load<u8>(<usize>addr);
}

/** A 4-byte load with a constant offset of 16 from the caller's address: the AOT build checks base and offset apart
 *  (scripts/aot-gen.mjs), so the tests probe that form too, at the memory's edge and where base + 16 passes 2^32. */
export function probe_load_u32_off16(addr: u32): i32 {
  return load<i32>(<usize>addr, 16);
}
