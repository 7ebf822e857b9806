// The project's one seeded PRNG for host-side tools and tests (mulberry32): floats in [0, 1), same seed, same
// sequence everywhere. The wasm module has its own (PCG32, assembly/rng.ts) for what runs on boards.
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
