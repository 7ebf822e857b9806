// Operations of an env's one entry (keyDoor, frozenLake, textRoom, classic): env.ts's dispatchers each call an entry
// with an op code, so every entry has several call sites and is called, not inlined. wasm3 then compiles an env's
// code only when that env runs (compiled code shares the 256 KiB boards' heap with the linear memory,
// docs/firmware.md). Cartpole, the main job's env, stays inlined in the dispatchers.
export const OP_RESET: i32 = 0;
export const OP_STEP: i32 = 1; // the action given; returns 1 when terminated (the reward: the env's own getter)
export const OP_OBS: i32 = 2; // observation f32 at p; returns the count (textroom: its words)
export const OP_STATE: i32 = 3; // state f64 at p
export const OP_SET_STATE: i32 = 4; // state f64 from p; 0 ok, -1 not a valid state
export const OP_TOKENS: i32 = 5; // tokens i32 at q of the observation f32 at p; returns the count
