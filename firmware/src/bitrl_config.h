/* bitrl firmware settings: each one overridable per board with -D in platformio.ini (build_flags). */
#ifndef BITRL_CONFIG_H
#define BITRL_CONFIG_H

#ifndef BITRL_CFG_FIRMWARE_VERSION
#define BITRL_CFG_FIRMWARE_VERSION "0.1.0" /* reported by `info` */
#endif

#ifndef BITRL_CFG_MAX_PAYLOAD
#define BITRL_CFG_MAX_PAYLOAD 1024 /* bytes of payload in one frame; docs/protocol.md, the host reads it from `info` */
#endif

#ifndef BITRL_CFG_RX_IDLE_MS
#define BITRL_CFG_RX_IDLE_MS                                                                                           \
    50 /* a partial frame idle this long is dropped, so a truncated frame cannot swallow the next one forever */
#endif

#ifndef BITRL_CFG_WASM_STACK_BYTES
#define BITRL_CFG_WASM_STACK_BYTES                                                                                     \
    (4 *                                                                                                               \
     1024) /* wasm3 value stack (m3_NewRuntime), taken from the fixed heap; wasm3 traps "stack overflow" when a call chain needs more. The shipped agents write at most 1,928 B of it (episode and training), the language model's generation 1,730 B (`info` ram.wasm3_stack, docs/firmware.md) */
#endif

#ifndef BITRL_CFG_STACK_RESERVE
#define BITRL_CFG_STACK_RESERVE 1024u /* C stack kept below the deepest wasm frame (stack_floor.h) */
#endif
#ifndef BITRL_CFG_STACK_BUDGET
#define BITRL_CFG_STACK_BUDGET                                                                                         \
    (1024u * 1024u) /* without a linked stack: the bytes a wasm call chain may take below the caller (stack_floor.h) */
#endif

#ifndef BITRL_CFG_WASM_MEMORY_LIMIT
#define BITRL_CFG_WASM_MEMORY_LIMIT                                                                                    \
    0 /* bytes of the module's linear memory wasm3 maps (a multiple of 4 KiB; 0 = all of it); the rest traps as out of bounds. The agent's static data, I/O arena and heap lie below its high-water mark (`heap_top()`; docs/firmware.md) */
#endif

#ifndef BITRL_CFG_RAM_BUDGET
#define BITRL_CFG_RAM_BUDGET 0 /* bytes of RAM the board profile gives the agent; 0 = not stated by the build */
#endif

#ifndef BITRL_CFG_SLOT_HEADER_BYTES
#define BITRL_CFG_SLOT_HEADER_BYTES 256 /* a slot's header area; the blob starts after it (keeps blob data aligned) */
#endif

#ifndef BITRL_CFG_MAX_CALL_ARGS
#define BITRL_CFG_MAX_CALL_ARGS 16 /* i32 arguments one `call`/`kernel` frame may pass to an export */
#endif

#ifndef BITRL_CFG_MAX_BENCH_REPS
#define BITRL_CFG_MAX_BENCH_REPS 100000u /* upper bound of `bench` repetitions: every loop has a known bound */
#endif

#endif
