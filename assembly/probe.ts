// Memory-safety probe for hosts: a raw load at an address the caller picks, with no check of our own, so a test
// can prove that the runtime itself (V8, wasm3, the AOT bounds checks) traps on an out-of-bounds access.
export function probe_load_u8(addr: u32): i32 {
  return <i32>load<u8>(<usize>addr);
}
