/* Toolchain self-test firmware (not the bitrl application): proves a board boots, talks on its serial port,
 * counts deterministically, keeps its flash, and runs wasm3 on build/agent.wasm. One-letter commands, text replies:
 *   p -> "pong"            w -> "work <ticks> heap <bytes> stack <bytes> (<phases>)" (wasm3 env+parse+load+call
 *                             io_base, with the ticks of each phase)
 *   c -> "loop <ticks>"    b -> "busy <ticks>" (about 50 M instructions, for emulator speed)
 *   f<8 hex> -> writes the word at flash offset 0, replies "flash <old> <new>"
 *   s -> recurses until the stack overflows (the board must fault and exit with code 70, not run on)
 *   q -> exits with code 0 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "hal.h"
#include "wasm3.h"

extern const unsigned char bitrl_agent_wasm[];
extern const unsigned int bitrl_agent_wasm_len;
extern uint8_t __wasm3_heap_start[], __wasm3_heap_end[];
extern uint8_t __stack_limit[], __stack_top[];

#define PAINT 0xA5

static void say(const char *s) { hal_serial_write((const uint8_t *)s, strlen(s)); }

/* newlib-nano's printf has no %llu: 64-bit counts are formatted here. */
static const char *u64(uint64_t v, char *buf /* (21) */) {
  char *p = buf + 20;
  *p = 0;
  do { *--p = (char)('0' + v % 10); v /= 10; } while (v);
  return p;
}

/* Highest byte of [lo, hi) that is not the paint value, as a count from lo (heap grows up). */
static uint32_t used_up(const uint8_t *lo, const uint8_t *hi) {
  const uint8_t *p = hi;
  while (p > lo && p[-1] == PAINT) p--;
  return (uint32_t)(p - lo);
}

/* Bytes of [lo, hi) below hi that are not the paint value (stack grows down). */
static uint32_t used_down(const uint8_t *lo, const uint8_t *hi) {
  const uint8_t *p = lo;
  while (p < hi && *p == PAINT) p++;
  return (uint32_t)(hi - p);
}

m3ApiRawFunction(stub_i32) { m3ApiReturnType(int32_t); m3ApiReturn(0); }
m3ApiRawFunction(stub_i64) { m3ApiReturnType(int64_t); m3ApiReturn((int64_t)hal_clock()); }
m3ApiRawFunction(stub_void) { m3ApiSuccess(); }

/* (4) instruction counts of the phases of run_wasm3: environment+runtime, parse, load+link, find+call */
static uint64_t g_phase[4];

/* Recursion that cannot be optimised away: each level keeps a buffer live across the call. Endless on purpose. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Winfinite-recursion"
__attribute__((noinline)) static uint32_t dive(uint32_t depth) {
  volatile uint8_t pad[256];
  pad[depth & 255u] = (uint8_t)depth;
  return dive(depth + 1) + pad[(depth * 7u) & 255u];
}
#pragma GCC diagnostic pop

static const char *run_wasm3(void) {
  uint64_t t = hal_clock(), now;
#define PHASE(i) (now = hal_clock(), g_phase[i] = now - t, t = now)
  IM3Environment env = m3_NewEnvironment();
  if (!env) return "no environment";
  IM3Runtime rt = m3_NewRuntime(env, 8192, NULL);
  if (!rt) return "no runtime";
  PHASE(0);
  IM3Module mod;
  M3Result r = m3_ParseModule(env, &mod, bitrl_agent_wasm, bitrl_agent_wasm_len);
  if (r) return r;
  PHASE(1);
  if ((r = m3_LoadModule(rt, mod))) return r;
  m3_LinkRawFunction(mod, "bitrl", "blob_read", "i(iii)", stub_i32);
  m3_LinkRawFunction(mod, "bitrl", "blob_size", "i()", stub_i32);
  m3_LinkRawFunction(mod, "bitrl", "clock", "I()", stub_i64);
  m3_LinkRawFunction(mod, "bitrl", "log", "v(ii)", stub_void);
  m3_LinkRawFunction(mod, "bitrl", "kernel_binding", "i()", stub_i32); /* 0: the module's own kernels */
  PHASE(2);
  IM3Function f;
  if ((r = m3_FindFunction(&f, rt, "io_base"))) return r;
  if ((r = m3_CallV(f))) return r;
  int32_t base = 0;
  if ((r = m3_GetResultsV(f, &base))) return r;
  PHASE(3);
  return base > 0 ? NULL : "io_base returned 0";
}

int main(void) {
  hal_init();
  char line[128];
  snprintf(line, sizeof line, "bitrl-selftest %s %s\n", hal_board_name(), hal_clock_unit());
  say(line);
  int wasm_done = 0;
  for (;;) {
    uint8_t cmd;
    if (hal_serial_read(&cmd, 1, 1000) == 0) continue;
    if (cmd == 'p') {
      say("pong\n");
    } else if (cmd == 'c') {
      volatile uint32_t acc = 0;
      uint64_t t0 = hal_clock();
      for (uint32_t i = 0; i < 100000; i++) acc += i * 3u;
      uint64_t t1 = hal_clock();
      char num[21];
      snprintf(line, sizeof line, "loop %s\n", u64(t1 - t0, num));
      say(line);
    } else if (cmd == 'b') {
      volatile uint32_t acc = 0;
      uint64_t t0 = hal_clock();
      for (uint32_t i = 0; i < 10000000; i++) acc += i ^ 5u;
      uint64_t t1 = hal_clock();
      char num[21];
      snprintf(line, sizeof line, "busy %s\n", u64(t1 - t0, num));
      say(line);
    } else if (cmd == 'w') {
      if (wasm_done) { say("error wasm3 already ran\n"); continue; }
      wasm_done = 1;
      /* paint wasm3's heap and the unused part of the stack, run, measure what changed */
      uint8_t probe;
      memset(__wasm3_heap_start, PAINT, (size_t)(__wasm3_heap_end - __wasm3_heap_start));
      memset(__stack_limit, PAINT, (size_t)((uintptr_t)&probe - 256 - (uintptr_t)__stack_limit));
      uint64_t t0 = hal_clock();
      const char *err = run_wasm3();
      uint64_t t1 = hal_clock();
      if (err) { snprintf(line, sizeof line, "error %s\n", err); say(line); continue; }
      char num[21];
      snprintf(line, sizeof line, "work %s heap %lu stack %lu (env %lu parse %lu load %lu call %lu)\n", u64(t1 - t0, num),
               (unsigned long)used_up(__wasm3_heap_start, __wasm3_heap_end),
               (unsigned long)used_down(__stack_limit, __stack_top), (unsigned long)g_phase[0],
               (unsigned long)g_phase[1], (unsigned long)g_phase[2], (unsigned long)g_phase[3]);
      say(line);
    } else if (cmd == 'f') {
      uint8_t hex[8];
      size_t got = 0;
      while (got < 8) {
        size_t n = hal_serial_read(hex + got, 8 - got, 1000);
        if (n == 0) break;
        got += n;
      }
      uint32_t word = 0;
      for (size_t i = 0; i < got; i++) word = word << 4 | (uint32_t)(hex[i] <= '9' ? hex[i] - '0' : (hex[i] | 32) - 'a' + 10);
      uint32_t old = 0xFFFFFFFFu;
      if (got != 8 || hal_flash_read(0, &old, 4) != 0 || hal_flash_write(0, &word, 4) != 0) { say("error flash\n"); continue; }
      const uint8_t *map = hal_flash_map();
      uint32_t now = 0;
      if (map) memcpy(&now, map, 4);
      snprintf(line, sizeof line, "flash %08lx %08lx\n", (unsigned long)old, (unsigned long)now);
      say(line);
    } else if (cmd == 's') {
      say("diving\n");
      dive(0);
    } else if (cmd == 'q') {
      say("bye\n");
      hal_exit(0);
    }
  }
}
