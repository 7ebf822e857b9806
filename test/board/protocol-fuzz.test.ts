// Protocol robustness on the emulated board: 2,000 malformed frames (bad CRC, bad length, unknown command,
// truncated, random bytes), sent in batches; each gets the right error reply or is ignored, never an OK, and a valid
// `info` afterwards still answers correctly.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { withBoard, type BoardSession } from "../../tools/lib/board/session.ts";
import {
  HEADER_BYTES,
  PROTOCOL_VERSION,
  SYNC0,
  STATUS_NAMES,
  encodeFrame,
  type Frame,
} from "../../tools/lib/board/protocol.ts";
import { tempFlashPath } from "../../tools/lib/board/qemu.ts";
import { BoardError } from "../../tools/lib/board/client.ts";
import { seededRandom as rng } from "../../tools/lib/util/seeded-random.ts";

const rand = rng(20261123);
const byte = () => Math.floor(rand() * 256);
/** Bytes that can never contain a sync byte, so each malformed frame is exactly one decoder event. */
const noSync = (n: number) =>
  Uint8Array.from({ length: n }, () => {
    let b;
    do b = byte();
    while (b === SYNC0);
    return b;
  });
const hasSync = (f: Uint8Array, from: number) => f.subarray(from).includes(SYNC0);

const names = (frames: Frame[]) => frames.map((f) => STATUS_NAMES[f.code] ?? `code ${f.code}`);
const count = (frames: Frame[], name: string) => names(frames).filter((n) => n === name).length;

function badCrcFrames(n: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let tries = 0; out.length < n; tries++) {
    const f = encodeFrame(tries & 0xff, 0x01 + (tries % 12), noSync(Math.floor(rand() * 40)));
    f[f.length - 1 - Math.floor(rand() * 4)] ^= 1 + Math.floor(rand() * 255);
    if (!hasSync(f, 2)) out.push(f);
  }
  return out;
}

/** Real headers (their CRC-16 matches) announcing more than max_payload, without the payload. */
function tooLargeHeaders(n: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let tries = 0; out.length < n; tries++) {
    const len = 1025 + Math.floor(rand() * 64000);
    const h = encodeFrame(tries & 0xff, 0x01, new Uint8Array(len)).subarray(0, HEADER_BYTES);
    if (!hasSync(h, 2)) out.push(h);
  }
  return out;
}

function unknownCommandFrames(n: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let tries = 0; out.length < n; tries++) {
    const f = encodeFrame(tries & 0xff, 0x20 + Math.floor(rand() * 0xe0), noSync(Math.floor(rand() * 24)));
    if (!hasSync(f, 2)) out.push(f);
  }
  return out;
}

/** Sends a batch; waits for `expect` replies (when known; a busy machine may stall the emulator for a while), then
 *  for the board to go quiet; returns the replies nobody waited for. */
async function sendBatch(s: BoardSession, frames: Uint8Array[], expect = 0): Promise<Frame[]> {
  const joined = new Uint8Array(frames.reduce((k, f) => k + f.length, 0));
  let at = 0;
  for (const f of frames) {
    joined.set(f, at);
    at += f.length;
  }
  s.client.writeRaw(joined);
  for (const t0 = Date.now(); s.client.unmatched.length < expect && Date.now() - t0 < 120000;)
    await new Promise((r) => setTimeout(r, 50));
  return s.client.drain(expect ? 400 : 1500, 120000);
}

/** info must answer; a late reply to garbage that happens to carry info's sequence number is skipped (retried). */
async function checkInfo(s: BoardSession, board: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      const info = await s.client.info({ retries: 3, timeoutMs: 5000 });
      assert.is(info.board, board);
      assert.is(info.protocol, PROTOCOL_VERSION);
      assert.is(PROTOCOL_VERSION, 3);
      return;
    } catch (e) {
      const stale = e instanceof BoardError && ["ERR_CRC", "ERR_TOO_LARGE", "ERR_UNKNOWN_CMD"].includes(e.code);
      if (!stale || attempt >= 3) throw e;
      await s.client.drain(500, 10000);
    }
  }
}

for (const board of ["qemu-m4", "host"]) {
  test(`should survive 2,000 malformed frames on ${board} and still answer info`, async () => {
    await withBoard(board, { flashPath: tempFlashPath(), timeoutMs: 20000 }, async (s) => {
      let sent = 0;
      // bad CRC: every frame is answered with ERR_CRC, with its own sequence number
      const crc = badCrcFrames(500);
      let replies = await sendBatch(s, crc, crc.length);
      sent += crc.length;
      assert.is(count(replies, "ERR_CRC"), crc.length, `ERR_CRC replies: ${names(replies).slice(0, 5)}`);
      assert.is(replies.length, crc.length);
      // bad length: each oversized header is answered with ERR_TOO_LARGE at once
      const big = tooLargeHeaders(500);
      replies = await sendBatch(s, big, big.length);
      sent += big.length;
      assert.is(count(replies, "ERR_TOO_LARGE"), big.length);
      assert.is(replies.length, big.length);
      // unknown commands (valid CRC): ERR_UNKNOWN_CMD each
      const unk = unknownCommandFrames(500);
      replies = await sendBatch(s, unk, unk.length);
      sent += unk.length;
      assert.is(count(replies, "ERR_UNKNOWN_CMD"), unk.length);
      // truncated frames and random bytes: errors or silence, never an OK
      const cut = Array.from({ length: 300 }, (_, i) => {
        const f = encodeFrame(i & 0xff, 0x01, noSync(Math.floor(rand() * 30)));
        return f.subarray(0, 1 + Math.floor(rand() * (f.length - 1)));
      });
      const noise = Array.from({ length: 200 }, () => Uint8Array.from({ length: 1 + Math.floor(rand() * 60) }, byte));
      const mixed = [...cut, ...noise].sort(() => rand() - 0.5);
      replies = await sendBatch(s, mixed);
      sent += mixed.length;
      assert.is(replies.filter((f) => f.code === 0).length, 0, "no malformed frame may get an OK");
      assert.ok(sent >= 2000, `sent ${sent} malformed frames`);
      await checkInfo(s, board);
      // and the link carries real work afterwards
      const io = await s.client.ioBase();
      await s.client.memWrite(io, Uint8Array.of(1, 2, 3));
      assert.equal(Array.from(await s.client.memRead(io, 3)), [1, 2, 3]);
    });
  });
}

test.run();
