// Agents on the host and on boards: settings, agent blobs, the V8 runner, evaluation, training, replay, on-board
// runs (docs/agents.md). One import for the CLI and library users; each part lives in its own file here.
export * from "./hparams.ts";
export * from "./blob.ts";
export * from "./runner.ts";
export * from "./eval.ts";
export * from "./train.ts";
export * from "./replay.ts";
export * from "./on-board.ts";
export * from "./train-plan.ts";
export * from "./seeds.ts";
export * from "./tabular.ts";
export * from "./zero-shot.ts";
export * from "./retention.ts";
export * from "./targets.ts";
