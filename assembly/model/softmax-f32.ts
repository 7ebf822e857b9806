// The fp32 attention's weights for one query, shared by the agent backbone's fp32 baseline (backbone.ts) and the
// fp32 language model (assembly/lm/lm.ts), in one fixed order of operations (the reference's, hiddenF32).
import { expf } from "./mathf";

/** sc f32[n] = softmax over j < n of (q . k_j) scale: q f32[hd], key j at k + j kStride (bytes). */
export function softmaxScoresF32(q: usize, k: usize, kStride: usize, hd: i32, n: i32, scale: f32, sc: usize): void {
  const qEnd = q + <usize>(hd << 2);
  let mx: f32 = -Infinity;
  for (let j = 0; j < n; j++) {
    let dot: f32 = 0;
    for (let qp = q, kp = k + <usize>j * kStride; qp < qEnd; qp += 4, kp += 4) dot += load<f32>(qp) * load<f32>(kp);
    const s = dot * scale;
    store<f32>(sc + <usize>(j << 2), s);
    if (s > mx) mx = s;
  }
  let sum: f32 = 0;
  for (let j = 0; j < n; j++) {
    const e = expf(load<f32>(sc + <usize>(j << 2)) - mx);
    store<f32>(sc + <usize>(j << 2), e);
    sum += e;
  }
  for (let j = 0; j < n; j++) store<f32>(sc + <usize>(j << 2), load<f32>(sc + <usize>(j << 2)) / sum);
}
