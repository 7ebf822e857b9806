/* C twin of assembly/kernels/attention.ts, the `wasm3+native` binding of the module's k_attention import: RoPE on
 * the raw integer q and k, their int8 quantization, scores in log2 units, softmax by the module's exp2 table and
 * the weighted sum of v, bit for bit as the AssemblyScript kernel (test/board/backbone.test.ts compares the
 * features of every shipped backbone). Pointers are inside linear memory (native_bind.c checks them). */
#ifndef BITRL_NATIVE_ATTENTION_H
#define BITRL_NATIVE_ATTENTION_H
#include <stdint.h>

/* Buffers as in attention.ts: qkv i32[P][3 dim], rope i32[P][hd/2][2], mult i32[P], qk8 i8[P][2 dim] then
 * i32[P][2][heads], sc i32[2][P], out i32[P][dim], exp2 u16[256]; n tokens (1 <= n <= P). */
void bitrl_native_attention(uint8_t *qkv, int32_t n, int32_t dim, int32_t heads, const uint8_t *rope, uint8_t *mult,
                            uint8_t *qk8, uint8_t *sc, uint8_t *out, int32_t score_fx, int32_t P, const uint8_t *exp2);

#endif
