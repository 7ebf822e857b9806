// Steps `npm test` runs after the build and before the suites: each installs or builds what some suites need
// (toolchains, firmware images). Each is idempotent and quick when nothing is missing.
export const setups = [];

/** Installs Debian packages unless `command` already runs (apt-get: once, quick afterwards). */
async function aptInstallFor(command, packages, why) {
  const { spawnSync } = await import("node:child_process");
  if (spawnSync(command, ["--version"], { stdio: "ignore" }).status === 0) return;
  console.log(`setup: apt-get install ${packages[0]} (${why})`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  for (const args of [
    ["update", "-qq"],
    ["install", "-y", "-qq", "--no-install-recommends", ...packages],
  ]) {
    const r = spawnSync("apt-get", args, { stdio: "inherit", env });
    if (r.status !== 0)
      throw new Error(`apt-get ${args[0]} failed (exit ${r.status}); install Debian's ${packages[0]} by hand`);
  }
}

// Headless Chromium for test/board/report-render.test.ts (Debian's `chromium`).
setups.push(async function chromium() {
  await aptInstallFor("chromium", ["chromium", "fonts-dejavu-core"], "report rendering test");
});

// clang-format for the C half of the format check (scripts/format.mjs; Debian's clang-format).
setups.push(async function formatter() {
  await aptInstallFor("clang-format", ["clang-format"], "format check");
});

// Firmware toolchain for test/board/toolchain.test.ts, test/board/qemu-boot.test.ts and every board test: Debian cross compilers
// and QEMU (Arm and RISC-V), wabt (wasm2c) for the AOT backend, PlatformIO offline in .bitrl/venv, wasm3 sources
// and WAMR sources for the wamr backend (scripts/setup-toolchain.mjs).
setups.push(async function toolchain() {
  const { setupToolchain } = await import("./setup-toolchain.mjs");
  await setupToolchain({ riscv: true, aot: true, wamr: true, quiet: true });
});
