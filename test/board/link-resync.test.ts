// Link recovery (issue #15 item 8) on the emulated board and the host build: after garbage on the line (noise,
// sync-rich noise, fake and corrupted headers, damaged payloads, oversized and truncated frames) the board answers
// within 0.5 s of wall time. Protocol 2 took 1.5 to 2 s per wait on qemu-m4 (up to 6.7 s in #15's runs): it
// waited out an idle period for every sync pair that looked like a header. Seeds are fixed; garbage frames carry sequence number 0, which no request here uses.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { openBoard, type BoardSession } from "../../tools/lib/board/session.ts";
import { tempFlashPath } from "../../tools/lib/board/qemu.ts";
import { Cmd, concat, encodeFrame } from "../../tools/lib/board/protocol.ts";
import { seededRandom } from "../../tools/lib/util/seeded-random.ts";
import { GARBAGE_KINDS, garbage, type GarbageKind } from "../fixtures/frame-streams.ts";

// Wall time on a shared 2-core machine: the median must be under 0.5 s (#15's target) and no burst may take the
// seconds protocol 2 took; a single slow burst under load (another test's QEMU beside this one) is not a failure.
// The quiet-machine figures are in docs/protocol.md.
const LIMIT_MS = 500;
const WORST_MS = 2000;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** A burst of `n` garbage pieces of the kinds given, in turn. */
function burst(r: () => number, kinds: GarbageKind[], n: number, from: number): Uint8Array {
  return concat(...Array.from({ length: n }, (_, k) => garbage(r, kinds[(from + k) % kinds.length], 1024, 0)));
}

/** Writes the garbage, then times `ask` from that moment to its answer; drains the error replies afterwards. */
async function recovery(s: BoardSession, g: Uint8Array, ask: () => Promise<unknown>): Promise<number> {
  s.client.writeRaw(g);
  const t0 = performance.now();
  await ask();
  const ms = performance.now() - t0;
  await s.client.drain(100, 10000);
  return ms;
}

function check(label: string, times: number[]): void {
  const worst = Math.max(...times);
  console.log(
    `${label}: recovery median ${median(times).toFixed(0)} ms, max ${worst.toFixed(0)} ms (${times.length} bursts)`,
  );
  assert.ok(
    median(times) < LIMIT_MS && worst < WORST_MS,
    `${label}: recovery median ${median(times).toFixed(0)} ms (limit ${LIMIT_MS}), slowest ${worst.toFixed(0)} ms (limit ${WORST_MS}): ${times.map(Math.round)}`,
  );
}

for (const board of ["qemu-m4", "host"]) {
  let s: BoardSession;
  const opened = async () => (s ??= await openBoard(board, { flashPath: tempFlashPath(), timeoutMs: 20000 }));

  test(`${board}: should answer info within 0.5 s after each of 30 garbage bursts of every kind`, async () => {
    await opened();
    const r = seededRandom(20261204);
    const times: number[] = [];
    // truncated frames last in half the bursts: they swallow what follows until info's resync completes them
    for (let i = 0; i < 30; i++) {
      const g = concat(burst(r, GARBAGE_KINDS, 6, i), i % 2 ? garbage(r, "truncated", 1024, 0) : new Uint8Array(0));
      times.push(await recovery(s, g, () => s.client.info({ retries: 0, timeoutMs: 5000 })));
    }
    check(`${board} info`, times);
  });

  test(`${board}: should answer any request within 0.5 s after garbage without a truncated frame (no idle wait)`, async () => {
    await opened();
    const r = seededRandom(7);
    const kinds = GARBAGE_KINDS.filter((k) => k !== "truncated");
    const times: number[] = [];
    // io_base through `kernel`: no resync before it, so the header CRC alone must carry the board past the garbage
    for (let i = 0; i < 30; i++)
      times.push(
        await recovery(s, burst(r, kinds, 6, i), () => s.client.kernel("io_base", [], 0, 0, { timeoutMs: 5000 })),
      );
    check(`${board} kernel`, times);
  });

  test(`${board}: should recover from a truncated frame mid-session within 0.5 s by a short timeout and a retry`, async () => {
    await opened();
    const times: number[] = [];
    for (let i = 0; i < 10; i++) {
      const cut = encodeFrame(0, Cmd.memWrite, new Uint8Array(1000)).subarray(0, 20 + 40 * i);
      // the first try is swallowed by the partial frame; the retry sends the resync filler first. 250 ms per try:
      // a loaded machine (another test's QEMU beside this one) can hold an answer past 100 ms
      times.push(await recovery(s, cut, () => s.client.request(Cmd.info, undefined, { timeoutMs: 250, retries: 3 })));
    }
    check(`${board} retry`, times);
  });

  test(`${board}: close`, async () => {
    await s?.close();
  });
}

test.run();
