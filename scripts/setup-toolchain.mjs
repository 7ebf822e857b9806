// Installs the firmware toolchain, idempotently: Debian cross compilers and QEMU, PlatformIO (PyPI) in a project
// venv working offline, the wasm3 C sources (PyPI sdist, SHA-256 checked) and, with --wamr, WAMR's C sources (the
// crates.io crate wamr-sys, fetched with cargo, SHA-256 checked). Quick when nothing is missing.
// With --esp: the RISC-V group plus esptool (PyPI, into the venv) for the ESP32-C3 image and flashing.
// usage: node scripts/setup-toolchain.mjs [--riscv] [--aot] [--wamr] [--esp] [--all] [--quiet] [--sources-only]
//   --sources-only: just the wasm3 sources (for building real boards with your own PlatformIO, any OS)
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync, readdirSync, cpSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { reorderOpSignature } from "./toolchain/wasm3-op-signature.mjs";
import { addF32Register } from "./toolchain/wasm3-f32-register.mjs";
import { checkBounds32 } from "./toolchain/wasm3-bounds32.mjs";
import { splitIntRegisters } from "./toolchain/wasm3-int-registers.mjs";
import { accessLimits } from "./toolchain/wasm3-access-limits.mjs";
import { loopJump } from "./toolchain/wasm3-loop-jump.mjs";
import { functionBlocks } from "./toolchain/wasm3-function-blocks.mjs";
import { nextR3 } from "./toolchain/wasm3-next-r3.mjs";
import { entrySlots } from "./toolchain/wasm3-entry-slots.mjs";
import { fetchNext } from "./toolchain/wasm3-fetch-next.mjs";
import { armRegisters } from "./toolchain/wasm3-arm-registers.mjs";
import { nativeStack } from "./toolchain/wasm3-native-stack.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const pins = JSON.parse(readFileSync(join(root, "scripts/toolchain/pins.json"), "utf8"));
const dir = Object.fromEntries(Object.entries(pins.dirs).map(([k, v]) => [k, join(root, v)]));
const venvBin = (name) => join(dir.venv, "bin", name);

const log = (msg) => console.log(`setup-toolchain: ${msg}`);

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, {
    cwd: root,
    encoding: "utf8",
    stdio: opts.capture ? "pipe" : ["ignore", "inherit", "inherit"],
    env: opts.env ?? process.env,
  });
  if (r.status !== 0) {
    const detail = opts.capture ? ` ${(r.stderr || r.stdout || "").trim().split("\n").slice(-3).join(" | ")}` : "";
    throw new Error(`'${[cmd, ...args].join(" ")}' failed (exit ${r.status ?? r.signal}).${detail}`);
  }
  return r.stdout ?? "";
}

/** Writes a file through a temp name and a rename, so a crash never leaves half a file. */
function writeAtomic(path, text) {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
}

// ---- Debian packages ------------------------------------------------------------------------------------------
function missingDebs(pkgs) {
  return pkgs.filter((p) => {
    const r = spawnSync("dpkg-query", ["-W", "-f=${Status}", p], { encoding: "utf8" });
    return r.status !== 0 || !r.stdout.includes("install ok installed");
  });
}

let aptUpdated = false;
function ensureDebs(pkgs) {
  const missing = missingDebs(pkgs);
  if (missing.length === 0) return;
  if (process.getuid && process.getuid() !== 0) {
    throw new Error(
      `missing Debian packages ${missing.join(" ")}; run as root or: sudo apt-get install -y ${missing.join(" ")}`,
    );
  }
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  if (!aptUpdated) {
    log("apt-get update");
    run("apt-get", ["update", "-qq"], { env });
    aptUpdated = true;
  }
  log(`apt-get install ${missing.join(" ")}`);
  run("apt-get", ["install", "-y", "-qq", "--no-install-recommends", ...missing], { env });
}

// ---- PlatformIO in a venv, offline ------------------------------------------------------------------------------
function pyOk(code) {
  return existsSync(venvBin("python")) && spawnSync(venvBin("python"), ["-c", code], { stdio: "ignore" }).status === 0;
}

function ensurePlatformio() {
  const want = pins.platformio;
  if (!pyOk(`import platformio, sys; sys.exit(0 if platformio.__version__ == "${want}" else 1)`)) {
    if (!existsSync(venvBin("python"))) {
      log(`python3 -m venv ${pins.dirs.venv}`);
      run("python3", ["-m", "venv", dir.venv]);
    }
    log(`pip install platformio==${want}`);
    run(venvBin("python"), ["-m", "pip", "install", "-q", `platformio==${want}`]);
  }
}

/** The tool-scons requirement of the installed core (e.g. "~4.40801.0"), read from platformio/dependencies.py. */
function sconsSpec() {
  const out = run(
    venvBin("python"),
    ["-c", "from platformio.dependencies import get_core_dependencies as d; print(d()['tool-scons'])"],
    { capture: true },
  );
  const spec = out.trim();
  const m = /^[~^=]?\s*(\d+)\.(\d+)\.(\d+)$/.exec(spec);
  if (!m) throw new Error(`unexpected tool-scons requirement '${spec}' in platformio/dependencies.py`);
  // PlatformIO encodes SCons X.Y.Z as X.XYYZZ.0: tool-scons 4.40801.0 is SCons 4.8.1.
  const minor = m[2].padStart(5, "0");
  const scons = `${m[1]}.${Number(minor.slice(1, 3))}.${Number(minor.slice(3, 5))}`;
  return { spec, pkgVersion: `${m[1]}.${m[2]}.${m[3]}`, scons };
}

function ensureToolScons() {
  const { spec, pkgVersion, scons } = sconsSpec();
  const pkgDir = join(dir.pioCore, "packages", "tool-scons");
  const stamp = join(pkgDir, ".bitrl-stamp");
  const want = `${spec} scons==${scons}`;
  if (
    existsSync(stamp) &&
    readFileSync(stamp, "utf8") === want &&
    pyOk(`import SCons, sys; sys.exit(0 if SCons.__version__ == "${scons}" else 1)`)
  )
    return;
  log(`pip install scons==${scons} (PlatformIO ${pins.platformio} wants tool-scons ${spec})`);
  run(venvBin("python"), ["-m", "pip", "install", "-q", `scons==${scons}`]);
  mkdirSync(pkgDir, { recursive: true });
  // What PlatformIO checks to call a core package installed: package.json and .piopm (owner platformio, version
  // within the core's requirement). It then runs <pkg>/scons.py with the venv's Python, which has SCons.
  writeAtomic(
    join(pkgDir, "package.json"),
    JSON.stringify(
      {
        name: "tool-scons",
        version: pkgVersion,
        description: `SCons ${scons} from PyPI (bitrl offline shim)`,
        system: "*",
      },
      null,
      2,
    ) + "\n",
  );
  writeAtomic(
    join(pkgDir, ".piopm"),
    JSON.stringify({
      type: "tool",
      name: "tool-scons",
      version: pkgVersion,
      spec: { owner: "platformio", id: null, name: "tool-scons", requirements: spec, uri: null },
    }) + "\n",
  );
  writeAtomic(
    join(pkgDir, "scons.py"),
    "# bitrl shim: runs SCons installed from PyPI in this venv.\nimport sys\nimport SCons.Script\n\nsys.exit(SCons.Script.main())\n",
  );
  writeAtomic(stamp, want);
  log(`tool-scons ${pkgVersion} -> ${pkgDir}`);
}

// ---- wasm3 C sources ------------------------------------------------------------------------------------------
const sha256Of = (path) => createHash("sha256").update(readFileSync(path)).digest("hex");

/** Installs `folder` of a checked tar.gz as `dest`, atomically: extracts only `members` into a temp folder,
 *  lets `adjust(out, tmp)` finish the tree, stamps it with the archive's SHA-256, then renames it into place. */
function installFromArchive(archive, dest, members, folder, sha256, adjust = () => {}, stampText = sha256) {
  const got = sha256Of(archive);
  if (got !== sha256)
    throw new Error(`${archive}: SHA-256 ${got} does not match the pinned ${sha256}; refusing to use it`);
  const tmp = `${dest}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  run("tar", ["-xzf", archive, "-C", tmp, ...members]);
  const out = `${dest}.new`;
  rmSync(out, { recursive: true, force: true });
  cpSync(join(tmp, folder), out, { recursive: true });
  adjust(out, tmp);
  writeFileSync(join(out, ".bitrl-stamp"), stampText);
  rmSync(dest, { recursive: true, force: true });
  renameSync(out, dest);
  rmSync(tmp, { recursive: true, force: true });
}

function ensureWasm3() {
  const { sdist, sha256, folder, license, pypi, patch } = pins.wasm3;
  const stamp = join(dir.wasm3, ".bitrl-stamp");
  const stampText = `${sha256} ${patch}`;
  if (existsSync(stamp) && readFileSync(stamp, "utf8") === stampText) return;
  const archive = join(dir.cache, sdist);
  if (!existsSync(archive) || sha256Of(archive) !== sha256) {
    mkdirSync(dir.cache, { recursive: true });
    rmSync(archive, { force: true });
    log(`pip download --no-binary :all: --no-deps ${pypi}`);
    const python = existsSync(venvBin("python")) ? venvBin("python") : "python3";
    run(python, ["-m", "pip", "download", "-q", "--no-binary", ":all:", "--no-deps", pypi, "-d", dir.cache]);
  }
  // Only the core: the sdist's Python binding (m3module.c) sits outside wasm3/ and is not extracted.
  // wasm3-op-signature.mjs: its operations' arguments reordered so that on 32-bit Arm they all stay in registers;
  // wasm3-f32-register.mjs: f32 values in a register of their own type (no f64 round trip per f32 operation);
  // wasm3-bounds32.mjs: the load/store bounds check in 32 bits on 32-bit hosts (the same test, fewer instructions);
  // wasm3-int-registers.mjs: i32 and i64 values in a register each (i32 operations on one word, a scratch register);
  // wasm3-arm-registers.mjs: on 32-bit Arm the i64 register and the memory header out of the operations' arguments,
  // in r10:r11 and r9 (the memory's data; gcc global register variables, wasm3's files only: every argument left in
  // a register);
  // wasm3-access-limits.mjs: on 32-bit hosts a load or store tests its start against a limit kept for its size;
  // wasm3-loop-jump.mjs: a branch back to a loop is a jump when no other loop began since (no return to op_Loop);
  // wasm3-next-r3.mjs: on 32-bit Arm the next operation's address loaded into r3, where the tail call jumps;
  // wasm3-entry-slots.mjs: a function's entry zeroes its locals and copies its constants a slot at a time;
  // wasm3-fetch-next.mjs: on 32-bit Arm the frequent operations fetch their immediates and the next address in one ldrd;
  // wasm3-function-blocks.mjs: the function records' array grows 16 records at a time (no copy left per import);
  // wasm3-native-stack.mjs: a function's entry checks the C stack pointer against the firmware's floor too
  installFromArchive(
    archive,
    dir.wasm3,
    [folder, license],
    folder,
    sha256,
    (out, tmp) => {
      cpSync(join(tmp, license), join(out, "LICENSE"));
      rmSync(join(out, "m3module.c"), { force: true });
      reorderOpSignature(out);
      addF32Register(out);
      checkBounds32(out);
      splitIntRegisters(out);
      armRegisters(out);
      accessLimits(out);
      loopJump(out);
      nextR3(out);
      entrySlots(out);
      fetchNext(out);
      functionBlocks(out);
      nativeStack(out);
    },
    stampText,
  );
  log(
    `wasm3 0.5.0 sources (${readdirSync(dir.wasm3).filter((f) => f.endsWith(".c")).length} .c files, ${patch}) -> ${pins.dirs.wasm3}`,
  );
}

// ---- WAMR C sources ---------------------------------------------------------------------------------------------
/** cargo on PATH or in rustup's default place; installed from Debian (as root) when neither has it. */
function cargoCommand() {
  const home = process.env.CARGO_HOME ?? join(process.env.HOME ?? "/root", ".cargo");
  for (const c of ["cargo", join(home, "bin", "cargo")])
    if (spawnSync(c, ["--version"], { stdio: "ignore" }).status === 0) return c;
  if (process.getuid && process.getuid() !== 0) {
    throw new Error(
      "cargo not found (needed once to fetch WAMR's sources from crates.io): install Rust (https://rustup.rs) or run: sudo apt-get install -y cargo",
    );
  }
  ensureDebs(["cargo"]);
  return "cargo";
}

/** The crate file cargo keeps after `cargo fetch`, in any registry folder of its cache. */
function cachedCrate(cargoHome, name) {
  const cache = join(cargoHome, "registry", "cache");
  if (!existsSync(cache)) return null;
  for (const reg of readdirSync(cache)) if (existsSync(join(cache, reg, name))) return join(cache, reg, name);
  return null;
}

function ensureWamr() {
  const { crate, version, sha256, folder, label } = pins.wamr;
  const stamp = join(dir.wamr, ".bitrl-stamp");
  if (existsSync(stamp) && readFileSync(stamp, "utf8") === sha256) return;
  const file = `${crate}-${version}.crate`;
  const archive = join(dir.cache, file);
  if (!existsSync(archive) || sha256Of(archive) !== sha256) {
    // cargo's ordinary way to download a crate: `cargo fetch` in a throwaway project that depends on it exactly
    const cargo = cargoCommand();
    const project = join(dir.cache, "wamr-fetch");
    mkdirSync(project, { recursive: true });
    writeAtomic(
      join(project, "Cargo.toml"),
      `[package]\nname = "bitrl-wamr-fetch"\nversion = "0.0.0"\nedition = "2018"\n\n[lib]\npath = "lib.rs"\n\n[dependencies]\n${crate} = "=${version}"\n`,
    );
    writeAtomic(join(project, "lib.rs"), "");
    log(`cargo fetch (${crate} = "=${version}")`);
    run(cargo, ["fetch", "--quiet", "--manifest-path", join(project, "Cargo.toml")]);
    const cargoHome = process.env.CARGO_HOME ?? join(process.env.HOME ?? "/root", ".cargo");
    const got = cachedCrate(cargoHome, file);
    if (!got) throw new Error(`cargo fetch finished but ${file} is not in ${join(cargoHome, "registry", "cache")}`);
    cpSync(got, `${archive}.tmp`);
    renameSync(`${archive}.tmp`, archive);
  }
  // Only what the firmware compiles: the runtime core and the licence (no samples, SDK, compiler or tests).
  const members = ["core/config.h", "core/iwasm", "core/shared", "LICENSE"].map((m) => `${folder}/${m}`);
  installFromArchive(archive, dir.wamr, members, folder, sha256);
  log(`${label} sources -> ${pins.dirs.wamr}`);
}

// ---- esptool (PyPI) for the ESP32-C3 image ---------------------------------------------------------------------
function ensureEsptool() {
  const want = pins.esptool.pypi;
  const stamp = join(dir.venv, ".bitrl-esptool");
  if (existsSync(venvBin("esptool")) && existsSync(stamp) && readFileSync(stamp, "utf8") === want) return;
  log(`pip install ${want}`);
  run(venvBin("python"), ["-m", "pip", "install", "-q", want]);
  writeFileSync(stamp, want);
}

/** Installs what is missing. riscv: the RISC-V compiler, picolibc and qemu-system-riscv32; aot: wabt (wasm2c). */
/** wamr: WAMR's sources (cargo). quiet: no closing "ready" line (what gets installed is always printed). */
/** esp: riscv plus esptool. */
export async function setupToolchain({
  riscv = false,
  aot = false,
  wamr = false,
  esp = false,
  quiet = false,
  sourcesOnly = false,
} = {}) {
  const t0 = Date.now();
  if (sourcesOnly) {
    ensureWasm3();
    if (wamr) ensureWamr();
    if (!quiet)
      log(`sources ready in ${pins.dirs.wasm3}${wamr ? ` and ${pins.dirs.wamr}` : ""} (${Date.now() - t0} ms)`);
    return;
  }
  ensureDebs(pins.apt.arm);
  if (riscv || esp) ensureDebs(pins.apt.riscv);
  if (aot) ensureDebs(pins.apt.aot);
  ensurePlatformio();
  mkdirSync(dir.pioCore, { recursive: true });
  ensureToolScons();
  ensureWasm3();
  if (wamr) ensureWamr();
  if (esp) ensureEsptool();
  if (!quiet) log(`ready (${Date.now() - t0} ms)`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = new Set(process.argv.slice(2));
  const all = args.has("--all");
  for (const a of args)
    if (!["--riscv", "--aot", "--wamr", "--esp", "--all", "--quiet", "--sources-only"].includes(a)) {
      console.error(
        `setup-toolchain: unknown option '${a}' (options: --riscv --aot --wamr --esp --all --quiet --sources-only)`,
      );
      process.exit(2);
    }
  try {
    await setupToolchain({
      riscv: all || args.has("--riscv"),
      aot: all || args.has("--aot"),
      wamr: all || args.has("--wamr"),
      esp: all || args.has("--esp"),
      quiet: args.has("--quiet"),
      sourcesOnly: args.has("--sources-only"),
    });
  } catch (e) {
    console.error(`setup-toolchain: ${e.message}`);
    process.exit(1);
  }
}
