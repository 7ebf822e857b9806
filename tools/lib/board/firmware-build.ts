// Builds firmware images: emulated boards through PlatformIO offline (`pio run -e <env>`), and the native `host`
// board with the system cc. Installs the toolchain when missing and caches by a hash of every input, so a repeated
// call with nothing changed returns at once.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { join, relative, resolve } from "node:path";
import { getBoard, type BoardId } from "./profiles.ts";
import { crc32 } from "../util/crc32.ts";
import { BitrlError } from "../util/errors.ts";
import { agentWasmPath } from "../runtime/wasm.ts";
import { ensureToolchain, paths, pioEnv, repoRoot } from "./toolchain.ts";

export type Backend = "wasm3" | "wasm3+native" | "aot" | "wamr";

/** Every backend: the engine, and for wasm3 the kernel binding (docs/abi.md "Kernel imports"). */
export const BACKENDS: readonly Backend[] = ["wasm3", "wasm3+native", "aot", "wamr"];

/** The PlatformIO environment suffix of a backend ("wasm3+native" -> "native"). */
export function backendEnvSuffix(backend: Backend): string {
  return backend === "wasm3+native" ? "native" : backend;
}

export interface FirmwareBuildOptions {
  /** engine for the agent module: wasm3 (default), wasm3+native (wasm3 with the kernel imports bound to C kernels),
   *  aot (wasm2c) or wamr (WAMR's fast interpreter); docs/aot.md, docs/abi.md */
  backend?: Backend;
  /** application sources instead of firmware/src (the toolchain self-test uses scripts/toolchain/selftest) */
  srcDir?: string;
  /** the agent module to embed; default build/agent.wasm, build/agent.aot.wasm for the aot backend */
  wasm?: string;
  /** rebuild even when the inputs are unchanged */
  force?: boolean;
  /** print the compiler's output (default: only on failure) */
  verbose?: boolean;
  /** extra build flags appended to the environment's build_flags (PLATFORMIO_BUILD_FLAGS), e.g. a wasm3 setting */
  buildFlags?: string[];
}

export interface FirmwareImage {
  board: BoardId;
  /** the ELF (emulated boards) or executable (host); a stable copy that later builds replace atomically */
  path: string;
  /** true when nothing changed and the previous build was returned */
  cached: boolean;
  /** hash of all inputs */
  key: string;
  /** section sizes from the linker (bytes); ram = everything in RAM, incl. stack, heaps and wasm3's fixed heap */
  sizes: { text: number; data: number; bss: number; ram: number } | null;
  buildMs: number;
}

/** Sources of the toolchain self-test firmware (boots, answers, counts, keeps flash). */
export const SELFTEST_SRC = join(repoRoot, "scripts", "toolchain", "selftest");

const BOARD_ENVS: Partial<Record<BoardId, string>> = {
  "qemu-m4": "qemu-m4",
  "qemu-m4-esp32": "qemu-m4-esp32",
  "qemu-rv32": "qemu-rv32",
  "qemu-stm32f4": "qemu-stm32f4",
  // real boards built here without a vendor SDK (docs/boards.md); flashed with `bitrl flash`
  nucleo_f446re: "nucleo_f446re",
  nrf52840_dk: "nrf52840_dk",
  "esp32-c3-devkitm-1": "esp32-c3-devkitm-1",
};

// ---- input hashing ---------------------------------------------------------------------------------------------
function listFiles(dir: string, exts: RegExp): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...listFiles(p, exts));
    else if (exts.test(e.name)) out.push(p);
  }
  return out.sort();
}

function hashInputs(files: string[], extra: string): string {
  const h = createHash("sha256").update(extra);
  for (const f of files) {
    h.update(relative(repoRoot, f)).update("\0");
    h.update(existsSync(f) ? readFileSync(f) : Buffer.from("<missing>")).update("\0");
  }
  return h.digest("hex").slice(0, 16);
}

// ---- one build at a time per output (other engineers and test files share this tree) ----------------------------
async function withLock<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const lock = join(repoRoot, ".bitrl", "fw", `${name}.lock`);
  mkdirSync(join(repoRoot, ".bitrl", "fw"), { recursive: true });
  const start = Date.now();
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, "pid"), String(process.pid));
      break;
    } catch {
      let owner = 0;
      try {
        owner = Number(readFileSync(join(lock, "pid"), "utf8"));
      } catch {}
      let alive = owner > 0;
      if (alive) {
        try {
          process.kill(owner, 0);
        } catch {
          alive = false;
        }
      }
      // A lock without a live owner is stale (a killed build); one whose pid file is not written yet is young.
      const age = Date.now() - (existsSync(lock) ? statSync(lock).mtimeMs : 0);
      if (!alive && (owner > 0 || age > 5000)) rmSync(lock, { recursive: true, force: true });
      else if (Date.now() - start > 10 * 60_000)
        throw new BitrlError(`firmware build '${name}' is locked by process ${owner} for over 10 min (${lock})`);
      else await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function run(
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  verbose: boolean,
): Promise<{ code: number; out: string }> {
  return new Promise((res, rej) => {
    const p = spawn(cmd, args, { cwd: repoRoot, env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    const take = (d: Buffer) => {
      out += d.toString("utf8");
      if (verbose) process.stderr.write(d);
    };
    p.stdout.on("data", take);
    p.stderr.on("data", take);
    p.on("error", rej);
    p.on("close", (code) => res({ code: code ?? 1, out }));
  });
}

/** Section sizes of an ELF via the cross `size -A` (bytes). */
function elfSizes(sizeTool: string, elf: string): Promise<FirmwareImage["sizes"]> {
  return run(sizeTool, ["-A", "-d", elf], process.env, false).then(({ code, out }) => {
    if (code !== 0) return null;
    const sec: Record<string, number> = {};
    for (const m of out.matchAll(/^(\.\S+)\s+(\d+)\s+(\d+)/gm)) sec[m[1]] = Number(m[2]);
    const sum = (names: string[]) => names.reduce((a, n) => a + (sec[n] ?? 0), 0);
    const text = sum([".isr_vector", ".text", ".rodata", ".ARM.exidx", ".init_array", ".fini_array"]);
    const data = sum([".data", ".sdata"]);
    const bss = sum([".bss", ".sbss", ".wasm3_heap"]);
    return { text, data, bss, ram: data + bss + sum([".heap", ".stack"]) };
  });
}

function lastLines(out: string, n: number): string {
  const errs = out
    .split("\n")
    .filter(
      (l) =>
        /error|bitrl platform|\*\*\*|undefined reference|overflow|exceeded|No such file/i.test(l) &&
        !/FAILED|succeeded/.test(l),
    );
  return (errs.length ? errs : out.trim().split("\n")).slice(-n).join(" | ");
}

/** The value of `name` in platformio.ini's [env:`env`] section itself (not what it extends), if set there. */
function envOption(ini: string, env: string, name: string): string | undefined {
  const start = ini.indexOf(`[env:${env}]`);
  if (start < 0) return undefined;
  const next = ini.indexOf("\n[", start + 1);
  const section = ini.slice(start, next < 0 ? undefined : next);
  const m = new RegExp(`^${name}\\s*=\\s*(\\S+)`, "m").exec(section);
  return m ? m[1] : undefined;
}

/** Builds the firmware for an emulated board with PlatformIO (offline) and returns the ELF. */
export async function buildFirmware(boardId: string, opts: FirmwareBuildOptions = {}): Promise<FirmwareImage> {
  const board = getBoard(boardId);
  if (board.id === "host") return buildHostFirmware(opts);
  const backend = opts.backend ?? board.defaultBackend ?? "wasm3";
  let env = BOARD_ENVS[board.id];
  if (!env) {
    throw new BitrlError(
      `board '${board.id}' is built on a user's machine with 'pio run -e ${board.pioEnv} -t upload' (needs PlatformIO's registry; see docs/boards.md)`,
    );
  }
  const ini = readFileSync(join(repoRoot, "platformio.ini"), "utf8");
  if (backend === (board.defaultBackend ?? "wasm3")) {
    // the board's own environment builds this engine
  } else if (
    backend === "aot" ||
    backend === "wamr" ||
    backend === "wasm3+native" ||
    (backend === "wasm3" && ini.includes(`[env:${env}-wasm3]`))
  ) {
    const suffix = backendEnvSuffix(backend);
    if (!ini.includes(`[env:${env}-${suffix}]`))
      throw new BitrlError(
        `backend '${backend}' has no PlatformIO environment '${env}-${suffix}' in platformio.ini yet`,
      );
    env = `${env}-${suffix}`;
  } else if (backend !== "wasm3") {
    throw new BitrlError(`unknown backend '${backend}' (${BACKENDS.join(", ")})`);
  } else {
    throw new BitrlError(
      `board '${board.id}' runs the agent with the ${board.defaultBackend} backend only (wasm3 does not fit its ${board.ramBytes / 1024} KiB RAM; docs/boards.md)`,
    );
  }
  const srcDir = resolve(opts.srcDir ?? join(repoRoot, "firmware", "src"));
  if (!existsSync(srcDir)) throw new BitrlError(`firmware source folder ${srcDir} not found`);
  // the module the environment compiles (platformio.ini's custom_agent_wasm): the AOT module with its indexed loops
  // where the whole linear memory is mapped, the release module where only part of it is (docs/aot.md)
  const iniWasm = envOption(ini, env, "custom_agent_wasm");
  const defaultWasm = resolve(iniWasm ? join(repoRoot, iniWasm) : agentWasmPath(backend === "aot" ? "aot" : "release"));
  const wasm = resolve(opts.wasm ?? defaultWasm);
  if (!existsSync(wasm)) throw new BitrlError(`${wasm} not found: run 'node scripts/build.mjs' first`);
  const riscv = board.id === "qemu-rv32" || board.id === "esp32-c3-devkitm-1";
  ensureToolchain({ riscv, esp: board.id === "esp32-c3-devkitm-1", aot: backend === "aot", wamr: backend === "wamr" });

  const extraFlags = (opts.buildFlags ?? []).join(" ");
  const custom =
    opts.srcDir || extraFlags
      ? "-" + createHash("sha256").update(`${srcDir}\0${extraFlags}`).digest("hex").slice(0, 8)
      : "";
  const variant = `${env}${custom}`;
  const outDir = join(repoRoot, ".bitrl", "fw", variant);
  const elfOut = join(outDir, "firmware.elf");
  const src = /\.(c|h|S|s|ld|json|py|ini)$/;
  const inputs = [
    ...listFiles(srcDir, src),
    ...listFiles(join(repoRoot, "firmware", "src"), /\.h$/),
    ...listFiles(join(repoRoot, "firmware", "boards", board.id), src),
    ...listFiles(join(repoRoot, "firmware", "boards", "common"), src),
    ...listFiles(join(repoRoot, "firmware", "boards", "cortex-m"), src),
    ...["stm32f4", "nrf5", "baremetal"].flatMap((d) => listFiles(join(repoRoot, "firmware", "boards", d), src)),
    ...listFiles(join(repoRoot, "firmware", "platform"), src),
    join(repoRoot, "platformio.ini"),
    join(paths.wasm3, ".bitrl-stamp"),
    wasm,
    ...(backend === "aot"
      ? [...listFiles(join(repoRoot, "firmware", "aot"), src), join(repoRoot, "scripts", "aot-gen.mjs")]
      : []),
    ...(backend === "wamr"
      ? [...listFiles(join(repoRoot, "firmware", "wamr"), src), join(paths.wamr, ".bitrl-stamp")]
      : []),
  ];
  const key = hashInputs(inputs, `${env}\0${srcDir}\0${wasm}\0${extraFlags}`);
  const keyFile = join(outDir, "key");
  const sizeTool = riscv ? "riscv64-unknown-elf-size" : "arm-none-eabi-size";
  if (!opts.force && existsSync(elfOut) && existsSync(keyFile) && readFileSync(keyFile, "utf8") === key) {
    return { board: board.id, path: elfOut, cached: true, key, sizes: await elfSizes(sizeTool, elfOut), buildMs: 0 };
  }

  return withLock(variant, async () => {
    const t0 = Date.now();
    const buildDir = join(repoRoot, ".bitrl", "pio-build", variant);
    const e = pioEnv({
      PLATFORMIO_SRC_DIR: srcDir,
      PLATFORMIO_BUILD_DIR: buildDir,
      PLATFORMIO_BUILD_FLAGS: extraFlags,
    });
    const customWasm = wasm !== defaultWasm;
    const args = ["run", "-e", env!, ...(customWasm ? ["-O", `custom_agent_wasm = ${relative(repoRoot, wasm)}`] : [])];
    const { code, out } = await run(paths.pio, args, e, !!opts.verbose);
    if (code !== 0) throw new BitrlError(`pio run -e ${env} failed: ${lastLines(out, 4)}`);
    const built = join(buildDir, env!, "program.elf");
    if (!existsSync(built)) throw new BitrlError(`pio run -e ${env} produced no ${built}`);
    mkdirSync(outDir, { recursive: true });
    copyFileSync(built, `${elfOut}.tmp`);
    renameSync(`${elfOut}.tmp`, elfOut);
    // the linker map (flash/RAM per section, tools/lib/board/fit.ts) and, for the ESP32-C3, esptool's image
    for (const extra of ["firmware.map", "firmware.bin"]) {
      const from = join(buildDir, env!, extra);
      if (existsSync(from)) {
        copyFileSync(from, join(outDir, `${extra}.tmp`));
        renameSync(join(outDir, `${extra}.tmp`), join(outDir, extra));
      }
    }
    writeFileSync(`${keyFile}.tmp`, key);
    renameSync(`${keyFile}.tmp`, keyFile);
    return {
      board: board.id,
      path: elfOut,
      cached: false,
      key,
      sizes: await elfSizes(sizeTool, elfOut),
      buildMs: Date.now() - t0,
    };
  });
}

/** wasm3 settings for the host build: the [bitrl] wasm3_flags of platformio.ini plus a fixed heap (64-bit
 *  pointers make wasm3's own structures larger than on the 32-bit boards, so the host gets more). */
function hostWasm3Flags(): string[] {
  const ini = readFileSync(join(repoRoot, "platformio.ini"), "utf8");
  const m = /^\[bitrl\][\s\S]*?^wasm3_flags\s*=\s*\n((?:[ \t]+.*\n)+)/m.exec(ini);
  const flags = m ? m[1].split(/\s+/).filter((f) => f.startsWith("-D")) : [];
  return [...flags, "-Dd_m3FixedHeap=524288"];
}

/** Compiles an engine's C (or assembly) sources for the host build into objects, without warnings (not our code),
 *  only when its inputs (the sources' stamp, settings headers) or the flags change; returns the object paths. */
async function compileEngine(
  name: string,
  sources: string[],
  flags: string[],
  inputs: string[],
  outDir: string,
): Promise<string[]> {
  const objKey = hashInputs(inputs, flags.join(" "));
  const objDir = join(outDir, `${name}-obj-${objKey}`);
  const objs = sources.map((f) =>
    join(
      objDir,
      f
        .split("/")
        .pop()!
        .replace(/\.[cs]$/, ".o"),
    ),
  );
  const objKeyFile = join(objDir, "key");
  if (existsSync(objKeyFile) && readFileSync(objKeyFile, "utf8") === objKey && objs.every((o) => existsSync(o)))
    return objs;
  rmSync(objDir, { recursive: true, force: true });
  mkdirSync(objDir, { recursive: true });
  for (let i = 0; i < sources.length; i += 2) {
    const batch = sources
      .slice(i, i + 2)
      .map((f, j) => run("cc", [...flags, "-w", "-c", f, "-o", objs[i + j]], process.env, false));
    for (const r of await Promise.all(batch))
      if (r.code !== 0) throw new BitrlError(`host build of ${name} failed: ${lastLines(r.out, 3)}`);
  }
  writeFileSync(objKeyFile, objKey);
  return objs;
}

/** Builds the native `host` firmware (firmware/src + firmware/boards/host + wasm3) with the system cc into
 *  .bitrl/host/bitrl-fw: serial on stdin/stdout, clock in ns, flash in the file named by BITRL_FLASH. */
export async function buildHostFirmware(opts: FirmwareBuildOptions = {}): Promise<FirmwareImage> {
  const backend = opts.backend ?? "wasm3";
  if (!BACKENDS.includes(backend)) throw new BitrlError(`unknown backend '${backend}' (${BACKENDS.join(", ")})`);
  const aot = backend === "aot";
  const wamr = backend === "wamr";
  const srcDir = resolve(opts.srcDir ?? join(repoRoot, "firmware", "src"));
  const wasm = resolve(opts.wasm ?? agentWasmPath(aot ? "aot" : "release"));
  if (!existsSync(wasm)) throw new BitrlError(`${wasm} not found: run 'node scripts/build.mjs' first`);
  ensureToolchain({ aot, wamr });
  const extraFlags = opts.buildFlags ?? [];
  const custom =
    opts.srcDir || extraFlags.length
      ? "-" +
        createHash("sha256")
          .update(`${srcDir}\0${extraFlags.join(" ")}`)
          .digest("hex")
          .slice(0, 8)
      : "";
  const variant = `host${backend === "wasm3" ? "" : `-${backendEnvSuffix(backend)}`}${custom}`;
  const outDir = join(repoRoot, ".bitrl", "host");
  const exe = join(outDir, variant === "host" ? "bitrl-fw" : `bitrl-fw-${variant.slice(5)}`);
  // the AOT build swaps the wasm3 engine (vm_wasm3.c + wasm3) for the wasm2c module and firmware/aot
  const aotDir = join(repoRoot, "firmware", "aot");
  const wasm3Engine = backend === "wasm3" || backend === "wasm3+native";
  const cSources = listFiles(srcDir, /\.c$/).filter((f) => wasm3Engine || !/\/vm_wasm3(_abi)?\.c$/.test(f));
  const hal = listFiles(join(repoRoot, "firmware", "boards", "host"), /\.c$/);
  const wasm3 = listFiles(paths.wasm3, /\.c$/);
  const wamrDir = join(repoRoot, "firmware", "wamr");
  // 64-bit pointers make WAMR's module structures larger than on the boards: the host pool is larger too
  const engineFlags = aot
    ? ["-DBITRL_BACKEND_AOT", "-DWASM_RT_MEMCHECK_SIGNAL_HANDLER=0", "-DNDEBUG"]
    : wamr
      ? ["-DBITRL_CFG_WAMR_POOL_BYTES=1048576"]
      : [...hostWasm3Flags(), ...(backend === "wasm3+native" ? ["-DBITRL_NATIVE_KERNELS=1"] : [])];
  const flags = ["-O2", "-std=gnu11", "-ffp-contract=off", '-DBITRL_BOARD_NAME="host"', ...engineFlags, ...extraFlags];
  const engineInputs = aot
    ? [...listFiles(aotDir, /\.[ch]$/), join(repoRoot, "scripts", "aot-gen.mjs")]
    : wamr
      ? [...listFiles(wamrDir, /\.(c|h|json)$/), join(paths.wamr, ".bitrl-stamp")]
      : [join(paths.wasm3, ".bitrl-stamp")];
  const key = hashInputs(
    [
      ...listFiles(srcDir, /\.[ch]$/),
      ...listFiles(join(repoRoot, "firmware", "src"), /\.h$/),
      ...hal,
      join(repoRoot, "platformio.ini"),
      ...engineInputs,
      wasm,
    ],
    flags.join(" "),
  );
  const keyFile = `${exe}.key`;
  if (!opts.force && existsSync(exe) && existsSync(keyFile) && readFileSync(keyFile, "utf8") === key) {
    return { board: "host", path: exe, cached: true, key, sizes: null, buildMs: 0 };
  }
  return withLock(variant, async () => {
    const t0 = Date.now();
    const gen = join(paths.gen, "host");
    mkdirSync(gen, { recursive: true });
    const bytes = readFileSync(wasm);
    const rows: string[] = [];
    for (let i = 0; i < bytes.length; i += 16)
      rows.push(
        "  " + Array.from(bytes.subarray(i, i + 16), (b) => `0x${b.toString(16).padStart(2, "0")}`).join(", ") + ",",
      );
    const arrayC = join(gen, `agent_wasm_${variant}.c`);
    writeFileSync(
      `${arrayC}.tmp`,
      `/* Generated from ${relative(repoRoot, wasm)} by tools/lib/board/firmware-build.ts. Do not edit. */\n` +
        `const unsigned char bitrl_agent_wasm[] __attribute__((aligned(4))) = {\n${rows.join("\n")}\n};\n` +
        `const unsigned int bitrl_agent_wasm_len = ${bytes.length};\n` +
        `const unsigned int bitrl_agent_wasm_crc32 = 0x${crc32(bytes).toString(16).padStart(8, "0")}u;\n`,
    );
    renameSync(`${arrayC}.tmp`, arrayC);
    mkdirSync(outDir, { recursive: true });
    if (aot) {
      const genAot = join(gen, `${variant}-aotc`);
      const g = await run(
        process.execPath,
        [join(repoRoot, "scripts", "aot-gen.mjs"), "--wasm", wasm, "--out", genAot],
        process.env,
        false,
      );
      if (g.code !== 0) throw new BitrlError(`aot-gen failed: ${lastLines(g.out, 2)}`);
      const moduleC = [join(genAot, "agent.c"), join(genAot, "aot_exports.c")];
      const aotC = listFiles(aotDir, /\.c$/);
      const objDir = join(outDir, `${variant}-obj`);
      mkdirSync(objDir, { recursive: true });
      // the generated module is not ours to lint: compiled on its own, without warnings
      const moduleObjs = moduleC.map((f) => join(objDir, f.split("/").pop()!.replace(/\.c$/, ".o")));
      for (let i = 0; i < moduleC.length; i++) {
        const r = await run(
          "cc",
          [
            ...flags,
            "-w",
            "-c",
            moduleC[i],
            "-I",
            genAot,
            "-I",
            aotDir,
            "-I",
            join(repoRoot, "firmware", "src"),
            "-o",
            moduleObjs[i],
          ],
          process.env,
          false,
        );
        if (r.code !== 0) throw new BitrlError(`host build of the AOT module failed: ${lastLines(r.out, 3)}`);
      }
      const inc = ["-I", join(repoRoot, "firmware", "src"), "-I", aotDir, "-I", genAot];
      const { code, out } = await run(
        "cc",
        [...flags, "-Wall", ...inc, ...cSources, ...aotC, ...hal, arrayC, ...moduleObjs, "-lm", "-o", `${exe}.tmp`],
        process.env,
        !!opts.verbose,
      );
      if (code !== 0) throw new BitrlError(`host AOT firmware build failed: ${lastLines(out, 4)}`);
      renameSync(`${exe}.tmp`, exe);
      writeFileSync(`${keyFile}.tmp`, key);
      renameSync(`${keyFile}.tmp`, keyFile);
      return { board: "host", path: exe, cached: false, key, sizes: null, buildMs: Date.now() - t0 };
    }
    let inc: string[], objs: string[], engineC: string[];
    if (wamr) {
      // WAMR's core (list in firmware/wamr/sources.json) with the project's settings header forced in front
      const listing = JSON.parse(readFileSync(join(wamrDir, "sources.json"), "utf8")) as {
        sources: string[];
        includes: string[];
        native_call: Record<string, string>;
      };
      const wamrFlags = [
        ...flags,
        "-include",
        join(wamrDir, "wamr_settings.h"),
        "-I",
        wamrDir,
        ...listing.includes.flatMap((d) => ["-I", join(paths.wamr, d)]),
      ];
      const sources = [...listing.sources, listing.native_call.x86_64].map((f) => join(paths.wamr, f));
      objs = await compileEngine(
        "wamr",
        sources,
        wamrFlags,
        [join(paths.wamr, ".bitrl-stamp"), join(wamrDir, "wamr_settings.h")],
        outDir,
      );
      inc = [...wamrFlags.slice(flags.length), "-I", join(repoRoot, "firmware", "src")];
      engineC = listFiles(wamrDir, /\.c$/);
    } else {
      objs = await compileEngine(
        "wasm3",
        wasm3,
        [...flags, "-I", paths.wasm3],
        [join(paths.wasm3, ".bitrl-stamp")],
        outDir,
      );
      inc = ["-I", join(repoRoot, "firmware", "src"), "-I", paths.wasm3];
      engineC = [];
    }
    const { code, out } = await run(
      "cc",
      [...flags, "-Wall", ...inc, ...cSources, ...engineC, ...hal, arrayC, ...objs, "-lm", "-o", `${exe}.tmp`],
      process.env,
      !!opts.verbose,
    );
    if (code !== 0) throw new BitrlError(`host firmware build failed: ${lastLines(out, 4)}`);
    renameSync(`${exe}.tmp`, exe);
    writeFileSync(`${keyFile}.tmp`, key);
    renameSync(`${keyFile}.tmp`, keyFile);
    return { board: "host", path: exe, cached: false, key, sizes: null, buildMs: Date.now() - t0 };
  });
}
