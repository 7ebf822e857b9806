// The bitrl package's public API (`import { ... } from "bitrl"`), in the order of the flow (docs/architecture.md):
// model files -> quantize and pack -> blob -> the agent module (V8 or a board) -> run logs -> report.
// Everything here is typed; deeper modules stay importable from the sources but are not promised.

// ---- errors: everything a user can cause is a BitrlError with a one-line message
export { BitrlError } from "./util/errors.ts";

// ---- the .bitrl blob: bytes <-> Blob, files, tensors, statistics (docs/format.md)
export type { Blob, BlobTensor, Packing } from "./format/types.ts";
export { BLOB_VERSION, decodeBlob, encodeBlob } from "./format/blob.ts";
export { readBlobFile, writeBlobFile } from "./format/blob-file.ts";
export {
  f32Tensor,
  i32Tensor,
  inspectBlob,
  int8Tensor,
  ternaryTensor,
  tensorValues,
  type BlobStats,
  type ScaleLayout,
  type TensorStats,
} from "./format/blob-tensors.ts";

// ---- quantize and pack (BitNet b1.58 rules; ternary packings i2 and t3)
export {
  absmeanScale,
  bitLinearScale,
  dequantize,
  quantizeActivations,
  quantizeInt8,
  quantizeTernary,
  type Int8Activations,
  type Int8Weights,
  type TernaryWeights,
} from "./format/quantize.ts";
export { packTernary, rowBytes, unpackTernary, type TernaryPacking } from "./format/ternary-packing.ts";

// ---- model files in: safetensors and GGUF; out: GGUF (docs/gguf.md)
export { encodeSafetensors, readSafetensors, type SafeTensor } from "./format/safetensors.ts";
export {
  DEFAULT_PACK_OPTIONS,
  safetensorsToBlob,
  tensorsToBlob,
  type NamedTensor,
  type PackOptions,
} from "./format/safetensors-import.ts";
export { parseGguf, writeGguf, type GgufFile } from "./format/gguf/container.ts";
export { ggufBytesToBlob, ggufToBlob, type GgufImportOptions } from "./format/gguf/import.ts";
export { blobToGguf, blobToGgufBytes, type GgufExportOptions, type GgufExportReport } from "./format/gguf/export.ts";

// ---- reference twins: the TypeScript kernels, backbone and environments every runtime must match bit for bit
export * as referenceKernels from "./reference/kernels.ts";
export * as referenceSmallKernels from "./reference/small-kernels.ts";
export {
  backboneFeatures,
  backboneFromBlob,
  configFromI32,
  featureSize,
  type BackboneConfig,
  type BackboneKind,
  type BackboneWeights,
} from "./reference/backbone.ts";
export { ENV_NAMES, Pcg32, type EnvName } from "./reference/envs.ts";

// ---- the agent module in V8 (build/agent.wasm) and golden vectors (docs/abi.md)
export { agentWasmPath, instantiateAgent, loadAgent, type AgentHostOptions, type AgentModule } from "./runtime/wasm.ts";
export {
  loadGoldenFile,
  runGoldenCase,
  type GoldenCase,
  type GoldenFile,
  type GoldenResult,
} from "./runtime/golden.ts";

// ---- agents: blobs, training, evaluation and replay in V8 or on a board (docs/agents.md)
export * from "./agent/index.ts";
export { pretrainBackbone, type PretrainOptions, type PretrainResult } from "./train/pretrain.ts";

// ---- language models: generation in V8 or on a board, the fit check, the byte tokenizer, text pretraining (docs/lm.md)
export { generateOnHost, generateOnBoard, type GenerateRequest } from "./lm/generate.ts";
export { assertLmFits, boardLinearMemory, lmBytes, lmLayoutOf } from "./lm/fit.ts";
export { encodeBytes, decodeBytes, isLanguageModel, BYTE_VOCAB } from "./lm/tokenizer.ts";
export { pretrainText, lmBlob } from "./lm/pretrain-text.ts";

// ---- boards: profiles, sessions over the serial protocol, firmware builds, conformance, readiness
export { BOARDS, getBoard, type BoardId, type BoardProfile } from "./board/profiles.ts";
export { openBoard, withBoard, type BoardSession, type BoardSessionOptions } from "./board/session.ts";
export { BoardClient, BoardError, type BoardInfo } from "./board/client.ts";
export { buildFirmware, buildHostFirmware, type Backend, type FirmwareImage } from "./board/firmware-build.ts";
export { runConformance, type ConformanceReport } from "./board/conformance.ts";
export { runChecks, type Check } from "./board/doctor.ts";

// ---- energy per decision: estimated from the board profile or measured with a meter (docs/energy.md)
export { energyOnBoard, estimateFromWork, formatEnergyTable, type EnergyResult } from "./energy/energy.ts";
export { estimateAgent, type AgentWork, type EnergyFigure, type FigureKind } from "./energy/estimate.ts";

// ---- run logs and the HTML report (docs/report.md)
export { appendRun, readRuns, type RunRecord } from "./report/runlog.ts";
export { renderReport, type ReportOptions } from "./report/render.ts";
export { buildReport } from "./report/write.ts";
