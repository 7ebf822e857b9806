// The frame decoder (tools/lib/board/protocol.ts) against garbage: random bytes, sync-rich noise, fake and
// corrupted headers, damaged payloads and truncated frames between valid frames, from fixed seeds. Every valid
// frame must come out, exactly and in order, however the bytes are split.
import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  FrameDecoder,
  HEADER_BYTES,
  SYNC0,
  SYNC1,
  concat,
  encodeFrame,
  resyncFiller,
  type DecodeEvent,
} from "../../tools/lib/board/protocol.ts";
import { randInt, seededRandom } from "../../tools/lib/util/seeded-random.ts";
import { GARBAGE_KINDS, framesOf, fuzzStream } from "../fixtures/frame-streams.ts";

const summary = (events: DecodeEvent[]) =>
  events.map((e) =>
    e.kind === "frame"
      ? `frame ${e.frame.seq} ${e.frame.code} ${Array.from(e.frame.payload).join(",")}`
      : JSON.stringify(e),
  );

/** Feeds bytes in random pieces (1 byte to 2 KiB), then as if the line went idle. */
function decodeInPieces(d: FrameDecoder, bytes: Uint8Array, seed: number): DecodeEvent[] {
  const r = seededRandom(seed);
  const events: DecodeEvent[] = [];
  for (let at = 0; at < bytes.length;) {
    const n = r() < 0.3 ? 1 : randInt(r, 1, 2048);
    events.push(...d.push(bytes.subarray(at, at + n)));
    at += n;
  }
  events.push(...d.flush());
  return events;
}

for (const kind of GARBAGE_KINDS) {
  test(`should recover every valid frame after ${kind} garbage (seeds 1..10, 200 frames each)`, () => {
    for (let seed = 1; seed <= 10; seed++) {
      const s = fuzzStream(seed * 7919 + kind.length, 200, 1024, [kind]);
      const d = new FrameDecoder(1024);
      const got = framesOf(decodeInPieces(d, s.bytes, seed));
      assert.equal(
        summary(got.map((frame) => ({ kind: "frame", frame }))),
        summary(s.frames.map((frame) => ({ kind: "frame", frame }))),
        `seed ${seed}`,
      );
      assert.is(d.pending, 0);
    }
  });
}

test("should recover every valid frame from mixed garbage (seeds 1..20, 300 frames each)", () => {
  for (let seed = 1; seed <= 20; seed++) {
    const s = fuzzStream(seed, 300);
    const got = framesOf(decodeInPieces(new FrameDecoder(1024), s.bytes, seed + 100));
    assert.is(got.length, s.frames.length, `seed ${seed}`);
    got.forEach((f, i) => {
      assert.is(f.seq, s.frames[i].seq);
      assert.is(f.code, s.frames[i].code);
      assert.equal(f.payload, s.frames[i].payload);
    });
  }
});

test("should give the same events however the bytes are split", () => {
  for (let seed = 1; seed <= 5; seed++) {
    const s = fuzzStream(seed + 500, 200);
    const whole = new FrameDecoder(1024);
    const once = [...whole.push(s.bytes), ...whole.flush()];
    assert.equal(summary(decodeInPieces(new FrameDecoder(1024), s.bytes, seed)), summary(once));
  }
});

test("should skip a corrupted header silently and decode the next frame at once", () => {
  for (let at = 2; at < HEADER_BYTES; at++) {
    const bad = encodeFrame(4, 1, Uint8Array.of(1, 2, 3));
    bad[at] ^= 0x10;
    const d = new FrameDecoder(1024);
    assert.equal(
      summary(d.push(concat(bad, encodeFrame(5, 1)))),
      summary([{ kind: "frame", frame: { seq: 5, code: 1, payload: new Uint8Array(0) } }]),
    );
  }
});

test("should not wait for the bytes a fake header announces", () => {
  // sync, a length of 1000, junk where the header CRC belongs: protocol 2 waited for 1000 bytes here
  const fake = Uint8Array.of(SYNC0, SYNC1, 0xe8, 0x03, 9, 1, 0x12, 0x34);
  const d = new FrameDecoder(1024);
  assert.equal(
    framesOf(d.push(concat(fake, encodeFrame(6, 1)))).map((f) => f.seq),
    [6],
  );
});

test("should wait for a truncated frame's bytes, and give what it swallowed when the line goes idle", () => {
  const cut = encodeFrame(1, 7, new Uint8Array(100).fill(3)).subarray(0, 30);
  const d = new FrameDecoder(1024);
  assert.equal(d.push(concat(cut, encodeFrame(2, 1), encodeFrame(3, 1))), []);
  assert.equal(
    framesOf(d.flush()).map((f) => f.seq),
    [2, 3],
  );
  assert.is(d.pending, 0);
});

test("should decode the frame after the resync filler at once, even behind nested truncated frames", () => {
  const cut = (seq: number, len: number, keep: number) => encodeFrame(seq, 1, new Uint8Array(len)).subarray(0, keep);
  const d = new FrameDecoder(1024);
  const events = d.push(
    concat(cut(1, 1024, 20), cut(2, 900, 500), cut(3, 10, 9), resyncFiller(1024), encodeFrame(4, 1)),
  );
  assert.equal(
    framesOf(events).map((f) => f.seq),
    [4],
  );
  // the truncated frames' headers are real: each is answered ERR_CRC by its own number
  assert.equal(
    events.filter((e) => e.kind === "bad-crc").map((e) => e.kind === "bad-crc" && e.seq),
    [1, 2, 3],
  );
  assert.is(d.pending, 0);
});

test.run();
