// PPO's rollout buffer in linear memory: T steps of cached backbone features (int8, so a step costs F + 28
// bytes instead of 4F + 24) with the action, its log-probability and value under the policy that acted, the
// scaled reward and how the step ended. The backbone is frozen, so the update reads the features back instead of
// running the backbone again. A PPO head always sees its features through the same int8 code (featureRoundTrip),
// when acting and when learning, so the first pass's ratio is exactly 1: x -> round(127 x / max|x|) / 127, which
// also normalises the head's input to [-1, 1] whatever the backbone's output scale (the step size then carries
// over between backbones).
import * as head from "./head";

export let rolloutCap: i32 = 0; // T, steps the buffer holds
export let rolloutLen: i32 = 0; // steps stored so far
// Training state in static memory, not in module globals: wasm3 keeps a 32-byte record per global in its heap for
// the module's life on every board, whether the agent trains or not (docs/firmware.md).
// @ts-ignore: decorator
@unmanaged

class RolloutBuffers {
  featBytes: i32; // F rounded up to 4
  feats: usize; // i8[T][featBytes]
  currentFeats: usize; // i8[featBytes] the features last passed through featureRoundTrip
  currentCap: i32; // bytes allocated for it
  allocSteps: i32; // steps and feature bytes the allocated buffers hold (grow-only: the stub heap never frees)
  allocFeatBytes: i32;
}
const RB = changetype<RolloutBuffers>(memory.data(offsetof<RolloutBuffers>(), 8));
export let logps: usize = 0; // f32[T] log pi_old(a_t | s_t)
export let values: usize = 0; // f32[T] V_old(s_t)
export let rewards: usize = 0; // f32[T] scaled reward, then (after gae) the advantage
export let boots: usize = 0; // f32[T] value after an episode's last step: 0 terminated, V(s') truncated
export let returns: usize = 0; // f32[T] advantage + value (the value target)
export let actions: usize = 0; // u8[T]
export let ends: usize = 0; // u8[T] 1 where an episode ended at this step
export let order: usize = 0; // u16[T] shuffled indices for the minibatches

/** Bytes one rollout step takes (F int8 features rounded up, six f32, two u8 and one u16, rounded to 4). */
export function rolloutStepBytes(f: i32): i32 {
  return ((f + 3) & ~3) + 6 * 4 + 4;
}

/** Bytes (with allocator headers) the buffer needs for T steps of F features (the current step's copy is
 *  allocated at load: roundTripInit). */
export function rolloutBytes(t: i32, f: i32): u64 {
  return <u64>t * <u64>rolloutStepBytes(f) + 10 * 32;
}

function allocBytes(n: i32): usize {
  return heap.alloc(<usize>((n + 3) & ~3));
}

/** True when the buffers allocated already hold T steps of F features (then rolloutInit allocates nothing). */
export function rolloutAllocated(t: i32, f: i32): bool {
  return t <= RB.allocSteps && ((f + 3) & ~3) <= RB.allocFeatBytes;
}

/** Steps the allocated buffers hold for F features (0 when none are). */
export function rolloutAllocatedSteps(f: i32): i32 {
  return ((f + 3) & ~3) <= RB.allocFeatBytes ? RB.allocSteps : 0;
}

/** Floats (rounded up) roundTripInit would newly allocate for F features. */
export function roundTripNewFloats(f: i32): i32 {
  return ((f + 3) & ~3) > RB.currentCap ? ((f + 3) & ~3) >> 2 : 0;
}

/** Allocates (grow-only) the int8 copy featureRoundTrip keeps: all a PPO head needs to play. */
export function roundTripInit(f: i32): void {
  const n = (f + 3) & ~3;
  if (n > RB.currentCap) {
    RB.currentFeats = allocBytes(n);
    RB.currentCap = n;
  }
}

/** Sets up the buffer for T steps of F features (allocating unless rolloutAllocated; the caller checked it fits). */
export function rolloutInit(t: i32, f: i32): void {
  RB.featBytes = (f + 3) & ~3;
  rolloutCap = t;
  rolloutLen = 0;
  roundTripInit(f);
  if (rolloutAllocated(t, f)) return;
  RB.allocSteps = t;
  RB.allocFeatBytes = RB.featBytes;
  RB.feats = allocBytes(t * RB.featBytes);
  logps = head.allocF32(t);
  values = head.allocF32(t);
  rewards = head.allocF32(t);
  boots = head.allocF32(t);
  returns = head.allocF32(t);
  actions = allocBytes(t);
  ends = allocBytes(t);
  order = allocBytes(2 * t);
}

/** Empties the buffer (a new training run). */
export function rolloutClear(): void {
  rolloutLen = 0;
}

function quantize(feat: usize, f: i32, dst: usize): void {
  let top: f32 = 0;
  for (let i = 0; i < f; i++) top = max(top, Mathf.abs(load<f32>(feat + ((<usize>i) << 2))));
  const inv: f32 = top > 0 ? <f32>127 / top : <f32>0;
  for (let i = 0; i < f; i++) {
    const q = nearest<f32>(load<f32>(feat + ((<usize>i) << 2)) * inv); // f32.nearest: ties to even, in every runtime
    store<i8>(dst + <usize>i, <i8>(<i32>min<f32>(max<f32>(q, -127), 127)));
  }
}

function dequantize(src: usize, f: i32, feat: usize): void {
  const step: f32 = <f32>1 / <f32>127;
  for (let i = 0; i < f; i++) store<f32>(feat + ((<usize>i) << 2), <f32>load<i8>(src + <usize>i) * step);
}

/** Replaces feat f32[F] with its int8 round trip and remembers the int8 copy for rolloutPush. */
export function featureRoundTrip(feat: usize, f: i32): void {
  quantize(feat, f, RB.currentFeats);
  dequantize(RB.currentFeats, f, feat);
}

/** Appends a step: the features last passed through featureRoundTrip, action, log pi, value, scaled reward. */
export function rolloutPush(a: i32, logp: f32, value: f32, reward: f32): void {
  const t = rolloutLen++;
  // word by word: memory.copy without bulk memory links a large memcpy that wasm3 would compile only for this
  const n = RB.featBytes,
    src = RB.currentFeats;
  const dst = RB.feats + <usize>(t * n);
  for (let i = 0; i < n; i += 4) store<u32>(dst + <usize>i, load<u32>(src + <usize>i));
  const o = (<usize>t) << 2;
  store<f32>(logps + o, logp);
  store<f32>(values + o, value);
  store<f32>(rewards + o, reward);
  store<f32>(boots + o, 0);
  store<u8>(actions + <usize>t, <u8>a);
  store<u8>(ends + <usize>t, 0);
}

/** Marks the last stored step as an episode's end, bootstrapping from `boot` (0 when terminated). */
export function rolloutEnd(boot: f32): void {
  const t = rolloutLen - 1;
  store<u8>(ends + <usize>t, 1);
  store<f32>(boots + ((<usize>t) << 2), boot);
}

/** feat f32[F] = the stored features of step t. */
export function rolloutFeatures(t: i32, f: i32, feat: usize): void {
  dequantize(RB.feats + <usize>(t * RB.featBytes), f, feat);
}
