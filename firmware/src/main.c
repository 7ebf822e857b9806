/* Firmware entry: the board's HAL, then the bitrl application with the agent module linked into flash. */
#include "hal.h"
#include "app.h"

/* Generated from build/agent.wasm at build time (kept in flash: wasm3 references the bytes, never copies them; the
 * AOT backend, whose module is compiled in, gets only the length and the CRC-32). */
extern const unsigned char bitrl_agent_wasm[];
extern const unsigned int bitrl_agent_wasm_len;
extern const unsigned int bitrl_agent_wasm_crc32;

int main(void) {
    hal_init();
    bitrl_app_main(bitrl_agent_wasm, bitrl_agent_wasm_len, bitrl_agent_wasm_crc32);
    return 0;
}
