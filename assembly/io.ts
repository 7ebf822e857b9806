// The host I/O arena: one fixed block of linear memory where hosts write kernel inputs and read outputs.
// Allocated once at start from the stub heap (not a static data segment, so the .wasm carries no zeros).

/** Arena size in bytes: a golden case (< 32 KiB) fits, as do the 256-column LUTs plus a row block. */
export const IO_SIZE: i32 = 48 * 1024;

// u8[IO_SIZE], 16-byte aligned (the stub allocator aligns every block)
const ioArena: usize = heap.alloc(<usize>IO_SIZE);

/** Address of the I/O arena. */
export function io_base(): i32 {
  return <i32>ioArena;
}

/** Size of the I/O arena in bytes. */
export function io_size(): i32 {
  return IO_SIZE;
}
