// The module's one seeded PRNG: PCG32 (XSH RR, O'Neill 2014), integer-only, so every runtime gives the same
// stream (V8, wasm3 on host and board; the TypeScript twin is in tools/lib/reference/envs.ts).

/** PCG32's default stream increment (odd). */
const PCG_INC: u64 = 1442695040888963407;
/** PCG32's LCG multiplier. */
const PCG_MUL: u64 = 6364136223846793005;

let pcgState: u64 = 0;

/** Seeds the stream like pcg32_srandom(seed, default stream): state 0, step, add seed, step. */
export function rngSeed(seed: u32): void {
  pcgState = 0;
  rngNext();
  pcgState += <u64>seed;
  rngNext();
}

/** Next 32 random bits. */
export function rngNext(): u32 {
  const old = pcgState;
  pcgState = old * PCG_MUL + PCG_INC;
  const xorshifted = <u32>(((old >> 18) ^ old) >> 27);
  const rot = <u32>(old >> 59);
  return rotr<u32>(xorshifted, rot);
}

/** Uniform double in [0, 1): next32 / 2^32 (exact in f64, so the same everywhere). */
export function rngUniform(): f64 {
  return <f64>rngNext() * (1.0 / 4294967296.0);
}

/** Integer in [0, n) by multiply-shift (Lemire); bias < n / 2^32, irrelevant for n <= 16. */
export function rngBelow(n: u32): u32 {
  return <u32>((<u64>rngNext() * <u64>n) >> 32);
}
