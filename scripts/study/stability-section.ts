// docs/results.md's stability table, rendered from the retention study's docs/results/<env>.json (scripts/study.ts):
// spread over seeds, worst seed, failed seeds and the heads' policy entropy per kind, with the sentences that read
// it stated from the same numbers. Pure; test/unit/study-sections.test.ts checks the committed text equals it.

interface KindResult {
  kind: string;
  per_seed: number[];
  mean: number;
  sd: number;
  min: number;
}
export interface RetentionStudy {
  env: string;
  results: KindResult[];
  distortion: Record<string, { entropy_other_per_seed?: number[] }>;
}

/** A seed "failed" below this greedy mean: the task's floor (cartpole: 50 steps; keydoor: never reaching the door). */
const FAILED: Record<string, number> = { cartpole: 50, keydoor: 1e-9 };

const fmt = (env: string, x: number) => (env === "cartpole" ? x.toFixed(1) : x.toFixed(3));

function cell(study: RetentionStudy, kind: string): string {
  const r = study.results.find((x) => x.kind === kind);
  if (!r) return "-";
  const failed = r.per_seed.filter((v) => v < FAILED[study.env]).length;
  const e = study.distortion[kind]?.entropy_other_per_seed;
  const entropy = e?.length ? `${Math.min(...e).toFixed(2)}-${Math.max(...e).toFixed(2)}` : "-";
  return `${fmt(study.env, r.sd)} / ${fmt(study.env, r.min)} / ${failed} / ${entropy}`;
}

/** The table and its reading for the studies given (cartpole and keydoor). */
export function stabilitySection(studies: RetentionStudy[]): string {
  const kinds = studies[0].results.map((r) => r.kind);
  const lines = [
    "Generated from " +
      studies.map((s) => `[results/${s.env}.json](results/${s.env}.json)`).join(" and ") +
      " by `node --import tsx scripts/render-results.ts`; do not edit by hand.",
    "",
    `| backbone | ${studies.map((s) => `${s.env}: sd over seeds / worst seed / seeds failed / policy entropy, range over seeds`).join(" | ")} |`,
    `|---|${studies.map(() => "---|").join("")}`,
    ...kinds.map((k) => `| ${k} | ${studies.map((s) => cell(s, k)).join(" | ")} |`),
    "",
    "(Entropy: mean policy entropy of each seed's head on the fp32 agents' states, as in the distortion tables; failed: " +
      "cartpole below 50 steps, keydoor never reaching the door.)",
  ];
  for (const s of studies) {
    const backbones = s.results.filter((r) => r.kind !== "none");
    const widest = backbones.reduce((a, b) => (b.sd > a.sd ? b : a));
    const narrowest = backbones.reduce((a, b) => (b.sd < a.sd ? b : a));
    const withEntropy = backbones.filter((r) => s.distortion[r.kind]?.entropy_other_per_seed?.length);
    const rho = spearman(
      withEntropy.map((r) => mean(s.distortion[r.kind].entropy_other_per_seed!)),
      withEntropy.map((r) => r.sd),
    );
    lines.push(
      `- ${s.env}: the widest spread over seeds is ${widest.kind}'s (sd ${fmt(s.env, widest.sd)}, worst seed ` +
        `${fmt(s.env, widest.min)}), the narrowest ${narrowest.kind}'s (sd ${fmt(s.env, narrowest.sd)}). Rank correlation ` +
        `between a kind's mean policy entropy and its spread over seeds: ${rho.toFixed(2)} over ${withEntropy.length} kinds ` +
        `(an exploration-stability trade-off would make it positive${rho > 0 ? "; it is, but 4 kinds and 10 seeds each are an observation, not a test" : "; it is not"}).`,
    );
  }
  return lines.join("\n");
}

/** Spearman's rank correlation (no ties expected among these means). */
function spearman(a: number[], b: number[]): number {
  const rank = (xs: number[]) => xs.map((x) => xs.filter((y) => y < x).length);
  const ra = rank(a),
    rb = rank(b),
    n = a.length;
  const d2 = ra.reduce((s, r, i) => s + (r - rb[i]) ** 2, 0);
  return 1 - (6 * d2) / (n * (n * n - 1));
}

function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}
