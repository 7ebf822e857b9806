/* The generated table of module exports (scripts/aot-gen.mjs): lets the firmware call an export by name with
 * arguments in u64 slots, as the wasm3 backend does with m3_FindFunction/m3_Call. */
#ifndef BITRL_AOT_EXPORTS_H
#define BITRL_AOT_EXPORTS_H
#include <stdint.h>
#include <string.h>

enum { BITRL_AOT_I32 = 0, BITRL_AOT_I64 = 1, BITRL_AOT_F32 = 2, BITRL_AOT_F64 = 3, BITRL_AOT_VOID = 255 };

typedef struct {
    const char *name;
    uint8_t param_count;
    uint8_t param_types[12];
    uint8_t result_type;
    void (*thunk)(void *instance, const uint64_t *args, uint64_t *result);
} bitrl_aot_export;

extern const bitrl_aot_export bitrl_aot_exports[];
extern const unsigned bitrl_aot_export_count;

/* float arguments and results travel as their bit patterns (a union member read as another's bits, C99) */
typedef union {
    uint32_t bits;
    float f;
} bitrl_aot_f32_bits;
typedef union {
    uint64_t bits;
    double d;
} bitrl_aot_f64_bits;
static inline float bitrl_aot_f32(uint64_t v) { return ((bitrl_aot_f32_bits){.bits = (uint32_t)v}).f; }
static inline double bitrl_aot_f64(uint64_t v) { return ((bitrl_aot_f64_bits){.bits = v}).d; }
static inline uint64_t bitrl_aot_from_f32(float f) { return ((bitrl_aot_f32_bits){.f = f}).bits; }
static inline uint64_t bitrl_aot_from_f64(double d) { return ((bitrl_aot_f64_bits){.d = d}).bits; }

#endif
