# SCons build script of the bitrl local PlatformIO platform: compiles firmware/src + the board's HAL folder + the
# wasm3 sources + a C array of build/agent.wasm into an ELF with the Debian cross compiler found on PATH.
import hashlib
import os
import sys

from SCons.Script import AlwaysBuild, Default, DefaultEnvironment

env = DefaultEnvironment()
board = env.BoardConfig()
project_dir = env.subst("$PROJECT_DIR")
arch = board.get("build.arch")


def option(name, default=None):
    """A `custom_*` option of the current environment in platformio.ini."""
    return env.GetProjectOption("custom_" + name, default)


def fail(msg):
    sys.stderr.write("bitrl platform: %s\n" % msg)
    env.Exit(1)


# ---- toolchain (from PATH, no registry package) ---------------------------------------------------------------
PREFIX = {"arm": "arm-none-eabi-", "riscv": "riscv64-unknown-elf-"}.get(arch)
if not PREFIX:
    fail("board %s has unknown build.arch '%s' (arm or riscv)" % (env.subst("$BOARD"), arch))
env.Replace(
    AR=PREFIX + "gcc-ar",
    AS=PREFIX + "gcc",
    CC=PREFIX + "gcc",
    CXX=PREFIX + "g++",
    GDB=PREFIX + "gdb",
    OBJCOPY=PREFIX + "objcopy",
    RANLIB=PREFIX + "gcc-ranlib",
    SIZETOOL=PREFIX + "size",
    PROGSUFFIX=".elf",
    ARFLAGS=["rc"],
    SIZEPROGREGEXP=r"^(?:\.isr_vector|\.text|\.rodata|\.data|\.init_array|\.fini_array|\.ARM\.exidx)\s+(\d+).*",
    SIZEDATAREGEXP=r"^(?:\.data|\.bss|\.sbss|\.sdata|\.heap|\.stack)\s+(\d+).*",
    SIZECHECKCMD="$SIZETOOL -A -d $SOURCES",
    SIZEPRINTCMD="$SIZETOOL -B -d $SOURCES",
)

# Per-architecture code generation; the rest (optimisation, wasm3 settings, RAM budget) is in platformio.ini.
if arch == "arm":
    cpu = ["-mcpu=%s" % board.get("build.cpu"), "-mthumb", "-mfloat-abi=hard", "-mfpu=fpv4-sp-d16"]
    libc = ["--specs=nano.specs"]
else:
    cpu = ["-march=%s" % board.get("build.cpu"), "-mabi=ilp32", "-mcmodel=medany"]
    libc = ["--specs=picolibc.specs"]

env.Append(
    ASFLAGS=cpu + ["-x", "assembler-with-cpp"],
    CCFLAGS=cpu + libc + ["-ffunction-sections", "-fdata-sections", "-ffp-contract=off", "-Wall", "-fno-common"],
    CFLAGS=["-std=gnu11"],
    LINKFLAGS=cpu + libc + [
        "-nostartfiles",
        "-Wl,--gc-sections",
        "-Wl,-Map,%s" % os.path.join(env.subst("$BUILD_DIR"), "firmware.map"),
        "-Wl,--print-memory-usage",
    ],
    LIBS=["c", "m", "gcc"],
)
env.Replace(LDSCRIPT_PATH=os.path.join(project_dir, board.get("build.ldscript")))

# ---- the board's HAL, startup and syscalls ---------------------------------------------------------------------
hal_dir = option("hal_dir")
if not hal_dir or not os.path.isdir(os.path.join(project_dir, hal_dir)):
    fail("custom_hal_dir must name the board folder (e.g. firmware/boards/qemu-m4), got '%s'" % hal_dir)
env.Append(CPPPATH=[os.path.join(project_dir, "firmware", "src"), os.path.join(project_dir, "firmware", "boards", "common")])
env.BuildSources(os.path.join("$BUILD_DIR", "hal"), os.path.join(project_dir, hal_dir))
# semihosting and C library glue shared by the emulated boards
env.BuildSources(os.path.join("$BUILD_DIR", "common"), os.path.join(project_dir, "firmware", "boards", "common"))

# ---- wasm3 (sources from scripts/setup-toolchain.mjs, never committed) ------------------------------------------
wasm3_dir = os.path.join(project_dir, option("wasm3_dir", ".bitrl/wasm3"))
if not os.path.isfile(os.path.join(wasm3_dir, "wasm3.h")):
    fail("wasm3 sources missing in %s: run 'node scripts/setup-toolchain.mjs'" % wasm3_dir)
env.Append(CPPPATH=[wasm3_dir])
# wasm3 is compiled with the same flags as the application (its settings must agree with what main.c sees through
# wasm3.h): -O2 from platformio.ini includes the sibling-call optimisation its threaded interpreter needs. Its
# sources are not ours to lint, so their warnings are off.
def quiet_wasm3(e, node):
    if node.srcnode().get_abspath().startswith(wasm3_dir + os.sep):
        return e.Object(node, CFLAGS=e["CFLAGS"] + ["-w"])
    return node


env.AddBuildMiddleware(quiet_wasm3)
env.BuildSources(os.path.join("$BUILD_DIR", "wasm3"), wasm3_dir)

# ---- the agent module as a C array (generated before the build, rewritten only when it changes) ----------------
wasm_path = os.path.join(project_dir, option("agent_wasm", "build/agent.wasm"))
if not os.path.isfile(wasm_path):
    fail("%s not found: run 'node scripts/build.mjs' first" % wasm_path)
gen_dir = os.path.join(project_dir, ".bitrl", "gen", env.subst("$PIOENV"))
os.makedirs(gen_dir, exist_ok=True)
with open(wasm_path, "rb") as f:
    wasm = f.read()
lines = [
    "/* Generated from %s by firmware/platform/builder/main.py; sha256 %s. Do not edit. */"
    % (os.path.relpath(wasm_path, project_dir), hashlib.sha256(wasm).hexdigest()),
    "/* (bitrl_agent_wasm_len) bytes of the agent module, kept in flash: wasm3 references it, never copies it. */",
    "const unsigned char bitrl_agent_wasm[] __attribute__((aligned(4))) = {",
]
for i in range(0, len(wasm), 16):
    lines.append("  " + ", ".join("0x%02x" % b for b in wasm[i : i + 16]) + ",")
lines += ["};", "const unsigned int bitrl_agent_wasm_len = %d;" % len(wasm), ""]
text = "\n".join(lines)
gen_file = os.path.join(gen_dir, "agent_wasm.c")
if not os.path.isfile(gen_file) or open(gen_file).read() != text:
    with open(gen_file + ".tmp", "w") as f:
        f.write(text)
    os.replace(gen_file + ".tmp", gen_file)
env.BuildSources(os.path.join("$BUILD_DIR", "gen"), gen_dir)

# ---- program, size report -------------------------------------------------------------------------------------
target_elf = env.BuildProgram()
env.Depends(target_elf, env.subst("$LDSCRIPT_PATH"))
target_size = env.Alias("size", target_elf, env.VerboseAction("$SIZEPRINTCMD", "Calculating size $SOURCE"))
AlwaysBuild(target_size)
Default([target_elf, target_size])
