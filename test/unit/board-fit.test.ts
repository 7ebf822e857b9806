import { test } from "uvu";
import * as assert from "uvu/assert";
import { checkFit, parseMapSections, ramReserved } from "../../tools/lib/board/fit.ts";
import { getBoard } from "../../tools/lib/board/profiles.ts";

// The RAM sections of a qemu-m4 wasm3 image as GNU ld lists them: .wasm3_heap aligned 16 after .data (8 B of
// padding), .heap aligned 8 after .bss (4 B), so the image reserves 12 B more than its sections' sizes.
const MAP = `
.isr_vector     0x00000000       0xc0
.text           0x000000c0    0x2feb0
.stack          0x20000000     0x2000
.data           0x20002000      0x118 load address 0x0002ff70
.wasm3_heap     0x20002120    0x3c000
.bss            0x2003e120      0xa44
.heap           0x2003eb68     0x1000
`;

test("should count the padding between neighbouring RAM sections, as the firmware's own accounting does", () => {
  const s = parseMapSections(MAP);
  assert.is(s[".wasm3_heap"].addr, 0x20002120);
  const sizes = 0x2000 + 0x118 + 0x3c000 + 0xa44 + 0x1000;
  // __ram_end - __stack_limit: the end of .heap minus the start of .stack
  assert.is(ramReserved(s), 0x2003eb68 + 0x1000 - 0x20000000);
  assert.is(ramReserved(s), sizes + 12);
});

test("should not count the distance to a RAM section in another region", () => {
  const s = parseMapSections(MAP + ".sbss           0x3fc80000       0x20\n");
  assert.is(ramReserved(s), parseMapSections(MAP)[".stack"].size + 0x118 + 0x3c000 + 0xa44 + 0x1000 + 12 + 0x20);
});

test("should pass an image that fits and refuse one over the board's RAM, naming the numbers", () => {
  const fits = checkFit(getBoard("qemu-m4"), "wasm3", parseMapSections(MAP));
  assert.equal([fits.ramUsed, fits.ramFree, fits.fits, fits.reason], [260968, 262144 - 260968, true, null]);
  // a heap 12 KiB larger: 273,256 B of the 262,144 B budget
  const over = checkFit(getBoard("qemu-m4"), "wasm3", parseMapSections(MAP.replace("0x3c000", "0x3f000")));
  assert.is(over.ramUsed, 260968 + 0x3000);
  assert.is(over.fits, false);
  assert.match(over.reason!, "qemu-m4 with wasm3 does not fit: RAM 273256 B > 262144 B");
});

test.run();
