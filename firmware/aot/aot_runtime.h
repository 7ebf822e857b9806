/* The ahead-of-time backend's face towards the firmware: the same three operations the wasm3 backend offers
 * (instantiate, call an export by name, reach linear memory), so commands do not care which backend runs. */
#ifndef BITRL_AOT_RUNTIME_H
#define BITRL_AOT_RUNTIME_H
#include <stdint.h>

/* Instantiates the compiled module; NULL = ok, else a named error string. */
const char *bitrl_aot_init(void);
/* Calls export `name` with nargs arguments (i32/i64 in the low bits, floats as bit patterns); the result (if any)
 * goes to *result. Returns NULL, "ERR_NO_EXPORT", "ERR_ARGS" or "ERR_TRAP: <reason>" (a trap never corrupts
 * memory: every access is bounds-checked, and the call unwinds back here). */
const char *bitrl_aot_call(const char *name, const uint64_t *args, unsigned nargs, uint64_t *result);
/* The module's linear memory and its size in bytes. */
uint8_t *bitrl_aot_memory(uint32_t *size);

#endif
