// Picking the next token from the LM's integer logits, the same in every runtime: greedy (temperature 0: the
// largest logit, the lowest id on a tie) or sampling from softmax(logit / T) computed as the attention's softmax
// is (log2 units, the EXP2 table, fixed.ts), with the module's PCG32 stream. Twin: tools/lib/reference/lm.ts.
import { EXP2, fxFromF32Bits, mulShift64 } from "../kernels/fixed";
import { rngBelow } from "../rng";

const LOG2E: f32 = 1.4426950408889634;

/** The multiplier log2(e) / T of a temperature T > 0 (0 for greedy). */
export function temperatureFx(temperature: f32): i32 {
  return temperature > 0 ? fxFromF32Bits(reinterpret<u32>(LOG2E / temperature)) : 0;
}

/** A token from logits i32[n] (8 fractional bits) with multiplier tfx (temperatureFx). Weights e_v =
 *  2^(z_v - max z) with 15 bits (0 past 2^-15), z_v = logit_v log2(e) / T; the token is the first whose running sum of
 *  weights exceeds a uniform integer below their total. */
export function sampleLogits(logits: usize, n: i32, tfx: i32): i32 {
  if (tfx == 0) {
    let best = 0;
    for (let v = 1; v < n; v++)
      if (load<i32>(logits + <usize>(v << 2)) > load<i32>(logits + <usize>(best << 2))) best = v;
    return best;
  }
  let zmax = i32.MIN_VALUE;
  for (let v = 0; v < n; v++) zmax = max(zmax, zOf(load<i32>(logits + <usize>(v << 2)), tfx));
  let total: u32 = 0;
  for (let v = 0; v < n; v++) total += weight(zmax - zOf(load<i32>(logits + <usize>(v << 2)), tfx));
  let r = rngBelow(total);
  for (let v = 0; v < n; v++) {
    const e = weight(zmax - zOf(load<i32>(logits + <usize>(v << 2)), tfx));
    if (r < e) return v;
    r -= e;
  }
  return n - 1; // not reached: the weights sum to total
}

// @ts-ignore: decorator
@inline function zOf(logit: i32, tfx: i32): i32 {
  const z = mulShift64(logit, tfx, 0); // logits already carry 8 fractional bits
  return z > 1 << 24 ? 1 << 24 : z < -(1 << 24) ? -(1 << 24) : z;
}

// @ts-ignore: decorator
@inline function weight(d: i32): u32 {
  return d >= 15 << 8 ? 0 : u32(load<u16>(EXP2 + <usize>((d & 255) << 1))) >> u32(d >> 8);
}
