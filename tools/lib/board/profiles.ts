// Board profiles: what each supported board offers the agent (CPU, clock, RAM, flash, FPU, tick unit) and the
// active-power figure energy estimates use, with the datasheet it came from. Pure data and arithmetic, no I/O.
import { BitrlError } from "../util/errors.ts";

export type BoardId =
  | "qemu-m4"
  | "qemu-m4-esp32"
  | "qemu-rv32"
  | "qemu-stm32f4"
  | "host"
  | "esp32dev"
  | "esp32-s3-devkitc-1"
  | "esp32-c3-devkitm-1"
  | "nucleo_f446re"
  | "nrf52840_dk";

/** What one hal_clock() tick is on this board. */
export type ClockUnit = "instructions" | "cycles" | "ns";

/** An active-power figure for *estimated* energy (energy = time x power), with where it came from. */
export interface PowerFigure {
  /** typical supply current while the CPU runs code, radios off, in mA */
  activeCurrentMa: number;
  /** supply voltage the figure was given at, in V */
  supplyV: number;
  /** document, revision-independent table name, and the row used */
  source: string;
  /** the datasheet conditions of that row (clock, regulator, peripherals) */
  condition: string;
  /** true: compared with a copy of the cited table (found with the project's document search); false: transcribed
   *  from the cited table without such a check (no internet here); check before publishing a number that depends
   *  on it */
  checked: boolean;
}

export interface BoardProfile {
  id: BoardId;
  title: string;
  /** emulated (QEMU), real (users flash it), host (native build on the development machine) */
  kind: "emulated" | "real" | "host";
  cpu: string;
  /** compiler target as given to gcc (-mcpu / -march), informative */
  isa: string;
  /** clock used to turn ticks into seconds; on QEMU the emulated chip's clock, assuming 1 instruction/cycle */
  clockHz: number;
  clockUnit: ClockUnit;
  /** RAM the firmware may use in total (wasm3 runtime + linear memory + stacks); the linker script enforces it
   *  on the QEMU boards, and tools refuse images whose peak RAM exceeds it */
  ramBytes: number;
  /** flash for the firmware image (code + read-only data incl. the embedded agent.wasm) */
  flashBytes: number;
  /** flash reserved for model slots (hal_flash_size()) */
  modelFlashBytes: number;
  fpu: "none" | "sp" | "dp";
  /** environment name in platformio.ini, null for the host build */
  pioEnv: string | null;
  /** for QEMU boards: the real chip whose RAM budget and power figure the board stands for */
  emulates: { chip: string; why: string } | null;
  /** null for the host (no meaningful figure) */
  power: PowerFigure | null;
  /** what was verified in this repository: "emulated" = built and booted under QEMU here; "native" = built and
   *  run on the host here; "built" = built here (framework-free), its HAL pieces tested under QEMU where a model
   *  exists, never run on hardware; "compile-checked" = its C core and HAL compiled for the CPU here (no full
   *  toolchain); "unbuilt" = never compiled here */
  verifiedHere: "emulated" | "native" | "built" | "compile-checked" | "unbuilt";
  /** RAM that must stay free after the agent's peak, when the board promises it (fit.ts refuses less) */
  minFreeRamBytes?: number;
  /** the exact command that flashes the board (README boards table, docs/boards.md) */
  flashCommand?: string;
  /** the agent engine the board's own PlatformIO environment builds (default wasm3); others are `<env>-<backend>` */
  defaultBackend?: "wasm3" | "aot";
}

const KiB = 1024;
const MiB = 1024 * 1024;

const NRF52840_POWER: PowerFigure = {
  activeCurrentMa: 3.3,
  supplyV: 3.0,
  source: "Nordic nRF52840 Product Specification, section 'CPU' current consumption, I_CPU1 (CoreMark from flash)",
  condition: "64 MHz, HFXO, DC/DC regulator, cache enabled, 3 V",
  checked: false,
};

const ESP32C3_POWER: PowerFigure = {
  activeCurrentMa: 28,
  supplyV: 3.3,
  source: "Espressif ESP32-C3 Series Datasheet, table 'Current Consumption in Modem-sleep Mode'",
  condition: "160 MHz, CPU running, all peripheral clocks enabled, RF off, 3.3 V",
  checked: false,
};

const ESP32_POWER: PowerFigure = {
  activeCurrentMa: 68,
  supplyV: 3.3,
  source: "Espressif ESP32 Series Datasheet v3.5, Table 6 'Power Consumption by Power Modes', Modem-sleep row",
  condition: "240 MHz, dual-core chip, CPU powered on, RF off: range 30-68 mA, upper end used (busy CPU)",
  checked: true,
};

/** The STM32F446's run current, shared by the Nucleo board and its emulated stand-in. */
const STM32F446_POWER: BoardProfile["power"] = {
  activeCurrentMa: 38,
  supplyV: 3.3,
  source:
    "ST STM32F446xC/E datasheet (DS10693), table 'Typical and maximum current consumption in Run mode, code with " +
    "data processing running from Flash memory (ART accelerator enabled except prefetch)'",
  condition: "180 MHz (over-drive), all peripherals disabled, typical, 25 C",
  checked: false,
};

const BOARDS_LIST: BoardProfile[] = [
  {
    id: "qemu-m4",
    title: "QEMU mps2-an386 (Cortex-M4F), standing for an nRF52840",
    kind: "emulated",
    cpu: "Cortex-M4F",
    isa: "-mcpu=cortex-m4 -mfloat-abi=hard -mfpu=fpv4-sp-d16",
    clockHz: 64_000_000,
    clockUnit: "instructions",
    ramBytes: 256 * KiB,
    flashBytes: 1 * MiB,
    modelFlashBytes: 4 * MiB,
    fpu: "sp",
    pioEnv: "qemu-m4",
    emulates: {
      chip: "nRF52840 (Cortex-M4F, 64 MHz, 256 KiB RAM)",
      why:
        "128 KiB (STM32F446) cannot hold the agent: its linear memory alone is 2 x 64 KiB pages (asconfig.json) " +
        "before wasm3's runtime, compiled code pages and stacks; 256 KiB is the next common Cortex-M4F size. " +
        "Model slots live in the emulator's 0x21000000 region, modelling external memory-mapped (QSPI) flash, not RAM",
    },
    power: NRF52840_POWER,
    verifiedHere: "emulated",
  },
  {
    id: "qemu-m4-esp32",
    title: "QEMU mps2-an386 (Cortex-M4F) with an ESP32's 520 KiB SRAM and 240 MHz, for language models",
    kind: "emulated",
    cpu: "Cortex-M4F",
    isa: "-mcpu=cortex-m4 -mfloat-abi=hard -mfpu=fpv4-sp-d16",
    clockHz: 240_000_000,
    clockUnit: "instructions",
    ramBytes: 520 * KiB,
    flashBytes: 4 * MiB,
    modelFlashBytes: 4 * MiB,
    fpu: "sp",
    pioEnv: "qemu-m4-esp32",
    emulates: {
      chip: "ESP32 (520 KiB SRAM, 4 MiB flash, 240 MHz), on a Cortex-M4F instruction set",
      why:
        "the language models (docs/lm.md) need a KV cache and buffers that do not fit qemu-m4's 256 KiB; QEMU here " +
        "has no Xtensa ESP32, so the ESP32's memory budget and clock are modelled on the emulated Cortex-M4F: " +
        "instruction counts are a Cortex-M4's, and tokens/s at 240 MHz assume one instruction per cycle (estimated). " +
        "An ESP-IDF app gets about 320 KiB of that SRAM as heap (the esp32dev profile)",
    },
    power: ESP32_POWER,
    verifiedHere: "emulated",
  },
  {
    id: "qemu-rv32",
    title: "QEMU virt (rv32imc, no atomics or FPU), standing for an ESP32-C3",
    kind: "emulated",
    cpu: "RV32IMC",
    isa: "-march=rv32imc -mabi=ilp32",
    clockHz: 160_000_000,
    clockUnit: "instructions",
    ramBytes: 256 * KiB,
    flashBytes: 4 * MiB,
    modelFlashBytes: 4 * MiB,
    fpu: "none",
    pioEnv: "qemu-rv32",
    emulates: {
      chip: "ESP32-C3 (RV32IMC, 160 MHz, 400 KiB SRAM)",
      why: "the closest common RISC-V microcontroller without an FPU; the budget matches qemu-m4 so the two compare",
    },
    power: ESP32C3_POWER,
    verifiedHere: "emulated",
  },
  {
    id: "qemu-stm32f4",
    title: "QEMU netduinoplus2 (STM32F405, Cortex-M4F), standing for a NUCLEO-F446RE",
    kind: "emulated",
    cpu: "Cortex-M4F",
    isa: "-mcpu=cortex-m4 -mfloat-abi=hard -mfpu=fpv4-sp-d16",
    clockHz: 180_000_000,
    clockUnit: "instructions",
    ramBytes: 128 * KiB,
    flashBytes: 512 * KiB,
    modelFlashBytes: 64 * KiB,
    fpu: "sp",
    pioEnv: "qemu-stm32f4",
    emulates: {
      chip: "STM32F446RE (Cortex-M4F, 180 MHz, 128 KiB RAM)",
      why:
        "QEMU's STM32F4 model with the real ST USART, so the Nucleo's USART driver is the code booted here; the RAM " +
        "budget is the F446's 128 KiB (QEMU maps 192 KiB). QEMU 7.2 ignores flash writes and reads RCC and DWT as 0: " +
        "model slots are a host file over semihosting, the clock is SysTick under -icount",
    },
    power: STM32F446_POWER,
    verifiedHere: "emulated",
    defaultBackend: "aot",
  },
  {
    id: "host",
    title: "native build on the development machine (wasm3 compiled by the system cc)",
    kind: "host",
    cpu: "host CPU",
    isa: "native",
    clockHz: 1_000_000_000,
    clockUnit: "ns",
    ramBytes: 256 * KiB,
    flashBytes: 64 * MiB,
    modelFlashBytes: 4 * MiB,
    fpu: "dp",
    pioEnv: null,
    emulates: null,
    power: null,
    verifiedHere: "native",
  },
  {
    id: "esp32dev",
    title: "ESP32-DevKitC with an ESP32-WROVER (Xtensa LX6 dual core, PSRAM needed)",
    kind: "real",
    cpu: "Xtensa LX6",
    isa: "xtensa-esp32",
    clockHz: 240_000_000,
    clockUnit: "cycles",
    ramBytes: 320 * KiB,
    flashBytes: 1536 * KiB,
    modelFlashBytes: 1 * MiB,
    fpu: "sp",
    pioEnv: "esp32dev",
    emulates: null,
    power: ESP32_POWER,
    verifiedHere: "compile-checked",
    flashCommand: "pio run -e esp32dev -t upload --upload-port <port>",
  },
  {
    id: "esp32-s3-devkitc-1",
    title: "ESP32-S3-DevKitC-1 (Xtensa LX7 dual core)",
    kind: "real",
    cpu: "Xtensa LX7",
    isa: "xtensa-esp32s3",
    clockHz: 240_000_000,
    clockUnit: "cycles",
    ramBytes: 320 * KiB,
    flashBytes: 3 * MiB,
    modelFlashBytes: 4 * MiB,
    fpu: "sp",
    pioEnv: "esp32-s3-devkitc-1",
    emulates: null,
    power: {
      activeCurrentMa: 50,
      supplyV: 3.3,
      source: "Espressif ESP32-S3 Series Datasheet, table 'Current Consumption in Modem-sleep Mode'",
      condition: "240 MHz, one core running code, the other idle, peripheral clocks off, RF off, 3.3 V (approximate)",
      checked: false,
    },
    verifiedHere: "compile-checked",
    flashCommand: "pio run -e esp32-s3-devkitc-1 -t upload --upload-port <port>",
  },
  {
    id: "esp32-c3-devkitm-1",
    title: "ESP32-C3-DevKitM-1 (RISC-V RV32IMC), ROM-loaded image, no ESP-IDF",
    kind: "real",
    cpu: "RV32IMC",
    isa: "-march=rv32imc -mabi=ilp32",
    clockHz: 160_000_000,
    clockUnit: "cycles",
    // the image is loaded into SRAM by the ROM: code, data, linear memory and stacks share the 376 KiB it leaves
    ramBytes: 376 * KiB,
    flashBytes: 376 * KiB,
    modelFlashBytes: 0,
    fpu: "none",
    pioEnv: "esp32-c3-devkitm-1",
    emulates: null,
    power: ESP32C3_POWER,
    verifiedHere: "built",
    defaultBackend: "aot",
    flashCommand: "bitrl flash --board esp32-c3-devkitm-1 --port <port>  (esptool write_flash 0x0 firmware.bin)",
  },
  {
    id: "nucleo_f446re",
    title: "NUCLEO-F446RE (STM32F446RE, Cortex-M4F)",
    kind: "real",
    cpu: "Cortex-M4F",
    isa: "-mcpu=cortex-m4 -mfloat-abi=hard -mfpu=fpv4-sp-d16",
    clockHz: 180_000_000,
    clockUnit: "cycles",
    ramBytes: 128 * KiB,
    flashBytes: 256 * KiB,
    modelFlashBytes: 128 * KiB,
    fpu: "sp",
    pioEnv: "nucleo_f446re",
    emulates: null,
    power: STM32F446_POWER,
    verifiedHere: "built",
    defaultBackend: "aot",
    flashCommand: "bitrl flash --board nucleo_f446re  (openocd -f board/st_nucleo_f4.cfg, ST-LINK)",
  },
  {
    id: "nrf52840_dk",
    title: "nRF52840-DK (nRF52840, Cortex-M4F)",
    kind: "real",
    cpu: "Cortex-M4F",
    isa: "-mcpu=cortex-m4 -mfloat-abi=hard -mfpu=fpv4-sp-d16",
    clockHz: 64_000_000,
    clockUnit: "cycles",
    ramBytes: 256 * KiB,
    flashBytes: 512 * KiB,
    modelFlashBytes: 448 * KiB,
    fpu: "sp",
    pioEnv: "nrf52840_dk",
    emulates: null,
    power: NRF52840_POWER,
    verifiedHere: "built",
    defaultBackend: "aot",
    minFreeRamBytes: 32 * KiB,
    flashCommand:
      "bitrl flash --board nrf52840_dk --port <port>  (openocd with the on-board J-Link; --port is the VCP)",
  },
];

/** Every board, in the order the docs list them. */
export const BOARDS: readonly BoardProfile[] = BOARDS_LIST;

export const DEFAULT_BOARD: BoardId = "qemu-m4";

/** The profile of a board id; a clear error listing the valid ids otherwise. */
export function getBoard(id: string): BoardProfile {
  const b = BOARDS_LIST.find((x) => x.id === id);
  if (!b) throw new BitrlError(`unknown board '${id}' (boards: ${BOARDS_LIST.map((x) => x.id).join(", ")})`);
  return b;
}

/** How a board's tick counts are obtained, for labelling figures: emulated (QEMU), measured (real) or host. */
export function tickKind(board: BoardProfile): "emulated" | "measured" | "host" {
  return board.kind === "emulated" ? "emulated" : board.kind === "real" ? "measured" : "host";
}

/** Seconds for `ticks` of hal_clock() on this board. On QEMU boards this assumes one instruction per cycle at
 *  the emulated chip's clock, which makes the result an *emulated* figure, not a measurement. */
export function ticksToSeconds(board: BoardProfile, ticks: number): number {
  if (!Number.isFinite(ticks) || ticks < 0) throw new BitrlError(`ticks must be a finite number >= 0, got ${ticks}`);
  return ticks / board.clockHz;
}

/** Active power in W from the board's cited figure. */
export function activePowerW(board: BoardProfile): number {
  if (!board.power) throw new BitrlError(`board '${board.id}' has no power figure; energy cannot be estimated`);
  return (board.power.activeCurrentMa / 1000) * board.power.supplyV;
}

/** An *estimated* energy: time (from ticks) x active power (from the datasheet figure). */
export function estimateEnergy(
  board: BoardProfile,
  ticks: number,
): { joules: number; seconds: number; kind: "estimated"; basis: string } {
  const seconds = ticksToSeconds(board, ticks);
  const p = board.power!;
  const joules = seconds * activePowerW(board);
  const via = board.emulates
    ? ` (QEMU instruction count at ${board.clockHz / 1e6} MHz, CPI 1 assumed, for ${board.emulates.chip})`
    : "";
  return {
    joules,
    seconds,
    kind: "estimated",
    basis: `${p.activeCurrentMa} mA x ${p.supplyV} V from ${p.source}; ${p.condition}${via}`,
  };
}
