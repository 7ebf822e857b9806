// The host I/O arena: one fixed block of linear memory where hosts write kernel inputs and read outputs.
// A static block (memory.data), so its address is a compile-time constant: the fast LUT kernels fold table
// addresses inside it into load offsets. Release builds carry no zeros for it (binaryen drops zero data).

/** Arena size in bytes: a golden case (< 32 KiB) fits, as do the 256-column LUTs plus a row block. */
export const IO_SIZE: i32 = 48 * 1024;

/** u8[IO_SIZE], 16-byte aligned. */
export const IO_BASE: usize = memory.data(IO_SIZE, 16);

/** Where the fast LUT kernels expect their tables: the last 32 KiB of the arena (the first 16 KiB stay free for
 *  agent results and small inputs). A table built here is read with constant offsets (docs/kernels.md). */
export const LUT_FAST_OFFSET: i32 = 16 * 1024;
export const LUT_FAST: usize = IO_BASE + <usize>LUT_FAST_OFFSET;
export const LUT_FAST_BYTES: i32 = IO_SIZE - LUT_FAST_OFFSET;

/** Address of the I/O arena. */
export function io_base(): i32 {
  return <i32>IO_BASE;
}

/** Size of the I/O arena in bytes. */
export function io_size(): i32 {
  return IO_SIZE;
}

/** Address of the fast-LUT region (io_base() + 16384, 32768 bytes): matvec_*_lut with lut equal to this runs
 *  its unrolled path when the tables fit (i2: cols <= 256, t3: cols <= 320). */
export function lut_fast_base(): i32 {
  return <i32>LUT_FAST;
}
