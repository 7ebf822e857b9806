// Post-training quantization of a pretrained fp32 backbone (issue #16, "quantization isolated"): the same float
// weights exported as another kind by the rules QAT's export uses (model.ts exportWeights: int8 absmax per row,
// ternary absmean per tensor, binary sign with the absmean scale; embedding int8 per tensor), with no training that
// sees the quantizer. Beside a QAT backbone of the same data and seed, the difference is what training through the
// quantizer buys.
import { BitrlError } from "../util/errors.ts";
import type { Blob } from "../format/types.ts";
import { backboneFromBlob, backboneTensors, type BackboneKind, type Matrix } from "../reference/backbone.ts";
import { exportWeights } from "./model.ts";

const f64 = (m: Matrix): Float64Array => {
  if (m.type !== "f32") throw new BitrlError("ptq: the source backbone must be fp32");
  return Float64Array.from(m.w);
};

/** The fp32 backbone blob `fp32`, quantized after training to `kind`; metadata says how it was made. */
export function ptqBackbone(fp32: Blob, kind: BackboneKind): Blob {
  const w = backboneFromBlob(fp32);
  if (w.config.kind !== "fp32") throw new BitrlError(`ptq: the source backbone is ${w.config.kind}, not fp32`);
  const params = {
    emb: f64(w.emb),
    norms: Float64Array.from(w.norms),
    layers: w.layers.map((l) => ({ wqkvo: f64(l.wqkvo), up: f64(l.up), down: f64(l.down) })),
  };
  const q = exportWeights({ ...w.config, kind }, params);
  return {
    version: 1,
    meta: { ...fp32.meta, model: `${String(fp32.meta.model ?? "backbone")}-ptq-${kind}`, kind, ptq_from: "fp32" },
    tensors: backboneTensors(q),
  };
}
