// `bitrl pack`: safetensors -> .bitrl (2-D tensors ternary, others kept as int8 or fp32).
import { basename } from "node:path";
import { DEFAULT_PACK_OPTIONS, safetensorsToBlob, type PackOptions } from "../lib/format/safetensors-import.ts";
import { BitrlError } from "../lib/util/errors.ts";
import { readFileChecked } from "../lib/util/files.ts";
import { writeBlobFile } from "../lib/format/blob-file.ts";
import { ggufToBlob } from "../lib/format/gguf/import.ts";
import { parseGguf } from "../lib/format/gguf/container.ts";
import { isLlamaGguf, llamaGgufToBlob } from "../lib/lm/gguf-llama.ts";
import { inspectBlob } from "../lib/format/blob-tensors.ts";
import { inputAndOutput, parseCommandArgs, type Command } from "./command.ts";
import { choice } from "./values.ts";
import { OUT_FLAG, valueFlags } from "./options.ts";

export const packCommand: Command = {
  name: "pack",
  summary: "quantize a safetensors model to a ternary .bitrl blob",
  usage: `usage: bitrl pack IN.safetensors -o OUT.bitrl [--packing i2|t3] [--scale tensor|row] [--keep int8|fp32]

2-D tensors become ternary (absmean, BitNet b1.58); the others are kept as int8 or fp32.
  -o, --out FILE        the .bitrl file to write (written to a temp file, then renamed)
  --packing i2|t3       ternary packing: i2 = 2 bits/weight, t3 = 1.6 bits/weight (default i2)
  --scale tensor|row    one absmean scale per tensor or per row (default tensor)
  --keep int8|fp32      how tensors that are not 2-D are stored (default fp32)
Input dtypes: F32, F16, BF16. Byte layout: docs/format.md.
IN.gguf is converted exactly instead (TQ1_0 -> t3, TQ2_0 -> i2, floats -> fp32; the options above do not apply):
docs/gguf.md. A llama GGUF (general.architecture 'llama', ternary weights) becomes a language model that
'bitrl generate' runs (q|k|v|o fused, SwiGLU, grouped KV heads, its vocabulary; docs/gguf.md "Llama models").`,
  async run(argv) {
    const args = parseCommandArgs(this, argv, { ...OUT_FLAG, ...valueFlags("packing", "scale", "keep") });
    if (!args) return 0;
    const { input, out } = inputAndOutput(this, args.positionals, args.values.out, "OUT.bitrl");
    const opts: PackOptions = {
      packing: choice("packing", args.values.packing, ["i2", "t3"] as const) ?? DEFAULT_PACK_OPTIONS.packing,
      scale: choice("scale", args.values.scale, ["tensor", "row"] as const) ?? DEFAULT_PACK_OPTIONS.scale,
      keep: choice("keep", args.values.keep, ["int8", "fp32"] as const) ?? DEFAULT_PACK_OPTIONS.keep,
    };
    const gguf = input.endsWith(".gguf");
    if (!gguf && !input.endsWith(".safetensors"))
      throw new BitrlError(`'${input}': pack reads .safetensors and .gguf files`);
    const bytes = readFileChecked(input, "input");
    let blob;
    try {
      if (gguf) {
        const file = parseGguf(bytes);
        if (isLlamaGguf(file)) {
          const r = llamaGgufToBlob(file);
          for (const n of r.notes) console.error(`note: ${n}`);
          blob = r.blob;
        } else blob = ggufToBlob(file);
      } else blob = safetensorsToBlob(bytes, opts, basename(input));
    } catch (e) {
      if (e instanceof BitrlError) throw new BitrlError(`${input}: ${e.message}`);
      throw e;
    }
    const written = writeBlobFile(out, blob);
    const s = inspectBlob(blob, written.length);
    const bpw = s.bits_per_weight === null ? "" : `, ${s.bits_per_weight.toFixed(3)} bits/ternary weight`;
    console.log(
      `${out}: ${blob.tensors.length} tensors, ${written.length} bytes, ${s.ratio_vs_fp32.toFixed(2)}x smaller than fp32${bpw}`,
    );
    return 0;
  },
};
