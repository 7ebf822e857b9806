// Energy: integration against hand-computed numbers, the PPK2 and INA protocols against simulated meters on a
// pty, and estimates from instruction counts with their citation.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { integrate, markedWindows, type PowerTrace } from "../../tools/lib/energy/integrate.ts";
import {
  decodeWord,
  parseMetadata,
  Ppk2Decoder,
  Ppk2Meter,
  regulatorCommand,
  sampleAmps,
  defaultCalibration,
} from "../../tools/lib/energy/ppk2.ts";
import { InaMeter, InaRecorder, parseInaLine } from "../../tools/lib/energy/ina.ts";
import { estimateAgent, measuredAgents } from "../../tools/lib/energy/estimate.ts";
import { openSerial, type ByteLink } from "../../tools/lib/energy/serial.ts";
import { getBoard } from "../../tools/lib/board/profiles.ts";
import { startSimMeter, type Scenario } from "../fixtures/sim/meters.ts";
import { energyOnBoard, readCounts, formatEnergyTable } from "../../tools/lib/energy/energy.ts";
import { findAgentModels, type AgentBoard } from "../../tools/lib/energy/session.ts";
import { energyCommand } from "../../tools/cli/energy.ts";
import { mkdtempSync, writeFileSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";

const close = (a: number, b: number, rel: number, what: string) =>
  assert.ok(Math.abs(a - b) <= rel * Math.abs(b), `${what}: ${a} vs ${b} (rel tol ${rel})`);

const trace = (t: number[], v: number[], a: number[], m: number[], period: number | null): PowerTrace => ({
  t: Float64Array.from(t),
  volts: Float64Array.from(v),
  amps: Float64Array.from(a),
  mark: Uint8Array.from(m),
  period,
});

test("should integrate V*I over a fixed-period marked window (hand-computed)", () => {
  // samples 1..3 marked: 3 V x (2 + 2 + 4) mA x 1 ms = 24 uJ over 3 ms
  const tr = trace(
    [0, 1e-3, 2e-3, 3e-3, 4e-3, 5e-3],
    [3, 3, 3, 3, 3, 3],
    [1e-3, 2e-3, 2e-3, 4e-3, 1e-3, 0],
    [0, 1, 1, 1, 0, 0],
    1e-3,
  );
  const w = markedWindows(tr);
  assert.is(w.length, 1);
  assert.is(w[0].first, 1);
  assert.is(w[0].end, 4);
  close(w[0].joules, 24e-6, 1e-12, "joules");
  close(w[0].seconds, 3e-3, 1e-12, "seconds");
  close(integrate(tr).joules, 3 * 10e-3 * 1e-3, 1e-12, "whole trace");
});

test("should integrate time-stamped samples with each sample lasting until the next (hand-computed)", () => {
  // window 1: 2 V x 1 A x 0.5 s + 2 V x 1 A x 1.0 s = 3 J; window 2 (last sample repeats the 0.5 s interval): 2 x 3 x 0.5 = 3 J
  const w = markedWindows(trace([0, 0.5, 1.5, 2], [2, 2, 2, 2], [1, 1, 2, 3], [1, 1, 0, 1], null));
  assert.is(w.length, 2);
  close(w[0].joules, 3, 1e-12, "window 1");
  close(w[0].seconds, 1.5, 1e-12, "window 1 seconds");
  close(w[1].joules, 3, 1e-12, "window 2");
  close(w[1].meanWatts, 6, 1e-12, "window 2 mean power");
});

test("should reject a trace whose times do not ascend", () => {
  assert.throws(
    () => markedWindows(trace([0, 1, 1], [1, 1, 1], [1, 1, 1], [1, 1, 1], null)),
    /do not ascend at sample 2/,
  );
});

test("should decode PPK2 sample words and scale them with the calibration formula (hand-computed)", () => {
  const w = 1000 | (2 << 14) | (37 << 18) | (0b101 << 24);
  assert.equal(decodeWord(w >>> 0), { code: 1000, range: 2, counter: 37, logic: 5 });
  assert.is(decodeWord((7 << 14) >>> 0).range, 4);
  // range 2's coefficients: the only ones a range-2 sample reads
  const cal = defaultCalibration();
  const range2 = { r: 10, o: 100, gs: 2, gi: 1.1, s: 0.001, i: 0.0001, ug: 0.9 };
  for (const [k, v] of Object.entries(range2)) cal[k as keyof typeof range2][2] = v;
  // r = (4*1000 - 100) * 1.8/163840/10; 0.9 * (r*(2r + 1.1) + 0.001*3 + 0.0001), computed by hand in Python
  close(sampleAmps(cal, 2, 1000, 3000), 0.0070648663723468785, 1e-12, "amps");
});

test("should parse PPK2 metadata and keep the default for a zero shunt resistance", () => {
  const cal = parseMetadata("Calibrated: 1\nR0: 1003.3\nR1: 0\nGS2: 0.5\nO3: 12\nHW: 9173\nmode: 2\nEND\n");
  assert.is(cal.r[0], 1003.3);
  assert.is(cal.r[1], 101.65);
  assert.is(cal.gs[2], 0.5);
  assert.is(cal.o[3], 12);
  assert.ok(cal.calibrated);
  assert.is(cal.hw, "9173");
  assert.throws(() => parseMetadata("R0: 1\n"), /no END line/);
  assert.throws(() => parseMetadata("R0: abc\nEND"), /R0 is not a number/);
});

test("should encode the source voltage as the PPK2 expects and refuse one out of range", () => {
  assert.equal([...regulatorCommand(3300)], [0x0d, 0x0c, 0xe4]);
  assert.equal([...regulatorCommand(800)], [0x0d, 0x03, 0x20]);
  assert.throws(() => regulatorCommand(5001), /800\.\.5000 mV/);
});

test("should reassemble PPK2 words split across chunks and count counter gaps", () => {
  const words = [0 << 18, 1 << 18, 3 << 18].map((w) => w >>> 0);
  const bytes = new Uint8Array(12);
  const dv = new DataView(bytes.buffer);
  words.forEach((w, k) => dv.setUint32(4 * k, w, true));
  const d = new Ppk2Decoder();
  d.push(bytes.slice(0, 5));
  d.push(bytes.slice(5, 11));
  d.push(bytes.slice(11));
  assert.equal(d.words, words);
  assert.is(d.lost, 1);
});

/** Runs `body` with the serial link to a simulated meter on a pty; closes both after. */
async function withSimMeter(kind: "ppk2" | "ina", scenario: Scenario, body: (link: ByteLink) => Promise<void>) {
  const sim = await startSimMeter(kind, scenario);
  const link = await openSerial(sim.path);
  try {
    await body(link);
  } finally {
    await link.close();
    sim.stop();
  }
}

/** Marked windows of `lengths` samples at `uA`, each between quiet stretches. */
function markedSegments(lengths: number[], uA: number, quiet: { n: number; uA: number }): Scenario["segments"] {
  return [
    { ...quiet, mark: 0 },
    ...lengths.flatMap((n) => [
      { n, uA, mark: 1 },
      { ...quiet, mark: 0 },
    ]),
  ];
}

const PPK2_SCENARIO: Scenario = {
  vdd_mV: 3000,
  segments: [
    { n: 1000, uA: 500, mark: 0 },
    { n: 2000, uA: 5000, mark: 1 },
    { n: 500, uA: 500, mark: 0 },
    { n: 3000, uA: 20000, mark: 1 },
    { n: 500, uA: 500, mark: 0 },
  ],
};

test("should record marked windows from a simulated PPK2 on a pty", async () => {
  await withSimMeter("ppk2", PPK2_SCENARIO, async (link) => {
    const meter = await Ppk2Meter.open(link, { mode: "source", vddMv: 3000, markerChannel: 0 });
    assert.is(meter.calibration.r[2], 10);
    await meter.start();
    const tr = await meter.stop();
    assert.is(tr.t.length, 7000);
    const w = markedWindows(tr);
    assert.is(w.length, 2);
    // 3 V x 5 mA x 2000 x 10 us = 300 uJ; 3 V x 20 mA x 3000 x 10 us = 1.8 mJ (ADC quantization < 0.1%)
    close(w[0].joules, 3 * 5e-3 * 2000 * 1e-5, 1e-3, "window 1");
    close(w[1].joules, 3 * 20e-3 * 3000 * 1e-5, 1e-3, "window 2");
    close(w[1].seconds, 0.03, 1e-9, "window 2 seconds");
    const figs = measuredAgents(
      getBoard("nrf52840_dk"),
      w,
      [
        { agent: "fp32", ticks: 0, decisions: 100, episodes: 1 },
        { agent: "ternary", ticks: 0, decisions: 50, episodes: 1 },
      ],
      meter.description,
    );
    close(figs[0].joulesPerDecision, 3e-6, 1e-3, "fp32 per decision");
    close(figs[1].joulesPerEpisode, 1.8e-3, 1e-3, "ternary per episode");
    assert.is(figs[0].kind, "measured");
    await meter.close();
  });
});

test("should fail with a clear error when the PPK2 port answers nothing", async () => {
  await withSimMeter("ina", { vdd_mV: 3000, segments: [] }, async (link) => {
    const err = await Ppk2Meter.open(link, { mode: "source", vddMv: 3000, markerChannel: 0, timeoutMs: 300 }).then(
      () => null,
      (e: Error) => e,
    );
    assert.match(err?.message ?? "resolved", /no PPK2 metadata within 300 ms/);
  });
});

/** One marked window of 200 samples at 1 ms, 3.3 V, 10 mA. */
const INA_SCENARIO: Scenario = {
  vdd_mV: 3300,
  period_us: 1000,
  segments: markedSegments([200], 10000, { n: 10, uA: 1000 }),
};

test("should record marked windows from a simulated INA meter on a pty", async () => {
  await withSimMeter("ina", INA_SCENARIO, async (link) => {
    const meter = await InaMeter.open(link);
    assert.is(meter.info.chip, "ina226");
    await meter.start();
    const tr = await meter.stop();
    assert.is(tr.t.length, 220);
    const w = markedWindows(tr);
    assert.is(w.length, 1);
    // 3.3 V x 10 mA x 200 x 1 ms = 6.6 mJ, exact in the protocol's integer uV and nA
    close(w[0].joules, 3.3 * 10e-3 * 0.2, 1e-12, "window");
    await meter.close();
  });
});

test("should parse INA meter lines and reject malformed ones with the line", () => {
  assert.equal(parseInaLine("S 5 1000 3300000 12000 1"), {
    type: "sample",
    seq: 5,
    tUs: 1000,
    busUv: 3300000,
    currentNa: 12000,
    mark: 1,
  });
  assert.equal(parseInaLine("E ina226 not found"), { type: "error", message: "ina226 not found" });
  assert.throws(() => parseInaLine("S 5 1000 3300000 12x 1"), /non-integer field: 'S 5 1000 3300000 12x 1'/);
  assert.throws(() => parseInaLine("S 5 1000 1 1 2"), /marker must be 0 or 1/);
  assert.throws(() => parseInaLine("hello"), /unexpected line/);
});

test("should unwrap the meter's 32-bit microsecond clock and count lost lines", () => {
  const r = new InaRecorder();
  r.add({ type: "sample", seq: 10, tUs: 2 ** 32 - 500, busUv: 1e6, currentNa: 1e6, mark: 1 });
  r.add({ type: "sample", seq: 12, tUs: 500, busUv: 1e6, currentNa: 1e6, mark: 1 });
  const tr = r.trace();
  close(tr.t[1], 1000e-6, 1e-9, "unwrapped time");
  assert.is(r.lost, 1);
});

test("should estimate energy from instruction counts with the board's cited power figure", () => {
  const board = getBoard("qemu-m4");
  // 6.4e6 instructions at 64 MHz = 0.1 s; x 3.3 mA x 3.0 V = 0.99 mJ; over 100 decisions and 4 episodes
  const f = estimateAgent(board, { agent: "ternary", ticks: 6.4e6, decisions: 100, episodes: 4 });
  close(f.joulesPerDecision, 9.9e-6, 1e-12, "per decision");
  close(f.joulesPerEpisode, 0.99e-3 / 4, 1e-12, "per episode");
  close(f.secondsPerDecision, 1e-3, 1e-12, "seconds per decision");
  assert.is(f.kind, "estimated");
  assert.is(f.timeKind, "emulated");
  assert.match(f.basis, /nRF52840 Product Specification/);
  assert.throws(() => estimateAgent(board, { agent: "x", ticks: 1, decisions: 0, episodes: 1 }), /made no decisions/);
  assert.throws(
    () => estimateAgent(getBoard("host"), { agent: "x", ticks: 1, decisions: 1, episodes: 1 }),
    /no power figure/,
  );
});

test("should refuse measured figures when windows and agents disagree in number", () => {
  assert.throws(
    () => measuredAgents(getBoard("nrf52840_dk"), [], [{ agent: "a", ticks: 0, decisions: 1, episodes: 1 }], "m"),
    /0 marked windows but 1 episodes/,
  );
});

/** A board that plays fixed episodes: `ticksPerStep` per decision, 10 steps an episode; counts loads. */
function fakeBoard(ticksPerStep: Record<string, number>): AgentBoard & { loads: string[] } {
  let current = "";
  const loads: string[] = [];
  return {
    loads,
    async loadModel(blob) {
      current = new TextDecoder().decode(blob);
      loads.push(current);
    },
    async episode(seed) {
      return { steps: 10, ticks: 10 * ticksPerStep[current], return: 10 + seed };
    },
  };
}

function modelDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "bitrl-models-"));
  for (const k of ["fp32", "int8", "ternary"]) writeFileSync(join(dir, `cartpole-${k}.bitrl`), k);
  writeFileSync(join(dir, "notes.txt"), "x");
  writeFileSync(join(dir, "cartpole-backbone-fp32.bitrl"), "backbone, not an agent");
  return dir;
}

test("should find one model per agent kind and run them in turn with the same seeds", async () => {
  const models = findAgentModels(modelDir(), "cartpole");
  assert.equal(
    models.map((m) => m.agent),
    ["fp32", "int8", "ternary"],
  );
  const board = fakeBoard({ fp32: 640_000, int8: 64_000, ternary: 32_000 });
  const r = await energyOnBoard(getBoard("qemu-m4"), board, models, { episodes: 2, seed: 5, maxSteps: 500 });
  assert.equal(board.loads, ["fp32", "int8", "ternary"]);
  // fp32: 640 000 instructions a decision at 64 MHz = 10 ms x 9.9 mW = 99 uJ; ternary 20x fewer instructions
  close(r.figures[0].joulesPerDecision, 99e-6, 1e-12, "fp32");
  close(r.figures[2].joulesPerDecision, 4.95e-6, 1e-12, "ternary");
  assert.equal(r.meanReturn, [15.5, 15.5, 15.5]);
  assert.match(formatEnergyTable(r.figures), /fp32 \/ ternary energy per decision: 20\.00x/);
  assert.throws(() => findAgentModels(modelDir(), "pong"), /for env 'pong'/);
  const onlyBackbone = mkdtempSync(join(tmpdir(), "bitrl-models-"));
  writeFileSync(join(onlyBackbone, "cartpole-backbone-ternary.bitrl"), "x");
  assert.throws(() => findAgentModels(onlyBackbone), /no '\*-fp32.bitrl'.* agents in/);
  // a folder of several envs (as models/): the env with every kind, never a mix; a tie asks for --env
  const mixed = modelDir();
  for (const f of ["lm-fp32.bitrl", "lm-ternary.bitrl", "keydoor-ternary.bitrl", "keydoor-lm-ternary.bitrl"])
    writeFileSync(join(mixed, f), "x");
  assert.equal(
    findAgentModels(mixed).map((m) => basename(m.path)),
    ["cartpole-fp32.bitrl", "cartpole-int8.bitrl", "cartpole-ternary.bitrl"],
  );
  assert.equal(
    findAgentModels(mixed, "keydoor").map((m) => basename(m.path)),
    ["keydoor-ternary.bitrl"],
  );
  writeFileSync(join(mixed, "acrobot-fp32.bitrl"), "x");
  writeFileSync(join(mixed, "acrobot-int8.bitrl"), "x");
  writeFileSync(join(mixed, "acrobot-ternary.bitrl"), "x");
  assert.throws(() => findAgentModels(mixed), /several envs \(acrobot, cartpole\): pick one with --env/);
});

test("should measure each agent over its marked episodes with a simulated INA meter", async () => {
  // two agents x one episode: windows of 100 and 50 samples at 1 ms, 3 V, 10 mA
  const scenario = { vdd_mV: 3000, period_us: 1000, segments: markedSegments([100, 50], 10000, { n: 5, uA: 100 }) };
  await withSimMeter("ina", scenario, async (link) => {
    const meter = await InaMeter.open(link);
    const dir = modelDir();
    const r = await energyOnBoard(
      getBoard("nrf52840_dk"),
      fakeBoard({ fp32: 1, ternary: 1 }),
      findAgentModels(dir).filter((m) => m.agent !== "int8"),
      { episodes: 1, seed: 0, maxSteps: 500, meter },
    );
    // 3 V x 10 mA x 0.1 s = 3 mJ over 10 decisions; 1.5 mJ for the second
    close(r.figures[0].joulesPerDecision, 3e-4, 1e-12, "fp32");
    close(r.figures[1].joulesPerEpisode, 1.5e-3, 1e-12, "ternary");
    assert.is(r.figures[1].kind, "measured");
    await meter.close();
  });
});

test("should read a counts file and refuse one counting another clock unit", () => {
  const dir = mkdtempSync(join(tmpdir(), "bitrl-counts-"));
  const f = join(dir, "c.json");
  writeFileSync(
    f,
    JSON.stringify({
      clockUnit: "instructions",
      agents: [{ agent: "ternary", ticks: 6.4e6, decisions: 100, episodes: 1 }],
    }),
  );
  assert.equal(readCounts(f, getBoard("qemu-m4")), [{ agent: "ternary", ticks: 6.4e6, decisions: 100, episodes: 1 }]);
  assert.throws(
    () => readCounts(f, getBoard("nucleo_f446re")),
    /counts instructions but board 'nucleo_f446re' ticks in cycles/,
  );
  writeFileSync(f, "{");
  assert.throws(() => readCounts(f, getBoard("qemu-m4")), /is not JSON/);
});

test("should print labelled estimates from the CLI and append them to the run log", async () => {
  const dir = mkdtempSync(join(tmpdir(), "bitrl-cli-"));
  const f = join(dir, "c.json");
  writeFileSync(
    f,
    JSON.stringify({
      agents: [
        { agent: "fp32", ticks: 6.4e7, decisions: 100, episodes: 1 },
        { agent: "ternary", ticks: 3.2e6, decisions: 100, episodes: 1 },
      ],
    }),
  );
  process.env.BITRL_RUNS = join(dir, "runs");
  const out: string[] = [];
  const log = console.log;
  console.log = (s: string) => out.push(s);
  try {
    assert.is(await energyCommand.run(["--board", "qemu-m4", "--counts", f, "--json"]), 0);
  } finally {
    console.log = log;
    delete process.env.BITRL_RUNS;
  }
  const j = JSON.parse(out[0]);
  assert.is(j.figures[0].kind, "estimated");
  assert.is(j.figures[0].timeKind, "emulated");
  close(j.figures[0].joulesPerDecision, 9.9e-5, 1e-12, "fp32");
  const logged = JSON.parse(readFileSync(join(dir, "runs", "energy.jsonl"), "utf8").trim());
  assert.equal(logged.figures, j.figures);
  let err = "";
  try {
    await energyCommand.run(["--source", "ppk2", "--counts", f]);
  } catch (e) {
    err = (e as Error).message;
  }
  assert.match(err, /--counts gives estimates only/);
});

test.run();
