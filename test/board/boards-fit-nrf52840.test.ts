// nrf52840_dk, built without a vendor SDK: AOT fits with room to spare; wasm3 links but is refused with the numbers.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { fitOf } from "../fixtures/board-fit.ts";

test("should build nrf52840_dk with AOT leaving >= 32 KiB free, and refuse wasm3 with the numbers", async () => {
  const aot = (await fitOf("nrf52840_dk", "aot")).fit;
  assert.ok(aot.fits, aot.reason ?? "");
  assert.ok(aot.ramFree >= 32 * 1024, `free ${aot.ramFree}`);
  const w3 = (await fitOf("nrf52840_dk", "wasm3")).fit;
  assert.not.ok(w3.fits);
  assert.ok(w3.ramUsed <= 256 * 1024, "the wasm3 build links within the 256 KiB");
  assert.match(
    w3.reason!,
    new RegExp(
      `nrf52840_dk with wasm3 does not fit: RAM ${w3.ramUsed} B of 262144 B leaves ${w3.ramFree} B free, under the 32768 B`,
    ),
  );
});

test.run();
