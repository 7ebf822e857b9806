/* Firmware entry: the board's HAL, then the bitrl application with the agent module linked into flash. */
#include "hal.h"
#include "app.h"

/* Generated from build/agent.wasm at build time (kept in flash: wasm3 references the bytes, never copies them). */
extern const unsigned char bitrl_agent_wasm[];
extern const unsigned int bitrl_agent_wasm_len;

int main(void) {
    hal_init();
    bitrl_app_main(bitrl_agent_wasm, bitrl_agent_wasm_len);
    return 0;
}
