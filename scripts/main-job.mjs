// `npm start`, the main job: installs what is missing, builds, takes the shipped models (or pretrains with
// --train), boots the board, loads each agent onto it, plays episodes there, writes report/index.html and prints
// a short summary. A missing piece stops the job with a message naming it; no figure is ever made up.
// usage: npm start -- [--board B] [--port P] [--env E] [--model FILE] [--kinds fp32,int8,ternary] [--episodes N]
//        [--train] [--train-episodes K] [--retrain] [--seed S] [--out report/index.html]
import { parseArgs } from "node:util";
import { existsSync, readFileSync, statSync } from "node:fs";
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
      train: { type: "boolean" }, "train-episodes": { type: "string" }, retrain: { type: "boolean" }, kinds: { type: "string" }, out: { type: "string", default: "report/index.html" },
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
  const models = await prepareAgents(lib);
  for (const m of models) console.log(`  ${m.agent}: ${relative(root, m.path)}${m.note ? ` (${m.note})` : ""}`);

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

const KINDS = ["fp32", "int8", "ternary"];
const isAgent = (blob) => blob.tensors.some((t) => t.name === "agent.config");
const newer = (a, b) => existsSync(a) && statSync(a).mtimeMs >= statSync(b).mtimeMs;

/** Runs a bitrl command in this process from the TypeScript sources (progress bars on stderr as usual) and
 *  returns what it printed on stdout. */
async function cli(lib, args) {
  const { main } = await lib("tools/cli/main.ts");
  const lines = [];
  const log = console.log;
  console.log = (...a) => lines.push(a.join(" "));
  let code;
  try {
    code = await main(args);
  } finally {
    console.log = log;
  }
  if (code !== 0) fail(`bitrl ${args[0]}`, `exited ${code} (${lines.at(-1) ?? "see the message above"})`);
  return lines.join("\n");
}

/** The agents to run: --model, or one per backbone kind (shipped in models/, or pretrained with --train), each
 *  with a head trained on the host (V8) over 3 seeds; the learning curves go to the run log for the report. */
async function prepareAgents(lib) {
  const { readBlobFile } = await lib("tools/lib/files.ts");
  const { appendRun } = await lib("tools/lib/runlog.ts");
  const kinds = (opts.kinds ?? KINDS.join(",")).split(",");
  for (const k of kinds) if (!KINDS.includes(k)) fail("arguments", `--kinds takes fp32, int8, ternary; got '${k}'`);
  const backbones = [];
  if (opts.model) {
    if (!existsSync(opts.model)) fail("models", `--model '${opts.model}' does not exist`);
    const blob = readBlobFile(opts.model);
    const kind = /(fp32|int8|ternary)\.bitrl$/.exec(opts.model)?.[1] ?? "agent";
    if (isAgent(blob)) return [{ agent: kind, path: opts.model, note: "agent as given" }];
    backbones.push({ kind, path: opts.model });
  } else {
    for (const kind of kinds) {
      let path = join(root, "models", `${opts.env}-backbone-${kind}.bitrl`);
      if (opts.train) {
        path = join(root, ".bitrl", "models", `${opts.env}-backbone-${kind}.bitrl`);
        console.log(`  pretraining the ${kind} backbone for ${opts.env} (bitrl pretrain)`);
        await cli(lib, ["pretrain", "--env", opts.env, "--backbone", kind, "-o", path]);
      }
      if (existsSync(path)) backbones.push({ kind, path });
      else console.log(`  no ${kind} backbone (${relative(root, path)}): skipped`);
    }
    if (!backbones.length) fail("models", `no shipped backbone models/${opts.env}-backbone-{${kinds.join(",")}}.bitrl: run 'npm start -- --train' to pretrain them, or pass --model FILE`);
  }
  const out = [];
  for (const b of backbones) {
    const agentPath = join(root, ".bitrl", "agents", `${opts.env}-${b.kind}.bitrl`);
    if (!opts.retrain && newer(agentPath, b.path)) {
      out.push({ agent: b.kind, path: agentPath, note: "head trained earlier; --retrain to redo" });
      continue;
    }
    console.log(`  training the ${b.kind} agent's head on the host (V8), 3 seeds`);
    const j = JSON.parse((await cli(lib, ["train", "--env", opts.env, "--backbone", b.path, "--seeds", "3", ...(opts["train-episodes"] ? ["--episodes", opts["train-episodes"]] : []), "--out", agentPath, "--json"])).trim().split("\n").pop());
    for (const sd of j.seeds ?? []) appendRun("train", { env: opts.env, agent: b.kind, seed: sd.seed, returns: sd.curve, evalMeanReturn: sd.eval_mean_return, runtime: j.runtime, backbone: relative(root, b.path) });
    out.push({ agent: b.kind, path: agentPath, note: `head trained now, best seed ${j.best_seed}` });
  }
  return out;
}

main().catch((e) => {
  const msg = e instanceof JobError || e.name === "BitrlError" ? e.message : `internal error: ${e.stack ?? e.message}`;
  console.error(`\nmain job stopped at ${msg}`);
  process.exit(1);
});
