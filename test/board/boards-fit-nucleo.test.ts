// nucleo_f446re, built without a vendor SDK, fits its image area and RAM with AOT; wasm3 is refused with the numbers.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { buildFirmware } from "../../tools/lib/board/firmware-build.ts";
import { fitOf } from "../fixtures/board-fit.ts";

test("should build nucleo_f446re (AOT, 96 KiB of linear memory mapped) within its 256 KiB image area and 128 KiB RAM", async () => {
  const { fit } = await fitOf("nucleo_f446re", "aot");
  assert.ok(fit.fits, fit.reason ?? "");
  assert.ok(fit.flashUsed > 100_000 && fit.flashUsed <= 256 * 1024, `flash ${fit.flashUsed}`);
  assert.ok(fit.ramUsed > 98_304 && fit.ramUsed <= 128 * 1024, `RAM ${fit.ramUsed}`);
  // wasm3 cannot fit the F446: no environment builds it, and the tools say why
  await buildFirmware("nucleo_f446re", { backend: "wasm3" }).then(
    () => assert.unreachable("wasm3 must be refused on nucleo_f446re"),
    (e) => assert.match((e as Error).message, /aot backend only.*128 KiB/),
  );
});

test.run();
