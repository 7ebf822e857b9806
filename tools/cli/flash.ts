// `bitrl flash`: puts the firmware on a board and (optionally) a model blob into its inactive flash slot.
// Emulated and host boards: build, boot, upload. Real boards: PlatformIO upload, then the model over serial.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "./command.ts";
import { BACKEND_USAGE, backendFlag, parseCommandArgs } from "./command.ts";
import { BitrlError } from "../lib/util/errors.ts";
import { DEFAULT_BOARD } from "../lib/board/profiles.ts";
import {
  BOARD_FLAGS,
  backendOrBoardDefault,
  boardOrDefault,
  JSON_FLAG,
  openBoardFromFlags,
  valueFlags,
} from "./options.ts";
import { readFileChecked } from "../lib/util/files.ts";
import { decodeBlobBytes } from "../lib/format/blob-file.ts";
import { paths, pioEnv, repoRoot } from "../lib/board/toolchain.ts";
import { boardUploader, registryPlatform, registryPlatformInstalled, runUploader } from "../lib/board/uploader.ts";
import { backendEnvSuffix, buildFirmware } from "../lib/board/firmware-build.ts";
import { assertFits, checkFit, parseMapSections } from "../lib/board/fit.ts";
import { dirname } from "node:path";
import { existsSync } from "node:fs";
import { progress } from "../lib/util/progress.ts";

export const flashCommand: Command = {
  name: "flash",
  summary: "put the firmware on a board and a model into its flash (QEMU/host boards: build, boot, upload)",
  usage: `usage: bitrl flash --board B [--backend wasm3|wasm3+native|aot|wamr] [--model FILE] [--port P] [--flash FILE]

Emulated boards (qemu-m4, ...) and the native host build: builds the firmware, boots it and, with --model,
uploads the blob in checked chunks to the board's inactive model slot; the board verifies it (CRC and the C blob
reader) and only then makes it active. The board's flash is a file (default .bitrl/<board>/flash.bin), so later
'bitrl run' and 'bitrl conformance' boots find the model there.
Real boards need --port (their serial port; checked first, so a missing one fails at once). nucleo_f446re,
nrf52840_dk and esp32-c3-devkitm-1 are built here offline, checked to fit, and flashed with their uploader
(openocd, esptool; 'bitrl doctor' says what is missing). esp32dev / esp32-s3-devkitc-1: 'pio run -e <env> -t upload'
with PlatformIO's espressif32 platform (needs its registry). Then, with --model, the upload over --port.
  --board B      board profile (default ${DEFAULT_BOARD})
${BACKEND_USAGE}
  --model FILE   a .bitrl blob (validated here first)
  --port P       serial port of a real board
  --flash FILE   the flash file of an emulated or host board
  --json         print the result as JSON`,
  async run(argv) {
    const a = parseCommandArgs(this, argv, { ...BOARD_FLAGS, ...valueFlags("model", "flash"), ...JSON_FLAG });
    if (!a) return 0;
    const board = boardOrDefault(a.values);
    const blob = a.values.model ? readFileChecked(a.values.model, "model") : null;
    if (blob && a.values.model) decodeBlobBytes(a.values.model, blob); // a bad blob stops here, with the reader's reason
    if (board.kind === "real") {
      if (!board.pioEnv) throw new BitrlError(`board '${board.id}' has no PlatformIO environment`);
      if (!a.values.port)
        throw new BitrlError(
          `board '${board.id}' is a real board: pass --port with its serial port (bitrl doctor lists the ports)`,
        );
      const uploader = boardUploader(board);
      if (uploader) {
        // built here: uploader present, image built offline and checked to fit, then flashed
        if (!uploader.path)
          throw new BitrlError(`uploader '${uploader.tool}' for ${board.id} not found: ${uploader.install}`);
        const backend = backendOrBoardDefault(board, a.values.backend);
        const image = await buildFirmware(board.id, { backend });
        const mapFile = join(dirname(image.path), "firmware.map");
        if (existsSync(mapFile)) assertFits(checkFit(board, backend, parseMapSections(readFileSync(mapFile, "utf8"))));
        const bin = join(dirname(image.path), "firmware.bin");
        runUploader(uploader, { elf: image.path, bin: existsSync(bin) ? bin : null, port: a.values.port });
        if (!blob) return 0;
      }
    }
    if (board.kind === "real" && !boardUploader(board)) {
      const spec = registryPlatform(board);
      if (spec && !registryPlatformInstalled(board)) {
        throw new BitrlError(
          `board '${board.id}' needs PlatformIO's ${spec} platform, not installed here (it comes from PlatformIO's registry): run 'pio pkg install -p ${spec}' on a machine with internet (bitrl doctor)`,
        );
      }
      const backend = backendFlag(a.values.backend);
      const env = backend === "wasm3" ? board.pioEnv! : `${board.pioEnv}-${backendEnvSuffix(backend)}`;
      if (!readFileSync(join(repoRoot, "platformio.ini"), "utf8").includes(`[env:${env}]`)) {
        throw new BitrlError(
          `platformio.ini has no environment '${env}' (the ${backend} backend is built for the emulated boards only so far)`,
        );
      }
      const args = ["run", "-e", env, "-t", "upload", ...(a.values.port ? ["--upload-port", a.values.port] : [])];
      const r = spawnSync(paths.pio, args, { cwd: repoRoot, stdio: "inherit", env: pioEnv() });
      if (r.status !== 0) throw new BitrlError(`'pio ${args.join(" ")}' failed (exit ${r.status ?? r.signal})`);
      if (!blob) return 0;
      if (!a.values.port) throw new BitrlError("uploading a model to a real board needs --port");
    }
    const s = await openBoardFromFlags(board, a.values, { flashPath: a.values.flash });
    try {
      let loaded: { slot: number; seq: number } | null = null;
      if (blob) {
        if (blob.length > s.info.slot_capacity) {
          throw new BitrlError(
            `model is ${blob.length} bytes, a slot of ${board.id} holds ${s.info.slot_capacity} (${blob.length - s.info.slot_capacity} too many)`,
          );
        }
        const bar = a.values.json ? null : progress("upload", blob.length);
        loaded = await s.client.loadModel(blob, (done) => bar?.tick(done));
        bar?.done();
      }
      const info = await s.client.info();
      if (a.values.json) {
        console.log(JSON.stringify({ board: board.id, via: s.via, flash: s.flashPath, loaded, info }));
      } else {
        console.log(
          `${board.id} via ${s.via}: firmware ${info.firmware}, ${info.backend}, module ${info.module.bytes} bytes`,
        );
        if (loaded)
          console.log(
            `model ${a.values.model}: ${blob!.length} bytes verified on the board, active in slot ${loaded.slot} (sequence ${loaded.seq})`,
          );
        else
          console.log(
            info.model
              ? `active model: slot ${info.model.slot}, ${info.model.bytes} bytes`
              : "no model on the board (pass --model FILE)",
          );
        if (s.flashPath) console.log(`flash file: ${s.flashPath}`);
      }
      return 0;
    } finally {
      await s.close();
    }
  },
};
