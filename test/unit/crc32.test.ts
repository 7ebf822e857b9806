import { test } from "uvu";
import * as assert from "uvu/assert";
import { crc32 } from "../../tools/lib/util/crc32.ts";

test("should give the standard check value for '123456789'", () => {
  assert.is(crc32(new TextEncoder().encode("123456789")), 0xcbf43926);
});

test("should continue over pieces like one pass", () => {
  const all = new TextEncoder().encode("ternary weights, packed");
  assert.is(crc32(all.subarray(8), crc32(all.subarray(0, 8))), crc32(all));
});

test.run();
