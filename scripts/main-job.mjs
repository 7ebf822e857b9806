// `npm start`, the main job: installs what is missing, builds, takes the shipped models (or pretrains with
// --train), boots the board, loads each agent onto it, plays episodes there, writes report/index.html and prints
// a short summary. A missing piece stops the job with a message naming it; no figure is ever made up.
// usage: npm start -- [--board B] [--port P] [--backend wasm3|wasm3+native|aot|wamr] [--board-train STEPS (15000)] [--env E] [--model FILE] [--kinds fp32,int8,ternary] [--episodes N]
//        [--train] [--train-episodes K] [--seed S] [--out report/index.html]
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
      board: { type: "string", default: "qemu-m4" },
      port: { type: "string" },
      backend: { type: "string", default: "wasm3" },
      env: { type: "string", default: "cartpole" },
      model: { type: "string" },
      episodes: { type: "string", default: "3" },
      seed: { type: "string", default: "1" },
      train: { type: "boolean" },
      "train-episodes": { type: "string" },
      "board-train": { type: "string", default: "15000" },
      kinds: { type: "string" },
      out: { type: "string", default: "report/index.html" },
      help: { type: "boolean", short: "h" },
    },
  }).values;
} catch (e) {
  console.error(`main job: ${e.message.split("\n")[0]} (see npm start -- --help)`);
  process.exit(2);
}
if (opts.help) {
  console.log(
    readFileSync(fileURLToPath(import.meta.url), "utf8")
      .split("\n")
      .slice(0, 4)
      .map((l) => l.replace(/^\/\/ ?/, ""))
      .join("\n"),
  );
  process.exit(0);
}

const t0 = Date.now();
const steps = 10;
let n = 0;
const step = (label) => console.log(`[${++n}/${steps}] ${label} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);

// The job, top to bottom: each step below is one function, in the order they run.
async function main() {
  const lib = await dependencies();
  const board = await checkArguments(lib);
  await toolchain(board);
  await buildStep();
  const link = await bootCheck(lib, board);
  try {
    // models after the boot check: a board that cannot come up fails in seconds, not after minutes of training
    const models = await modelsStep(lib);
    const { ran, failed } = await runEpisodes(lib, link, models);
    failed.push(...(await learnOnBoard(lib, board, link)));
    failed.push(...(await languageModelStep(lib, board)));
    const decisionCosts = await measureBackends(lib, board, ran);
    await reportStep(lib, board, link.via, ran, decisionCosts);
    if (failed.length)
      fail("run", `${failed.length} board run(s) failed (see FAILED above); the report holds the others`);
  } finally {
    await link.shared?.close();
  }
}

async function dependencies() {
  step("npm dependencies");
  ensureDeps();
  const { register } = await import("tsx/esm/api");
  register();
  return (p) => import(pathToFileURL(join(root, p)).href);
}

/** The board profile, once every option is known to be usable. */
async function checkArguments(lib) {
  const { getBoard } = await lib("tools/lib/board/profiles.ts");
  const board = getBoard(opts.board);
  const episodes = Number(opts.episodes);
  if (!Number.isInteger(episodes) || episodes < 1)
    fail("arguments", `--episodes must be an integer >= 1, got '${opts.episodes}'`);
  const learn = Number(opts["board-train"]);
  if (!Number.isInteger(learn) || learn < 0 || (learn > 0 && learn < 2000))
    fail(
      "arguments",
      `--board-train must be 0 or an integer >= 2000 (environment steps), got '${opts["board-train"]}'`,
    );
  if (!["wasm3", "wasm3+native", "aot", "wamr"].includes(opts.backend))
    fail("arguments", `--backend must be wasm3, wasm3+native, aot or wamr, got '${opts.backend}'`);
  return board;
}

async function toolchain(board) {
  step(`toolchain for ${board.id}`);
  if (board.kind !== "emulated" || opts.port) return;
  const { setupToolchain } = await import("./setup-toolchain.mjs");
  // qemu-m4 also runs the AOT backend: the per-backend decision cost and the on-board training step (PPO's
  // compiled code does not fit wasm3's heap there)
  await setupToolchain({
    riscv: board.id === "qemu-rv32",
    aot: opts.backend === "aot" || board.id === "qemu-m4",
    wamr: opts.backend === "wamr",
    quiet: true,
  });
}

async function buildStep() {
  step("build (agent.wasm, CLI)");
  const { build } = await import("./build.mjs");
  build({ quiet: true });
}

/** Boots the board once and checks that it loaded the module. Emulated and host boards then boot afresh for each
 *  agent (as if flashed with it), so one agent's memory use cannot starve the next; a real board on a port keeps
 *  one connection (`shared`). */
async function bootCheck(lib, board) {
  step(`boot ${board.id}${opts.port ? ` on ${opts.port}` : ""}`);
  const { connectBoard } = await lib("tools/lib/board/connect.ts");
  const open = async () => {
    try {
      return await connectBoard(board, opts.port, opts.backend);
    } catch (e) {
      fail("boot", e.message);
    }
  };
  const fresh = !opts.port && board.kind !== "real";
  const first = await open();
  try {
    const info = await first.client.info();
    if (info.module_error) fail("boot", `the board could not load agent.wasm: ${info.module_error}`);
    console.log(
      `  ${info.board}, firmware ${info.firmware}, backend ${info.backend}, clock in ${info.clock_unit}${fresh ? "; rebooted for each agent" : ""}`,
    );
  } catch (e) {
    await first.close();
    throw e;
  }
  if (fresh) await first.close();
  return { open, via: first.via, shared: fresh ? null : first };
}

async function modelsStep(lib) {
  step("models");
  const models = await prepareAgents(lib);
  for (const m of models) console.log(`  ${m.agent}: ${relative(root, m.path)}${m.note ? ` (${m.note})` : ""}`);
  return models;
}

/** Greedy episodes of each agent on the board, one agent at a time: an agent the board cannot run is reported by
 *  name and the others still run. */
async function runEpisodes(lib, link, models) {
  const episodes = Number(opts.episodes);
  step(`run ${episodes} greedy episodes per agent on the board`);
  const { runAgentSession } = await lib("tools/lib/energy/session.ts");
  const { progress } = await lib("tools/lib/util/progress.ts");
  const bar = progress("episodes", models.length * episodes);
  let done = 0;
  const ran = [];
  const failed = [];
  for (const m of models) {
    const conn = link.shared ?? (await link.open());
    try {
      const r = await runAgentSession(conn.client, [m], {
        episodes,
        seed: Number(opts.seed),
        maxSteps: 500,
        onEpisode: (agent) => bar.tick(++done, agent),
      });
      const after = await conn.client.info();
      ran.push({ model: m, work: r.work[0], meanReturn: r.meanReturn[0], ram: after.ram ?? null });
    } catch (e) {
      failed.push(e.message);
      done += episodes;
    } finally {
      if (!link.shared) await conn.close();
    }
  }
  bar.done();
  for (const f of failed) console.log(`  FAILED: ${f}`);
  if (!ran.length) fail("run", `no agent ran on the board:\n  ${failed.join("\n  ")}`);
  return { ran, failed };
}

/** Learning on the device: a fresh head on the frozen ternary backbone, trained by the module's own PPO update on
 *  the board under a step budget (greedy checks keep the best head in the board's inactive model slot); its
 *  per-episode returns are the report's learning curve. Returns what failed. */
async function learnOnBoard(lib, board, link) {
  const learnSteps = Number(opts["board-train"]);
  const backbonePath = join(root, "models", `${opts.env}-backbone-ternary.bitrl`);
  // wasm3's fixed heap on the emulated boards cannot hold PPO's compiled update next to the backbone (docs/agents.md)
  const learnBackend = board.id === "qemu-m4" && !opts.port ? "aot" : opts.backend;
  step(
    `learn on the board: ${learnSteps} environment steps of PPO training a fresh head on the ternary backbone (${learnBackend})`,
  );
  if (learnSteps === 0) return [];
  if (!existsSync(backbonePath)) {
    console.log(`  skipped: no ${relative(root, backbonePath)}`);
    return [];
  }
  await link.shared?.close();
  link.shared = null;
  const { buildAgentBlob, DEFAULT_RUN, defaultTrain, trainOnBoard } = await lib("tools/lib/agent/index.ts");
  const { readBlobFile } = await lib("tools/lib/format/blob-file.ts");
  const { appendRun } = await lib("tools/lib/report/runlog.ts");
  const { progress } = await lib("tools/lib/util/progress.ts");
  const train = { ...defaultTrain(opts.env, "blob", "ppo"), horizon: learnSteps };
  const start = buildAgentBlob({
    env: opts.env,
    backbone: readBlobFile(backbonePath),
    hidden: DEFAULT_RUN[opts.env].backboneHidden,
    train,
    initSeed: Number(opts.seed),
  });
  const bar = progress("board training", learnSteps);
  try {
    const select = { every: Math.max(1, Math.round(learnSteps / 6)), episodes: 2, gate: 0.8 };
    const t = await trainOnBoard(board.id, start, Number(opts.seed), Infinity, {
      port: opts.port,
      backend: learnBackend,
      chunk: 10,
      steps: learnSteps,
      select,
      resumeFile: null,
      onProgress: (d, last) => bar.tick(d, `return ${last.toFixed(0)}`),
    });
    bar.done();
    const avg = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const k = Math.max(1, Math.floor(t.curve.length / 4));
    const ticks = t.ticks.reduce((a, b) => a + b, 0);
    console.log(
      `  sampled returns on the board: first ${k} of ${t.curve.length} episodes ${avg(t.curve.slice(0, k)).toFixed(1)}, last ${k} ${avg(t.curve.slice(-k)).toFixed(1)} (${t.steps} steps, ${ticks} ${t.tick_unit} in agent_train)`,
    );
    if (t.kept)
      console.log(
        `  kept on the board (inactive slot, ${t.checkpoints} checkpoints): the head of the best greedy check, mean ${t.kept.mean.toFixed(1)} at step ${t.kept.atStep}`,
      );
    appendRun("train", {
      env: opts.env,
      agent: `ternary, trained on ${board.id}`,
      seed: Number(opts.seed),
      returns: t.curve,
      runtime: `${learnBackend} on ${board.id}`,
    });
    return [];
  } catch (e) {
    bar.done();
    console.log(`  FAILED: training on the board: ${e.message}`);
    return [`training on the board: ${e.message}`];
  }
}

/** The shipped ternary language model generates on the board what it generates in V8 (docs/lm.md): the board's
 *  AOT build where wasm3 cannot hold its KV cache (qemu-m4), refused with the numbers where neither fits. */
async function languageModelStep(lib, board) {
  const lmPath = join(root, "models", "lm-ternary.bitrl");
  const backend = board.id === "qemu-m4" && !opts.port ? "aot" : opts.backend;
  step(`a language model on the board: 32 tokens from ${relative(root, lmPath)} (${backend}), compared with V8`);
  if (!existsSync(lmPath)) {
    console.log(`  skipped: no ${relative(root, lmPath)}`);
    return [];
  }
  const { generateOnBoard, generateOnHost } = await lib("tools/lib/lm/generate.ts");
  const { assertLmFits } = await lib("tools/lib/lm/fit.ts");
  const { encodeBytes, decodeBytes } = await lib("tools/lib/lm/tokenizer.ts");
  const { backboneFromBlob, LM_LIMITS } = await lib("tools/lib/reference/backbone.ts");
  const { decodeBlobBytes } = await lib("tools/lib/format/blob-file.ts");
  const { loadAgent } = await lib("tools/lib/runtime/wasm.ts");
  const { withBoard } = await lib("tools/lib/board/session.ts");
  const blob = new Uint8Array(readFileSync(lmPath));
  const req = { prompt: encodeBytes("the "), tokens: 32, temperature: 0.8, seed: Number(opts.seed) };
  const host = generateOnHost(loadAgent("release"), blob, req);
  try {
    const w = backboneFromBlob(decodeBlobBytes(lmPath, blob), LM_LIMITS);
    assertLmFits(w.config, loadAgent("release").fn.heap_top(), board.id, backend);
    const r = await withBoard(board.id, { backend, port: opts.port, timeoutMs: 120000 }, async (s) => {
      await s.client.loadModel(blob);
      return { ...(await generateOnBoard(s.client, req)), unit: s.info.clock_unit };
    });
    const same = r.tokens.length === host.tokens.length && r.tokens.every((t, i) => t === host.tokens[i]);
    const perToken = (r.ticks - r.promptTicks) / r.tokens.length;
    const kind = board.kind === "emulated" ? "emulated" : "measured";
    console.log(`  "the ${decodeBytes(r.tokens).replace(/\n/g, " / ")}"`);
    console.log(
      `  ${same ? "the same tokens as V8" : "DIFFERENT tokens from V8"}; ${Math.round(perToken).toLocaleString("en-US")} ${r.unit} per token (${kind}): ` +
        `${(board.clockHz / perToken).toFixed(1)} tokens/s at ${board.clockHz / 1e6} MHz, ${(240e6 / perToken).toFixed(1)} at 240 MHz (estimated)`,
    );
    return same ? [] : ["the language model generated other tokens on the board than in V8"];
  } catch (e) {
    console.log(`  skipped: ${e.message}`);
    return [];
  }
}

/** Run-log records of this run, the HTML report over every run log, and the terminal summary. */
async function reportStep(lib, board, via, ran, decisionCosts) {
  step("report");
  const { decodeBlobBytes } = await lib("tools/lib/format/blob-file.ts");
  const { fp32Bytes, summaryLines, summaryRecords } = await lib("tools/lib/report/summary.ts");
  const { modelId } = await lib("tools/lib/format/blob.ts");
  const { appendRun, runsDir } = await lib("tools/lib/report/runlog.ts");
  const { buildReport } = await lib("tools/lib/report/write.ts");
  const { studyFigures } = await lib("tools/lib/report/study-figures.ts");
  const summary = {
    board,
    env: opts.env,
    via,
    ram: null,
    decisionCosts,
    agents: ran.map((r) => {
      const bytes = readFileSync(r.model.path); // read once: size, identity and tensors
      return {
        work: r.work,
        meanReturn: r.meanReturn,
        model: relative(root, r.model.path),
        ram: r.ram,
        modelFileBytes: bytes.length,
        modelId: modelId(bytes),
        fp32Bytes: fp32Bytes(decodeBlobBytes(r.model.path, bytes)),
      };
    }),
  };
  for (const { kind, record } of summaryRecords(summary)) appendRun(kind, record);
  const r = buildReport([runsDir()], opts.out, { title: `bitrl: ${opts.env} on ${board.id}`, figures: studyFigures() });
  console.log(
    `\n${summaryLines(summary).join("\n")}\nreport: ${opts.out} (${r.records} records) in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
  );
}

const KINDS = ["fp32", "int8", "ternary"];
const isAgent = (blob) => blob.tensors.some((t) => t.name === "agent.config");

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

/** The fp32 and ternary agents' cost of one decision under every backend the emulated board has (wasm3, wasm3
 *  with the kernel imports bound to C, AOT), side by side in one run: the summary's per-backend table and ratios,
 *  and the report's decision cost by stage. */
async function measureBackends(lib, board, ran) {
  const backends = board.id === "qemu-m4" && !opts.port ? ["wasm3", "wasm3+native", "aot"] : [];
  const agents = ran
    .filter((r) => r.model.agent === "fp32" || r.model.agent === "ternary")
    .map((r) => ({ name: r.model.agent, blob: readFileSync(r.model.path) }));
  step(
    `decision cost per backend: ${backends.length && agents.length ? `${agents.map((a) => a.name).join(", ")} under ${backends.join(", ")}` : "skipped (qemu-m4 only)"}`,
  );
  if (!backends.length || !agents.length) return [];
  const { measureDecisionCosts } = await lib("tools/lib/board/decision-cost.ts");
  const { progress } = await lib("tools/lib/util/progress.ts");
  const bar = progress("decision cost", backends.length * agents.length);
  let done = 0;
  try {
    return await measureDecisionCosts(board.id, backends, agents, {
      seed: Number(opts.seed),
      stages: true,
      onDone: (c) => bar.tick(++done, `${c.agent} ${c.backend}`),
    });
  } catch (e) {
    console.log(`  FAILED: decision cost per backend: ${e.message}`);
    return [];
  } finally {
    bar.done();
  }
}

/** The agents to run: --model; else per kind a shipped agent models/<env>-<kind>.bitrl, or the shipped (or, with
 *  --train, pretrained) backbone with a head trained on the host (V8) over 3 seeds, whose learning curves go to
 *  the run log for the report. */
async function prepareAgents(lib) {
  const { readBlobFile } = await lib("tools/lib/format/blob-file.ts");
  const { appendRun } = await lib("tools/lib/report/runlog.ts");
  const kinds = (opts.kinds ?? KINDS.join(",")).split(",");
  for (const k of kinds) if (!KINDS.includes(k)) fail("arguments", `--kinds takes fp32, int8, ternary; got '${k}'`);
  const backbones = [];
  const agents = [];
  if (opts.model) {
    if (!existsSync(opts.model)) fail("models", `--model '${opts.model}' does not exist`);
    const blob = readBlobFile(opts.model);
    const kind = /(fp32|int8|ternary)\.bitrl$/.exec(opts.model)?.[1] ?? "agent";
    if (isAgent(blob)) return [{ agent: kind, path: opts.model, note: "agent as given" }];
    backbones.push({ kind, path: opts.model });
  } else {
    for (const kind of kinds) {
      // a shipped trained agent (backbone + head) is taken as it is
      const shipped = join(root, "models", `${opts.env}-${kind}.bitrl`);
      if (!opts.train && existsSync(shipped) && isAgent(readBlobFile(shipped))) {
        agents.push({ agent: kind, path: shipped, note: "shipped agent" });
        continue;
      }
      let path = join(root, "models", `${opts.env}-backbone-${kind}.bitrl`);
      if (opts.train) {
        path = join(root, ".bitrl", "models", `${opts.env}-backbone-${kind}.bitrl`);
        console.log(`  pretraining the ${kind} backbone for ${opts.env} (bitrl pretrain)`);
        await cli(lib, ["pretrain", "--env", opts.env, "--backbone", kind, "-o", path]);
      }
      if (existsSync(path)) backbones.push({ kind, path });
      else console.log(`  no ${kind} backbone (${relative(root, path)}): skipped`);
    }
    if (!backbones.length && !agents.length)
      fail(
        "models",
        `no shipped backbone models/${opts.env}-backbone-{${kinds.join(",")}}.bitrl: run 'npm start -- --train' to pretrain them, or pass --model FILE`,
      );
  }
  const out = agents;
  for (const b of backbones) {
    const agentPath = join(root, ".bitrl", "agents", `${opts.env}-${b.kind}.bitrl`);
    // retrained each run (minutes on 2 cores; --train-episodes shortens it): a head saved by an older agent.wasm
    // may not match the module just built
    console.log(`  training the ${b.kind} agent's head on the host (V8), 3 seeds`);
    const j = JSON.parse(
      (
        await cli(lib, [
          "train",
          "--env",
          opts.env,
          "--backbone",
          b.path,
          "--seeds",
          "3",
          ...(opts["train-episodes"] ? ["--episodes", opts["train-episodes"]] : []),
          "--out",
          agentPath,
          "--json",
        ])
      )
        .trim()
        .split("\n")
        .pop(),
    );
    for (const sd of j.seeds ?? [])
      appendRun("train", {
        env: opts.env,
        agent: b.kind,
        seed: sd.seed,
        returns: sd.curve,
        evalMeanReturn: sd.eval_mean_return,
        runtime: j.runtime,
        backbone: relative(root, b.path),
      });
    out.push({ agent: b.kind, path: agentPath, note: `head trained now, best seed ${j.best_seed}` });
  }
  return out.sort((a, b) => KINDS.indexOf(a.agent) - KINDS.indexOf(b.agent));
}

main().catch((e) => {
  const msg = e instanceof JobError || e.name === "BitrlError" ? e.message : `internal error: ${e.stack ?? e.message}`;
  console.error(`\nmain job stopped at ${msg}`);
  process.exit(1);
});
