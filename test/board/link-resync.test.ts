// Link recovery (issue #15 item 8) on the emulated board and the host build: after garbage on the line (noise,
// sync-rich noise, fake and corrupted headers, damaged payloads, oversized and truncated frames) the board answers
// the next request, at once and without waiting for the line to go idle. Protocol 2 waited 1.5 to 2 s of wall time
// per sync pair that looked like a header (up to 6.7 s after one burst in #15's runs), so a 2 s bound per try
// catches it while a loaded machine stays far inside it. How fast recovery is (0.5 s was #15's target) is a
// benchmark, not a test: bench/link-resync.ts (docs/protocol.md).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { openBoard, type BoardSession } from "../../tools/lib/board/session.ts";
import { tempFlashPath } from "../../tools/lib/board/qemu.ts";
import { recoveryScenarios, type RecoveryScenario } from "../fixtures/link-recovery.ts";

const ANSWER_MS = 2000;
/** Per try of the swallowed request: its first try waits this out unless the idle drop answers it first. */
const RETRY_MS = 1000;

for (const board of ["qemu-m4", "host"]) {
  let s: BoardSession;
  let scenarios: RecoveryScenario[];
  const run = async (name: RecoveryScenario["name"]) => {
    s ??= await openBoard(board, { flashPath: tempFlashPath(), timeoutMs: 20000 });
    // a request not answered within its tries throws, and the test with it
    scenarios ??= await recoveryScenarios(s, ANSWER_MS, RETRY_MS);
    return scenarios.find((x) => x.name === name)!;
  };

  test(`${board}: should answer info without a retry after each of 30 garbage bursts of every kind`, async () => {
    const { runs } = await run("info");
    assert.is(runs.length, 30);
    for (const r of runs) assert.ok(r.tries === 1 && r.ms < ANSWER_MS, `${r.tries} tries, ${Math.round(r.ms)} ms`);
  });

  test(`${board}: should answer any request without a retry or a resync after garbage without a truncated frame`, async () => {
    const { runs } = await run("kernel");
    assert.is(runs.length, 30);
    for (const r of runs) assert.ok(r.tries === 1 && r.ms < ANSWER_MS, `${r.tries} tries, ${Math.round(r.ms)} ms`);
  });

  test(`${board}: should answer a request swallowed by a truncated frame by the idle drop or the first retry`, async () => {
    const { runs } = await run("retry");
    assert.is(runs.length, 10);
    // the board drops the partial frame once the line is idle (50 ms; about 2 s of wall time on QEMU), or the
    // retry's resync filler completes it: either way no second retry is needed
    for (const r of runs) assert.ok(r.tries <= 2, `${r.tries} tries (${Math.round(r.ms)} ms)`);
  });

  test(`${board}: close`, async () => {
    await s?.close();
  });
}

test.run();
