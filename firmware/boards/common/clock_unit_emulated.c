/* Every emulated board's hal_clock() counts guest instructions (QEMU runs with -icount): the unit `info` reports. */
#include "hal.h"

const char *hal_clock_unit(void) { return "instructions"; }
