/* The lowest C stack address a wasm call chain may reach. Every backend runs a wasm call on the C stack (wasm3 and
 * the AOT build recurse on it, a call each), so each checks the stack pointer against this floor at a function's
 * entry and traps by name below it, instead of running a deep chain into the RAM under the stack. */
#ifndef BITRL_STACK_FLOOR_H
#define BITRL_STACK_FLOOR_H

#include <stdint.h>

/* BITRL_CFG_STACK_RESERVE bytes above the linked stack's lowest address (__stack_limit, every Arm and RISC-V linker
 * script of this project: BITRL_LINKED_STACK_FLOOR below) for what runs below the deepest checked frame: an import,
 * a trap's longjmp, an interrupt. Elsewhere (the host, the ESP32's Arduino task) BITRL_CFG_STACK_BUDGET bytes below
 * the caller's stack pointer: call it where the firmware calls into the module from. */
uintptr_t bitrl_stack_floor(void);

/* The same floor as a link-time constant where the linked stack is known at compile time: every Arm and RISC-V
 * build here links with this project's scripts. The AOT build's prologues compare with it (scripts/aot-gen.mjs): a
 * constant needs no load, and, unlike a variable that any store into the module's memory (bytes, which may alias
 * anything) could have changed, gives the check of a function inlined into a caller the caller's answer. */
#if defined(__arm__) || defined(__riscv)
#include "bitrl_config.h"
extern const char __stack_limit[];
#define BITRL_LINKED_STACK_FLOOR ((uintptr_t)__stack_limit + BITRL_CFG_STACK_RESERVE)
#endif

/* The stack pointer. On Arm and RISC-V a register variable (as the Linux kernel reads it there), not an asm
 * statement: gcc can merge repeated reads, and keeps no register for an asm's output (in the AOT build's prologues
 * one made the fp32 matvec's inner loop spill). Elsewhere the current frame's address. */
#if defined(__arm__) || defined(__riscv)
register uintptr_t bitrl_sp_reg __asm__("sp");
#define BITRL_STACK_POINTER() bitrl_sp_reg
#else
#define BITRL_STACK_POINTER() ((uintptr_t)__builtin_frame_address(0))
#endif

#endif
