// Where the firmware toolchain lives (PlatformIO venv, offline core dir, wasm3 sources) and how to run it offline;
// ensureToolchain() runs scripts/setup-toolchain.mjs when something is missing. Pins: scripts/toolchain/pins.json.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { BitrlError } from "../util/errors.ts";
import { repoRoot } from "../util/paths.ts";

/** The repository root (re-exported: the board code finds firmware/ and .bitrl/ from here). */
export { repoRoot };

/** scripts/toolchain/pins.json: what scripts/setup-toolchain.mjs installs and where. */
export interface Pins {
  platformio: string;
  wasm3: { sha256: string; pypi: string; patch: string };
  wamr: { sha256: string; label: string };
  esptool: { pypi: string };
  apt: Record<"arm" | "riscv" | "aot", string[]>;
  dirs: Record<"venv" | "pioCore" | "cache" | "wasm3" | "gen" | "wamr", string>;
}

let pinsRead: Pins | null = null;
/** The pins, read on first use (importing this module reads nothing). */
export function pins(): Pins {
  pinsRead ??= JSON.parse(readFileSync(join(repoRoot, "scripts/toolchain/pins.json"), "utf8")) as Pins;
  return pinsRead;
}

/** Where the toolchain lives; each path is worked out from the pins when asked for. */
export const paths = {
  get venv() {
    return join(repoRoot, pins().dirs.venv);
  },
  /** the `pio` executable inside the project venv */
  get pio() {
    return join(repoRoot, pins().dirs.venv, "bin", "pio");
  },
  get python() {
    return join(repoRoot, pins().dirs.venv, "bin", "python");
  },
  /** PLATFORMIO_CORE_DIR: packages, platforms and state, kept in the project */
  get pioCore() {
    return join(repoRoot, pins().dirs.pioCore);
  },
  /** wasm3 0.5.0 core sources (m3_*.c/h, wasm3.h), never committed */
  get wasm3() {
    return join(repoRoot, pins().dirs.wasm3);
  },
  /** WAMR's runtime core (wasm-micro-runtime as vendored by crates.io's wamr-sys), never committed */
  get wamr() {
    return join(repoRoot, pins().dirs.wamr);
  },
  /** generated sources (the agent.wasm C array) */
  get gen() {
    return join(repoRoot, pins().dirs.gen);
  },
  get setupScript() {
    return join(repoRoot, "scripts", "setup-toolchain.mjs");
  },
};

/** The pinned PlatformIO version. */
export const platformioVersion = (): string => pins().platformio;
/** What `.bitrl/wasm3/.bitrl-stamp` says once the pinned sources are checked and their op signature reordered
 *  (scripts/toolchain/wasm3-op-signature.mjs). */
export const wasm3Stamp = (): string => `${pins().wasm3.sha256} ${pins().wasm3.patch}`;
const wasm3Label = (): string =>
  `wasm3 ${pins().wasm3.pypi.split("==")[1]} (op signature: r0 first; f32 register; 32-bit bounds check; i32 and i64 registers; on Arm the i64 register and memory data in r10:r11 and r9, compiled for Cortex-M3 costs; access limits per size)`;
/** Which engine (and which version of it) a firmware backend runs, as every figure measured with it must say. */
export function engineLabel(backend: string): string {
  if (backend === "wasm3") return wasm3Label();
  if (backend === "wasm3+native") return `${wasm3Label()}, kernels bound to the firmware's C kernels`;
  if (backend === "wamr") return `${pins().wamr.label}, fast interpreter`;
  if (backend === "aot") return "wasm2c (ahead of time)";
  return backend;
}

/** Environment for running `pio` offline: project-local core dir, no telemetry, no update checks, no colour. */
export function pioEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    PLATFORMIO_CORE_DIR: paths.pioCore,
    PLATFORMIO_SETTING_ENABLE_TELEMETRY: "No",
    PLATFORMIO_SETTING_CHECK_PLATFORMIO_INTERVAL: "3650",
    PLATFORMIO_SETTING_CHECK_PRUNE_SYSTEM_THRESHOLD: "0",
    PLATFORMIO_NO_ANSI: "true",
    PLATFORMIO_DISABLE_PROGRESSBAR: "true",
    PATH: `${join(paths.venv, "bin")}:${process.env.PATH ?? ""}`,
    ...extra,
  };
}

/** Which optional groups a caller needs besides the Arm toolchain. */
export interface ToolchainNeeds {
  riscv?: boolean;
  aot?: boolean;
  /** WAMR's sources (the wamr backend) */
  wamr?: boolean;
  /** the RISC-V group plus esptool (ESP32-C3 image) */
  esp?: boolean;
}

function onPath(cmd: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${cmd}`], { stdio: "ignore" }).status === 0;
}

function stampIs(path: string, want: string): boolean {
  return existsSync(path) && readFileSync(path, "utf8") === want;
}

/** True when everything the given groups need is present (cheap: file checks and `command -v`). */
export function toolchainReady(needs: ToolchainNeeds = {}): boolean {
  const stamp = join(paths.wasm3, ".bitrl-stamp");
  if (!existsSync(paths.pio) || !existsSync(stamp) || readFileSync(stamp, "utf8") !== wasm3Stamp()) return false;
  if (!existsSync(join(paths.pioCore, "packages", "tool-scons", ".piopm"))) return false;
  if (!onPath("arm-none-eabi-gcc") || !onPath("qemu-system-arm")) return false;
  if (needs.riscv && (!onPath("riscv64-unknown-elf-gcc") || !onPath("qemu-system-riscv32"))) return false;
  if (needs.aot && !onPath("wasm2c")) return false;
  if (needs.wamr && !stampIs(join(paths.wamr, ".bitrl-stamp"), pins().wamr.sha256)) return false;
  if (
    needs.esp &&
    (!onPath("riscv64-unknown-elf-gcc") || !stampIs(join(paths.venv, ".bitrl-esptool"), pins().esptool.pypi))
  )
    return false;
  return true;
}

/** Installs what is missing (see scripts/setup-toolchain.mjs); quick when all is there. */
export function ensureToolchain(needs: ToolchainNeeds = {}): void {
  if (toolchainReady(needs)) return;
  const args = [
    paths.setupScript,
    ...(needs.riscv ? ["--riscv"] : []),
    ...(needs.aot ? ["--aot"] : []),
    ...(needs.wamr ? ["--wamr"] : []),
    ...(needs.esp ? ["--esp"] : []),
  ];
  // progress to stderr: stdout of a --json command stays its one JSON line even when the setup runs first
  const r = spawnSync(process.execPath, args, { cwd: repoRoot, stdio: ["ignore", 2, 2] });
  if (r.status !== 0)
    throw new BitrlError(
      `toolchain setup failed (exit ${r.status ?? r.signal}); run 'node scripts/setup-toolchain.mjs' to see why`,
    );
}
