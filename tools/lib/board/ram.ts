// A board's peak RAM from the firmware's own accounting (the `info` reply, docs/protocol.md).

/** The firmware's own RAM accounting from `info` (docs/protocol.md): frame buffers + wasm3's heap high-water mark
 *  (which holds the linear memory), or + the linear memory when the build has no fixed heap. */
export interface RamInfo {
  budget: number;
  static_buffers: number;
  wasm3_heap: number | null;
  linear_memory: number;
}

export function peakRamBytes(ram: RamInfo): number {
  // wasm3's heap high-water includes the linear memory; the AOT backend has no engine heap (0), only the memory
  return ram.static_buffers + (ram.wasm3_heap ? ram.wasm3_heap : ram.linear_memory);
}
