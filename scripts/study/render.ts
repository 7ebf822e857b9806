// The study's documents from its JSON alone (no training, no measurement): docs/results/<env>.md, the SVG figures,
// and the generated blocks of docs/results.md (between `<!-- study:NAME:begin -->` and `<!-- study:NAME:end -->`).
// Every table and every sentence that states a measured number is written here, so the prose around the blocks
// cannot drift from the data. `renderAll` reads the JSON and the current docs and returns path -> new text.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { distortionTable } from "./distortion-table.ts";
import { svgBars, svgCurves, svgScatter, svgSeeds } from "./plots.ts";
import { renderedResults } from "./results-sections.ts";
import { TASK_MAX } from "./tasks.ts";
import {
  EFFICIENCY_ENVS,
  efficiencySection,
  efficiencySvg,
  withEfficiencySection,
  type EfficiencyStudy,
} from "../../tools/lib/report/efficiency.ts";
import { QUANTIZED, type ArmResult, type DistortionRow, type StudyJson } from "./schema.ts";

/** The envs of the study, in the order docs/results.md presents them. */
export const STUDY_ENVS = ["cartpole", "keydoor"] as const;
export { TASK_MAX };

const f3 = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : "n/a");
const f1 = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : "n/a");
/** A return in its env's scale: 1 decimal for cartpole's hundreds, 3 for keydoor's fractions. */
const ret = (env: string, x: number) => (TASK_MAX[env] >= 10 ? f1(x) : f3(x));
const pct = (x: number) => `${Math.round(x * 100)}%`;
const ci = (env: string, r: { mean: number; ci95: number }) => `${ret(env, r.mean)} +- ${ret(env, r.ci95)}`;
const interval = (r: [number, number]) => `[${f3(r[0])}, ${f3(r[1])}]`;
const row = (cells: (string | number)[]) => `| ${cells.join(" | ")} |`;
const head = (cells: string[]) => [row(cells), `|${cells.map(() => "---").join("|")}|`];

/** Human names of the arms. */
export function armLabel(arm: string): string {
  if (arm === "none") return "none (one-hot, no backbone)";
  if (arm.endsWith("-ptq-fp32-head")) return `${arm.slice(0, -14)} PTQ, fp32 heads kept (no RL)`;
  if (arm.endsWith("-ptq")) return `${arm.slice(0, -4)} PTQ, head retrained`;
  if (arm.endsWith("-random")) return `${arm.slice(0, -7)} pretrained on random play`;
  return arm === "fp32" ? "fp32" : `${arm} QAT`;
}

const armOf = (j: StudyJson, a: string) => j.arms.find((r) => r.arm === a);
const overlaps = (a: ArmResult, b: ArmResult) =>
  a.mean - a.ci95 <= b.mean + b.ci95 && b.mean - b.ci95 <= a.mean + a.ci95;
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
/** Median episodes to threshold with a seed that never reached it counted as infinitely late. */
function medianToThreshold(xs: (number | null)[]): string {
  if (!xs.length) return "-";
  const v = median(xs.map((x) => (x === null ? Infinity : x)));
  const reached = xs.filter((x) => x !== null).length;
  return `${Number.isFinite(v) ? v : "never"} (${reached}/${xs.length} reached)`;
}

/** The order arms appear in tables: baseline, fp32, then per kind QAT, PTQ kept, PTQ retrained. */
function orderedArms(j: StudyJson): ArmResult[] {
  const order = [
    "none",
    "fp32",
    ...QUANTIZED.flatMap((k) => [k, `${k}-ptq-fp32-head`, `${k}-ptq`]),
    ...["fp32", ...QUANTIZED].map((k) => `${k}-random`),
  ];
  return order.map((a) => armOf(j, a)).filter((a): a is ArmResult => !!a);
}

// ---- blocks of docs/results.md ----

export function returnsBlock(j: StudyJson): string {
  const e = j.env;
  const lines = [
    ...head([
      "arm",
      "training episodes",
      `greedy return, mean +- 95% CI (${j.seeds} seeds)`,
      "sd over seeds",
      "worst seed",
      "best seed",
      "retention vs fp32 [bootstrap 95% CI]",
      "blob bytes",
    ]),
    ...orderedArms(j).map((a) =>
      row([
        armLabel(a.arm),
        a.train_episodes || "0 (fp32 heads)",
        ci(e, a),
        ret(e, a.sd),
        ret(e, a.min),
        ret(e, a.max),
        a.arm === "none"
          ? "(baseline)"
          : a.arm === "fp32"
            ? "1"
            : a.arm === "fp32-random"
              ? "1 (reference of the random-play arms)"
              : j.retention[a.arm]
                ? `${f3(j.retention[a.arm].ratio)} ${interval(j.retention[a.arm].ci95_bootstrap)}`
                : "- (no reference arm)",
        a.blob_bytes || "-",
      ]),
    ),
  ];
  return [...lines, "", ...returnsReading(j)].join("\n");
}

/** Generated sentences: saturation, which arms differ from fp32 beyond their CIs, PTQ against QAT. */
function returnsReading(j: StudyJson): string[] {
  const e = j.env;
  const fp32 = armOf(j, "fp32")!;
  const apart = orderedArms(j).filter((a) => a.arm !== "fp32" && !a.arm.endsWith("-random") && !overlaps(a, fp32));
  const frac = fp32.mean / TASK_MAX[e];
  const out = [
    `The fp32 agents' mean is ${(frac * 100).toFixed(1)}% of the task's best mean return (${ret(e, TASK_MAX[e])}), ` +
      (frac >= 0.9 ? "at or above" : "below") +
      ` issue #16's 90% line; median seed ${ret(e, median(fp32.per_seed))}, ${fp32.per_seed.filter((x) => x < 0.9 * TASK_MAX[e]).length} of ${fp32.n} seeds below 90%.`,
    apart.length
      ? `Arms whose 95% CI does not overlap fp32's: ${apart.map((a) => `${armLabel(a.arm)} (${ret(e, a.mean)})`).join(", ")}.`
      : "Every arm's 95% CI overlaps fp32's.",
  ];
  const fr = armOf(j, "fp32-random");
  if (fr) {
    const rs = orderedArms(j).filter((a) => a.arm.endsWith("-random"));
    const apartR = rs.filter((a) => a !== fr && !overlaps(a, fr));
    out.push(
      `On the backbones pretrained on uniformly random play (no policy in their data; retention against fp32-random): ${rs.map((a) => `${a.arm.slice(0, -7)} ${ret(e, a.mean)}`).join(", ")}; fp32-random is ${pct(fr.mean / TASK_MAX[e])} of the best mean return. ` +
        (apartR.length
          ? `Outside fp32-random's CI: ${apartR.map((a) => a.arm).join(", ")}.`
          : "Every random-play arm's CI overlaps fp32-random's."),
    );
  }
  for (const k of QUANTIZED) {
    const q = armOf(j, k),
      kept = armOf(j, `${k}-ptq-fp32-head`),
      re = armOf(j, `${k}-ptq`);
    if (!q || !kept) continue;
    out.push(
      `${k}: QAT ${ret(e, q.mean)} (worst seed ${ret(e, q.min)}); PTQ with the fp32 heads ${ret(e, kept.mean)} (worst ${ret(e, kept.min)})` +
        (re ? `; PTQ with the head retrained ${ret(e, re.mean)} (worst ${ret(e, re.min)}).` : "."),
    );
  }
  return out
    .map((s) => s + "\n")
    .join("")
    .trimEnd()
    .split("\n");
}

export function baselinesBlock(j: StudyJson): string {
  const e = j.env;
  const t = j.baselines.tabular;
  const none = armOf(j, "none");
  const fp32 = armOf(j, "fp32")!;
  const lines = [
    ...head(["baseline", "what", "greedy return (mean +- 95% CI)", "worst", "over"]),
    ...j.baselines.zero_shot.map((z) =>
      row([
        `zero-shot ${z.backbone}`,
        `readout, no RL; pretrained on ${z.pretraining_data === "random-play" ? "uniformly random play" : "expert-heavy transcripts"}`,
        ci(e, z),
        ret(e, z.min),
        `${z.n} episodes`,
      ]),
    ),
    row([
      "tabular Q",
      `${t.episodes} episodes; ${Math.round(t.states_per_seed.reduce((a, b) => a + b, 0) / t.states_per_seed.length)} table states on average`,
      ci(e, t),
      ret(e, t.min),
      `${t.n} seeds`,
    ]),
    ...(none
      ? [
          row([
            "none",
            `one-hot features, ${none.train_episodes} episodes (its own defaults)`,
            ci(e, none),
            ret(e, none.min),
            `${none.n} seeds`,
          ]),
        ]
      : []),
    "",
    `Zero-shot: the tied output layer's action-token logits at the observation's last position, argmax, one deterministic model, so its CI is over episodes. Tabular Q: ${t.settings}.`,
  ];
  const zs = j.baselines.zero_shot.find((z) => z.backbone === "fp32");
  const zsRandom = j.baselines.zero_shot.filter((z) => z.pretraining_data === "random-play");
  const reading = [
    zs
      ? `The zero-shot readout of the expert-data fp32 backbone scores ${ret(e, zs.mean)}, the RL head on the same frozen backbone ${ret(e, fp32.mean)}: ` +
        (zs.mean > fp32.mean + fp32.ci95
          ? "the head does worse than reading the pretrained policy out, so this pretraining data leaks the answer."
          : zs.mean >= fp32.mean - fp32.ci95
            ? "the head does no better than reading the pretrained policy out, so this pretraining data leaks the answer."
            : "the head beats the readout.")
      : "",
    zsRandom.length
      ? `Backbones pretrained on uniformly random play read out ${zsRandom.map((z) => `${ret(e, z.mean)} (${z.backbone})`).join(", ")}: that data holds no policy.`
      : "No backbone pretrained on random play exists for this env yet.",
    `The lookup table reaches ${ret(e, t.mean)}${none ? ` and the one-hot agent ${ret(e, none.mean)}` : ""}, against fp32's ${ret(e, fp32.mean)}.`,
  ].filter((s) => s);
  return [...lines, "", ...reading].join("\n");
}

export function distortionBlock(j: StudyJson): string {
  const by = (l: string) => j.distortion.rows.find((r) => r.label === l);
  const spread = by("fp32 seed i+1");
  const reading: string[] = [];
  for (const k of QUANTIZED) {
    const qat = by(`${k} QAT`),
      own = by(`${k} QAT seed i+1`),
      kept = by(`${k} PTQ, fp32 head`);
    if (!qat || !spread) continue;
    const d = qat.fp32_states,
      s = spread.fp32_states;
    reading.push(
      `${k} QAT vs fp32 on fp32's states: KL ${f3(d.kl)}, |dV| ${f3(d.value_abs_diff)}; fp32's own between-seed spread KL ${f3(s.kl)}, |dV| ${f3(s.value_abs_diff)}` +
        (own ? `; ${k}'s ${f3(own.fp32_states.kl)}` : "") +
        ` (${d.kl <= Math.max(s.kl, own?.fp32_states.kl ?? 0) ? "not above" : "above"} the larger between-seed KL). ` +
        (kept
          ? `PTQ with the same head: KL ${f3(kept.fp32_states.kl)}, agreement ${f3(kept.fp32_states.agreement)}.`
          : ""),
    );
  }
  return [
    `On the states seed i's fp32 agent visits (${j.distortion.fp32_states}); "ref" is the first agent named:`,
    "",
    ...distortionTable(j.distortion.rows, "fp32_states"),
    "",
    `On states a uniformly random policy visits (${j.distortion.random_states}):`,
    "",
    ...distortionTable(j.distortion.rows, "random_states"),
    "",
    ...reading,
  ].join("\n");
}

/** Return loss against KL per quantized arm, for the question "does KL predict return loss?". */
/** Every quantized arm's return loss against fp32 beside its KL from fp32 (the matching distortion row). */
function lossVsKl(j: StudyJson) {
  const fp32 = armOf(j, "fp32")!;
  const pairs: { label: string; short: string; loss: number; kl: number; klRandom: number }[] = [];
  const klOf = (label: string) => j.distortion.rows.find((r) => r.label === label);
  for (const k of QUANTIZED)
    for (const [arm, label, short] of [
      [k, `${k} QAT`, `${k} QAT`],
      [`${k}-ptq-fp32-head`, `${k} PTQ, fp32 head`, `${k} PTQ-h`],
      [`${k}-ptq`, `${k} PTQ, head retrained`, `${k} PTQ`],
    ]) {
      const a = armOf(j, arm),
        d = klOf(label);
      if (a && d)
        pairs.push({
          label: armLabel(arm),
          short,
          loss: fp32.mean - a.mean,
          kl: d.fp32_states.kl,
          klRandom: d.random_states.kl,
        });
    }
  return pairs;
}

export function lossVsKlBlock(j: StudyJson): string {
  const e = j.env;
  const pairs = lossVsKl(j);
  const rank = (xs: number[]) =>
    xs.map((x) => xs.filter((y) => y < x).length + (xs.filter((y) => y === x).length - 1) / 2);
  const spearman = (a: number[], b: number[]) => {
    const ra = rank(a),
      rb = rank(b),
      n = a.length,
      ma = (n - 1) / 2;
    let num = 0,
      da = 0,
      db = 0;
    for (let i = 0; i < n; i++) {
      num += (ra[i] - ma) * (rb[i] - ma);
      da += (ra[i] - ma) ** 2;
      db += (rb[i] - ma) ** 2;
    }
    return da && db ? num / Math.sqrt(da * db) : NaN;
  };
  const loss = pairs.map((p) => p.loss);
  return [
    ...head(["arm", "return loss vs fp32 (fp32 mean - mean)", "KL on fp32's states", "KL on random-play states"]),
    ...pairs.map((p) => row([p.label, ret(e, p.loss), f3(p.kl), f3(p.klRandom)])),
    "",
    `Spearman rank correlation of return loss with KL over these ${pairs.length} arms: ${f3(
      spearman(
        loss,
        pairs.map((p) => p.kl),
      ),
    )} (fp32's states), ${f3(
      spearman(
        loss,
        pairs.map((p) => p.klRandom),
      ),
    )} (random-play states).`,
  ].join("\n");
}

/** Exploration vs stability per kind: policy entropy, spread over seeds, failures, episodes to threshold. */
export function stabilityBlock(j: StudyJson): string {
  const e = j.env;
  const entropyOf = (k: string) =>
    k === "fp32"
      ? j.distortion.rows.find((r) => r.label === "fp32 seed i+1")?.fp32_states.entropy_ref_per_seed
      : j.distortion.rows.find((r) => r.label === `${k} QAT`)?.fp32_states.entropy_other_per_seed;
  const kinds = ["fp32", ...QUANTIZED].filter((k) => armOf(j, k));
  const stats = kinds.map((k) => {
    const a = armOf(j, k)!,
      h = entropyOf(k) ?? [];
    const hMean = h.reduce((x, y) => x + y, 0) / Math.max(1, h.length);
    return { k, a, h, hMean, below: a.per_seed.filter((x) => x < j.threshold.value).length };
  });
  const lines = [
    ...head([
      "backbone",
      "policy entropy on fp32's states, mean [range over seeds] (nats)",
      "sd of return over seeds",
      "worst seed",
      `seeds below ${ret(e, j.threshold.value)} (greedy eval)`,
      `training episodes to ${ret(e, j.threshold.value)} (trailing ${j.threshold.window}), median`,
      "training environment steps to it, median (cartpole: returns are episode lengths)",
    ]),
    ...stats.map((s) =>
      row([
        s.k,
        `${f3(s.hMean)} [${f3(Math.min(...s.h))}, ${f3(Math.max(...s.h))}]`,
        ret(e, s.a.sd),
        ret(e, s.a.min),
        `${s.below}/${s.a.n}`,
        medianToThreshold(s.a.episodes_to_threshold),
        s.a.steps_to_threshold.length ? medianToThreshold(s.a.steps_to_threshold) : "-",
      ]),
    ),
  ];
  const byH = [...stats].sort((a, b) => a.hMean - b.hMean);
  const bySd = [...stats].sort((a, b) => b.a.sd - a.a.sd);
  const separated = stats.some((s) => stats.some((t) => !overlaps(s.a, t.a)));
  const reading =
    `Lowest mean entropy: ${byH[0].k} (${f3(byH[0].hMean)}); highest: ${byH[byH.length - 1].k} (${f3(byH[byH.length - 1].hMean)}). ` +
    `Largest spread over seeds: ${bySd[0].k} (sd ${ret(e, bySd[0].a.sd)}); smallest: ${bySd[bySd.length - 1].k} (sd ${ret(e, bySd[bySd.length - 1].a.sd)}); ` +
    `the lowest-entropy kind ${byH[0].k === bySd[0].k ? "is" : "is not"} the least stable one. ` +
    (separated
      ? "Some kinds' return CIs do not overlap, so the kinds do differ here; whether that follows their entropy is read from the two columns above, not assumed."
      : `Every kind's return CI overlaps every other's: with ${stats[0]?.a.n ?? 0} seeds the data show no exploration-stability trade-off between the kinds (nor its absence beyond this resolution).`);
  return [...lines, "", reading].join("\n");
}

export function headlineBlock(js: StudyJson[]): string {
  const lines = [
    ...head([
      "task",
      "fp32",
      "int8 QAT",
      "ternary QAT",
      "binary QAT",
      "ternary PTQ, fp32 heads",
      "ternary PTQ, head retrained",
      "retention ternary QAT / fp32 [95% CI]",
      "random-play backbones: ternary vs fp32, retention [95% CI]",
      "zero-shot fp32 readout",
      "tabular Q",
    ]),
    ...js.map((j) => {
      const e = j.env;
      const c = (a: string) => (armOf(j, a) ? ci(e, armOf(j, a)!) : "-");
      const zs = j.baselines.zero_shot.find((z) => z.backbone === "fp32");
      const r = j.retention.ternary;
      const rr = j.retention["ternary-random"];
      return row([
        e,
        c("fp32"),
        c("int8"),
        c("ternary"),
        c("binary"),
        c("ternary-ptq-fp32-head"),
        c("ternary-ptq"),
        r ? `**${f3(r.ratio)}** ${interval(r.ci95_bootstrap)}` : "-",
        rr
          ? `${c("ternary-random")} vs ${c("fp32-random")}: ${f3(rr.ratio)} ${interval(rr.ci95_bootstrap)}`
          : "not run",
        zs ? ret(e, zs.mean) : "-",
        ret(e, j.baselines.tabular.mean),
      ]);
    }),
  ];
  return [
    ...lines,
    "",
    `(mean +- Student-t 95% CI over ${js[0]?.seeds ?? 0} seeds, ${js[0]?.eval_episodes ?? 0} held-out greedy episodes per seed; the zero-shot readout and the table are baselines, not retention.)`,
  ].join("\n");
}

export function setupBlock(js: StudyJson[]): string {
  const cell = (f: (j: StudyJson) => string | number) => js.map(f);
  const t = (j: StudyJson) => j.procedure_backbones.train;
  return [
    ...head(["", ...js.map((j) => j.env)]),
    row(["training episodes per seed (backbone arms)", ...cell((j) => j.procedure_backbones.episodes)]),
    row(["algorithm", ...cell((j) => t(j).algo)]),
    row(["gamma", ...cell((j) => t(j).gamma)]),
    row([
      "lr (Adam) / lr decay per update / batch (episodes per update)",
      ...cell((j) => `${t(j).lr} / ${t(j).lrDecay} / ${t(j).batch}`),
    ]),
    row([
      "entropy bonus / value coef / reward scale",
      ...cell((j) => `${t(j).entropy} / ${t(j).valueCoef} / ${t(j).rewardScale}`),
    ]),
    row([
      "head",
      ...cell((j) =>
        j.procedure_backbones.hidden ? `${j.procedure_backbones.hidden} hidden units` : "linear (hidden 0)",
      ),
    ]),
    row([
      "checkpoint selection",
      ...cell(
        (j) =>
          `every ${j.procedure_backbones.select.every} episodes, ${j.procedure_backbones.select.episodes} greedy episodes (seeds ${j.procedure_backbones.select_seeds})`,
      ),
    ]),
    row([
      "score per seed",
      ...cell((j) => `greedy mean of ${j.eval_episodes} episodes (seeds ${j.procedure_backbones.eval_seeds})`),
    ]),
    row([
      "one-hot none: episodes / hidden / lr / batch / decay",
      ...cell((j) => {
        const p = j.procedure_none;
        return `${p.episodes} / ${p.hidden} / ${p.train.lr} / ${p.train.batch} / ${p.train.lrDecay}`;
      }),
    ]),
    row(["seeds", ...cell((j) => j.seeds)]),
  ].join("\n");
}

export function memoryBlock(js: StudyJson[]): string {
  const kinds = ["fp32", ...QUANTIZED];
  return [
    ...head([
      "backbone",
      ...js.flatMap((j) => [`${j.env} blob bytes`, `${j.env} ratio_vs_fp32 (bits/weight)`]),
      "backbone RAM in linear memory",
    ]),
    ...kinds.map((k) =>
      row([
        k,
        ...js.flatMap((j) => {
          const m = j.memory_bitrl_inspect[k];
          return m ? [m.bytes, `${m.ratio_vs_fp32.toFixed(2)} (${m.bits_per_weight ?? "-"})`] : ["-", "-"];
        }),
        js.map((j) => armOf(j, k)?.runtime_bytes ?? "-").join(" / "),
      ]),
    ),
  ].join("\n");
}

export function pretrainingBlock(js: StudyJson[]): string {
  const kinds = ["fp32", ...QUANTIZED];
  return [
    ...head(["env", "steps, seed", ...kinds, "uniform guess"]),
    ...js.map((j) => {
      const p = j.pretraining;
      return row([
        j.env,
        `${p.fp32?.steps}, ${p.fp32?.seed}`,
        ...kinds.map((k) => (p[k] ? f3(p[k].valid_loss) : "-")),
        f3(p.fp32?.uniform_loss),
      ]);
    }),
  ].join("\n");
}

interface LmJson {
  command: string;
  seeds: number;
  success: Record<string, { mean: number; ci95: number; per_seed: number[] }>;
  mean_return: Record<string, { mean: number; ci95: number; per_seed: number[] }>;
  retention?: Record<string, { ratio: number; ci95_bootstrap?: [number, number]; ci95?: [number, number] }>;
}

export function lmBlock(lm: LmJson): string {
  const kinds = Object.keys(lm.success);
  const below = (k: string) => {
    const s = lm.success[k].per_seed.map((x, i) => [x, i + 1] as const).filter(([x]) => x < 1);
    return s.length ? s.map(([x, i]) => `seed ${i} (${f3(x)})`).join(", ") : "none";
  };
  const lines = [
    ...head(["LM", `success (mean +- 95% CI, ${lm.seeds} seeds)`, "greedy mean return", "seeds below success 1"]),
    ...kinds.map((k) =>
      row([
        k,
        `${f3(lm.success[k].mean)} +- ${f3(lm.success[k].ci95)}`,
        `${f3(lm.mean_return[k].mean)} +- ${f3(lm.mean_return[k].ci95)}`,
        below(k),
      ]),
    ),
  ];
  const r = lm.retention ?? {};
  const rs = Object.entries(r).map(
    ([k, v]) => `${k.replace(/_/g, " ")} **${f3(v.ratio)}** ${interval((v.ci95_bootstrap ?? v.ci95)!)}`,
  );
  return [
    ...lines,
    "",
    `Command: \`${lm.command}\`. ` +
      (rs.length ? `Retention ternary / fp32: ${rs.join(", ")} (percentile bootstrap).` : ""),
    `Both LMs' mean returns are within ${f3(Math.max(...kinds.map((k) => TASK_MAX.keydoor - lm.mean_return[k].mean)))} of the scripted optimum (${f3(TASK_MAX.keydoor)}): the task saturates at this budget.`,
  ].join("\n");
}

// ---- docs/results/<env>.md ----

export function envPage(j: StudyJson): string {
  return [
    `# ${j.env}: retention study (generated by scripts/study.ts --render from ${j.env}.json)`,
    "",
    `Command: \`${j.command}\` (host run, Node/V8). ${j.how}.`,
    "",
    "## Returns",
    "",
    returnsBlock(j),
    "",
    "## Baselines",
    "",
    baselinesBlock(j),
    "",
    "## Distortion",
    "",
    distortionBlock(j),
    "",
    "## Return loss against KL",
    "",
    lossVsKlBlock(j),
    "",
    "## Exploration and stability",
    "",
    stabilityBlock(j),
    "",
    `![returns](${j.env}-returns.svg) ![per seed](${j.env}-seeds.svg) ![curves](${j.env}-curves.svg) ![loss vs KL](${j.env}-loss-vs-kl.svg)`,
    "",
  ].join("\n");
}

export function envSvgs(j: StudyJson): Record<string, string> {
  const arms = orderedArms(j);
  const ymax = Math.max(...arms.map((r) => r.mean + (r.ci95 || 0)), 1e-9) * 1.1;
  const short = (a: string) => a.replace("-ptq-fp32-head", " ptq-h").replace("-ptq", " ptq");
  const trained = arms.filter((a) => a.curve.length);
  return {
    [`${j.env}-returns.svg`]: svgBars(
      `${j.env}: greedy return, mean and 95% CI over ${j.seeds} seeds (host, V8)`,
      arms.map((r) => ({ label: short(r.arm), mean: r.mean, ci: r.ci95 })),
      ymax,
    ),
    [`${j.env}-seeds.svg`]: svgSeeds(
      `${j.env}: greedy return per seed (host, V8)`,
      arms.map((r) => ({ label: short(r.arm), ys: r.per_seed })),
      ymax,
    ),
    [`${j.env}-loss-vs-kl.svg`]: svgScatter(
      `${j.env}: return loss vs fp32 against KL on fp32's states (host, V8)`,
      lossVsKl(j).map((p) => ({ label: p.short, x: p.kl, y: p.loss })),
      "KL(pi_fp32 || pi) on fp32's states, nats",
      "fp32 mean - mean",
    ),
    [`${j.env}-curves.svg`]: svgCurves(
      `${j.env}: training return (sampled actions; host, V8)`,
      trained.map((r) => ({ label: short(r.arm), ys: r.curve })),
      Math.ceil(Math.max(...trained.flatMap((r) => r.curve), 1e-9) * 1.1 * 100) / 100,
    ),
  };
}

// ---- the generated blocks inside docs/results.md ----

/** Replaces the body of every `<!-- study:NAME:begin -->` ... `<!-- study:NAME:end -->` block with blocks[NAME]. */
export function fillBlocks(doc: string, blocks: Record<string, string>): string {
  const seen = new Set<string>();
  const out = doc.replace(
    /(<!-- study:([\w-]+):begin -->\n)[\s\S]*?(<!-- study:\2:end -->)/g,
    (_m, begin: string, name: string, end: string) => {
      if (!(name in blocks)) throw new Error(`docs/results.md: no generator for block '${name}'`);
      seen.add(name);
      return begin + blocks[name] + "\n" + end;
    },
  );
  const missing = Object.keys(blocks).filter((n) => !seen.has(n));
  if (missing.length) throw new Error(`docs/results.md: blocks missing: ${missing.join(", ")}`);
  return out;
}

export function resultsBlocks(js: StudyJson[], lm: LmJson | null): Record<string, string> {
  const blocks: Record<string, string> = {
    setup: setupBlock(js),
    headline: headlineBlock(js),
    memory: memoryBlock(js),
    pretraining: pretrainingBlock(js),
  };
  if (lm) blocks.lm = lmBlock(lm);
  for (const j of js) {
    blocks[`${j.env}-returns`] = returnsBlock(j);
    blocks[`${j.env}-baselines`] = baselinesBlock(j);
    blocks[`${j.env}-distortion`] = distortionBlock(j);
    blocks[`${j.env}-loss-vs-kl`] = lossVsKlBlock(j);
    blocks[`${j.env}-stability`] = stabilityBlock(j);
  }
  return blocks;
}

/** Every generated document (repo-relative path -> text) from the committed JSON and the current docs/results.md. */
export function renderAll(root: string): Record<string, string> {
  const dir = join(root, "docs", "results");
  const js = STUDY_ENVS.filter((e) => existsSync(join(dir, `${e}.json`))).map((e) => {
    const j = JSON.parse(readFileSync(join(dir, `${e}.json`), "utf8")) as StudyJson;
    if (!Array.isArray(j.arms))
      throw new Error(`docs/results/${e}.json is from an older study: run scripts/study.ts --env ${e} first`);
    return j;
  });
  const lmPath = join(dir, "lm-keydoor.json");
  const lm = existsSync(lmPath) ? (JSON.parse(readFileSync(lmPath, "utf8")) as LmJson) : null;
  const out: Record<string, string> = {};
  for (const j of js) {
    out[`docs/results/${j.env}.md`] = envPage(j);
    for (const [name, text] of Object.entries(envSvgs(j))) out[`docs/results/${name}`] = text;
  }
  let doc = readFileSync(join(root, "docs", "results.md"), "utf8");
  // the sample-efficiency and pretraining-data studies' sections and figures too, so one render leaves every
  // generated part of the document current
  const effPath = join(dir, "efficiency.json");
  if (existsSync(effPath)) {
    const eff = JSON.parse(readFileSync(effPath, "utf8")) as EfficiencyStudy;
    for (const env of EFFICIENCY_ENVS) out[`docs/results/efficiency-${env}.svg`] = efficiencySvg(eff, env);
    doc = withEfficiencySection(doc, efficiencySection(eff));
  }
  out["docs/results.md"] = renderedResults(fillBlocks(doc, resultsBlocks(js, lm)));
  return out;
}

export type { DistortionRow };
