# PlatformIO pre-script for the real boards (official espressif32 / ststm32 / nordicnrf52 platforms): adds the
# board's HAL folder, wasm3 and the agent module to the build, like this repository's own platform does.
import os
import sys

Import("env")  # noqa: F821 (SCons provides it)

sys.path.insert(0, os.path.join(env.subst("$PROJECT_DIR"), "firmware", "platform", "builder"))  # noqa: F821
from bitrl_sources import add_bitrl_sources  # noqa: E402

add_bitrl_sources(env, emulated=False)  # noqa: F821
