// How a real board is flashed: the framework-free boards built here name their uploader in the local platform's
// board JSON (firmware/platform/boards/<id>.json: openocd, esptool); the ESP32/ESP32-S3 need PlatformIO's
// espressif32 platform. Checks what is missing before anything starts, so `bitrl flash` fails at once with one line.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { BitrlError } from "../util/errors.ts";
import type { BoardProfile } from "./profiles.ts";
import { paths, repoRoot } from "./toolchain.ts";

export interface Uploader {
  /** executable name (openocd) or the venv's esptool */
  tool: string;
  /** resolved path, null when not installed */
  path: string | null;
  /** arguments with {elf}, {bin}, {port} placeholders */
  args: string[];
  /** how to install it */
  install: string;
}

const INSTALL: Record<string, string> = {
  openocd: "apt-get install openocd",
  esptool: "node scripts/setup-toolchain.mjs --esp (esptool from PyPI into .bitrl/venv)",
};

/** The PlatformIO platform spec a registry-built board needs, or null for the boards built here. */
export function registryPlatform(board: BoardProfile): string | null {
  return board.id === "esp32dev" || board.id === "esp32-s3-devkitc-1" ? "espressif32@6.9.0" : null;
}

/** True when PlatformIO's platform for a registry-built board is installed in the project's core dir. */
export function registryPlatformInstalled(board: BoardProfile): boolean {
  const spec = registryPlatform(board);
  if (!spec) return true;
  const dir = join(paths.pioCore, "platforms", spec.split("@")[0]);
  return existsSync(join(dir, "platform.json"));
}

function onPath(cmd: string): string | null {
  const r = spawnSync("sh", ["-c", `command -v ${cmd}`], { encoding: "utf8" });
  return r.status === 0 ? r.stdout.trim() : null;
}

/** The uploader of a board built here (null for registry-built and emulated boards). */
export function boardUploader(board: BoardProfile): Uploader | null {
  const json = join(repoRoot, "firmware", "platform", "boards", `${board.id}.json`);
  if (board.kind !== "real" || !existsSync(json)) return null;
  const upload =
    (JSON.parse(readFileSync(json, "utf8")) as { upload?: { bitrl_uploader?: string; bitrl_upload_args?: string[] } })
      .upload ?? {};
  const tool = upload.bitrl_uploader;
  if (!tool) return null;
  const venvTool = join(paths.venv, "bin", tool);
  const path = tool === "esptool" ? (existsSync(venvTool) ? venvTool : null) : onPath(tool);
  return { tool, path, args: upload.bitrl_upload_args ?? [], install: INSTALL[tool] ?? `install ${tool}` };
}

/** Runs the uploader with the built image; throws one line when it fails. */
export function runUploader(u: Uploader, files: { elf: string; bin: string | null; port: string }): void {
  if (!u.path) throw new BitrlError(`uploader '${u.tool}' not found: ${u.install}`);
  if (u.args.some((a) => a.includes("{bin}")) && !files.bin)
    throw new BitrlError(`no flashable image next to ${files.elf} (esptool elf2image did not run?)`);
  const args = u.args.map((a) =>
    a
      .replace("{elf}", files.elf)
      .replace("{bin}", files.bin ?? "")
      .replace("{port}", files.port),
  );
  const r = spawnSync(u.path, args, { stdio: "inherit" });
  if (r.status !== 0) throw new BitrlError(`'${u.tool} ${args.join(" ")}' failed (exit ${r.status ?? r.signal})`);
}
