// `npm start`, the main job: installs what is missing, builds, takes the shipped models (or pretrains with
// --train), boots the board, loads each agent onto it, plays episodes there, writes report/index.html and prints
// a short summary. A missing piece stops the job with a message naming it; no figure is ever made up.
// usage: npm start -- [--board B] [--port P] [--env E] [--model FILE] [--episodes N] [--train [--train-episodes K]]
//        [--backbone FILE|none] [--seed S] [--out report/index.html]
import { parseArgs } from "node:util";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { ensureDeps } from "./ensure-deps.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
process.chdir(root);

class JobError extends Error {}
const fail = (step, msg) => {
  throw new JobError(`${step}: ${msg}`);
};

let opts;
try {
  opts = parseArgs({
    options: {
      board: { type: "string", default: "qemu-m4" }, port: { type: "string" }, env: { type: "string", default: "cartpole" },
      model: { type: "string" }, episodes: { type: "string", default: "5" }, seed: { type: "string", default: "1" },
      train: { type: "boolean" }, "train-episodes": { type: "string" }, backbone: { type: "string" }, out: { type: "string", default: "report/index.html" },
      help: { type: "boolean", short: "h" },
    },
  }).values;
} catch (e) {
  console.error(`main job: ${e.message.split("\n")[0]} (see npm start -- --help)`);
  process.exit(2);
}
if (opts.help) {
  console.log(readFileSync(fileURLToPath(import.meta.url), "utf8").split("\n").slice(0, 4).map((l) => l.replace(/^\/\/ ?/, "")).join("\n"));
  process.exit(0);
}

const t0 = Date.now();
const steps = 7;
let n = 0;
const step = (label) => console.log(`[${++n}/${steps}] ${label} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);

async function main() {
  step("npm dependencies");
  ensureDeps();
  const { register } = await import("tsx/esm/api");
  register();
  const lib = (p) => import(pathToFileURL(join(root, p)).href);
  const { getBoard } = await lib("tools/lib/boards.ts");
  const board = getBoard(opts.board);
  const episodes = Number(opts.episodes);
  if (!Number.isInteger(episodes) || episodes < 1) fail("arguments", `--episodes must be an integer >= 1, got '${opts.episodes}'`);

  step(`toolchain for ${board.id}`);
  if (board.kind === "emulated" && !opts.port) {
    const { setupToolchain } = await import("./setup-toolchain.mjs");
    await setupToolchain({ riscv: board.id === "qemu-rv32", quiet: true });
  }

  step("build (agent.wasm, CLI)");
  const { build } = await import("./build.mjs");
  build({ quiet: true });

  step("models");
  const { findAgentModels } = await lib("tools/lib/energy/session.ts");
  if (opts.train) await pretrain(lib);
  let models;
  if (opts.model) {
    if (!existsSync(opts.model)) fail("models", `--model '${opts.model}' does not exist`);
    models = [{ agent: /-(fp32|int8|ternary)\.bitrl$/.exec(opts.model)?.[1] ?? "agent", path: opts.model }];
  } else {
    try {
      models = findAgentModels(join(root, "models"), opts.env);
    } catch (e) {
      fail("models", `${e.message} (no shipped model for '${opts.env}': run 'npm start -- --train' or pass --model FILE)`);
    }
  }
  for (const m of models) console.log(`  ${m.agent}: ${relative(root, m.path)}`);

  step(`boot ${board.id}${opts.port ? ` on ${opts.port}` : ""}`);
  const { connectBoard } = await lib("tools/lib/energy/connect.ts");
  let conn;
  try {
    conn = await connectBoard(board, opts.port);
  } catch (e) {
    fail("boot", e.message);
  }
  try {
    const info = await conn.client.info();
    if (info.module_error) fail("boot", `the board could not load agent.wasm: ${info.module_error}`);
    console.log(`  ${info.board}, firmware ${info.firmware}, backend ${info.backend}, clock in ${info.clock_unit}`);

    step(`run ${episodes} greedy episodes per agent on the board`);
    const { runAgentSession } = await lib("tools/lib/energy/session.ts");
    const { progress } = await lib("tools/lib/progress.ts");
    const bar = progress("episodes", models.length * episodes);
    let done = 0;
    const s = await runAgentSession(conn.client, models, {
      episodes, seed: Number(opts.seed), maxSteps: 500, onEpisode: (agent) => bar.tick(++done, agent),
    });
    bar.done();
    const after = await conn.client.info();

    step("report");
    const { readBlobFile } = await lib("tools/lib/files.ts");
    const { fp32Bytes, summaryLines, summaryRecords } = await lib("tools/lib/report/summary.ts");
    const { appendRun, runsDir } = await lib("tools/lib/runlog.ts");
    const { buildReport } = await lib("tools/lib/report/write.ts");
    const summary = {
      board, env: opts.env, via: conn.via, ram: after.ram ?? null,
      agents: models.map((m, k) => ({
        work: s.work[k], meanReturn: s.meanReturn[k], model: relative(root, m.path),
        modelFileBytes: readFileSync(m.path).length, fp32Bytes: fp32Bytes(readBlobFile(m.path)),
      })),
    };
    for (const { kind, record } of summaryRecords(summary)) appendRun(kind, record);
    const r = buildReport([runsDir()], opts.out, { title: `bitrl: ${opts.env} on ${board.id}` });
    console.log(`\n${summaryLines(summary).join("\n")}\nreport: ${opts.out} (${r.records} records) in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  } finally {
    await conn.close();
  }
}

/** --train: pretrains the agent's head with `bitrl train` and records its learning curves. */
async function pretrain(lib) {
  const { trainCommand } = await lib("tools/cli/train.ts");
  const { appendRun } = await lib("tools/lib/runlog.ts");
  const backbone = opts.backbone ?? "none";
  const out = join(root, "models", `${opts.env}-${backbone === "none" ? "none" : "ternary"}.bitrl`);
  const lines = [];
  const log = console.log;
  console.log = (s) => lines.push(String(s));
  let code;
  try {
    code = await trainCommand.run(["--env", opts.env, "--backbone", backbone, "--seeds", "3", ...(opts["train-episodes"] ? ["--episodes", opts["train-episodes"]] : []), "--out", out, "--json"]);
  } finally {
    console.log = log;
  }
  if (code !== 0) fail("train", `bitrl train exited ${code}`);
  const j = JSON.parse(lines.at(-1));
  for (const sd of j.seeds ?? []) appendRun("train", { env: opts.env, agent: backbone === "none" ? "none" : "ternary", seed: sd.seed, returns: sd.curve });
  console.log(`  trained ${relative(root, out)} (best seed ${j.best_seed})`);
  opts.model ??= out;
}

main().catch((e) => {
  const msg = e instanceof JobError || e.name === "BitrlError" ? e.message : `internal error: ${e.stack ?? e.message}`;
  console.error(`\nmain job stopped at ${msg}`);
  process.exit(1);
});
