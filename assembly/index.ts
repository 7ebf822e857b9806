// The agent module's entry: everything exported from build/agent.wasm (docs/abi.md lists the exports).
// First: the split t3 tables' byte decoders get the lowest static addresses (below 4 KiB, which the AOT build reaches
// as immediate load offsets: docs/aot.md).
import "./kernels/generated/t3-decode";
export { abort } from "./host";
export { io_base, io_size, lut_fast_base } from "./io";
export { matvec_i2, matvec_t3, matvec_i8, matvec_f32 } from "./kernels/plain";
export { lut_build_i2, lut_build_t3, matvec_i2_lut, matvec_t3_lut } from "./kernels/lut";
export { rmsnorm_f32, quantize_act } from "./kernels/act";
export {
  bitlinear_i2,
  bitlinear_t3,
  bitlinear_i8,
  bitlinear_i2_scratch,
  bitlinear_t3_scratch,
  bitlinear_i8_scratch,
} from "./kernels/bitlinear";
export {
  env_size,
  env_reset,
  env_step,
  env_obs,
  env_tokens,
  env_tokenize,
  env_state,
  env_text,
  env_text_of,
} from "./envs/exports";
export {
  agent_load,
  agent_episode,
  agent_train,
  agent_act,
  agent_head_ptr,
  agent_head_bytes,
  agent_set_budget,
  agent_trained_steps,
  agent_set_trained_steps,
  agent_rollout_steps,
  agent_updates,
  agent_features,
} from "./agent";
export {
  backbone_load,
  backbone_feature_size,
  backbone_memory,
  backbone_features,
  backbone_profile,
} from "./model/exports";
export { probe_load_u8, probe_load_offset, probe_recurse } from "./probe";
export { memory_map, heap_top } from "./memory";
export {
  lut_build_t3x4,
  matvec_t3x4_lut,
  matvec_t3x4,
  lut_build_t3x4s,
  matvec_t3x4s_lut,
  matvec_t3x4s,
} from "./kernels/small";
export { quantize_act_bits } from "./kernels/small";
export { lut_build_t3x4_x4, lut_build_t3x4s_x4, quantize_act_x4 } from "./kernels/small";
export { softmax_exp2, fx_ops } from "./kernels/fixed";
export {
  quant_i32,
  norm_quant,
  rescale_t3,
  t3_matvec_x4,
  k_t3_matvec,
  k_quant,
  k_norm_quant,
  k_rescale,
  k_attention,
  k_norm_f32,
  attention_i32,
  norm_f32,
  k_baseline,
  f32_linear,
  f32_affine,
  f32_rmsnorm,
  f32_attention,
  i8_matvec,
  i8_rows,
  scales_fx,
} from "./kernels/bound";
export { lm_load, lm_memory, lm_reset, lm_position, lm_step, lm_state, lm_generate } from "./lm/exports";
