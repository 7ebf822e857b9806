// Post-training quantization (PTQ, issue #16): a pretrained fp32 backbone's weights put through the same export
// quantizers QAT ends with (exportWeights: int8 absmax per row, ternary absmean per tensor, binary sign x absmean;
// the embedding int8 per tensor), with no training after. Beside the QAT backbone of the same kind and pretraining
// seed, it separates what quantizing costs from what training a quantized model changes.
import type { Blob } from "../format/types.ts";
import {
  backboneFromBlob,
  backboneTensors,
  dequantizedRows,
  type BackboneKind,
  type BackboneWeights,
} from "../reference/backbone.ts";
import { BitrlError } from "../util/errors.ts";
import { exportWeights, type Params } from "./model.ts";

/** The fp32 backbone `w` quantized to `kind` after training. */
export function quantizeBackbone(w: BackboneWeights, kind: BackboneKind): BackboneWeights {
  if (w.config.kind !== "fp32")
    throw new BitrlError(`post-training quantization needs an fp32 backbone, got ${w.config.kind}`);
  if (w.head || w.layers.some((l) => l.gate))
    throw new BitrlError("post-training quantization: only the agent backbone (tied head, no gate) is supported");
  const f64 = (x: ArrayLike<number>) => Float64Array.from(x);
  const p: Params = {
    emb: f64(dequantizedRows(w.emb)),
    norms: f64(w.norms),
    layers: w.layers.map((l) => ({
      wqkvo: f64(dequantizedRows(l.wqkvo)),
      up: f64(dequantizedRows(l.up)),
      down: f64(dequantizedRows(l.down)),
    })),
  };
  return exportWeights({ ...w.config, kind }, p);
}

/** The blob of an fp32 backbone blob quantized to `kind` after training (metadata records where it came from). */
export function quantizeBackboneBlob(fp32: Blob, kind: BackboneKind): Blob {
  const w = quantizeBackbone(backboneFromBlob(fp32), kind);
  return {
    version: 1,
    meta: { ...fp32.meta, model: `${String(fp32.meta.model ?? "backbone")}-ptq-${kind}`, kind, ptq_from: "fp32" },
    tensors: backboneTensors(w),
  };
}
