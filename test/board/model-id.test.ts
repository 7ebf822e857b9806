// Every model has an identity (issue #15, item 2): the CRC-32 of its bytes before the trailer. Two shipped models
// show different ids in `bitrl inspect --json`, in the board's `info` once uploaded (qemu-m4), and in the report.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { modelId } from "../../tools/lib/format/blob.ts";
import { crc32 } from "../../tools/lib/util/crc32.ts";
import { withBoard } from "../../tools/lib/board/session.ts";
import { tempFlashPath } from "../../tools/lib/board/qemu.ts";
import { summaryRecords } from "../../tools/lib/report/summary.ts";
import { renderReport } from "../../tools/lib/report/render.ts";
import { getBoard } from "../../tools/lib/board/profiles.ts";
import { repoRoot } from "../../tools/lib/util/paths.ts";

const MODELS = ["cartpole-ternary", "cartpole-int8"].map((name) => ({
  name,
  path: join(repoRoot, "models", `${name}.bitrl`),
}));
const bytes = MODELS.map((m) => new Uint8Array(readFileSync(m.path)));

test("should give each model the CRC-32 of its bytes before the trailer, where the whole-file CRC is one constant", () => {
  const ids = bytes.map(modelId);
  assert.is.not(ids[0], ids[1]);
  for (const [i, b] of bytes.entries()) {
    assert.is(
      ids[i],
      crc32(b.subarray(0, b.length - 4))
        .toString(16)
        .padStart(8, "0"),
    );
    assert.is(crc32(b), 0x2144df1c, "CRC-32's residue: the same for every valid blob, so no identity");
  }
});

test("should show the two ids in bitrl inspect --json", () => {
  for (const [i, m] of MODELS.entries()) {
    const r = spawnSync(process.execPath, [join(repoRoot, "bin", "bitrl.mjs"), "inspect", m.path, "--json"], {
      encoding: "utf8",
    });
    assert.is(r.status, 0, r.stderr);
    assert.is(JSON.parse(r.stdout).model_id, modelId(bytes[i]));
  }
});

test("should report the active model's id in info on qemu-m4, and refuse an upload whose announced id differs", async () => {
  await withBoard("qemu-m4", { flashPath: tempFlashPath(), timeoutMs: 30000 }, async (s) => {
    for (const b of bytes) {
      await s.client.loadModel(b);
      assert.is((await s.client.info()).model?.model_id, modelId(b));
    }
  });
});

test("should name each run's model id in the report", () => {
  const dir = mkdtempSync(join(tmpdir(), "bitrl-model-id-"));
  try {
    const agents = MODELS.map((m, i) => ({
      work: { agent: m.name, ticks: 1000, decisions: 10, episodes: 1 },
      meanReturn: 10,
      model: m.path,
      modelFileBytes: bytes[i].length,
      fp32Bytes: 4 * bytes[i].length,
      modelId: modelId(bytes[i]),
    }));
    const records = summaryRecords({ board: getBoard("qemu-m4"), env: "cartpole", via: "test", ram: null, agents }).map(
      ({ kind, record }) => ({ v: 1, kind, time: "2026-12-04T00:00:00Z", ...record }),
    );
    const html = renderReport(records, { sources: [dir] });
    for (const b of bytes) assert.ok(html.includes(modelId(b)), `report lacks ${modelId(b)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
