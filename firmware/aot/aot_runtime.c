/* The ahead-of-time backend: instantiates the wasm2c-compiled agent module, routes its imports to the one host
 * import table the wasm3 backend also uses (host_imports.h), and calls exports by name with traps caught. */
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include "agent.h"
#include "aot_exports.h"
#include "aot_runtime.h"
#include "host_imports.h"

extern jmp_buf *bitrl_aot_trap_target;
extern wasm_rt_trap_t bitrl_aot_last_trap;

/* wasm2c passes the import module's instance to every import; ours carries nothing but a back pointer. */
struct Z_bitrl_instance_t {
  Z_agent_instance_t *agent;
};

static Z_agent_instance_t s_agent;
static struct Z_bitrl_instance_t s_host = {&s_agent};
static int s_ready;
static char s_error[64];

static bitrl_host_memory module_memory(void) {
  wasm_rt_memory_t *m = Z_agentZ_memory(&s_agent);
  bitrl_host_memory mem = {m->data, m->size};
  return mem;
}

/* ---- imports (module "bitrl"): thin forwards to host_imports.c */
u32 Z_bitrlZ_blob_read(struct Z_bitrl_instance_t *h, u32 offset, u32 dst, u32 len) {
  (void)h;
  return (u32)bitrl_host_blob_read(module_memory(), offset, dst, len);
}
u32 Z_bitrlZ_blob_size(struct Z_bitrl_instance_t *h) {
  (void)h;
  return bitrl_host_blob_size();
}
u64 Z_bitrlZ_clock(struct Z_bitrl_instance_t *h) {
  (void)h;
  return bitrl_host_clock();
}
void Z_bitrlZ_log(struct Z_bitrl_instance_t *h, u32 ptr, u32 len) {
  (void)h;
  bitrl_host_log(module_memory(), ptr, len);
}

static const char *trap_error(void) {
  snprintf(s_error, sizeof s_error, "ERR_TRAP: %s", wasm_rt_strerror(bitrl_aot_last_trap));
  return s_error;
}

const char *bitrl_aot_init(void) {
  if (s_ready) return NULL;
  jmp_buf guard;
  bitrl_aot_trap_target = &guard;
  if (setjmp(guard)) {
    bitrl_aot_trap_target = NULL;
    return "ERR_AOT_MEMORY: module memory larger than BITRL_CFG_AOT_MEMORY_BYTES";
  }
  wasm_rt_init();
  Z_agent_init_module();
  Z_agent_instantiate(&s_agent, &s_host);
  bitrl_aot_trap_target = NULL;
  s_ready = 1;
  return NULL;
}

const char *bitrl_aot_call(const char *name, const uint64_t *args, unsigned nargs, uint64_t *result) {
  if (!s_ready) return "ERR_NOT_LOADED";
  const bitrl_aot_export *e = NULL;
  for (unsigned i = 0; i < bitrl_aot_export_count; i++)
    if (strcmp(bitrl_aot_exports[i].name, name) == 0) e = &bitrl_aot_exports[i];
  if (!e) return "ERR_NO_EXPORT";
  if (nargs != e->param_count) return "ERR_ARGS";
  uint64_t r = 0;
  jmp_buf guard;
  bitrl_aot_trap_target = &guard;
  if (setjmp(guard)) {
    bitrl_aot_trap_target = NULL;
    return trap_error();
  }
  e->thunk(&s_agent, args, &r);
  bitrl_aot_trap_target = NULL;
  if (result) *result = r;
  return NULL;
}

uint8_t *bitrl_aot_memory(uint32_t *size) {
  if (!s_ready) {
    if (size) *size = 0;
    return NULL;
  }
  bitrl_host_memory m = module_memory();
  if (size) *size = m.size;
  return m.data;
}
