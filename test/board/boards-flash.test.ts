// `bitrl flash` on a real board fails at once, with one line, when it cannot flash: no --port, or a
// registry-built board whose PlatformIO platform is not installed.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { flashCommand } from "../../tools/cli/flash.ts";
import { paths } from "../../tools/lib/board/toolchain.ts";

test("should fail 'bitrl flash --board nrf52840_dk' without --port within a second, with one line", async () => {
  const t0 = Date.now();
  const err = await flashCommand.run(["--board", "nrf52840_dk"]).then(
    () => null,
    (e: Error) => e,
  );
  const ms = Date.now() - t0;
  assert.ok(err, "it fails");
  assert.ok(ms < 1000, `took ${ms} ms`);
  assert.match(err!.message, /nrf52840_dk.*--port/);
  assert.not.match(err!.message, /\n/);
  // a registry-built board whose platform is absent says so at once, too
  if (!existsSync(join(paths.pioCore, "platforms", "espressif32"))) {
    const e2 = await flashCommand.run(["--board", "esp32dev", "--port", "/dev/null"]).then(
      () => null,
      (e: Error) => e,
    );
    assert.match(e2!.message, /espressif32@6\.9\.0 platform, not installed/);
  }
});

test.run();
