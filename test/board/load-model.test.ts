// Model loading: the firmware's C blob reader accepts and rejects exactly what the TypeScript reader does (same
// mutated blobs), an upload interrupted by killing the emulator leaves the previous model active and verified, and a
// chunk resent after a lost reply is answered again.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeBlob, encodeBlob, modelId, resealBlob } from "../../tools/lib/format/blob.ts";
import { openBoard } from "../../tools/lib/board/session.ts";
import { Cmd, concat, readU32, u32s } from "../../tools/lib/board/protocol.ts";
import { liveQemuCount, tempFlashPath } from "../../tools/lib/board/qemu.ts";
import { AgentRunner, DEFAULT_TRAIN, buildAgentBlob } from "../../tools/lib/agent/index.ts";
import { repoRoot } from "../../tools/lib/board/toolchain.ts";
import { seededRandom as rng } from "../../tools/lib/util/seeded-random.ts";
import { errorCode } from "../fixtures/board-errors.ts";
import { everyPackingBlob } from "../fixtures/sample-blobs.ts";

/** A valid blob with every packing and both scale layouts. */
const BASE = encodeBlob(everyPackingBlob({ name: "load-model test, metadata long enough for variants" }));

/** One to three edits (bit flips, header/table field values, data bytes, truncation), then usually resealed so the
 *  edit reaches the deep checks instead of the file checksum. */
function mutate(base: Uint8Array, r: () => number): Uint8Array {
  let b = base.slice();
  const dv = () => new DataView(b.buffer, b.byteOffset, b.byteLength);
  const table = dv().getUint32(20, true),
    data = dv().getUint32(24, true),
    count = dv().getUint32(12, true);
  for (let k = 1 + Math.floor(r() * 3); k > 0; k--) {
    const what = Math.floor(r() * 5);
    if (what === 0) b[Math.floor(r() * b.length)] ^= 1 << Math.floor(r() * 8);
    else if (what === 1 && b.length >= 32)
      dv().setUint32(
        8 + 4 * Math.floor(r() * 6),
        [0, 1, 16, 96, 4096, 0xffffffff, Math.floor(r() * 2 ** 32)][Math.floor(r() * 7)] >>> 0,
        true,
      );
    else if (what === 2) {
      const e = table + 96 * Math.floor(r() * count);
      if (e + 96 > b.length) continue;
      const field = [0, 5, 47, 48, 49, 50, 51, 52, 56, 60, 64, 68, 72, 76, 80, 92][Math.floor(r() * 16)];
      if (field < 52) b[e + field] = [0, 1, 2, 3, 4, 5, 255, Math.floor(r() * 256)][Math.floor(r() * 8)];
      else
        dv().setUint32(
          e + field,
          (dv().getUint32(e + field, true) + [1, -1, 16, -16, 4][Math.floor(r() * 5)]) >>> 0,
          true,
        );
    } else if (what === 3 && data + 4 < b.length)
      b[data + Math.floor(r() * (b.length - 4 - data))] = [0, 3, 0xff, 242, 243, Math.floor(r() * 256)][
        Math.floor(r() * 6)
      ];
    else if (what === 4) b = b.slice(0, Math.floor(r() * b.length));
  }
  if (r() < 0.8) {
    if (b.length !== base.length && b.length >= 12) dv().setUint32(8, b.length, true);
    resealBlob(b);
  }
  return b;
}

/** BASE with its metadata replaced by same-length text (valid and invalid JSON), resealed. */
function metaVariants(): Uint8Array[] {
  const metaBytes = new DataView(BASE.buffer, BASE.byteOffset).getUint32(16, true);
  const texts = [
    '{"a":[1,2,{"b":null}],"c":true}',
    '{"a":1,}',
    '{"a":01}',
    '{"a":"\\u00e9"}',
    '{"a":"\\x"}',
    "[1,2]",
    '{"a":tru}',
    '{"a":1e5,"b":-0.5E-3}',
    '{"a":"é"}',
    '{"a":"\t"}',
    "{} {}",
    '{"a":1}}',
    '{"a":-}',
    '{"a":1.}',
    '{"a":"\\"}',
    '{"a" 1}',
    '{"\u{1F600}":false}',
    "\uFEFF{}",
    '{"a":[]}',
    '{"a":{}}',
    '{"a":[1 2]}',
    '{"a":"\u0001"}',
  ];
  return texts.map((t) => {
    const bytes = new TextEncoder().encode(t);
    const b = BASE.slice();
    if (bytes.length > metaBytes) throw new Error(`meta variant '${t}' longer than ${metaBytes} bytes`);
    b.fill(0x20, 32, 32 + metaBytes);
    b.set(bytes, 32);
    return resealBlob(b);
  });
}

const tsAccepts = (b: Uint8Array) => {
  try {
    decodeBlob(b);
    return true;
  } catch {
    return false;
  }
};

test("should accept and reject exactly the blobs the TypeScript reader does (C reader, 1,500 mutated blobs)", () => {
  const dir = mkdtempSync(join(tmpdir(), "bitrl-blobcheck-"));
  try {
    const exe = join(dir, "blob-check");
    const src = join(repoRoot, "firmware", "src");
    const cc = spawnSync(
      "cc",
      [
        "-O1",
        "-Wall",
        "-Werror",
        "-DBITRL_BLOB_CHECK_MAIN",
        "-I",
        src,
        join(src, "blob_check.c"),
        join(src, "blob.c"),
        join(src, "blob_meta.c"),
        join(src, "utf8.c"),
        join(src, "crc32.c"),
        "-o",
        exe,
      ],
      { encoding: "utf8" },
    );
    assert.is(cc.status, 0, cc.stderr);
    const r = rng(7);
    const blobs = [BASE, ...metaVariants(), ...Array.from({ length: 1500 }, () => mutate(BASE, r))];
    const files = blobs.map((b, i) => {
      const f = join(dir, `m${i}.bitrl`);
      writeFileSync(f, b);
      return f;
    });
    const run = spawnSync(exe, files, { encoding: "utf8", maxBuffer: 1 << 24 });
    const lines = run.stdout.trim().split("\n");
    assert.is(lines.length, blobs.length);
    const disagree: string[] = [];
    let rejected = 0;
    blobs.forEach((b, i) => {
      const c = lines[i].endsWith(": ok");
      if (!c) rejected++;
      if (c !== tsAccepts(b)) disagree.push(`${lines[i]} | TS ${tsAccepts(b) ? "accepts" : "rejects"}`);
    });
    assert.ok(lines[0].endsWith(": ok"), lines[0]);
    assert.equal(disagree.slice(0, 5), [], `${disagree.length} disagreements`);
    assert.ok(rejected > 1000 && rejected < blobs.length, `C rejected ${rejected} of ${blobs.length}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// agentA runs on qemu-m4's wasm3, which maps 112 KiB of linear memory (docs/firmware.md): a one-hot head with 4
// hidden units (100,864 B of memory at its high-water mark; 8 units need 130,656 B and are refused there at load)
const agentA = encodeBlob(
  buildAgentBlob({ env: "cartpole", backbone: null, hidden: 4, train: DEFAULT_TRAIN.cartpole, initSeed: 3 }),
);
const agentB = encodeBlob(
  buildAgentBlob({ env: "cartpole", backbone: null, hidden: 16, train: DEFAULT_TRAIN.cartpole, initSeed: 4 }),
);

test("should keep the previous model active and verified when an upload is cut off by killing the emulator, and answer a resent last chunk again", async () => {
  const flashPath = tempFlashPath();
  const boot = () => openBoard("qemu-m4", { flashPath, timeoutMs: 30000 });
  let s = await boot();
  try {
    assert.is(s.info.model, null);
    const a = await s.client.loadModel(agentA);
    assert.equal(a, { slot: 0, seq: 1 });
    // start B, send half of it, then the board dies (QEMU killed mid-upload)
    await s.client.request(Cmd.loadBegin, u32s(agentB.length, Number.parseInt(modelId(agentB), 16)));
    const half = Math.floor(agentB.length / 2);
    for (let at = 0; at < half; at += 1000)
      await s.client.request(Cmd.loadChunk, concat(u32s(at), agentB.subarray(at, Math.min(half, at + 1000))));
  } finally {
    await s.close();
  }
  s = await boot();
  try {
    assert.equal(s.info.model, { slot: 0, seq: 1, bytes: agentA.length, model_id: modelId(agentA) });
    const ep = await s.client.episode(5, 100, true);
    const v8 = new AgentRunner(agentA).episode(5, true, 100);
    assert.equal({ steps: ep.steps, return: ep.return, terminated: ep.terminated, truncated: ep.truncated }, v8);
    // rejected uploads change nothing: wrong announced CRC, a blob the C reader rejects, a commit before all bytes
    assert.is(await errorCode(s.client.loadModel(Uint8Array.from(agentB).fill(1, 40, 41))), "ERR_BLOB");
    // an announced identity that is not the one that arrived (a different model, or bytes changed in transit)
    await s.client.request(Cmd.loadBegin, u32s(agentB.length, Number.parseInt(modelId(agentB), 16) ^ 1));
    for (let at = 0; at < agentB.length; at += 1000)
      await s.client.request(Cmd.loadChunk, concat(u32s(at), agentB.subarray(at, Math.min(agentB.length, at + 1000))));
    assert.is(await errorCode(s.client.request(Cmd.loadCommit)), "ERR_MODEL_ID");
    await s.client.request(Cmd.loadBegin, u32s(agentB.length, Number.parseInt(modelId(agentB), 16)));
    assert.is(await errorCode(s.client.request(Cmd.loadCommit)), "ERR_STATE");
    assert.is((await s.client.info()).model?.model_id, modelId(agentA));
    // an upload does not outlive its session: all of B's bytes sent, then a new session starts (its first request
    // is info) and commits: refused, A stays active
    await s.client.request(Cmd.loadBegin, u32s(agentB.length, Number.parseInt(modelId(agentB), 16)));
    for (let at = 0; at < agentB.length; at += 1000)
      await s.client.request(Cmd.loadChunk, concat(u32s(at), agentB.subarray(at, Math.min(agentB.length, at + 1000))));
    await s.client.info();
    assert.is(await errorCode(s.client.request(Cmd.loadCommit)), "ERR_STATE");
    assert.is((await s.client.info()).model?.model_id, modelId(agentA));
    // a chunk whose reply was lost comes again (the client resends once): the last chunk again, byte for byte, is
    // answered again without a write; changed bytes, or an earlier chunk, are out of order
    await s.client.request(Cmd.loadBegin, u32s(agentB.length, Number.parseInt(modelId(agentB), 16)));
    const chunk = (at: number, bytes = agentB.subarray(at, at + 1000)) =>
      s.client.request(Cmd.loadChunk, concat(u32s(at), bytes));
    assert.is(readU32(await chunk(0), 0), 1000);
    assert.is(readU32(await chunk(0), 0), 1000, "the same chunk twice");
    assert.is(readU32(await chunk(1000), 0), 2000);
    assert.is(await errorCode(chunk(0)), "ERR_STATE", "an earlier chunk");
    const changed = agentB.slice(1000, 2000);
    changed[500] ^= 1;
    assert.is(await errorCode(chunk(1000, changed)), "ERR_STATE", "the last chunk's offset with other bytes");
    assert.is(readU32(await chunk(1000), 0), 2000);
    // a complete upload goes to the other slot and wins by sequence number, also after a reboot
    assert.equal(await s.client.loadModel(agentB), { slot: 1, seq: 2 });
  } finally {
    await s.close();
  }
  s = await boot();
  try {
    assert.equal(s.info.model, { slot: 1, seq: 2, bytes: agentB.length, model_id: modelId(agentB) });
  } finally {
    await s.close();
  }
  assert.is(liveQemuCount(), 0, "every QEMU started is gone");
});

test.run();
