// Where a decision's instructions go, per firmware function (emulated: exact counts from a QEMU plugin,
// bench/profile/profile-episode.ts): prints the functions of one greedy episode by instructions per step, and one
// JSON line. wasm3's operations (op_*), wasm2c's functions (w2c_*, with the module's names) and the C kernels
// appear by name.
//   node --import tsx bench/profile.ts [--board qemu-m4] [--backend wasm3] [--model models/cartpole-ternary.bitrl]
//                                     [--seed 18] [--top 40] [--flags="<extra build flags>"]
import { parseArgs } from "node:util";
import type { Backend } from "../tools/lib/board/firmware-build.ts";
import { encodeBlob } from "../tools/lib/format/blob.ts";
import { readBlobFile } from "../tools/lib/format/blob-file.ts";
import { perStep, profileEpisode } from "./profile/profile-episode.ts";

const { values: a } = parseArgs({
  options: {
    board: { type: "string", default: "qemu-m4" },
    backend: { type: "string", default: "wasm3" },
    model: { type: "string", default: "models/cartpole-ternary.bitrl" },
    seed: { type: "string", default: "18" },
    top: { type: "string", default: "40" },
    // extra firmware build flags, e.g. to try a compiler option: --flags="-fno-schedule-insns2"
    flags: { type: "string", default: "" },
  },
});
const p = await profileEpisode({
  board: a.board!,
  backend: a.backend as Backend,
  model: encodeBlob(readBlobFile(a.model!)),
  seed: Number(a.seed),
  buildFlags: a.flags ? a.flags.split(/\s+/) : [],
});
const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
const share = (n: number) => `${((100 * n) / p.total).toFixed(1)}%`;
console.log(
  `${p.board} ${p.backend}, ${a.model}: episode seed ${p.seed}, ${p.steps} steps, ${fmt(p.total / p.steps)} instructions per step (emulated: QEMU plugin counts; the board's clock: ${fmt(p.ticks / p.steps)})`,
);
console.log("| function | instructions per step | share | entries per step | instructions per entry |");
console.log("|---|---|---|---|---|");
const top = Number(a.top);
for (const f of p.functions.slice(0, top))
  console.log(
    `| ${f.name} | ${fmt(f.instructions / p.steps)} | ${share(f.instructions)} | ${f.entries ? fmt(f.entries / p.steps) : "-"} | ${f.entries ? (f.instructions / f.entries).toFixed(1) : "-"} |`,
  );
const rest = p.functions.slice(top).reduce((x, f) => x + f.instructions, 0);
if (rest) console.log(`| (${p.functions.length - top} more) | ${fmt(rest / p.steps)} | ${share(rest)} | | |`);
const each = perStep(p);
console.log(
  JSON.stringify({
    bench: "profile",
    board: p.board,
    backend: p.backend,
    model: a.model,
    seed: p.seed,
    steps: p.steps,
    per_step: each.per_step,
    clock_per_step: p.ticks / p.steps,
    serial_io_left_out: p.idle,
    functions: each.functions,
  }),
);
