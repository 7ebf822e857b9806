// `bitrl inspect`: validate a .bitrl blob and show its tensors, sizes and compression (a table, or --json).
import { readFileChecked } from "../lib/util/files.ts";
import { decodeBlobBytes } from "../lib/format/blob-file.ts";
import { modelId } from "../lib/format/blob.ts";
import { BitrlError } from "../lib/util/errors.ts";
import { inspectBlob, type BlobStats } from "../lib/format/blob-tensors.ts";
import { noPositionals, parseCommandArgs, type Command } from "./command.ts";
import { JSON_FLAG } from "./options.ts";

function table(s: BlobStats & { model_id: string }): string {
  const rows = s.tensors.map((t) => [
    t.name,
    `[${t.shape.join(", ")}]`,
    t.packing,
    t.scale,
    String(t.bytes),
    t.bits_per_weight.toFixed(3),
  ]);
  const head = ["name", "shape", "packing", "scale", "bytes", "bits/w"];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => (i >= 4 ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join("  ")
      .trimEnd();
  const bpw =
    s.bits_per_weight === null ? "no ternary tensors" : `${s.bits_per_weight.toFixed(3)} bits per ternary weight`;
  return [
    line(head),
    ...rows.map(line),
    "",
    `model id ${s.model_id} (CRC-32 of the bytes before the trailer), format version ${s.version}, ${s.tensors.length} tensors, ${s.bytes} bytes (fp32: ${s.fp32_bytes} bytes, ${s.ratio_vs_fp32.toFixed(2)}x smaller), ${bpw}`,
    `meta: ${JSON.stringify(s.meta)}`,
  ].join("\n");
}

export const inspectCommand: Command = {
  name: "inspect",
  summary: "validate a .bitrl blob and show its tensors and sizes",
  usage: `usage: bitrl inspect FILE.bitrl [--json]

Checks every field and checksum, then prints one line per tensor (shape, packing, scale layout, bytes,
bits per weight) and the totals: file bytes, the same tensors as fp32, the ratio, bits per ternary weight.
  --json    print one JSON object instead (fields: version, bytes, fp32_bytes, ratio_vs_fp32,
            bits_per_weight, tensors[{name, shape, packing, bytes, scale, bits_per_weight}], meta)`,
  async run(argv) {
    const args = parseCommandArgs(this, argv, JSON_FLAG);
    if (!args) return 0;
    const [file, ...extra] = args.positionals;
    if (!file) throw new BitrlError("missing FILE (see 'bitrl inspect --help')");
    noPositionals(extra);
    const bytes = readFileChecked(file, "model blob");
    const stats = { model_id: modelId(bytes), ...inspectBlob(decodeBlobBytes(file, bytes), bytes.length) };
    console.log(args.values.json ? JSON.stringify(stats) : table(stats));
    return 0;
  },
};
