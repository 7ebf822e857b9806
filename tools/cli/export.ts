// `bitrl export FILE.bitrl --gguf -o OUT.gguf`: a bitrl model as GGUF v3 (ternary tensors as TQ2_0 or TQ1_0).
import { basename } from "node:path";
import { BitrlError } from "../lib/util/errors.ts";
import { readBlobFile } from "../lib/format/blob-file.ts";
import { writeFileAtomic } from "../lib/util/files.ts";
import { blobToGgufBytes, type GgufExportOptions } from "../lib/format/gguf/export.ts";
import { inputAndOutput, parseCommandArgs, type Command } from "./command.ts";
import { choice } from "./values.ts";
import { OUT_FLAG, switchFlags, valueFlags } from "./options.ts";

export const exportCommand: Command = {
  name: "export",
  summary: "write a .bitrl model as GGUF (ternary tensors as TQ2_0 or TQ1_0)",
  usage: `usage: bitrl export FILE.bitrl --gguf -o OUT.gguf [--type tq2_0|tq1_0] [--float f32|f16] [--odd-rows error|f32]
                    [--exact] [--arch NAME] [--name NAME]

Ternary tensors (i2, t3) become ggml TQ2_0 (2.06 bits/weight, default) or TQ1_0 (1.69) blocks of 256 weights with
their values unchanged; each block's f16 scale is the tensor's or row's f32 scale rounded to nearest (reported;
the exact scales are kept under bitrl.tensors so 'bitrl pack OUT.gguf' restores them). f32 tensors become F32
(or F16 with --float f16, rounding reported), i32 I32, i8 F32 values q * scale. Mapping: docs/gguf.md.
  -o, --out FILE          the .gguf file to write (temp file, then rename)
  --type tq2_0|tq1_0      ternary block type (default: as imported, else tq2_0)
  --float f32|f16         type of f32 tensors (default: as imported, else f32)
  --odd-rows error|f32    ternary rows not a multiple of 256: refuse (default) or store exact values as F32
  --exact                 refuse any rounding instead of reporting it
  --arch NAME             general.architecture (default: as imported, meta.architecture, else 'bitrl')
  --name NAME             general.name (default: as imported, meta.name, else the file name)`,
  async run(argv) {
    const args = parseCommandArgs(this, argv, {
      ...OUT_FLAG,
      ...switchFlags("gguf", "exact"),
      ...valueFlags("type", "float", "odd-rows", "arch", "name"),
    });
    if (!args) return 0;
    if (!args.values.gguf && args.positionals.length)
      throw new BitrlError("choose the output format: --gguf (the only one so far)");
    const { input, out } = inputAndOutput(this, args.positionals, args.values.out, "OUT.gguf");
    const blob = readBlobFile(input);
    const opts: GgufExportOptions = {
      ternaryType: choice("type", args.values.type, ["tq2_0", "tq1_0"] as const),
      floatType: choice("float", args.values.float, ["f32", "f16"] as const),
      oddRows: choice("odd-rows", args.values["odd-rows"], ["error", "f32"] as const),
      exact: args.values.exact,
      architecture: args.values.arch,
      name: args.values.name,
      defaultName: basename(input).replace(/\.bitrl$/, ""),
    };
    let result;
    try {
      result = blobToGgufBytes(blob, opts);
    } catch (e) {
      if (e instanceof BitrlError) throw new BitrlError(`${input}: ${e.message}`);
      throw e;
    }
    writeFileAtomic(out, result.bytes);
    const { report } = result;
    const counts = new Map<string, number>();
    for (const t of report.tensors) counts.set(t.type, (counts.get(t.type) ?? 0) + 1);
    const types = [...counts].map(([t, n]) => `${n} ${t}`).join(", ");
    const rounded = report.roundedScales
      ? `; ${report.roundedScales} scales rounded to f16 (max relative error ${report.maxScaleRelError.toExponential(2)})`
      : "; scales exact";
    const values = report.roundedValues ? `; ${report.roundedValues} values rounded to 16-bit floats` : "";
    console.log(`${out}: ${report.tensors.length} tensors (${types}), ${result.bytes.length} bytes${rounded}${values}`);
    return 0;
  },
};
