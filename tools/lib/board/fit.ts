// Does a firmware image fit its board? Flash and RAM from the linker map's output sections, checked against the
// board profile's budgets (and the free RAM a board promises); a refusal names every number. Pure: no I/O.
import { BitrlError } from "../util/errors.ts";
import type { BoardProfile } from "./profiles.ts";

/** Output sections of a GNU ld map: name -> start address and size in bytes. */
export type MapSections = Record<string, { addr: number; size: number }>;

export function parseMapSections(map: string): MapSections {
  const out: MapSections = {};
  // top-level output sections start at column 0: ".text  0x08000000  0x38a3c" (possibly wrapped after a long name)
  for (const m of map.matchAll(/^(\.[A-Za-z0-9_.$]+)\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)/gm)) {
    if (!(m[1] in out)) out[m[1]] = { addr: parseInt(m[2], 16), size: parseInt(m[3], 16) };
  }
  return out;
}

/** Sections stored in flash (image) and held in RAM while running. On the ROM-loaded ESP32-C3 the code and
 *  read-only data are copied into SRAM too, so they count for both. */
const FLASH_SECTIONS = [
  ".isr_vector",
  ".text",
  ".rodata",
  ".ARM.exidx",
  ".init_array",
  ".fini_array",
  ".data",
  ".sdata",
];
const RAM_SECTIONS = [".stack", ".data", ".sdata", ".wasm3_heap", ".bss", ".sbss", ".heap"];

/** Bytes the RAM sections reserve: their sizes plus the alignment padding between neighbours (gaps under 16 B), so
 *  the figure equals the firmware's own accounting where they are contiguous (`__ram_end - __stack_limit`,
 *  firmware/src/app.c ram_linked). Sections in other regions are far apart and add only their sizes. */
export function ramReserved(sections: MapSections): number {
  const present = RAM_SECTIONS.map((n) => sections[n])
    .filter((x) => x !== undefined && x.size > 0)
    .sort((a, b) => a.addr - b.addr);
  let total = 0;
  for (let i = 0; i < present.length; i++) {
    total += present[i].size;
    const gap = i + 1 < present.length ? present[i + 1].addr - (present[i].addr + present[i].size) : 0;
    if (gap > 0 && gap < 16) total += gap;
  }
  return total;
}

export interface FitReport {
  board: string;
  backend: string;
  flashUsed: number;
  flashBytes: number;
  /** RAM reserved at link time: everything is static (wasm3's fixed heap, the AOT linear memory, stacks), so this
   *  is the peak the firmware can reach; wasm3 fails with an error before outgrowing its fixed heap */
  ramUsed: number;
  ramBytes: number;
  ramFree: number;
  minFree: number;
  fits: boolean;
  /** why not, with the numbers; null when it fits */
  reason: string | null;
}

export function checkFit(board: BoardProfile, backend: string, sections: MapSections): FitReport {
  const size = (n: string) => sections[n]?.size ?? 0;
  const romLoaded = board.id === "esp32-c3-devkitm-1";
  const flashUsed = FLASH_SECTIONS.reduce((a, n) => a + size(n), 0);
  const ramUsed = ramReserved(sections) + (romLoaded ? size(".text") + size(".rodata") : 0);
  if (!sections[".text"])
    throw new BitrlError(`the linker map of ${board.id} (${backend}) has no .text section: not a GNU ld map?`);
  const ramFree = board.ramBytes - ramUsed;
  const minFree = board.minFreeRamBytes ?? 0;
  const why: string[] = [];
  if (flashUsed > board.flashBytes) why.push(`flash ${flashUsed} B > ${board.flashBytes} B`);
  if (ramUsed > board.ramBytes) why.push(`RAM ${ramUsed} B > ${board.ramBytes} B`);
  else if (ramFree < minFree)
    why.push(
      `RAM ${ramUsed} B of ${board.ramBytes} B leaves ${ramFree} B free, under the ${minFree} B this board keeps free`,
    );
  return {
    board: board.id,
    backend,
    flashUsed,
    flashBytes: board.flashBytes,
    ramUsed,
    ramBytes: board.ramBytes,
    ramFree,
    minFree,
    fits: why.length === 0,
    reason: why.length ? `${board.id} with ${backend} does not fit: ${why.join("; ")}` : null,
  };
}

/** Throws the one-line refusal when the image does not fit. */
export function assertFits(r: FitReport): void {
  if (!r.fits) throw new BitrlError(r.reason!);
}
