#include "stack_floor.h"
#include "bitrl_config.h"

uintptr_t bitrl_stack_floor(void) {
#ifdef BITRL_LINKED_STACK_FLOOR
    return BITRL_LINKED_STACK_FLOOR;
#else
    uintptr_t here = BITRL_STACK_POINTER();
    return here > BITRL_CFG_STACK_BUDGET ? here - BITRL_CFG_STACK_BUDGET : 0;
#endif
}
