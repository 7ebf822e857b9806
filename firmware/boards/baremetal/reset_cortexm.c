/* Exit and faults on the real Cortex-M boards (nRF52840-DK, Nucleo-F446RE): no debugger to report to, so both
 * reset the board; the host sees the link drop and re-handshakes. Empty on the other real boards (RISC-V). */
#if defined(__arm__)
#include "cortexm.h"
#include "hal.h"

void hal_exit(int code) {
    (void)code;
    cortexm_reset();
}

void hal_fault(uint32_t cfsr, uint32_t hfsr) {
    (void)cfsr, (void)hfsr;
    cortexm_reset();
}
#endif
