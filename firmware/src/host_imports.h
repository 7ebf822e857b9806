/* The module's host imports (docs/abi.md, module "bitrl"): ONE table, independent of the WebAssembly engine.
 * The wasm3 adapter (vm_wasm3.c) links it generically; an ahead-of-time (wasm2c) backend can call the typed
 * functions directly. Every pointer+length is checked against linear memory before it is touched. */
#ifndef BITRL_HOST_IMPORTS_H
#define BITRL_HOST_IMPORTS_H
#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint8_t *base; /* (size) bytes of the module's linear memory */
    uint32_t size;
} bitrl_linear_memory;

/* Most arguments an import of the table takes (k_t3_matvec's 7). */
#define BITRL_HOST_MAX_ARGS 12

/* Generic entry: args as raw 64-bit slots (i32 in the low half), result in *ret. NULL or a trap message. */
typedef const char *(*bitrl_host_fn)(const bitrl_linear_memory *mem, const uint64_t *args, uint64_t *ret);

typedef struct {
    const char *module;    /* "bitrl" */
    const char *name;      /* import name */
    const char *signature; /* wasm3 notation: return(args), e.g. "i(iii)"; 'v' = none, 'i' i32, 'I' i64 */
    uint8_t argc;
    uint8_t has_result;
    bitrl_host_fn fn;
} bitrl_host_import;

extern const bitrl_host_import bitrl_host_imports[];
extern const uint32_t bitrl_host_import_count;

/* The trap message of an out-of-range pointer (same text as wasm3's, so replies read the same everywhere). */
extern const char bitrl_trap_out_of_bounds[];

/* Typed implementations (what the table wraps). */
int32_t bitrl_host_blob_read(const bitrl_linear_memory *mem, uint32_t offset, uint32_t dst, uint32_t len);
int32_t bitrl_host_blob_size(void);
int64_t bitrl_host_clock(void);
const char *bitrl_host_log(const bitrl_linear_memory *mem, uint32_t ptr, uint32_t len);

/* The last text the module logged (NUL-terminated, truncated to fit), cleared by bitrl_host_log_clear. */
const char *bitrl_host_last_log(void);
void bitrl_host_log_clear(void);

#endif
