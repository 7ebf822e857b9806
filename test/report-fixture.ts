// A small set of run records covering every section the report draws, shared by the report suites.
import type { RunRecord } from "../tools/lib/report/runlog.ts";

const T = "2026-01-01T00:00:00.000Z";

export function fixtureRecords(): RunRecord[] {
  const curve = (base: number, seed: number) => Array.from({ length: 30 }, (_, i) => Math.round(base * (i + 1) + seed * 3));
  return [
    ...[1, 2, 3].map((seed) => ({ v: 1, kind: "train", time: T, env: "cartpole", agent: "fp32", seed, returns: curve(10, seed) })),
    ...[1, 2, 3].map((seed) => ({ v: 1, kind: "train", time: T, env: "cartpole", agent: "ternary", seed, returns: curve(9.5, seed) })),
    { v: 1, kind: "bench", time: T, name: "matvec_t3_lut 1024x256", metric: "instructions/weight", value: 13.25, figure: "emulated", board: "qemu-m4" },
    { v: 1, kind: "bench", time: T, name: "matvec_f32 1024x256", metric: "instructions/weight", value: 251.5, figure: "emulated", board: "qemu-m4" },
    { v: 1, kind: "memory", time: T, name: "cartpole-ternary", board: "qemu-m4", modelBytes: 41234, fp32Bytes: 812345, peakRamBytes: 201000, ramBudgetBytes: 262144 },
    {
      v: 1, kind: "energy", time: T, board: "qemu-m4", source: "estimate", figures: [
        { agent: "fp32", joulesPerDecision: 0.000123456, joulesPerEpisode: 0.0617, secondsPerDecision: 0.0124, kind: "estimated", timeKind: "emulated", basis: "3.3 mA x 3 V from nRF52840 PS" },
        { agent: "ternary", joulesPerDecision: 0.0000087654, joulesPerEpisode: 0.00438, secondsPerDecision: 0.00088, kind: "estimated", timeKind: "emulated", basis: "3.3 mA x 3 V from nRF52840 PS" },
      ],
    },
    { v: 1, kind: "run", time: T, board: "qemu-m4", agent: "ternary", meanReturn: 187.5, decisionsPerSecond: 1136.4, instructionsPerDecision: 56321, timeKind: "emulated" },
  ];
}
