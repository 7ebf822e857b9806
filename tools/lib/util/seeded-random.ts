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

/** Random test inputs drawn from a seeded PRNG (golden vectors, fuzz tests, benchmarks). */
export type Rand = () => number;
export const randInt = (rand: Rand, lo: number, hi: number): number => lo + Math.floor(rand() * (hi - lo + 1));
export const randomTernary = (rand: Rand, n: number): Int8Array =>
  Int8Array.from({ length: n }, () => randInt(rand, -1, 1));
export const randomInt8 = (rand: Rand, n: number, lo = -128, hi = 127): Int8Array =>
  Int8Array.from({ length: n }, () => randInt(rand, lo, hi));
/** Roughly normal f32 values (sum of uniforms) times `scale`. */
export const randomF32 = (rand: Rand, n: number, scale = 1): Float32Array =>
  Float32Array.from({ length: n }, () => (rand() + rand() + rand() - 1.5) * 2 * scale);
