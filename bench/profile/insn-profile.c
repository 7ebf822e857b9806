// A QEMU TCG plugin that counts executed guest instructions per translation block, for bench/profile.ts: at exit it
// writes one line per block, "<start address hex> <instructions in the block> <times executed>", to the file named
// by its argument out=<path>. Counting is inline (no callback per block), so it is exact and cheap; under -icount
// it does not change what the guest sees. Built with the host's gcc by bench/profile.ts (a shared object).
//
// Only the few entry points used here are declared, by their documented signatures (QEMU's plugin API, version 1,
// as exported by Debian's qemu-system 7.2); no QEMU header is needed.
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef uint64_t qemu_plugin_id_t;
struct qemu_plugin_tb;
typedef struct {
  const char *target_name;
  struct {
    int min;
    int cur;
  } version;
  bool system_emulation;
} plugin_info;
enum { PLUGIN_INLINE_ADD_U64 = 0 };
typedef void (*tb_trans_cb)(qemu_plugin_id_t id, struct qemu_plugin_tb *tb);
typedef void (*udata_cb)(qemu_plugin_id_t id, void *userdata);

extern void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id, tb_trans_cb cb);
extern void qemu_plugin_register_vcpu_tb_exec_inline(struct qemu_plugin_tb *tb, int op, void *ptr, uint64_t imm);
extern size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
extern uint64_t qemu_plugin_tb_vaddr(const struct qemu_plugin_tb *tb);
extern void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id, udata_cb cb, void *userdata);

__attribute__((visibility("default"))) int qemu_plugin_version = 1;

// One record per (start, length): a block translated again (after a flush) adds to the same record.
typedef struct block {
  uint64_t start;
  uint64_t insns;
  uint64_t execs;
  struct block *next;
} block;

#define BUCKETS 65536u
static block *table[BUCKETS];
static char out_path[4096];

static block *find_block(uint64_t start, uint64_t insns) {
  uint32_t h = (uint32_t)((start >> 1) * 2654435761u) & (BUCKETS - 1);
  for (block *b = table[h]; b; b = b->next)
    if (b->start == start && b->insns == insns) return b;
  block *b = calloc(1, sizeof *b);
  if (!b) abort();
  b->start = start;
  b->insns = insns;
  b->next = table[h];
  table[h] = b;
  return b;
}

static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb) {
  (void)id;
  block *b = find_block(qemu_plugin_tb_vaddr(tb), qemu_plugin_tb_n_insns(tb));
  qemu_plugin_register_vcpu_tb_exec_inline(tb, PLUGIN_INLINE_ADD_U64, &b->execs, 1);
}

static void write_profile(qemu_plugin_id_t id, void *userdata) {
  (void)id;
  (void)userdata;
  // write then rename: a reader never sees half a profile
  char tmp[4200];
  snprintf(tmp, sizeof tmp, "%s.tmp", out_path);
  FILE *f = fopen(tmp, "w");
  if (!f) return;
  for (uint32_t h = 0; h < BUCKETS; h++)
    for (block *b = table[h]; b; b = b->next)
      if (b->execs)
        fprintf(f, "%llx %llu %llu\n", (unsigned long long)b->start, (unsigned long long)b->insns,
                (unsigned long long)b->execs);
  if (fclose(f) == 0) rename(tmp, out_path);
}

__attribute__((visibility("default"))) int qemu_plugin_install(qemu_plugin_id_t id, const plugin_info *info,
                                                               int argc, char **argv) {
  (void)info;
  for (int i = 0; i < argc; i++)
    if (strncmp(argv[i], "out=", 4) == 0) snprintf(out_path, sizeof out_path, "%s", argv[i] + 4);
  if (!out_path[0]) {
    fprintf(stderr, "insn-profile: give the output file as out=<path>\n");
    return -1;
  }
  qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
  qemu_plugin_register_atexit_cb(id, write_profile, NULL);
  return 0;
}
