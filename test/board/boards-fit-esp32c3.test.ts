// esp32-c3-devkitm-1 (RV32IMC), built without a vendor SDK, becomes an esptool image that fits the SRAM it loads to.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fitOf } from "../fixtures/board-fit.ts";

test("should build esp32-c3-devkitm-1 (RV32IMC) into an esptool image that fits the SRAM the ROM loads it into", async () => {
  const { img, fit } = await fitOf("esp32-c3-devkitm-1", "aot");
  assert.ok(fit.fits, fit.reason ?? "");
  const bin = join(dirname(img.path), "firmware.bin");
  assert.ok(existsSync(bin), "esptool elf2image made firmware.bin");
  const b = readFileSync(bin);
  assert.is(b[0], 0xe9, "ESP image magic");
  assert.is(b.readUInt16LE(12), 0x0005, "chip id: ESP32-C3");
  const entry = b.readUInt32LE(4);
  assert.ok(entry >= 0x40380000 && entry < 0x403e0000, `entry 0x${entry.toString(16)} in SRAM (instruction bus)`);
  // no atomics or float instructions: the ELF says rv32imc
  const attrs = spawnSync("riscv64-unknown-elf-readelf", ["-A", img.path], { encoding: "utf8" }).stdout;
  assert.match(attrs, /rv32i2p\d_m2p\d_c2p\d/);
  assert.not.match(attrs, /_a2p|_f2p|_d2p/);
});

test.run();
