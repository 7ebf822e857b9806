/* Serial command loop (docs/protocol.md): each request frame gets exactly one reply frame, a result or a named
 * error ("ERR_NAME: detail"); garbage gets an error reply or is skipped. No malloc: two frame buffers. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "app.h"
#include "frame.h"
#include "slots.h"
#include "vm.h"
#include "host_imports.h"
#include "native_f32.h"
#include "native_kernels.h"
#include "crc32.h"
#include "hal.h"
#include "bitrl_config.h"

#define PROTOCOL_VERSION 3 /* 2: load-model begin announces the model id; 3: frame headers carry a CRC-16 */
#define MAX_NAME 47        /* bytes of an export name in a frame */

static bitrl_frame_decoder g_rx;
static uint8_t g_tx[BITRL_FRAME_MAX]; /* (BITRL_FRAME_MAX) the reply being built, payload at +6 */
static const char *g_vm_error;        /* why the engine did not start, or NULL */
static const uint8_t *g_wasm;         /* the embedded module, for `info` */
static uint32_t g_wasm_len, g_wasm_crc;
static int g_agent_loaded; /* agent_load() succeeded since the last model change */

/* Linker symbols of the boards whose scripts define them (qemu-m4); weak, so they read as 0 elsewhere. */
extern const char __bitrl_ram_size[] __attribute__((weak)); /* the RAM budget, an absolute symbol */
extern const char __stack_limit[] __attribute__((weak));    /* lowest RAM address the image reserves */
extern const char __ram_end[] __attribute__((weak));        /* end of everything it reserves */

static uint32_t ram_budget(void) {
    if (BITRL_CFG_RAM_BUDGET) return (uint32_t)BITRL_CFG_RAM_BUDGET;
    return (uint32_t)(uintptr_t)__bitrl_ram_size;
}
/* RAM the linked image reserves (stack, .data, .bss with wasm3's fixed heap, newlib heap), 0 when unknown. */
static uint32_t ram_linked(void) {
    uintptr_t lo = (uintptr_t)__stack_limit, hi = (uintptr_t)__ram_end;
    if (!lo || !hi || hi < lo) return 0;
    return (uint32_t)(hi - lo);
}

static const char *const k_status_names[] = {
    "OK",           "ERR_CRC",  "ERR_TOO_LARGE", "ERR_UNKNOWN_CMD", "ERR_BAD_ARGS",
    "ERR_NO_MODEL", "ERR_TRAP", "ERR_NO_EXPORT", "ERR_STATE",       "ERR_FLASH",
    "ERR_BLOB",     "ERR_MEM",  "ERR_NO_MODULE", "ERR_AGENT",       "ERR_MODEL_ID",
};

typedef struct {
    uint8_t *p; /* reply payload */
    size_t cap; /* its capacity */
    size_t n;   /* bytes written */
} reply;

static uint32_t get32(const uint8_t *p) {
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}
static void put32(reply *r, uint32_t v) {
    if (r->n + 4 > r->cap) return;
    r->p[r->n++] = (uint8_t)v;
    r->p[r->n++] = (uint8_t)(v >> 8);
    r->p[r->n++] = (uint8_t)(v >> 16);
    r->p[r->n++] = (uint8_t)(v >> 24);
}
static void put64(reply *r, uint64_t v) {
    put32(r, (uint32_t)v);
    put32(r, (uint32_t)(v >> 32));
}
static void put8(reply *r, uint8_t v) {
    if (r->n < r->cap) r->p[r->n++] = v;
}

/* An error reply: status code plus "ERR_NAME: detail" text. Returns the status. */
static int fail(reply *r, int status, const char *detail) {
    int k = snprintf((char *)r->p, r->cap, "%s%s%s", k_status_names[status], detail && detail[0] ? ": " : "",
                     detail ? detail : "");
    r->n = k < 0 ? 0 : (size_t)k < r->cap ? (size_t)k : r->cap - 1;
    return status;
}

/* A trap reply carries wasm3's message and the module's last log line (AssemblyScript's abort logs first). */
static int fail_trap(reply *r, const char *msg) {
    char detail[256];
    const char *log = bitrl_host_last_log();
    snprintf(detail, sizeof detail, "%s%s%s%s", msg, log[0] ? " (log: " : "", log, log[0] ? ")" : "");
    return fail(r, BITRL_ERR_TRAP, detail);
}

/* Maps a vm.h error to a reply. */
static int fail_vm(reply *r, const char *e, const char *name) {
    char detail[96];
    if (strcmp(e, "ERR_NO_EXPORT") == 0) {
        snprintf(detail, sizeof detail, "the module has no export '%s'", name);
        return fail(r, BITRL_ERR_NO_EXPORT, detail);
    }
    if (strcmp(e, "ERR_BAD_ARGS") == 0) {
        snprintf(detail, sizeof detail, "'%s' takes other arguments (only i32 ones, at most %d, are callable)", name,
                 BITRL_CFG_MAX_CALL_ARGS);
        return fail(r, BITRL_ERR_BAD_ARGS, detail);
    }
    if (strcmp(e, "ERR_NO_MODULE") == 0)
        return fail(r, BITRL_ERR_NO_MODULE, g_vm_error ? g_vm_error : "engine not started");
    return fail_trap(r, e);
}

/* [addr, addr + len) inside linear memory; the pointer or NULL. */
static uint8_t *mem_range(uint32_t addr, uint32_t len) {
    uint32_t size;
    uint8_t *base = bitrl_vm_memory(&size);
    if (!base || (uint64_t)addr + len > size) return NULL;
    return base + addr;
}

/* `info` is how every host session starts (after a reconnect too): it drops an upload an earlier connection left
 * open, so a later `commit` cannot switch to a model nobody is still sending (docs/protocol.md). */
static int cmd_info(reply *r) {
    bitrl_slots_abort();
    uint32_t mem_size = 0;
    (void)bitrl_vm_memory(&mem_size);
    int64_t heap = bitrl_vm_heap_used();
    uint32_t stack_size = 0;
    int64_t stack_peak = bitrl_vm_stack_peak(&stack_size);
    int active = bitrl_slots_active();
    char model[128];
    if (active >= 0) {
        const bitrl_slot_info *s = bitrl_slots_info(active);
        snprintf(model, sizeof model,
                 "{\"slot\":%d,\"seq\":%" PRIu32 ",\"bytes\":%" PRIu32 ",\"model_id\":\"%08" PRIx32 "\"}", active,
                 s->seq, s->bytes, s->crc);
    } else {
        snprintf(model, sizeof model, "null");
    }
    char heap_text[24], stack_text[48];
    if (heap >= 0)
        snprintf(heap_text, sizeof heap_text, "%ld", (long)heap);
    else
        snprintf(heap_text, sizeof heap_text, "null");
    if (stack_peak >= 0)
        snprintf(stack_text, sizeof stack_text, "{\"bytes\":%" PRIu32 ",\"peak\":%ld}", stack_size, (long)stack_peak);
    else
        snprintf(stack_text, sizeof stack_text, "null");
    int k = snprintf(
        (char *)r->p, r->cap,
        "{\"protocol\":%d,\"board\":\"%s\",\"firmware\":\"%s\",\"backend\":\"%s\",\"module\":{\"bytes\":%" PRIu32
        ",\"crc32\":\"%08" PRIx32 "\"},"
        "\"module_error\":%s%s%s,\"clock_unit\":\"%s\",\"max_payload\":%" PRIu32 ",\"slot_capacity\":%" PRIu32
        ",\"model\":%s,"
        "\"ram\":{\"budget\":%" PRIu32 ",\"linked\":%" PRIu32 ",\"static_buffers\":%" PRIu32
        ",\"wasm3_heap\":%s,\"wasm3_stack\":%s,\"linear_memory\":%" PRIu32 "}}",
        PROTOCOL_VERSION, hal_board_name(), BITRL_CFG_FIRMWARE_VERSION, bitrl_vm_backend(), g_wasm_len, g_wasm_crc,
        g_vm_error ? "\"" : "", g_vm_error ? g_vm_error : "null", g_vm_error ? "\"" : "", hal_clock_unit(),
        (uint32_t)BITRL_CFG_MAX_PAYLOAD, bitrl_slots_capacity(), model, ram_budget(), ram_linked(),
        (uint32_t)(sizeof g_rx + sizeof g_tx), heap_text, stack_text, mem_size);
    if (k < 0 || (size_t)k >= r->cap) return fail(r, BITRL_ERR_TOO_LARGE, "info does not fit one frame");
    r->n = (size_t)k;
    return BITRL_OK;
}

/* Parses "u8 name_len, name, u8 argc, i32 args[argc]" at p; returns bytes used or 0 when malformed. */
static size_t parse_call(const uint8_t *p, size_t len, char *name, int32_t *args, uint32_t *argc) {
    if (len < 1) return 0;
    size_t nl = p[0];
    if (nl < 1 || nl > MAX_NAME || len < 1 + nl + 1) return 0;
    memcpy(name, p + 1, nl);
    name[nl] = '\0';
    if (memchr(name, '\0', nl)) return 0;
    uint32_t n = p[1 + nl];
    if (n > BITRL_CFG_MAX_CALL_ARGS || len < 2 + nl + 4u * n) return 0;
    for (uint32_t i = 0; i < n; i++) args[i] = (int32_t)get32(p + 2 + nl + 4u * i);
    *argc = n;
    return 2 + nl + 4u * n;
}

static void put_value(reply *r, const bitrl_vm_value *v) {
    put8(r, (uint8_t)v->type);
    put64(r, v->bits);
}

/* kernel: call an export with i32 args, then return out_len bytes of linear memory at out_addr. */
static int cmd_kernel(reply *r, const uint8_t *p, size_t len) {
    char name[MAX_NAME + 1];
    int32_t args[BITRL_CFG_MAX_CALL_ARGS];
    uint32_t argc;
    size_t used = parse_call(p, len, name, args, &argc);
    if (!used || len != used + 8) return fail(r, BITRL_ERR_BAD_ARGS, "kernel wants name, args, out_addr, out_len");
    uint32_t out_addr = get32(p + used), out_len = get32(p + used + 4);
    if (out_len > r->cap - 17)
        return fail(r, BITRL_ERR_TOO_LARGE, "output larger than one frame (read it with mem-read)");
    if (out_len && !mem_range(out_addr, out_len)) return fail(r, BITRL_ERR_MEM, "output range outside linear memory");
    bitrl_vm_value v;
    uint64_t ticks = 0;
    bitrl_host_log_clear();
    const char *e = bitrl_vm_call(name, args, argc, &v, &ticks);
    if (e) return fail_vm(r, e, name);
    put_value(r, &v);
    put64(r, ticks);
    uint8_t *out = mem_range(out_addr, out_len);
    if (out_len) {
        memcpy(r->p + r->n, out, out_len);
        r->n += out_len;
    }
    return BITRL_OK;
}

static int cmd_bench(reply *r, const uint8_t *p, size_t len) {
    char name[MAX_NAME + 1];
    int32_t args[BITRL_CFG_MAX_CALL_ARGS];
    uint32_t argc;
    if (len < 4) return fail(r, BITRL_ERR_BAD_ARGS, "bench wants reps, name, args");
    uint32_t reps = get32(p);
    size_t used = parse_call(p + 4, len - 4, name, args, &argc);
    if (!used || len != used + 4) return fail(r, BITRL_ERR_BAD_ARGS, "bench wants reps, name, args");
    if (reps < 1 || reps > BITRL_CFG_MAX_BENCH_REPS) return fail(r, BITRL_ERR_BAD_ARGS, "reps out of range");
    bitrl_vm_value v;
    uint64_t ticks = 0;
    bitrl_host_log_clear();
    const char *e = bitrl_vm_bench(name, args, argc, reps, &v, &ticks);
    if (e) return fail_vm(r, e, name);
    put64(r, ticks);
    put32(r, reps);
    put_value(r, &v);
    return BITRL_OK;
}

/* native-bench: a native kernel over matrices already in linear memory (same bytes the module uses): kernel 0 the
 * plain i2 kernel, kernel 1 the t3 lookup-table kernel, whose tables go to a scratch range `lut` of linear memory and
 * are built once per call, before the repetitions (as the module's LUT rows count one build per input vector);
 * in the wasm3+native build also kernel 2, the int8 matvec, and kernel 3, the f32 one (the baselines' C kernels). */
static int cmd_native_bench(reply *r, const uint8_t *p, size_t len) {
    if (!((len == 25 && (p[0] == 0 || p[0] == 2 || p[0] == 3)) || (len == 29 && p[0] == 1)))
        return fail(r, BITRL_ERR_BAD_ARGS,
                    "native-bench wants kernel 0 (i2 plain), 2 (i8), 3 (f32), w, x, y, rows, cols, reps [, lut for "
                    "kernel 1 (t3 LUT)]");
#if !BITRL_NATIVE_KERNELS
    if (p[0] >= 2)
        return fail(r, BITRL_ERR_BAD_ARGS, "native-bench kernels 2 and 3 are in the wasm3+native build only");
#endif
    uint32_t w = get32(p + 1), x = get32(p + 5), y = get32(p + 9), rows = get32(p + 13), cols = get32(p + 17),
             reps = get32(p + 21);
    if (rows < 1 || cols < 1 || rows > 65536u || cols > 65536u || reps < 1 || reps > BITRL_CFG_MAX_BENCH_REPS)
        return fail(r, BITRL_ERR_BAD_ARGS, "rows, cols or reps out of range");
    /* bytes per row and per activation: i2 4 weights a byte, t3 5, int8 one, f32 four */
    uint32_t row_bytes = p[0] == 0 ? (cols + 3u) / 4u : p[0] == 1 ? (cols + 4u) / 5u : p[0] == 2 ? cols : 4u * cols;
    uint32_t groups = (cols + 4u) / 5u;
    uint8_t *wp = mem_range(w, rows * row_bytes);
    uint8_t *xp = mem_range(x, p[0] == 3 ? 4u * cols : cols);
    uint8_t *yp = mem_range(y, 4u * rows);
    uint8_t *lp = p[0] == 1 ? mem_range(get32(p + 25), 2u * (243u * groups + 13u)) : NULL;
    if (!wp || !xp || !yp || ((uintptr_t)yp & 3u) || (p[0] == 1 && (!lp || ((uintptr_t)lp & 1u))))
        return fail(r, BITRL_ERR_MEM, "w, x, y or lut outside linear memory (or y, lut unaligned)");
    uint64_t t0 = hal_clock();
    if (p[0] == 1) bitrl_native_lut_build_t3((const int8_t *)xp, cols, (int16_t *)lp);
    for (uint32_t k = 0; k < reps; k++) {
        if (p[0] == 0)
            bitrl_native_matvec_i2(wp, (const int8_t *)xp, (int32_t *)yp, rows, cols);
        else if (p[0] == 1)
            bitrl_native_matvec_t3_lut(wp, (const int16_t *)lp, (int32_t *)yp, rows, cols);
#if BITRL_NATIVE_KERNELS
        else if (p[0] == 2)
            bitrl_native_i8_matvec(wp, xp, yp, (int32_t)rows, (int32_t)cols);
        else
            bitrl_native_f32_linear(wp, xp, yp, (int32_t)rows, (int32_t)cols, 0);
#endif
    }
    uint64_t t1 = hal_clock();
    put64(r, t1 - t0);
    put32(r, reps);
    return BITRL_OK;
}

/* Loads the agent from the active model once (agent_load), as episode/train/infer need it. */
static int ensure_agent(reply *r) {
    if (bitrl_slots_active() < 0) return fail(r, BITRL_ERR_NO_MODEL, "no model loaded (bitrl flash --model FILE)");
    if (g_agent_loaded) return BITRL_OK;
    bitrl_vm_value v;
    uint64_t ticks;
    bitrl_host_log_clear();
    const char *e = bitrl_vm_call("agent_load", NULL, 0, &v, &ticks);
    if (e) return fail_vm(r, e, "agent_load");
    if ((int32_t)v.bits < 0) {
        char detail[200];
        snprintf(detail, sizeof detail, "agent_load returned %ld: %s", (long)(int32_t)v.bits, bitrl_host_last_log());
        return fail(r, BITRL_ERR_AGENT, detail);
    }
    g_agent_loaded = 1;
    return BITRL_OK;
}

static int io_base(int32_t *base) {
    bitrl_vm_value v;
    uint64_t ticks;
    if (bitrl_vm_call("io_base", NULL, 0, &v, &ticks) || v.type != BITRL_VAL_I32) return -1;
    *base = (int32_t)v.bits;
    return 0;
}

static int cmd_episode(reply *r, const uint8_t *p, size_t len) {
    if (len != 12) return fail(r, BITRL_ERR_BAD_ARGS, "episode wants seed, max_steps, greedy (3 x i32)");
    int s = ensure_agent(r);
    if (s) return s;
    int32_t args[3] = {(int32_t)get32(p), (int32_t)get32(p + 4), (int32_t)get32(p + 8)}, base;
    bitrl_vm_value v;
    uint64_t ticks;
    bitrl_host_log_clear();
    hal_marker(1); /* the meter's window covers exactly the episode (docs/energy.md) */
    const char *e = bitrl_vm_call("agent_episode", args, 3, &v, &ticks);
    hal_marker(0);
    if (e) return fail_vm(r, e, "agent_episode");
    uint8_t *io;
    if (io_base(&base) || !(io = mem_range((uint32_t)base, 16))) return fail(r, BITRL_ERR_MEM, "io arena unreachable");
    put32(r, (uint32_t)v.bits);
    put64(r, ticks);
    memcpy(r->p + r->n, io, 16); /* f64 return, i32 terminated, i32 truncated (docs/abi.md) */
    r->n += 16;
    return BITRL_OK;
}

static int cmd_train(reply *r, const uint8_t *p, size_t len) {
    if (len != 8) return fail(r, BITRL_ERR_BAD_ARGS, "train wants seed, episodes (2 x i32)");
    int s = ensure_agent(r);
    if (s) return s;
    int32_t args[2] = {(int32_t)get32(p), (int32_t)get32(p + 4)}, base;
    bitrl_vm_value v;
    uint64_t ticks;
    bitrl_host_log_clear();
    const char *e = bitrl_vm_call("agent_train", args, 2, &v, &ticks);
    if (e) return fail_vm(r, e, "agent_train");
    int32_t ran = (int32_t)v.bits;
    if (ran == -3) { /* the training state does not fit (the module logged why); nothing trained */
        char detail[200];
        snprintf(detail, sizeof detail, "agent_train returned -3: %s", bitrl_host_last_log());
        return fail(r, BITRL_ERR_AGENT, detail);
    }
    uint32_t shown = ran > 0 ? (uint32_t)ran : 0u;
    uint32_t room = (uint32_t)((r->cap - 16) / 4);
    if (shown > room) shown = room; /* the rest stays in the arena (mem-read) */
    uint8_t *io;
    if (io_base(&base) || !(io = mem_range((uint32_t)base, 4u * shown)))
        return fail(r, BITRL_ERR_MEM, "io arena unreachable");
    put32(r, (uint32_t)ran);
    put64(r, ticks);
    put32(r, shown);
    memcpy(r->p + r->n, io, 4u * shown); /* f32 return per episode */
    r->n += 4u * shown;
    return BITRL_OK;
}

static int cmd_infer(reply *r, const uint8_t *p, size_t len) {
    if (len % 4u != 0) return fail(r, BITRL_ERR_BAD_ARGS, "infer wants f32 observation values");
    int s = ensure_agent(r);
    if (s) return s;
    int32_t base;
    uint8_t *io;
    if (io_base(&base) || !(io = mem_range((uint32_t)base, (uint32_t)len)))
        return fail(r, BITRL_ERR_MEM, "io arena unreachable");
    memcpy(io, p, len);
    bitrl_vm_value v;
    uint64_t ticks;
    bitrl_host_log_clear();
    const char *e = bitrl_vm_call("agent_act", &base, 1, &v, &ticks);
    if (e) return fail_vm(r, e, "agent_act");
    put32(r, (uint32_t)v.bits);
    put64(r, ticks);
    return BITRL_OK;
}

/* The commands whose handler takes the whole payload and checks it itself. */
static const struct {
    uint8_t cmd;
    int (*run)(reply *r, const uint8_t *p, size_t len);
} k_payload_cmds[] = {
    {BITRL_CMD_KERNEL, cmd_kernel},   {BITRL_CMD_BENCH, cmd_bench}, {BITRL_CMD_NATIVE_BENCH, cmd_native_bench},
    {BITRL_CMD_EPISODE, cmd_episode}, {BITRL_CMD_TRAIN, cmd_train}, {BITRL_CMD_INFER, cmd_infer},
};

static int dispatch(uint8_t cmd, const uint8_t *p, size_t len, reply *r) {
    char detail[200];
    const char *e;
    switch (cmd) {
        case BITRL_CMD_INFO:
            return cmd_info(r);
        case BITRL_CMD_LOAD_BEGIN:
            if (len != 8) return fail(r, BITRL_ERR_BAD_ARGS, "load-model begin wants bytes, model id");
            e = bitrl_slots_begin(get32(p), get32(p + 4), detail, sizeof detail);
            break;
        case BITRL_CMD_LOAD_CHUNK:
            if (len < 4) return fail(r, BITRL_ERR_BAD_ARGS, "load-model chunk wants offset, bytes");
            e = bitrl_slots_chunk(get32(p), p + 4, (uint32_t)(len - 4), detail, sizeof detail);
            if (!e) put32(r, bitrl_slots_received());
            break;
        case BITRL_CMD_LOAD_COMMIT:
            if (len != 0) return fail(r, BITRL_ERR_BAD_ARGS, "load-model commit takes no payload");
            e = bitrl_slots_commit(detail, sizeof detail);
            if (!e) {
                g_agent_loaded = 0;
                int a = bitrl_slots_active();
                put32(r, (uint32_t)a);
                put32(r, bitrl_slots_info(a)->seq);
            }
            break;
        case BITRL_CMD_MEM_WRITE: {
            if (len < 4) return fail(r, BITRL_ERR_BAD_ARGS, "mem-write wants addr, bytes");
            uint8_t *dst = mem_range(get32(p), (uint32_t)(len - 4));
            if (!dst) return fail(r, BITRL_ERR_MEM, "range outside linear memory");
            memcpy(dst, p + 4, len - 4);
            return BITRL_OK;
        }
        case BITRL_CMD_MEM_FILL: {
            /* clears (or fills) a range in one frame: golden cases start from a zeroed arena, as in V8 */
            if (len != 9) return fail(r, BITRL_ERR_BAD_ARGS, "mem-fill wants addr, len, byte");
            uint8_t *dst = mem_range(get32(p), get32(p + 4));
            if (!dst) return fail(r, BITRL_ERR_MEM, "range outside linear memory");
            memset(dst, p[8], get32(p + 4));
            return BITRL_OK;
        }
        case BITRL_CMD_MEM_READ: {
            if (len != 8) return fail(r, BITRL_ERR_BAD_ARGS, "mem-read wants addr, len");
            uint32_t n = get32(p + 4);
            if (n > r->cap) return fail(r, BITRL_ERR_TOO_LARGE, "more than one frame");
            uint8_t *src = mem_range(get32(p), n);
            if (!src) return fail(r, BITRL_ERR_MEM, "range outside linear memory");
            memcpy(r->p, src, n);
            r->n = n;
            return BITRL_OK;
        }
        default:
            for (size_t i = 0; i < sizeof k_payload_cmds / sizeof k_payload_cmds[0]; i++)
                if (k_payload_cmds[i].cmd == cmd) return k_payload_cmds[i].run(r, p, len);
            snprintf(detail, sizeof detail, "command 0x%02x", cmd);
            return fail(r, BITRL_ERR_UNKNOWN_CMD, detail);
    }
    if (!e) return BITRL_OK;
    for (int s = 1; s < (int)(sizeof k_status_names / sizeof k_status_names[0]); s++)
        if (strcmp(e, k_status_names[s]) == 0) return fail(r, s, detail);
    return fail(r, BITRL_ERR_STATE, detail);
}

size_t bitrl_app_handle(uint8_t seq, uint8_t cmd, const uint8_t *payload, size_t len, uint8_t *out, size_t cap) {
    if (cap < BITRL_FRAME_HEADER + BITRL_FRAME_TRAILER + 1) return 0;
    reply r = {out + BITRL_FRAME_HEADER, cap - BITRL_FRAME_HEADER - BITRL_FRAME_TRAILER, 0};
    if (r.cap > BITRL_CFG_MAX_PAYLOAD) r.cap = BITRL_CFG_MAX_PAYLOAD;
    int status = dispatch(cmd, payload, len, &r);
    return bitrl_frame_encode(out, cap, seq, (uint8_t)status, r.p, r.n);
}

static void send_error(uint8_t seq, int status, const char *detail) {
    reply r = {g_tx + BITRL_FRAME_HEADER, BITRL_CFG_MAX_PAYLOAD, 0};
    fail(&r, status, detail);
    size_t n = bitrl_frame_encode(g_tx, sizeof g_tx, seq, (uint8_t)status, r.p, r.n);
    hal_serial_write(g_tx, n);
}

/* Handles every event the buffered bytes hold; bounded by the buffer (each event consumes bytes). */
static void serve_buffered(void) {
    for (size_t guard = 0; guard <= BITRL_FRAME_MAX; guard++) {
        bitrl_frame_event ev = bitrl_frame_poll(&g_rx);
        if (ev == BITRL_FRAME_NONE) return;
        if (ev == BITRL_FRAME_BAD_CRC) {
            send_error(g_rx.seq, BITRL_ERR_CRC, "frame CRC mismatch");
        } else if (ev == BITRL_FRAME_TOO_LARGE) {
            char detail[64];
            snprintf(detail, sizeof detail, "payload of %" PRIu32 " bytes, at most %" PRIu32, (uint32_t)g_rx.len,
                     (uint32_t)BITRL_CFG_MAX_PAYLOAD);
            send_error(g_rx.seq, BITRL_ERR_TOO_LARGE, detail);
        } else {
            size_t n = bitrl_app_handle(g_rx.seq, g_rx.code, g_rx.payload, g_rx.len, g_tx, sizeof g_tx);
            hal_serial_write(g_tx, n);
        }
    }
}

void bitrl_app_main(const uint8_t *wasm, uint32_t wasm_len, uint32_t wasm_crc) {
    static uint8_t chunk[256]; /* (256) bytes per serial read */
    g_wasm = wasm;
    g_wasm_len = wasm_len;
    g_wasm_crc = wasm_crc; /* computed at build time: the AOT image does not carry the bytes */
    bitrl_frame_reset(&g_rx);
    bitrl_slots_boot();
    g_vm_error = bitrl_vm_init(wasm, wasm_len);
    for (;;) { /* the firmware's one unbounded loop: it serves until reset */
        size_t n = hal_serial_read(chunk, sizeof chunk, BITRL_CFG_RX_IDLE_MS);
        if (n == 0) {
            /* idle with a partial frame: it will not complete (truncated), nor will a partial frame found inside
             * it, so drop each in turn and serve the whole frames they swallowed; every pass drops a byte */
            for (size_t guard = 0; g_rx.n > g_rx.consume && guard <= BITRL_FRAME_MAX; guard++) {
                bitrl_frame_drop_partial(&g_rx);
                serve_buffered();
            }
            continue;
        }
        size_t off = 0;
        for (size_t guard = 0; off < n && guard <= n; guard++) {
            off += bitrl_frame_push(&g_rx, chunk + off, n - off);
            serve_buffered();
        }
    }
}
