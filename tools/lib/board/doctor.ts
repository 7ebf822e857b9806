// Is this machine ready? One check per runtime piece, toolchain, board profile and serial port, each with what to do
// when it is missing (`bitrl doctor` prints them).
import { boardUploader, registryPlatform, registryPlatformInstalled } from "./uploader.ts";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { BOARDS } from "./profiles.ts";
import { engineLabel, paths as toolchain, pins, repoRoot, wasm3Stamp } from "./toolchain.ts";

/** Where scripts/setup-toolchain.mjs puts pio and the wasm3 and WAMR sources (its defaults when the pins are not
 *  shipped, as in an installed package), and which WAMR the pins name. */
function toolchainPaths(): { pio: string; wasm3: string; wamr: string; wamrLabel: string } {
  try {
    return { pio: toolchain.pio, wasm3: toolchain.wasm3, wamr: toolchain.wamr, wamrLabel: engineLabel("wamr") };
  } catch {
    const bitrl = join(repoRoot, ".bitrl");
    return {
      pio: join(bitrl, "venv", "bin", "pio"),
      wasm3: join(bitrl, "wasm3"),
      wamr: join(bitrl, "wamr"),
      wamrLabel: "WAMR",
    };
  }
}

export interface Check {
  group: "runtime" | "toolchain" | "board" | "meter";
  name: string;
  /** ok: ready; missing: not there (fix says how); info: nothing to fix */
  status: "ok" | "missing" | "info";
  detail: string;
  /** the default setup (npm start, npm test) cannot work without it */
  required: boolean;
}

/** First line of `cmd --version`, or null when the command is not on PATH. */
function version(cmd: string, args = ["--version"]): string | null {
  const r = spawnSync(cmd, args, { encoding: "utf8", timeout: 10_000 });
  if (r.error || r.status !== 0) return null;
  return (r.stdout || r.stderr).trim().split("\n")[0];
}

const tool = (
  group: Check["group"],
  name: string,
  cmd: string,
  fix: string,
  required: boolean,
  args?: string[],
): Check => {
  const v = version(cmd, args);
  return { group, name, status: v ? "ok" : "missing", detail: v ?? fix, required };
};

const file = (name: string, path: string, fix: string, required: boolean): Check =>
  existsSync(path)
    ? {
        group: "runtime",
        name,
        status: "ok",
        detail: `${path.replace(repoRoot + "/", "")} (${statSync(path).size} bytes)`,
        required,
      }
    : { group: "runtime", name, status: "missing", detail: fix, required };

/** Serial ports the OS lists, labelled: a PPK2 by Nordic's USB ids, others as possible boards or bitrl meters. */
async function serialChecks(): Promise<Check[]> {
  let ports: { path: string; vendorId?: string; productId?: string; manufacturer?: string }[] = [];
  try {
    const { SerialPort } = await import("serialport");
    ports = await SerialPort.list();
  } catch (e) {
    return [
      {
        group: "meter",
        name: "serial ports",
        status: "missing",
        detail: `cannot list serial ports (${(e as Error).message.split("\n")[0]})`,
        required: false,
      },
    ];
  }
  if (!ports.length)
    return [
      {
        group: "meter",
        name: "serial ports",
        status: "info",
        detail: "none: no real board, PPK2 or bitrl meter connected (QEMU boards need none)",
        required: false,
      },
    ];
  return ports.map((p) => {
    const ppk2 = p.vendorId?.toLowerCase() === "1915" && p.productId?.toLowerCase() === "c00a";
    return {
      group: "meter",
      name: ppk2 ? "PPK2" : "serial port",
      status: "ok",
      detail: ppk2
        ? `${p.path}: bitrl energy --source ppk2 --port ${p.path}`
        : `${p.path} ${p.manufacturer ?? ""} (a board: --port; a bitrl meter: --source ina --port)`.trim(),
      required: false,
    };
  });
}

export async function runChecks(): Promise<Check[]> {
  const out: Check[] = [];
  const paths = toolchainPaths();
  const [maj, min] = process.versions.node.split(".").map(Number);
  out.push({
    group: "runtime",
    name: "node",
    status: maj > 20 || (maj === 20 && min >= 15) ? "ok" : "missing",
    detail: `v${process.versions.node} (needs >= 20.15)`,
    required: true,
  });
  out.push(
    file(
      "npm packages",
      join(repoRoot, "node_modules", ".package-lock.json"),
      "run 'npm ci' (npm start and npm test do it)",
      true,
    ),
  );
  out.push(file("agent.wasm", join(repoRoot, "build", "agent.wasm"), "run 'npm run build'", true));
  // the AOT builds compile their own module: the release one plus the indexed loops (docs/aot.md)
  out.push(file("agent.aot.wasm", join(repoRoot, "build", "agent.aot.wasm"), "run 'npm run build'", false));
  out.push(file("CLI bundle", join(repoRoot, "dist", "bitrl.mjs"), "run 'npm run build'", false));
  const fixArm =
    "node scripts/setup-toolchain.mjs (apt-get install gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm)";
  out.push(tool("toolchain", "arm-none-eabi-gcc", "arm-none-eabi-gcc", fixArm, true));
  out.push(tool("toolchain", "qemu-system-arm", "qemu-system-arm", fixArm, true));
  out.push(
    existsSync(paths.pio)
      ? {
          group: "toolchain",
          name: "platformio",
          status: "ok",
          detail: version(paths.pio) ?? paths.pio,
          required: true,
        }
      : {
          group: "toolchain",
          name: "platformio",
          status: "missing",
          detail: "node scripts/setup-toolchain.mjs (project venv, offline)",
          required: true,
        },
  );
  const stamp = join(paths.wasm3, ".bitrl-stamp");
  const stampText = existsSync(stamp) ? readFileSync(stamp, "utf8") : null;
  out.push(
    stampText === wasm3Stamp()
      ? {
          group: "toolchain",
          name: "wasm3 sources",
          status: "ok",
          detail: `0.5.0, sha256 ${stampText.slice(0, 12)}..., ${pins().wasm3.patch}`,
          required: true,
        }
      : {
          group: "toolchain",
          name: "wasm3 sources",
          status: "missing",
          detail: `node scripts/setup-toolchain.mjs (PyPI sdist pywasm3==0.5.0, checked${stampText ? "; the installed copy predates its op-signature edit" : ""})`,
          required: true,
        },
  );
  out.push(
    tool(
      "toolchain",
      "riscv gcc",
      "riscv64-unknown-elf-gcc",
      "node scripts/setup-toolchain.mjs --riscv (qemu-rv32 board)",
      false,
    ),
  );
  out.push(
    tool(
      "toolchain",
      "qemu-system-riscv32",
      "qemu-system-riscv32",
      "node scripts/setup-toolchain.mjs --riscv (qemu-rv32 board)",
      false,
    ),
  );
  out.push(tool("toolchain", "wasm2c", "wasm2c", "node scripts/setup-toolchain.mjs --aot (AOT backend)", false));
  const wamrStamp = join(paths.wamr, ".bitrl-stamp");
  out.push(
    existsSync(wamrStamp)
      ? {
          group: "toolchain",
          name: "WAMR sources",
          status: "ok",
          detail: `${paths.wamrLabel}, sha256 ${readFileSync(wamrStamp, "utf8").slice(0, 12)}...`,
          required: false,
        }
      : {
          group: "toolchain",
          name: "WAMR sources",
          status: "missing",
          detail: "node scripts/setup-toolchain.mjs --wamr (crates.io wamr-sys 0.1.1 via cargo; the wamr backend)",
          required: false,
        },
  );
  out.push(tool("toolchain", "python3", "python3", "apt-get install python3 (simulated meters in the tests)", false));
  out.push(
    tool(
      "toolchain",
      "chromium",
      "chromium",
      "apt-get install chromium (report rendering test; npm test installs it)",
      false,
    ),
  );
  const arm =
    out.find((c) => c.name === "qemu-system-arm")!.status === "ok" &&
    out.find((c) => c.name === "arm-none-eabi-gcc")!.status === "ok";
  const rv =
    out.find((c) => c.name === "qemu-system-riscv32")!.status === "ok" &&
    out.find((c) => c.name === "riscv gcc")!.status === "ok";
  for (const b of BOARDS) {
    if (b.kind === "emulated") {
      const tools = b.id === "qemu-rv32" ? rv : arm;
      const detail = !tools
        ? "its toolchain is missing (see above)"
        : `emulated ${b.cpu}, ${b.ramBytes / 1024} KiB RAM budget, standing for ${b.emulates?.chip ?? "-"}`;
      out.push({ group: "board", name: b.id, status: tools ? "ok" : "missing", detail, required: b.id === "qemu-m4" });
    } else if (b.kind === "host") {
      out.push(tool("board", b.id, "cc", "apt-get install gcc (native host firmware)", false));
    } else {
      const up = boardUploader(b);
      const spec = registryPlatform(b);
      if (up) {
        out.push(
          up.path
            ? {
                group: "board",
                name: b.id,
                status: "ok",
                detail: `built here offline (pio run -e ${b.pioEnv}); flashed with ${up.tool} (${up.path}); needs --port`,
                required: false,
              }
            : {
                group: "board",
                name: b.id,
                status: "missing",
                detail: `built here offline; its uploader '${up.tool}' is missing: ${up.install}`,
                required: false,
              },
        );
      } else if (spec) {
        out.push(
          registryPlatformInstalled(b)
            ? {
                group: "board",
                name: b.id,
                status: "ok",
                detail: `PlatformIO platform ${spec} installed; pio run -e ${b.pioEnv} -t upload, then --port`,
                required: false,
              }
            : {
                group: "board",
                name: b.id,
                status: "missing",
                detail: `needs PlatformIO's ${spec} platform from its registry: 'pio pkg install -p ${spec}' on a machine with internet`,
                required: false,
              },
        );
      } else {
        out.push({
          group: "board",
          name: b.id,
          status: "info",
          detail: `real board: PlatformIO env '${b.pioEnv}', then --port`,
          required: false,
        });
      }
    }
  }
  out.push(...(await serialChecks()));
  return out;
}
