// The firmware's frame decoder (firmware/src/frame.c, built natively with its frame_check tool) against the
// TypeScript twin: the same garbage-laden streams, fed in the firmware's read sizes, give the same events.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repoRoot } from "../../tools/lib/board/toolchain.ts";
import { FrameDecoder, concat, encodeFrame, resyncFiller, type DecodeEvent } from "../../tools/lib/board/protocol.ts";
import { crc32 } from "../../tools/lib/util/crc32.ts";
import { fuzzStream } from "../fixtures/frame-streams.ts";

const dir = mkdtempSync(join(tmpdir(), "bitrl-framecheck-"));
const exe = join(dir, "frame-check");

/** frame_check's lines for the TypeScript decoder's events. */
const lines = (events: DecodeEvent[]) =>
  events.map((e) =>
    e.kind === "frame"
      ? `frame ${e.frame.seq} ${e.frame.code} ${e.frame.payload.length} ${crc32(e.frame.payload).toString(16).padStart(8, "0")}`
      : e.kind === "bad-crc"
        ? `bad-crc ${e.seq}`
        : `too-large ${e.seq} ${e.len}`,
  );

function runC(bytes: Uint8Array, chunk: number): string[] {
  const r = spawnSync(exe, [String(chunk)], { input: bytes, encoding: "utf8", maxBuffer: 1 << 26 });
  assert.is(r.status, 0, r.stderr);
  return r.stdout.trim().split("\n").filter(Boolean);
}

test.before(() => {
  const src = join(repoRoot, "firmware", "src");
  const cc = spawnSync(
    "cc",
    ["-O1", "-Wall", "-Wextra", "-Werror", "-DBITRL_FRAME_CHECK_MAIN", "-I", src]
      .concat(["frame_check.c", "frame.c", "crc32.c"].map((f) => join(src, f)))
      .concat(["-o", exe]),
    { encoding: "utf8" },
  );
  assert.is(cc.status, 0, cc.stderr);
});
test.after(() => rmSync(dir, { recursive: true, force: true }));

test("should give the TypeScript decoder's events for garbage-laden streams (5 seeds, 3 read sizes)", () => {
  for (let seed = 1; seed <= 5; seed++) {
    const s = fuzzStream(seed * 31, 300);
    const d = new FrameDecoder(1024);
    const ts = lines([...d.push(s.bytes), ...d.flush()]);
    assert.is(ts.filter((l) => l.startsWith("frame ")).length, s.frames.length, `TypeScript, seed ${seed}`);
    for (const chunk of [1, 37, 256]) assert.equal(runC(s.bytes, chunk), ts, `seed ${seed}, reads of ${chunk}`);
  }
});

test("should decode the frame after the resync filler behind truncated frames, as the host expects", () => {
  const cut = encodeFrame(1, 1, new Uint8Array(1000)).subarray(0, 40);
  assert.equal(runC(concat(cut, resyncFiller(1024), encodeFrame(2, 1, Uint8Array.of(7))), 256), [
    "bad-crc 1",
    `frame 2 1 1 ${crc32(Uint8Array.of(7)).toString(16).padStart(8, "0")}`,
  ]);
});

test.run();
