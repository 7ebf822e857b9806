/* HAL for the nRF52840-DK on the Arduino nRF5 core: Serial (UART to the J-Link virtual COM port) for the protocol,
 * DWT CYCCNT (64 MHz) as the clock, internal flash 0x80000-0xEFFFF (448 KiB, 4 KiB pages, read in place) for model
 * slots through the NVMC. The core defines main(), so the bitrl entry is renamed to bitrl_main (build_src_flags in
 * platformio.ini). Not built in this repository: see docs/boards.md. */
#include <Arduino.h>
#include <string.h>

extern "C" {
#include "hal.h"

#ifndef BITRL_CFG_MARKER_PIN
#define BITRL_CFG_MARKER_PIN 2 /* Arduino pin 2: the measurement-window marker (docs/energy.md) */
#endif
int bitrl_main(void);
}

#ifndef BITRL_SERIAL_BAUD
#define BITRL_SERIAL_BAUD 115200
#endif
#define MODEL_ADDR 0x00080000u
#define MODEL_SIZE (448u * 1024u)
#define PAGE 4096u
#define SERIAL_GAP_MS 2

static uint8_t g_page[PAGE]; /* (4096) read-modify-write buffer for one flash page */
static uint32_t g_cyc_high, g_cyc_last;

void setup() {
  bitrl_main(); /* never returns */
}

void loop() {}

extern "C" void hal_init(void) {
  Serial.begin(BITRL_SERIAL_BAUD);
  pinMode(BITRL_CFG_MARKER_PIN, OUTPUT);
  digitalWrite(BITRL_CFG_MARKER_PIN, LOW);
  CoreDebug->DEMCR |= CoreDebug_DEMCR_TRCENA_Msk;
  DWT->CYCCNT = 0;
  DWT->CTRL |= DWT_CTRL_CYCCNTENA_Msk;
}

extern "C" const char *hal_board_name(void) { return "nrf52840_dk"; }

/* CYCCNT wraps every 67 s at 64 MHz; wraps are counted between calls. */
extern "C" uint64_t hal_clock(void) {
  uint32_t c = DWT->CYCCNT;
  if (c < g_cyc_last) g_cyc_high++;
  g_cyc_last = c;
  return (uint64_t)g_cyc_high << 32 | c;
}

extern "C" const char *hal_clock_unit(void) { return "cycles"; }

extern "C" size_t hal_serial_read(uint8_t *buf, size_t cap, uint32_t timeout_ms) {
  if (cap == 0) return 0;
  uint32_t start = millis();
  while (Serial.available() <= 0) {
    if (millis() - start >= timeout_ms) return 0;
  }
  size_t n = 0;
  uint32_t last = millis();
  while (n < cap) {
    if (Serial.available() > 0) {
      buf[n++] = (uint8_t)Serial.read();
      last = millis();
    } else if (millis() - last >= SERIAL_GAP_MS) {
      break;
    }
  }
  return n;
}

extern "C" void hal_serial_write(const uint8_t *buf, size_t len) {
  Serial.write(buf, len);
  Serial.flush();
}

extern "C" uint32_t hal_flash_size(void) { return MODEL_SIZE; }

extern "C" int hal_flash_read(uint32_t offset, void *dst, uint32_t len) {
  if (offset > MODEL_SIZE || len > MODEL_SIZE - offset) return -1;
  memcpy(dst, (const void *)(MODEL_ADDR + offset), len);
  return 0;
}

static void nvmc_wait(void) {
  while (NRF_NVMC->READY == NVMC_READY_READY_Busy) {
  }
}

/* Callers need no erase: each touched page is read, patched, erased and rewritten word by word. */
extern "C" int hal_flash_write(uint32_t offset, const void *src, uint32_t len) {
  if (offset > MODEL_SIZE || len > MODEL_SIZE - offset) return -1;
  const uint8_t *s = (const uint8_t *)src;
  while (len > 0) {
    uint32_t base = offset & ~(PAGE - 1u);
    uint32_t at = offset - base;
    uint32_t k = PAGE - at < len ? PAGE - at : len;
    memcpy(g_page, (const void *)(MODEL_ADDR + base), PAGE);
    memcpy(g_page + at, s, k);
    NRF_NVMC->CONFIG = NVMC_CONFIG_WEN_Een;
    nvmc_wait();
    NRF_NVMC->ERASEPAGE = MODEL_ADDR + base;
    nvmc_wait();
    NRF_NVMC->CONFIG = NVMC_CONFIG_WEN_Wen;
    nvmc_wait();
    volatile uint32_t *dst = (volatile uint32_t *)(MODEL_ADDR + base);
    for (uint32_t w = 0; w < PAGE / 4u; w++) {
      uint32_t v;
      memcpy(&v, g_page + 4u * w, 4);
      if (v != 0xFFFFFFFFu) {
        dst[w] = v;
        nvmc_wait();
      }
    }
    NRF_NVMC->CONFIG = NVMC_CONFIG_WEN_Ren;
    nvmc_wait();
    offset += k;
    s += k;
    len -= k;
  }
  return 0;
}

extern "C" const uint8_t *hal_flash_map(void) { return (const uint8_t *)MODEL_ADDR; }

extern "C" void hal_exit(int code) {
  (void)code;
  Serial.flush();
  NVIC_SystemReset();
}

extern "C" void hal_marker(int level) { digitalWrite(BITRL_CFG_MARKER_PIN, level ? HIGH : LOW); }
