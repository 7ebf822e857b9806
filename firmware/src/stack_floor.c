#include "stack_floor.h"
#include "bitrl_config.h"

extern const char __stack_limit[] __attribute__((weak)); /* the linked stack's lowest address; 0 where none */

uintptr_t bitrl_stack_floor(void) {
    if (__stack_limit) return (uintptr_t)__stack_limit + BITRL_CFG_STACK_RESERVE;
    uintptr_t here = (uintptr_t)__builtin_frame_address(0);
    return here > BITRL_CFG_STACK_BUDGET ? here - BITRL_CFG_STACK_BUDGET : 0;
}
