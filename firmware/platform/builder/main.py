# SCons build script of the bitrl local PlatformIO platform: compiles firmware/src + the board's HAL folder + the
# wasm3 sources + a C array of build/agent.wasm into an ELF with the Debian cross compiler found on PATH. Builds the
# emulated boards and the framework-free real boards (board JSON "bitrl_real": no semihosting; an ESP32-C3 image
# made by esptool's elf2image; `-t upload` runs the board's uploader or fails with one line when it is missing).
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
    # the framework-free Cortex-M boards' scripts INCLUDE the shared section layout from here
    env.Append(LIBPATH=[os.path.join(project_dir, "firmware", "boards", "cortex-m")])
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

# ---- the board's HAL, the shared semihosting glue, wasm3 and the agent module (bitrl_sources.py) ---------------
sys.path.insert(0, os.path.join(project_dir, "firmware", "platform", "builder"))
from bitrl_sources import add_bitrl_sources  # noqa: E402

real = bool(board.get("build.bitrl_real", False))
add_bitrl_sources(env, emulated=not real)

# ---- program, size report -------------------------------------------------------------------------------------
target_elf = env.BuildProgram()
env.Depends(target_elf, env.subst("$LDSCRIPT_PATH"))
target_size = env.Alias("size", target_elf, env.VerboseAction("$SIZEPRINTCMD", "Calculating size $SOURCE"))
AlwaysBuild(target_size)
targets = [target_elf, target_size]

# ---- ESP32-C3: the flashable image, made by esptool (PyPI, installed by scripts/setup-toolchain.mjs) -----------
image = board.get("build.bitrl_image", "")
bin_path = os.path.join(env.subst("$BUILD_DIR"), "firmware.bin")
if image:
    esptool = os.path.join(project_dir, ".bitrl", "venv", "bin", "esptool")
    if not os.path.isfile(esptool):
        fail("esptool not found at %s: run 'node scripts/setup-toolchain.mjs --esp'" % esptool)
    target_bin = env.Command(bin_path, target_elf, env.VerboseAction(
        '"%s" --chip %s elf2image --flash-mode dio --flash-freq 40m --flash-size 4MB -o $TARGET $SOURCE' % (esptool, image),
        "Building image $TARGET"))
    targets.append(target_bin)


# ---- upload: the board's uploader, or one line saying what is missing ------------------------------------------
def upload(target, source, env):
    import shutil
    import subprocess

    tool = board.get("upload.bitrl_uploader", "")
    if not tool:
        sys.stderr.write("bitrl platform: board %s has no uploader (emulated boards run under QEMU: bitrl run)\n" % env.subst("$BOARD"))
        return 1
    exe = os.path.join(project_dir, ".bitrl", "venv", "bin", tool) if tool == "esptool" else shutil.which(tool)
    if not exe or not os.path.isfile(exe):
        sys.stderr.write("bitrl platform: uploader '%s' not found: install it (bitrl doctor says how)\n" % tool)
        return 1
    port = env.subst("$UPLOAD_PORT")
    if "{port}" in " ".join(board.get("upload.bitrl_upload_args", [])) and not port:
        sys.stderr.write("bitrl platform: no serial port: pass --upload-port (pio) or --port (bitrl flash)\n")
        return 1
    elf = str(source[0])
    args = [a.replace("{elf}", elf).replace("{bin}", bin_path).replace("{port}", port) for a in board.get("upload.bitrl_upload_args", [])]
    return subprocess.call([exe] + args)


env.AddPlatformTarget("upload", targets, [env.VerboseAction(upload, "Uploading $SOURCE")], "Upload")
Default(targets)
