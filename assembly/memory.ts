// How much of the linear memory a board maps. A board short of RAM maps only the low part (wasm3's memory limit,
// the AOT runtime's partial pool: BITRL_CFG_WASM_MEMORY_LIMIT, BITRL_CFG_AOT_MEMORY_PARTIAL); memory.size still
// reports the declared pages and an access above the mapped bytes traps. The firmware says the mapped size once,
// at init (memory_map), so allocations sized by the free memory (a PPO rollout) stay below it.

let mapped: u64 = 0; // 0 = all of it

/** End of the usable linear memory in bytes: the mapped part, or all of it. */
export function memoryEnd(): u64 {
  const all = (<u64>memory.size()) << 16;
  return mapped > 0 && mapped < all ? mapped : all;
}

/** True when [ptr, ptr + bytes) lies inside the declared memory: the exports' check of a host's pointer. */
export function inMemory(ptr: i32, bytes: i32): bool {
  return ptr >= 0 && bytes >= 0 && <u64>ptr + <u64>bytes <= (<u64>memory.size()) << 16;
}

/** The host maps only `bytes` of the linear memory (0 = all). Returns the usable end in bytes. */
export function memory_map(bytes: i32): i32 {
  mapped = <u64>(<u32>bytes);
  return <i32>memoryEnd();
}

/** The end of the heap so far (stub runtime: a bump allocator that never frees), i.e. the linear memory's
 *  high-water mark: the static data, the I/O arena and every allocation lie below. A board that maps only part of
 *  the memory must map past it (docs/firmware.md). */
export function heap_top(): i32 {
  const p = heap.alloc(16);
  heap.free(p); // the last block goes back: the heap is as it was
  return <i32>p;
}

/** Grows the memory (when all of it is mapped and the engine allows: V8, wasm3 without a limit, an AOT pool with
 *  room) until `bytes` are free past the heap's end, or as far as it can; a device's fixed memory stays as it is.
 *  Returns the free bytes. Models sized by their blob (the language models) call it before sizing caches. */
export function reserveFree(bytes: u64): u64 {
  const top = <u64>heap_top();
  let end = memoryEnd();
  if (top + bytes > end && (mapped == 0 || mapped >= (<u64>memory.size()) << 16)) {
    // as many pages as asked, else as many as the engine gives (an AOT pool, a wasm3 heap): halving the ask
    for (let pages = <i32>((top + bytes - end + 0xffff) >> 16); pages > 0; pages >>= 1) {
      if (memory.grow(pages) >= 0) {
        end = memoryEnd();
        if (top + bytes <= end) break;
      }
    }
  }
  return end > top ? end - top : 0;
}

/** n rounded up to a multiple of 16: the buffers the model runtimes carve are 16-byte aligned. */
// @ts-ignore: decorator
@inline export function align16(n: i32): i32 {
  return (n + 15) & ~15;
}
