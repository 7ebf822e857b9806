// Post-training quantization (tools/lib/train/ptq.ts): the fp32 backbone through QAT's export quantizers, no training.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { join } from "node:path";
import { readBlobFile } from "../../tools/lib/format/blob-file.ts";
import { absmeanScale } from "../../tools/lib/format/quantize.ts";
import { backboneFromBlob, dequantizedRows } from "../../tools/lib/reference/backbone.ts";
import { quantizeBackbone, quantizeBackboneBlob } from "../../tools/lib/train/ptq.ts";
import { repoRoot } from "../../tools/lib/util/paths.ts";

const fp32Blob = readBlobFile(join(repoRoot, "models", "keydoor-backbone-fp32.bitrl"));
const fp32 = backboneFromBlob(fp32Blob);

test("should ternarize every projection with the fp32 tensor's absmean scale, and int8 the embedding", () => {
  const t = quantizeBackbone(fp32, "ternary");
  assert.is(t.config.kind, "ternary");
  const m = t.layers[0].up,
    src = dequantizedRows(fp32.layers[0].up);
  assert.is(m.type, "ternary");
  if (m.type === "f32") return;
  assert.ok(m.q.every((v) => v >= -1 && v <= 1));
  assert.ok(Math.abs(m.scales[0] - absmeanScale(src)) < 1e-6 * m.scales[0]);
  assert.is(t.emb.type, "i8");
  assert.equal(Array.from(t.norms), Array.from(fp32.norms));
});

test("should give a loadable blob of the kind, and refuse a backbone that is not fp32", () => {
  const b = quantizeBackboneBlob(fp32Blob, "binary");
  const w = backboneFromBlob(b);
  assert.is(w.config.kind, "binary");
  assert.is(b.meta.ptq_from, "fp32");
  assert.throws(() => quantizeBackbone(w, "ternary"), /needs an fp32 backbone/);
});

test.run();
