// The protocol frame codec (tools/lib/board/protocol.ts): layout, CRC, resynchronisation, payload helpers.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { crc16 } from "../../tools/lib/util/crc16.ts";
import { crc32 } from "../../tools/lib/util/crc32.ts";
import {
  FrameDecoder,
  HEADER_BYTES,
  SYNC0,
  SYNC1,
  concat,
  decodeError,
  decodeValue,
  encodeCall,
  encodeFrame,
  hasLegacyFrame,
  readU64,
  u32s,
} from "../../tools/lib/board/protocol.ts";

const frames = (events: ReturnType<FrameDecoder["push"]>) =>
  events.filter((e) => e.kind === "frame").map((e) => (e.kind === "frame" ? e.frame : null)!);

test("should lay a frame out as sync, length, seq, code, header CRC-16, payload, CRC-32 of bytes 2..", () => {
  const f = encodeFrame(7, 0x01, Uint8Array.of(0xaa, 0xbb));
  const h = crc16(Uint8Array.of(2, 0, 7, 1));
  assert.equal(Array.from(f.subarray(0, 10)), [SYNC0, SYNC1, 2, 0, 7, 1, h & 0xff, h >> 8, 0xaa, 0xbb]);
  assert.is(new DataView(f.buffer).getUint32(10, true), crc32(f.subarray(2, 10)));
  assert.is(f.length, HEADER_BYTES + 2 + 4);
});

test("should check headers with CRC-16/CCITT-FALSE", () => {
  assert.is(crc16(new TextEncoder().encode("123456789")), 0x29b1);
});

test("should recognise a reply in protocol 2 (no header CRC) and not take a protocol 3 frame for one", () => {
  // protocol 2: sync, len, seq, code, payload, CRC-32 of [2, 6 + len)
  const old = Uint8Array.of(SYNC0, SYNC1, 1, 0, 5, 1, 0x2a, 0, 0, 0, 0);
  new DataView(old.buffer).setUint32(7, crc32(old.subarray(2, 7)), true);
  assert.ok(hasLegacyFrame(concat(Uint8Array.of(1, 2), old)));
  assert.not.ok(hasLegacyFrame(concat(encodeFrame(5, 1, Uint8Array.of(0x2a)), encodeFrame(6, 0))));
});

test("should decode a frame split into single bytes", () => {
  const f = encodeFrame(9, 3, new TextEncoder().encode("hello"));
  const d = new FrameDecoder(1024);
  const got = [];
  for (const b of f) got.push(...frames(d.push(Uint8Array.of(b))));
  assert.is(got.length, 1);
  assert.is(got[0].seq, 9);
  assert.is(new TextDecoder().decode(got[0].payload), "hello");
  assert.is(d.pending, 0);
});

test("should skip garbage and find the frame after it", () => {
  const d = new FrameDecoder(1024);
  const garbage = Uint8Array.of(0, SYNC0, 5, SYNC0, SYNC0, 0xff, 1, 2);
  const ev = d.push(concat(garbage, encodeFrame(1, 1)));
  assert.equal(
    frames(ev).map((f) => f.seq),
    [1],
  );
});

test("should report a bad CRC and still decode the next frame", () => {
  const bad = encodeFrame(4, 1, Uint8Array.of(1, 2, 3));
  bad[HEADER_BYTES + 1] ^= 0x40; // a payload byte: the header stays real, so the error is reported
  const ev = new FrameDecoder(1024).push(concat(bad, encodeFrame(5, 1)));
  assert.equal(
    ev.map((e) => e.kind),
    ["bad-crc", "frame"],
  );
  assert.is(ev[0].kind === "bad-crc" && ev[0].seq, 4);
});

test("should report a length over the maximum without waiting for its bytes", () => {
  const big = encodeFrame(6, 1, new Uint8Array(2000));
  const ev = new FrameDecoder(1024).push(concat(big.subarray(0, HEADER_BYTES), encodeFrame(8, 1)));
  assert.equal(
    ev.map((e) => e.kind),
    ["too-large", "frame"],
  );
});

test("should recover when a truncated frame swallows the start of the next one", () => {
  const whole = encodeFrame(2, 7, new Uint8Array(20).fill(9));
  const next = encodeFrame(3, 1);
  const ev = new FrameDecoder(1024).push(concat(whole.subarray(0, 12), next, encodeFrame(4, 1), encodeFrame(5, 1)));
  // the truncated frame completes with the next frames' bytes: a bad CRC, then rescanning finds what follows
  assert.ok(ev.some((e) => e.kind === "bad-crc"));
  assert.ok(frames(ev).some((f) => f.seq === 5));
});

test("should encode a call as name length, name, argc and i32 args", () => {
  const c = encodeCall("io_base", [1, -1]);
  assert.equal(Array.from(c.subarray(0, 9)), [7, ...new TextEncoder().encode("io_base"), 2]);
  assert.equal(Array.from(c.subarray(9)), [1, 0, 0, 0, 255, 255, 255, 255]);
  assert.throws(() => encodeCall("", []), /1..47 bytes/);
  assert.throws(() => encodeCall("f", [1.5]), /not an i32/);
});

test("should decode typed values and u64 ticks", () => {
  const b = concat(Uint8Array.of(1), u32s(-5 >>> 0, 0), u32s(10, 1));
  assert.equal(decodeValue(b, 0), { type: "i32", value: -5 });
  assert.is(readU64(b, 9), 10 + 2 ** 32);
  assert.equal(decodeValue(Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0, 0), 0), { type: "none", value: null });
  assert.throws(() => decodeValue(Uint8Array.of(9, 0, 0, 0, 0, 0, 0, 0, 0), 0), /unknown value type/);
});

test("should split an error reply into its name and detail", () => {
  const f = { seq: 1, code: 6, payload: new TextEncoder().encode("ERR_TRAP: [trap] unreachable executed") };
  assert.equal(decodeError(f), { name: "ERR_TRAP", detail: "[trap] unreachable executed" });
  assert.equal(decodeError({ seq: 1, code: 3, payload: new Uint8Array(0) }), { name: "ERR_UNKNOWN_CMD", detail: "" });
});

test.run();
