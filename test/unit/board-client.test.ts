// The protocol client (tools/lib/board/client.ts) over a scripted link: what it sends to resynchronise, which
// replies it takes, and how it names a board that speaks an older protocol.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { BoardClient, BoardError, type ByteLink } from "../../tools/lib/board/client.ts";
import { Cmd, FrameDecoder, concat, encodeFrame, resyncFiller, type Frame } from "../../tools/lib/board/protocol.ts";
import { crc32 } from "../../tools/lib/util/crc32.ts";

/** A link whose board is a function: every request frame it decodes may be answered with raw bytes. */
function scriptedLink(answer: (req: Frame, n: number) => Uint8Array | null) {
  const written: Uint8Array[] = [];
  const decoder = new FrameDecoder(1024);
  let onData: (b: Uint8Array) => void = () => {};
  let n = 0;
  const link: ByteLink = {
    write: (bytes) => {
      written.push(bytes);
      for (const ev of decoder.push(bytes)) {
        if (ev.kind !== "frame") continue;
        const reply = answer(ev.frame, n++);
        if (reply) setTimeout(() => onData(reply), 1);
      }
    },
    onData: (cb) => (onData = cb),
    onClose: () => {},
    close: async () => {},
  };
  return { link, written };
}

const ok = (req: Frame, text = "{}") => encodeFrame(req.seq, 0, new TextEncoder().encode(text));

test("should send the resync filler before info, so a partial frame on the line cannot swallow it", async () => {
  const { link, written } = scriptedLink((req) => ok(req, '{"protocol":3}'));
  const info = await new BoardClient(link, 1000).info();
  assert.is(info.protocol, 3);
  assert.equal(written[0], resyncFiller(1024));
  assert.is(written[1][5], Cmd.info);
});

test("should retry a request the board answered with ERR_CRC", async () => {
  const { link } = scriptedLink((req, n) =>
    n === 0 ? encodeFrame(req.seq, 1, new TextEncoder().encode("ERR_CRC: x")) : ok(req),
  );
  const r = await new BoardClient(link, 1000).request(Cmd.kernel, undefined, { retries: 1 });
  assert.is(r.length, 2);
});

test("should take a late reply to an earlier try of the same request", async () => {
  let first: Frame | null = null;
  const { link } = scriptedLink((req, n) => {
    if (n === 0) first = req; // no answer now
    return n === 1 ? ok(first!, "late") : null; // the second try brings the first try's answer only
  });
  const r = await new BoardClient(link, 1000).request(Cmd.kernel, undefined, { timeoutMs: 50, retries: 2 });
  assert.is(new TextDecoder().decode(r), "late");
});

test("should fail at once, naming the protocol, when the board answers in protocol 2", async () => {
  // protocol 2's ERR_CRC reply: a 6-byte header, CRC-32 over [2, 6 + len)
  const old = (seq: number) => {
    const f = concat(Uint8Array.of(0xb1, 0x7e, 0, 0, seq, 1), new Uint8Array(4));
    new DataView(f.buffer).setUint32(6, crc32(f.subarray(2, 6)), true);
    return f;
  };
  const { link } = scriptedLink((req) => old(req.seq));
  const t0 = Date.now();
  try {
    await new BoardClient(link, 5000).info({ retries: 2, timeoutMs: 5000 });
    assert.unreachable("answered");
  } catch (e) {
    assert.instance(e, BoardError);
    assert.is((e as BoardError).code, "ERR_OLD_PROTOCOL");
    assert.match((e as Error).message, /protocol 1 or 2/);
  }
  assert.ok(Date.now() - t0 < 1000, "no timeout waited");
});

test.run();
