#!/usr/bin/env python3
"""Writes test/fixtures/gymnasium/: Acrobot-v1 and MountainCar-v0 stepped by Gymnasium itself, for
test/unit/gymnasium.test.ts to check the module's envs (assembly/envs/acrobot.ts, mountaincar.ts) against.

  python3 scripts/gymnasium-fixtures.py

Needs gymnasium (PyPI) 1.4.0: when `import gymnasium` fails, the script creates the venv .bitrl/gymnasium-venv,
installs gymnasium==1.4.0 there with pip and re-runs itself in it. Deterministic: the same files for the same
gymnasium/numpy versions (both recorded in each JSON).

Inputs come from PCG32 (the twin of tools/lib/reference/envs.ts Pcg32, so the test regenerates them):
- steps: STEPS random states from Pcg32(STEP_SEED), per state its values then one action (below(3)):
  acrobot theta1, theta2 uniform in [-pi, pi], dtheta1 in [-4 pi, 4 pi], dtheta2 in [-9 pi, 9 pi];
  mountaincar position in [-1.2, 0.6], velocity in [-0.07, 0.07] (value = lo + (hi - lo) * u).
  Gymnasium steps each from env.unwrapped.state = that state. Written: <env>-steps.f64 (little-endian f64, the next
  state per step) and, in <env>.json, terminated and reward per step.
- episodes: EPISODES random-action episodes; episode e starts from the module's reset with seed e + 1 (our
  PCG32: acrobot f32(-0.1 + 0.2 u) x 4, mountaincar (-0.6 + 0.2 u, 0)) and takes actions Pcg32(ACTION_SEED + e).below(3)
  until Gymnasium's TimeLimit wrapper (gym.make) ends it. Written in <env>.json: length, flags, final state.
"""
import json
import math
import os
import struct
import subprocess
import sys

GYMNASIUM = "1.4.0"
STEPS = 10000
STEP_SEED = 20260
EPISODES = 300
ACTION_SEED = 100000
ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
OUT = os.path.join(ROOT, "test", "fixtures", "gymnasium")

try:
    import gymnasium as gym
    import numpy as np
except ImportError:
    venv = os.path.join(ROOT, ".bitrl", "gymnasium-venv")
    py = os.path.join(venv, "bin", "python")
    if os.environ.get("BITRL_GYM_VENV"):
        raise SystemExit("gymnasium-fixtures: gymnasium still missing inside " + venv)
    if not os.path.exists(py):
        subprocess.check_call([sys.executable, "-m", "venv", venv])
    subprocess.check_call([py, "-m", "pip", "install", "-q", f"gymnasium=={GYMNASIUM}"])
    os.execve(py, [py, os.path.abspath(__file__)] + sys.argv[1:], dict(os.environ, BITRL_GYM_VENV="1"))

M64 = (1 << 64) - 1


class Pcg32:
    """PCG32 (XSH RR), default stream, seeded like pcg32_srandom: the twin of reference/envs.ts Pcg32."""

    def __init__(self, seed):
        self.inc = 1442695040888963407
        self.state = 0
        self.next()
        self.state = (self.state + (seed & 0xFFFFFFFF)) & M64
        self.next()

    def next(self):
        old = self.state
        self.state = (old * 6364136223846793005 + self.inc) & M64
        x = (((old >> 18) ^ old) >> 27) & 0xFFFFFFFF
        rot = old >> 59
        return ((x >> rot) | (x << ((32 - rot) & 31))) & 0xFFFFFFFF

    def uniform(self):
        return self.next() * (1.0 / 4294967296.0)

    def below(self, n):
        return (self.next() * n) >> 32


def f32(x):
    return struct.unpack("<f", struct.pack("<f", x))[0]


ENVS = {
    "acrobot": {
        "id": "Acrobot-v1",
        "ranges": [(-math.pi, 2 * math.pi), (-math.pi, 2 * math.pi), (-4 * math.pi, 8 * math.pi), (-9 * math.pi, 18 * math.pi)],
        "reset": lambda r: [f32(-0.1 + 0.2 * r.uniform()) for _ in range(4)],
    },
    "mountaincar": {
        "id": "MountainCar-v0",
        "ranges": [(-1.2, 1.8), (-0.07, 0.14)],
        "reset": lambda r: [-0.6 + 0.2 * r.uniform(), 0.0],
    },
}


def state_of(env):
    return [float(v) for v in env.unwrapped.state]


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, spec in ENVS.items():
        env = gym.make(spec["id"])
        env.reset(seed=0)
        raw = env.unwrapped
        r = Pcg32(STEP_SEED)
        nxt, terminated, reward = [], [], []
        for _ in range(STEPS):
            s = [lo + width * r.uniform() for lo, width in spec["ranges"]]
            a = r.below(3)
            raw.state = np.array(s, dtype=np.float64)
            _, rew, term, _, _ = raw.step(a)
            nxt.extend(state_of(env))
            terminated.append(int(term))
            reward.append(float(rew))
        with open(os.path.join(OUT, f"{name}-steps.f64"), "wb") as fh:
            fh.write(struct.pack(f"<{len(nxt)}d", *nxt))
        episodes = []
        for e in range(EPISODES):
            env.reset(seed=e + 1)
            env.unwrapped.state = np.array(spec["reset"](Pcg32(e + 1)), dtype=np.float64)
            acts = Pcg32(ACTION_SEED + e)
            n, term, trunc = 0, False, False
            while not (term or trunc):
                _, _, term, trunc, _ = env.step(acts.below(3))
                n += 1
            episodes.append({"length": n, "terminated": bool(term), "truncated": bool(trunc), "final": state_of(env)})
        meta = {
            "env": spec["id"],
            "made_by": "python3 scripts/gymnasium-fixtures.py",
            "gymnasium": gym.__version__,
            "numpy": np.__version__,
            "steps": {"count": STEPS, "seed": STEP_SEED, "ranges": spec["ranges"], "file": f"{name}-steps.f64",
                      "terminated": terminated, "reward": reward},
            "episodes": {"count": EPISODES, "action_seed": ACTION_SEED, "list": episodes},
        }
        with open(os.path.join(OUT, f"{name}.json"), "w") as fh:
            json.dump(meta, fh, separators=(",", ":"))
            fh.write("\n")
        ends = sum(1 for x in episodes if x["terminated"])
        print(f"{name}: {STEPS} steps, {EPISODES} episodes ({ends} reached the goal) -> {OUT}")


main()
