# Adds the bitrl firmware's board-side sources to a PlatformIO build: the board's HAL folder (custom_hal_dir), the
# engine (wasm3 from .bitrl/wasm3, or the AOT module, or WAMR from .bitrl/wamr) and a C array of build/agent.wasm. Used by this platform's builder (emulated boards)
# and, through extra_board.py, by the real boards' official platforms.
import hashlib
import zlib
import json
import os
import subprocess
import sys


def _fail(env, msg):
    sys.stderr.write("bitrl: %s\n" % msg)
    env.Exit(1)


def write_wasm_array(wasm_path, out_path, project_dir, embed=True):
    """Writes the module as `bitrl_agent_wasm[]` / `bitrl_agent_wasm_len` / `bitrl_agent_wasm_crc32` (for `info`),
    only when the text changes (so builds stay incremental), through a temp file and a rename. Without `embed` (the
    AOT backend: the module is compiled in) the bytes are left out, only their length and CRC-32 stay."""
    with open(wasm_path, "rb") as f:
        wasm = f.read()
    lines = [
        "/* Generated from %s by firmware/platform/builder/bitrl_sources.py; sha256 %s. Do not edit. */"
        % (os.path.relpath(wasm_path, project_dir), hashlib.sha256(wasm).hexdigest()),
    ]
    if embed:
        lines += [
            "/* (bitrl_agent_wasm_len) bytes of the agent module, kept in flash: wasm3 references it, never copies it. */",
            "const unsigned char bitrl_agent_wasm[] __attribute__((aligned(4))) = {",
        ]
        for i in range(0, len(wasm), 16):
            lines.append("  " + ", ".join("0x%02x" % b for b in wasm[i : i + 16]) + ",")
        lines += ["};"]
    else:
        lines += [
            "/* The module is compiled in (AOT): its bytes are not needed, only their length and CRC for `info`. */",
            "const unsigned char bitrl_agent_wasm[4] __attribute__((aligned(4))) = {0};",
        ]
    lines += [
        "const unsigned int bitrl_agent_wasm_len = %d;" % len(wasm),
        "const unsigned int bitrl_agent_wasm_crc32 = 0x%08xu;" % (zlib.crc32(wasm) & 0xFFFFFFFF),
        "",
    ]
    text = "\n".join(lines)
    if os.path.isfile(out_path):
        with open(out_path) as f:
            if f.read() == text:
                return
    with open(out_path + ".tmp", "w") as f:
        f.write(text)
    os.replace(out_path + ".tmp", out_path)


def add_bitrl_sources(env, emulated):
    project_dir = env.subst("$PROJECT_DIR")
    opt = lambda name, default=None: env.GetProjectOption("custom_" + name, default)

    hal_dir = opt("hal_dir")
    if not hal_dir or not os.path.isdir(os.path.join(project_dir, hal_dir)):
        _fail(env, "custom_hal_dir must name the board folder (e.g. firmware/boards/qemu-m4), got '%s'" % hal_dir)
    common_dir = os.path.join(project_dir, "firmware", "boards", "common")
    env.Append(CPPPATH=[os.path.join(project_dir, "firmware", "src"), common_dir])
    env.BuildSources(os.path.join("$BUILD_DIR", "hal"), os.path.join(project_dir, hal_dir))
    # folders of HAL code shared between boards (e.g. firmware/boards/cortex-m firmware/boards/stm32f4)
    for i, shared in enumerate((opt("hal_shared", "") or "").split()):
        shared_dir = os.path.join(project_dir, shared)
        if not os.path.isdir(shared_dir):
            _fail(env, "custom_hal_shared names a missing folder '%s'" % shared)
        env.Append(CPPPATH=[shared_dir])
        env.BuildSources(os.path.join("$BUILD_DIR", "shared%d" % i), shared_dir)
    if emulated:
        # semihosting and C library glue shared by the emulated boards
        env.BuildSources(os.path.join("$BUILD_DIR", "common"), common_dir)

    backend = opt("backend", "wasm3")
    # the AOT build compiles its own module: the release one plus the indexed loops (assembly/kernels/indexed.ts)
    wasm_path = os.path.join(project_dir, opt("agent_wasm", "build/agent.aot.wasm" if backend == "aot" else "build/agent.wasm"))
    if not os.path.isfile(wasm_path):
        _fail(env, "%s not found: run 'node scripts/build.mjs' first" % wasm_path)
    if backend == "aot":
        _add_aot(env, project_dir, wasm_path)
    elif backend == "wasm3":
        _add_wasm3(env, project_dir, opt("wasm3_dir", ".bitrl/wasm3"))
    elif backend == "wamr":
        _add_wamr(env, project_dir, opt("wamr_dir", ".bitrl/wamr"))
    else:
        _fail(env, "custom_backend must be wasm3, aot or wamr, got '%s'" % backend)

    gen_dir = os.path.join(project_dir, ".bitrl", "gen", env.subst("$PIOENV"))
    os.makedirs(gen_dir, exist_ok=True)
    write_wasm_array(wasm_path, os.path.join(gen_dir, "agent_wasm.c"), project_dir, embed=backend != "aot")
    env.BuildSources(os.path.join("$BUILD_DIR", "gen"), gen_dir)


def _add_wasm3(env, project_dir, rel_dir):
    wasm3_dir = os.path.join(project_dir, rel_dir)
    if not os.path.isfile(os.path.join(wasm3_dir, "wasm3.h")):
        _fail(env, "wasm3 sources missing in %s: run 'node scripts/setup-toolchain.mjs' (or --sources-only)" % wasm3_dir)
    env.Append(CPPPATH=[wasm3_dir])

    # wasm3 is compiled with the application's flags (its settings must agree with what the firmware sees through
    # wasm3.h); -O2 includes the sibling-call optimisation its threaded interpreter needs. Not our code: no warnings.
    # On 32-bit Arm wasm3 and vm_wasm3.c (the only code that calls it) also treat r4..r8 as call-clobbered, so
    # wasm3's operations need not push and pop them; the firmware enters them through vm_wasm3_abi.c, which keeps
    # r4..r8 for its callers (firmware/src/vm_wasm3.h).
    # Only for the firmware's own sources: other programs built with wasm3 (the toolchain self-test) call it directly.
    engine_abi = ["-fcall-used-r4", "-fcall-used-r5", "-fcall-used-r6", "-fcall-used-r8"]
    # wasm3's files are tuned for the Cortex-M3 (the same Thumb-2 code for the -mcpu given): gcc's Cortex-M4 costs
    # copy the pc before loading an operation's immediate and the next operation's address, one instruction more in
    # most operations (docs/firmware.md, "wasm3 from 2.34M to 1.73M").
    engine_tune = ["-mtune=cortex-m3"]
    vm_wasm3 = os.path.join(project_dir, "firmware", "src", "vm_wasm3.c")
    own_src = os.path.realpath(env.subst("$PROJECT_SRC_DIR")) == os.path.realpath(os.path.dirname(vm_wasm3))
    arm32 = "arm-none-eabi" in env.subst("$CC") and own_src

    def quiet_wasm3(e, node):
        path = node.srcnode().get_abspath()
        if path.startswith(wasm3_dir + os.sep):
            return e.Object(node, CFLAGS=e.get("CFLAGS", []) + ["-w"] + (engine_abi + engine_tune if arm32 else []))
        if arm32 and path == vm_wasm3:
            return e.Object(node, CFLAGS=e.get("CFLAGS", []) + engine_abi)
        return node

    if arm32:
        env.Append(CPPDEFINES=[("BITRL_ENGINE_CALL_USED", 1)])  # vm_wasm3_abi.c's trampoline, with the flags
    env.AddBuildMiddleware(quiet_wasm3)
    env.BuildSources(os.path.join("$BUILD_DIR", "wasm3"), wasm3_dir)


def _add_wamr(env, project_dir, rel_dir):
    """WAMR's fast interpreter (sources from the crates.io crate wamr-sys, scripts/setup-toolchain.mjs --wamr) plus
    firmware/wamr (the bare-metal platform layer and vm_wamr.c); the environment's build_src_filter leaves out
    vm_wasm3.c and vm_wasm3_abi.c."""
    wamr_dir = os.path.join(project_dir, rel_dir)
    if not os.path.isfile(os.path.join(wamr_dir, "core", "config.h")):
        _fail(env, "WAMR sources missing in %s: run 'node scripts/setup-toolchain.mjs --wamr'" % wamr_dir)
    port_dir = os.path.join(project_dir, "firmware", "wamr")
    with open(os.path.join(port_dir, "sources.json")) as f:
        listing = json.load(f)
    if env.BoardConfig().get("build.arch") != "arm":
        _fail(env, "the wamr backend is built for the Arm boards only so far")
    settings = os.path.join(port_dir, "wamr_settings.h")
    env.Append(CPPPATH=[port_dir] + [os.path.join(wamr_dir, d) for d in listing["includes"]], CCFLAGS=["-include", settings])
    env.BuildSources(os.path.join("$BUILD_DIR", "wamrport"), port_dir)
    # Not our code: compiled with the application's flags, without warnings.
    obj = lambda rel: os.path.join("$BUILD_DIR", "wamr", os.path.splitext(rel)[0] + ".o")
    objs = [env.Object(obj(rel), os.path.join(wamr_dir, rel), CFLAGS=env.get("CFLAGS", []) + ["-w"]) for rel in listing["sources"]]
    # how WAMR calls a native function with a non-raw signature (linked in, unused by bitrl's raw imports); a plain
    # .s file goes through $AS, which is gcc here, so it needs -c
    native_call = listing["native_call"]["arm"]
    objs.append(env.Object(obj(native_call), os.path.join(wamr_dir, native_call), ASFLAGS=env.get("ASFLAGS", []) + ["-c"]))
    env.Append(PIOBUILDFILES=objs)


def _add_aot(env, project_dir, wasm_path):
    """The ahead-of-time backend: the module as C (scripts/aot-gen.mjs runs wasm2c into .bitrl/gen/<env>-aotc) plus
    firmware/aot (the bare-metal wasm-rt runtime and vm_aot.c); the environment's build_src_filter leaves out
    vm_wasm3.c and vm_wasm3_abi.c."""
    out = os.path.join(project_dir, ".bitrl", "gen", env.subst("$PIOENV") + "-aotc")
    r = subprocess.run(["node", os.path.join(project_dir, "scripts", "aot-gen.mjs"), "--wasm", wasm_path, "--out", out],
                       cwd=project_dir, capture_output=True, text=True)
    if r.returncode != 0:
        _fail(env, "scripts/aot-gen.mjs failed: %s" % (r.stderr or r.stdout).strip().splitlines()[-1:])
    aot_dir = os.path.join(project_dir, "firmware", "aot")
    env.Append(CPPPATH=[out, aot_dir])
    env.BuildSources(os.path.join("$BUILD_DIR", "aot"), aot_dir)
    # The module's C alone is compiled without gcc's reassociation of sums (it reordered the table lookups' long i64
    # add chains, so a row's first table loads stayed live, and spilled, until the last adds) and without its tree
    # partial redundancy elimination: without either, every kind's decision is cheaper (measured: docs/aot.md).
    module_cflags = ["-fno-tree-reassoc", "-fno-tree-pre"]

    def module_flags(e, node):
        if node.srcnode().get_abspath().startswith(out + os.sep):
            return e.Object(node, CFLAGS=e.get("CFLAGS", []) + module_cflags)
        return node

    env.AddBuildMiddleware(module_flags)
    env.BuildSources(os.path.join("$BUILD_DIR", "aotgen"), out)
