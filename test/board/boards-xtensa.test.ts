// The C core and wasm3 compile for the ESP32 (Xtensa) where Debian's clang-22 with the Xtensa backend is present.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { paths, repoRoot } from "../../tools/lib/board/toolchain.ts";

test("should compile the C core and wasm3 for the ESP32 (Xtensa, clang-22 + llc -mcpu=esp32) where clang-22 exists", () => {
  const clang = spawnSync("sh", ["-c", "command -v clang-22 && command -v llc-22"], { encoding: "utf8" });
  if (clang.status !== 0) {
    console.log("  skipped: clang-22/llc-22 (Debian llvm-22 with the Xtensa backend) not installed");
    return;
  }
  const out = mkdtempSync(join(tmpdir(), "bitrl-xtensa-"));
  try {
    const src = join(repoRoot, "firmware", "src");
    // the same sources the esp32dev environment compiles (firmware/src with wasm3), newlib's headers for the C library
    const files = [
      ...readdirSync(src)
        .filter((f) => f.endsWith(".c"))
        .map((f) => join(src, f)),
      ...["m3_compile.c", "m3_exec.c", "m3_env.c"].map((f) => join(paths.wasm3, f)),
    ];
    let functions = 0;
    for (const f of files) {
      const bc = join(out, f.split("/").pop()! + ".bc");
      const cc = spawnSync(
        "clang-22",
        [
          "--target=xtensa",
          "-O2",
          "-ffreestanding",
          "-isystem",
          "/usr/lib/arm-none-eabi/include",
          "-I",
          src,
          "-I",
          paths.wasm3,
          "-Dd_m3FixedHeap=0",
          '-DBITRL_BOARD_NAME="esp32dev"',
          "-emit-llvm",
          "-c",
          f,
          "-o",
          bc,
        ],
        { encoding: "utf8" },
      );
      assert.is(
        cc.status,
        0,
        `${f}: ${cc.stderr
          .split("\n")
          .filter((l) => /error/.test(l))
          .slice(0, 2)
          .join(" | ")}`,
      );
      const s = join(out, f.split("/").pop()! + ".s");
      const llc = spawnSync("llc-22", ["-mtriple=xtensa", "-mcpu=esp32", "-O2", bc, "-o", s], { encoding: "utf8" });
      assert.is(llc.status, 0, `${f}: ${llc.stderr.slice(0, 200)}`);
      // windowed-ABI Xtensa functions open with `entry` (a file may hold only a build-time check, no code)
      functions += (readFileSync(s, "utf8").match(/^\s+entry\s+a1,/gm) ?? []).length;
    }
    assert.ok(functions > 100, `${functions} Xtensa functions generated`);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test.run();
