// FrozenLake-v1 as Gymnasium defines it: the 4x4 map "SFFF FHFH FFFH HFFG", is_slippery=True (the intended
// move or one of the two perpendicular moves, each with probability 1/3, sampled like Gymnasium's
// categorical_sample: first i with cumsum(p)[i] > u), reward 1 on reaching G, termination in H or G,
// truncation at 100 steps. Reference twin: tools/lib/reference/envs.ts (frozenLakeStep).
import { rngUniform } from "../rng";
import { OP_OBS, OP_RESET, OP_SET_STATE, OP_STATE, OP_STEP, OP_TOKENS } from "./ops";

export const FROZENLAKE_OBS: i32 = 1; // the cell, row * 4 + col
export const FROZENLAKE_ACTIONS: i32 = 4; // 0 left, 1 down, 2 right, 3 up
export const FROZENLAKE_MAX_STEPS: i32 = 100; // TimeLimit of FrozenLake-v1 (4x4)
export const FROZENLAKE_TOKENS: i32 = 1; // token = cell
export const FROZENLAKE_VOCAB: i32 = 16;
const SIZE: i32 = 4;
// "SFFF" "FHFH" "FFFH" "HFFG": 0 frozen/start, 1 hole, 2 goal; u8[16]
const MAP: StaticArray<u8> = [0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 1, 1, 0, 0, 2];
// cumsum([1/3, 1/3, 1/3]) in f64, as numpy computes it
const CUM0: f64 = 1.0 / 3.0;
const CUM1: f64 = 1.0 / 3.0 + 1.0 / 3.0;

// The state in static memory, not in module globals: wasm3 keeps a 32-byte record per global in its heap for the
// module's life on every board, whatever env runs (docs/firmware.md).
// @ts-ignore: decorator
@unmanaged

class Lake {
  lastReward: f64;
  cell: i32;
}
const L = changetype<Lake>(memory.data(offsetof<Lake>(), 8));

function frozenLakeReset(): void {
  L.cell = 0;
}

/** Applies a move from the current cell (clamped at the edges). */
function move(a: i32): void {
  let row = L.cell / SIZE;
  let col = L.cell % SIZE;
  if (a == 0) col = max(col - 1, 0);
  else if (a == 1) row = min(row + 1, SIZE - 1);
  else if (a == 2) col = min(col + 1, SIZE - 1);
  else row = max(row - 1, 0);
  L.cell = row * SIZE + col;
}

/** One slippery step; returns 1 when terminated (hole or goal). Reward via frozenLakeReward(). */
function frozenLakeStep(action: i32): i32 {
  const u = rngUniform();
  const k = CUM0 > u ? 0 : CUM1 > u ? 1 : 2; // index into [(a - 1) % 4, a, (a + 1) % 4]
  move((action + k + 3) & 3);
  const kind = unchecked(MAP[L.cell]);
  L.lastReward = kind == 2 ? 1.0 : 0.0;
  return kind != 0 ? 1 : 0;
}

export function frozenLakeReward(): f64 {
  return L.lastReward;
}

/** state f64[1]: the cell. */
function frozenLakeState(out: usize): void {
  store<f64>(out, <f64>L.cell);
}

/** Sets the cell from f64[1] at src; 0 ok, -1 not a cell 0..15. */
function frozenLakeSetState(src: usize): i32 {
  const v = load<f64>(src);
  if (!(v >= 0.0 && v <= 15.0) || v != Math.floor(v)) return -1;
  L.cell = <i32>v;
  return 0;
}

/** Observation f32[1]: the cell. */
function frozenLakeObs(out: usize): void {
  store<f32>(out, <f32>L.cell);
}

/** Token i32[1]: the cell (observation values outside 0..15 clamp to the ends). */
function frozenLakeTokens(obs: usize, out: usize): void {
  const v = load<f32>(obs);
  store<i32>(out, v >= 15.0 ? 15 : v >= 0.0 ? <i32>v : 0);
}

/** Operation op (assembly/envs/ops.ts) with action a; a step's reward from frozenLakeReward. */
export function frozenLake(op: i32, a: i32, p: usize, q: usize): i32 {
  if (op == OP_RESET) frozenLakeReset();
  else if (op == OP_STEP) return frozenLakeStep(a);
  else if (op == OP_OBS) frozenLakeObs(p);
  else if (op == OP_STATE) frozenLakeState(p);
  else if (op == OP_SET_STATE) return frozenLakeSetState(p);
  else if (op == OP_TOKENS) frozenLakeTokens(p, q);
  return 0;
}
