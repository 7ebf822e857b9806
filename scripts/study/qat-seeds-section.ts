// The docs/results.md section of scripts/qat-seeds.ts: retention of ternary approx-QAT and exact-QAT backbones over
// pretraining seeds, from its committed JSON (test/unit/qat-seeds.test.ts re-renders it). Intervals resample both
// seed levels: pretraining seeds (paired: a seed's three backbones share transcripts and init), then RL seeds within
// each backbone.
import { rng } from "../../tools/lib/train/rng.ts";
import { ci95, mean } from "../../tools/lib/util/stats.ts";

export const QAT_SEED_ARMS = ["fp32", "ternary-approx", "ternary-exact"] as const;
export type QatSeedArm = (typeof QAT_SEED_ARMS)[number];

export interface QatSeedsStudy {
  env: string;
  how: string;
  command: string;
  pretrain_steps: number;
  rl_seeds: number;
  eval_episodes: number;
  select_seeds: string;
  /** SHA-256 prefix of the shipped backbone blobs (pretraining seed 1 of the fp32 and ternary-exact arms) */
  shipped_sha256: { fp32: string; ternary: string };
  runs: { arm: QatSeedArm; pretrain_seed: number; backbone_sha256: string; valid_loss: number; rl_means: number[] }[];
  wall_s: number;
}

export const QAT_SEEDS_BEGIN = "<!-- qat-seeds:begin -->";
export const QAT_SEEDS_END = "<!-- qat-seeds:end -->";

/** rl_means per pretraining seed (index p - 1) of one arm. */
function armMeans(study: QatSeedsStudy, arm: QatSeedArm): number[][] {
  return study.runs
    .filter((r) => r.arm === arm)
    .sort((a, b) => a.pretrain_seed - b.pretrain_seed)
    .map((r) => r.rl_means);
}

const grand = (rows: number[][]) => mean(rows.map(mean));

/**
 * Percentile-bootstrap 95% intervals (2000 resamples, PRNG seed 12345) of `stat` over two levels: pretraining
 * seeds resampled once per draw for every arm (paired), RL seeds resampled within each backbone independently.
 */
export function twoLevelCi(arms: number[][][], stat: (grands: number[]) => number): [number, number] {
  const r = rng(12345);
  const draws: number[] = [];
  const n = arms[0].length;
  for (let k = 0; k < 2000; k++) {
    const ps = Array.from({ length: n }, () => r.below(n));
    const grands = arms.map((rows) => {
      let total = 0;
      for (const p of ps) {
        const xs = rows[p];
        let s = 0;
        for (let i = 0; i < xs.length; i++) s += xs[r.below(xs.length)];
        total += s / xs.length;
      }
      return total / n;
    });
    draws.push(stat(grands));
  }
  draws.sort((a, b) => a - b);
  return [draws[Math.floor(0.025 * draws.length)], draws[Math.floor(0.975 * draws.length)]];
}

const f3 = (x: number) => x.toFixed(3);
const interval = ([a, b]: [number, number]) => `[${f3(a)}, ${f3(b)}]`;

export function qatSeedsSection(study: QatSeedsStudy): string {
  const [fp, ap, ex] = QAT_SEED_ARMS.map((a) => armMeans(study, a));
  const n = fp.length;
  if (n < 2 || ap.length !== n || ex.length !== n) throw new Error("qat-seeds: every arm needs the same >= 2 seeds");
  const runOf = (arm: QatSeedArm, p: number) => study.runs.find((r) => r.arm === arm && r.pretrain_seed === p)!;
  const rows = fp.map((_, i) => {
    const p = i + 1;
    const cell = (arm: QatSeedArm, ms: number[]) => `${f3(mean(ms))} (${runOf(arm, p).valid_loss.toFixed(4)})`;
    return `| ${p} | ${cell("fp32", fp[i])} | ${cell("ternary-approx", ap[i])} | ${cell("ternary-exact", ex[i])} | ${f3(mean(ap[i]) / mean(fp[i]))} | ${f3(mean(ex[i]) / mean(fp[i]))} |`;
  });
  const retA = grand(ap) / grand(fp),
    retE = grand(ex) / grand(fp);
  const ciA = twoLevelCi([fp, ap], ([f, a]) => a / f);
  const ciE = twoLevelCi([fp, ex], ([f, e]) => e / f);
  const ciD = twoLevelCi([fp, ap, ex], ([f, a, e]) => (e - a) / f);
  const seedOne = (arm: QatSeedArm, kind: "fp32" | "ternary") =>
    runOf(arm, 1).backbone_sha256 === study.shipped_sha256[kind] ? "is" : "is **not**";
  const armMean = (rows: number[][]) => `${f3(grand(rows))} +- ${f3(ci95(rows.map(mean)))}`;
  const verdict =
    ciD[1] < 0
      ? "exact QAT retains less than approx QAT beyond the interval"
      : ciD[0] > 0
        ? "exact QAT retains more than approx QAT beyond the interval"
        : "the interval holds 0: no evidence that exact QAT changes retention";
  const lower = ciE[0] >= ciA[0] ? "does not lie lower than" : "lies lower than";
  return [
    `${study.env}, ${n} pretraining seeds x ${study.rl_seeds} RL seeds: ${study.how} (${study.pretrain_steps} pretraining steps; checks on reset seeds ${study.select_seeds}). Command: \`${study.command}\` (${(study.wall_s / 60).toFixed(0)} min of runs on this 2-core machine).`,
    "",
    "| pretraining seed | fp32: RL mean (validation loss) | ternary approx QAT | ternary exact QAT | retention approx | retention exact |",
    "|---|---|---|---|---|---|",
    ...rows,
    `| **all ${n}** | ${armMean(fp)} | ${armMean(ap)} | ${armMean(ex)} | **${f3(retA)}** ${interval(ciA)} | **${f3(retE)}** ${interval(ciE)} |`,
    "",
    `(per cell: the mean over RL seeds of each head's greedy eval; the last row: mean over pretraining seeds +- Student-t 95% CI over them, retention = mean(ternary) / mean(fp32) with a two-level percentile-bootstrap 95% interval: pretraining seeds resampled paired across arms, RL seeds within each backbone, 2000 resamples.)`,
    "",
    `- Exact minus approx, as a share of fp32's mean: ${f3(retE - retA)} ${interval(ciD)}: ${verdict}; exact QAT's retention interval ${interval(ciE)} ${lower} approx QAT's ${interval(ciA)}.`,
    `- Pretraining seed 1's fp32 backbone ${seedOne("fp32", "fp32")} the shipped \`models/${study.env}-backbone-fp32.bitrl\` byte for byte (SHA-256), its exact-QAT ternary backbone ${seedOne("ternary-exact", "ternary")} the shipped ternary one; so seed 1's exact row is the retention study's ternary QAT arm on the shipped backbone.`,
  ].join("\n");
}

/** The document with the section between its markers replaced. */
export function withQatSeedsSection(doc: string, section: string): string {
  const a = doc.indexOf(QAT_SEEDS_BEGIN),
    b = doc.indexOf(QAT_SEEDS_END);
  if (a < 0 || b < a) throw new Error(`results.md has no ${QAT_SEEDS_BEGIN} ... ${QAT_SEEDS_END} markers`);
  return doc.slice(0, a + QAT_SEEDS_BEGIN.length) + "\n" + section + "\n" + doc.slice(b);
}
