/* The first entries of every Cortex-M vector table of bitrl (the generic Cortex-M start-up and qemu-m4's own). */
#ifndef BITRL_CORTEXM_VECTORS_H
#define BITRL_CORTEXM_VECTORS_H

/* Entries 0-6: the initial stack pointer, reset, then NMI, HardFault, MemManage, BusFault and UsageFault all to one
 * fault handler. */
#define CORTEXM_CORE_VECTORS(stack_top, reset, fault)                                                                  \
    [0] = (void (*)(void))(stack_top), [1] = (reset), [2] = (fault), [3] = (fault), [4] = (fault), [5] = (fault),      \
    [6] = (fault)

#endif
