// Flash and peak RAM per board and backend, from each build's linker map (tools/lib/board/fit.ts): every board built
// here, with whether it fits its budget and why not. RAM is what the image reserves at link time (stacks, wasm3's
// fixed heap or the AOT linear memory, buffers): all static, so it is the peak the firmware can reach. Prints a
// table and one JSON line. usage: node --import tsx bench/board-sizes.ts
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { buildFirmware, type Backend } from "../tools/lib/board/firmware-build.ts";
import { checkFit, parseMapSections, type FitReport } from "../tools/lib/board/fit.ts";
import { getBoard } from "../tools/lib/board/profiles.ts";

const BUILDS: [string, Backend][] = [
  ["qemu-m4", "wasm3"],
  ["qemu-m4", "aot"],
  ["qemu-stm32f4", "aot"],
  ["nucleo_f446re", "aot"],
  ["nrf52840_dk", "aot"],
  ["nrf52840_dk", "wasm3"],
  ["esp32-c3-devkitm-1", "aot"],
];

const rows: FitReport[] = [];
for (const [board, backend] of BUILDS) {
  const img = await buildFirmware(board, { backend });
  const map = join(dirname(img.path), "firmware.map");
  if (!existsSync(map)) throw new Error(`${board} ${backend}: no linker map next to ${img.path}`);
  rows.push(checkFit(getBoard(board), backend, parseMapSections(readFileSync(map, "utf8"))));
}
const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
console.log("| board | backend | flash | of | peak RAM (linked) | of | free | fits |");
console.log("|---|---|---|---|---|---|---|---|");
for (const r of rows) {
  console.log(
    `| ${r.board} | ${r.backend} | ${r.flashUsed} B | ${kib(r.flashBytes)} | ${r.ramUsed} B | ${kib(r.ramBytes)} | ${r.ramFree} B | ${r.fits ? "yes" : `no: ${r.reason!.replace(/^.*does not fit: /, "")}`} |`,
  );
}
console.log(JSON.stringify({ bench: "board-sizes", kind: "linker map (built here)", rows }));
