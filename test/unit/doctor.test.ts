// bitrl doctor: one check per toolchain, board and port, each a single line with a status.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { runChecks } from "../../tools/lib/board/doctor.ts";
import { BOARDS } from "../../tools/lib/board/profiles.ts";

test("should report node, every board profile and a fix for anything missing, one line each", async () => {
  const checks = await runChecks();
  const node = checks.find((c) => c.name === "node")!;
  assert.is(node.status, "ok");
  assert.ok(node.detail.includes(process.versions.node));
  for (const b of BOARDS)
    assert.ok(
      checks.some((c) => c.group === "board" && c.name === b.id),
      b.id,
    );
  for (const c of checks) {
    assert.not.match(c.detail, /\n/, `${c.name} detail is one line`);
    assert.ok(c.detail.length > 0, `${c.name} has a detail`);
    assert.ok(["ok", "missing", "info"].includes(c.status));
  }
  assert.ok(
    checks.some((c) => c.group === "meter"),
    "serial ports are listed (or their absence said)",
  );
});

test.run();
