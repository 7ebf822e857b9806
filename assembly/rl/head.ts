// The trainable head on the frozen backbone's features: an optional ReLU hidden layer, then policy logits and a
// value, all f32. Parameters are one contiguous f32 block (checkpoints copy it; agent_head_ptr/bytes):
//   hidden > 0: w1 (H, F), b1 (H), wpi (A, H), bpi (A), wv (H), bv (1)
//   hidden = 0:                     wpi (A, F), bpi (A), wv (F), bv (1)
// Forward keeps what backward needs; backward writes d(output-weighted sum)/d(params) into a buffer.
import { memoryEnd } from "../memory";
import { f32AffineK } from "../kernels/bound";

export let headF: i32 = 0; // features
export let headH: i32 = 0; // hidden units, 0 = linear head
export let headA: i32 = 0; // actions
export let headParams: i32 = 0; // f32 count of the block
export let params: usize = 0; // f32[headParams]

// Forward state: hidden f32[H], logits f32[A], probs f32[A] and the value (also at the float after probs).
let hidden: usize = 0;
let logits: usize = 0;
export let probs: usize = 0;
export let headValue: f32 = 0;
let capacity: i32 = 0; // floats allocated per buffer (grow-only: the stub heap never frees)
let hiddenCap: i32 = 0;

/** Parameter count for (F, H, A). */
export function headParamCount(f: i32, h: i32, a: i32): i32 {
  const k = h > 0 ? h : f;
  return (h > 0 ? h * f + h : 0) + a * k + a + k + 1;
}

/** Allocates one f32 buffer of n floats (16-byte aligned). Check headFits first: the stub heap traps when full. */
export function allocF32(n: i32): usize {
  return heap.alloc((<usize>n) << 2);
}

/**
 * True when `floats` more f32 values (plus allocator headers) still fit in linear memory. Memory is fixed (no
 * grow on a device), so the stub heap's next block address, probed with a 16-byte block, tells what is left.
 */
export function headFits(floats: i32, blocks: i32): bool {
  return ((<u64>floats) << 2) + <u64>blocks * 32 + 64 <= freeBytes();
}

/** Bytes between the stub heap's next block and the end of (mapped) linear memory (probing leaks one 16-byte block). */
export function freeBytes(): u64 {
  const next = <u64>heap.alloc(16);
  const end = memoryEnd(); // the mapped part on a board that maps only part of the memory
  return next < end ? end - next : 0;
}

/** Floats headInit would newly allocate for (f, h, a): 0 when the current buffers are big enough. */
export function headNewFloats(f: i32, h: i32, a: i32): i32 {
  const p = headParamCount(f, h, a);
  return (p > capacity ? p : 0) + (h + 2 * a + 2 > hiddenCap ? h + 2 * a + 2 : 0);
}

/** Sets the shapes; allocates the parameter block (and forward buffers) once per larger size. Zeroes params. */
export function headInit(f: i32, h: i32, a: i32): void {
  headF = f;
  headH = h;
  headA = a;
  headParams = headParamCount(f, h, a);
  if (headParams > capacity) {
    params = allocF32(headParams);
    capacity = headParams;
  }
  if (h + 2 * a + 2 > hiddenCap) {
    hiddenCap = h + 2 * a + 2;
    hidden = allocF32(hiddenCap);
  }
  logits = hidden + ((<usize>h) << 2);
  probs = logits + ((<usize>a) << 2);
  memory.fill(params, 0, (<usize>headParams) << 2);
}

// Offsets (in floats) of each part of the block.
function offW1(): i32 {
  return 0;
}
function offB1(): i32 {
  return headH * headF;
}
function offWpi(): i32 {
  return headH > 0 ? headH * headF + headH : 0;
}
function inputs(): i32 {
  return headH > 0 ? headH : headF;
}
function offBpi(): i32 {
  return offWpi() + headA * inputs();
}
function offWv(): i32 {
  return offBpi() + headA;
}
function offBv(): i32 {
  return offWv() + inputs();
}

@inline function f32At(base: usize, i: i32): f32 {
  return load<f32>(base + ((<usize>i) << 2));
}
@inline function setF32(base: usize, i: i32, v: f32): void {
  store<f32>(base + ((<usize>i) << 2), v);
}

/** Forward on feat f32[F]: hidden, logits, probs (softmax, max-subtracted) and headValue. The layers go through the
 *  kernel binding (f32AffineK): a C kernel in wasm3+native, the same sums bit for bit. */
export function headForward(feat: usize): void {
  const k = inputs();
  let x = feat;
  if (headH > 0) {
    f32AffineK(params, params + ((<usize>offB1()) << 2), feat, hidden, headH, headF, 1);
    x = hidden;
  }
  f32AffineK(params + ((<usize>offWpi()) << 2), params + ((<usize>offBpi()) << 2), x, logits, headA, k, 0);
  // the value into the float after probs (the forward buffer's spare room)
  const value = probs + ((<usize>headA) << 2);
  f32AffineK(params + ((<usize>offWv()) << 2), params + ((<usize>offBv()) << 2), x, value, 1, k, 0);
  headValue = load<f32>(value);
  let top: f32 = -Infinity;
  for (let a = 0; a < headA; a++) {
    const s = f32At(logits, a);
    if (s > top) top = s;
  }
  let sum: f32 = 0;
  for (let a = 0; a < headA; a++) {
    const e = Mathf.exp(f32At(logits, a) - top);
    setF32(probs, a, e);
    sum += e;
  }
  for (let a = 0; a < headA; a++) setF32(probs, a, f32At(probs, a) / sum);
}

/** Index of the largest logit (the first on ties). */
export function headArgmax(): i32 {
  let best = 0;
  for (let a = 1; a < headA; a++) if (f32At(logits, a) > f32At(logits, best)) best = a;
  return best;
}

/** Samples an action from probs with u in [0, 1): the first a whose cumulative probability exceeds u. */
export function headSample(u: f64): i32 {
  let cum: f64 = 0;
  for (let a = 0; a < headA; a++) {
    cum += <f64>f32At(probs, a);
    if (u < cum) return a;
  }
  return headA - 1;
}

/** log probs[a], from the logits (stable). */
export function logProb(a: i32): f32 {
  let top: f32 = -Infinity;
  for (let b = 0; b < headA; b++) top = max(top, f32At(logits, b));
  let sum: f32 = 0;
  for (let b = 0; b < headA; b++) sum += Mathf.exp(f32At(logits, b) - top);
  return f32At(logits, a) - top - Mathf.log(sum);
}

/**
 * dst f32[headParams] = gradient of  sum_a dlog[a] * logits[a] + dval * value  at the last forward's input feat,
 * where dlog f32[A]. Overwrites dst. With dlog = onehot(a) - probs this is grad log pi(a).
 */
export function headBackward(feat: usize, dlog: usize, dval: f32, dst: usize, dhidden: usize): void {
  const k = inputs();
  const x = headH > 0 ? hidden : feat;
  const wpi = offWpi(),
    bpi = offBpi(),
    wv = offWv(),
    bv = offBv();
  for (let a = 0; a < headA; a++) {
    const g = f32At(dlog, a);
    const row = dst + ((<usize>(wpi + a * k)) << 2);
    for (let i = 0; i < k; i++) setF32(row, i, g * f32At(x, i));
    setF32(dst, bpi + a, g);
  }
  for (let i = 0; i < k; i++) setF32(dst, wv + i, dval * f32At(x, i));
  setF32(dst, bv, dval);
  if (headH > 0) backHidden(feat, dlog, dval, dst, dhidden);
}

/**
 * The hidden layer's part of headBackward, called through a table slot so the optimiser keeps it a function of its
 * own: wasm3 compiles it only for heads with a hidden layer (its heap on a 256 KiB board has little room).
 */
let backHidden: (feat: usize, dlog: usize, dval: f32, dst: usize, dhidden: usize) => void = hiddenBackward;
function hiddenBackward(feat: usize, dlog: usize, dval: f32, dst: usize, dhidden: usize): void {
  const k = inputs();
  const wpi = offWpi(),
    wv = offWv();
  // through the ReLU: dh[j] = (sum_a dlog[a] wpi[a, j] + dval wv[j]) * (h[j] > 0); dhidden f32[H] scratch
  for (let j = 0; j < headH; j++) {
    let s: f32 = 0;
    if (f32At(hidden, j) > 0) {
      s = dval * f32At(params, wv + j);
      for (let a = 0; a < headA; a++) s += f32At(dlog, a) * f32At(params, wpi + a * k + j);
    }
    setF32(dhidden, j, s);
  }
  const b1 = offB1();
  for (let j = 0; j < headH; j++) {
    const g = f32At(dhidden, j);
    const row = dst + ((<usize>(offW1() + j * headF)) << 2);
    for (let i = 0; i < headF; i++) setF32(row, i, g * f32At(feat, i));
    setF32(dst, b1 + j, g);
  }
}

/** dlog f32[A] = onehot(a) - probs: the logits' gradient of log pi(a). */
export function gradLogPi(a: i32, dlog: usize): void {
  for (let b = 0; b < headA; b++) setF32(dlog, b, (b == a ? <f32>1 : <f32>0) - f32At(probs, b));
}

/** dlog f32[A] = coef * dH/dlogits, H = -sum p log p: dH/dz_b = -p_b (log p_b + H). */
export function gradEntropy(coef: f32, dlog: usize): void {
  let h: f32 = 0;
  for (let b = 0; b < headA; b++) h -= f32At(probs, b) * logProb(b);
  for (let b = 0; b < headA; b++) setF32(dlog, b, -coef * f32At(probs, b) * (logProb(b) + h));
}
