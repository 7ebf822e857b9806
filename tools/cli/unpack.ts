// `bitrl unpack`: .bitrl -> safetensors with the dequantized F32 values under the original names.
import { BitrlError } from "../lib/util/errors.ts";
import { readBlobFile } from "../lib/format/blob-file.ts";
import { writeFileAtomic } from "../lib/util/files.ts";
import { encodeSafetensors } from "../lib/format/safetensors.ts";
import { tensorValues } from "../lib/format/blob-tensors.ts";
import { inputAndOutput, parseCommandArgs, type Command } from "./command.ts";
import { OUT_FLAG } from "./options.ts";

export const unpackCommand: Command = {
  name: "unpack",
  summary: "dequantize a .bitrl blob back to F32 safetensors",
  usage: `usage: bitrl unpack FILE.bitrl -o OUT.safetensors

Writes every tensor as F32: ternary and int8 values as q * scale, f32 as stored, i32 converted.
The blob's metadata goes into __metadata__ as the JSON string 'bitrl_meta'.
  -o, --out FILE    the safetensors file to write (written to a temp file, then renamed)`,
  async run(argv) {
    const args = parseCommandArgs(this, argv, OUT_FLAG);
    if (!args) return 0;
    const { input: file, out } = inputAndOutput(this, args.positionals, args.values.out, "OUT.safetensors");
    const blob = readBlobFile(file);
    const list = blob.tensors.map((t) => ({ name: t.name, shape: t.shape, values: tensorValues(t) }));
    const bytes = encodeSafetensors(list, { bitrl_meta: JSON.stringify(blob.meta) });
    writeFileAtomic(out, bytes);
    console.log(`${out}: ${list.length} tensors, ${bytes.length} bytes (F32)`);
    return 0;
  },
};
