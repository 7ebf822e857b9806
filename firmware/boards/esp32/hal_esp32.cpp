/* HAL for the ESP32 family on Arduino-ESP32 (esp32dev, esp32-s3-devkitc-1; the ESP32-C3 is built framework-free, firmware/boards/esp32-c3-devkitm-1): Serial (the USB-UART
 * bridge) for the protocol, the CPU cycle counter (Xtensa CCOUNT / RISC-V mcycle through ESP.getCycleCount()) as
 * the clock, and the "bitrl" data partition (partitions_bitrl_*.csv) as model flash, memory-mapped for reads.
 * Not built in this repository (the espressif32 platform comes from PlatformIO's registry): see docs/boards.md. */
#include <Arduino.h>
#include <esp_partition.h>
#include <esp_timer.h>
#include <string.h>

extern "C" {
#include "hal.h"

#ifndef BITRL_CFG_MARKER_PIN
#define BITRL_CFG_MARKER_PIN 5 /* GPIO5: the measurement-window marker (docs/energy.md) */
#endif
int main(void);
}

#ifndef BITRL_SERIAL_BAUD
#define BITRL_SERIAL_BAUD 115200
#endif
#define BITRL_PARTITION_SUBTYPE ((esp_partition_subtype_t)0x40)
#define FLASH_SECTOR 4096u
/* After the first byte, keep reading while the next arrives within this gap. */
#define SERIAL_GAP_MS 2

/* wasm3 recurses on the native stack: give the loop task more than Arduino's 8 KiB. */
SET_LOOP_TASK_STACK_SIZE(24 * 1024);

static const esp_partition_t *g_part;
static const uint8_t *g_map;                 /* memory-mapped view of the partition (flash cache) */
static spi_flash_mmap_handle_t g_map_handle;
static uint8_t g_sector[FLASH_SECTOR];       /* (4096) read-modify-write buffer for one flash sector */

void setup() {
  main(); /* never returns: the bitrl application loops forever */
}

void loop() {}

static void map_partition(void) {
  if (g_map) spi_flash_munmap(g_map_handle);
  g_map = NULL;
  const void *p = NULL;
  if (esp_partition_mmap(g_part, 0, g_part->size, SPI_FLASH_MMAP_DATA, &p, &g_map_handle) == ESP_OK) g_map = (const uint8_t *)p;
}

extern "C" void hal_init(void) {
  Serial.setRxBufferSize(4096);
  Serial.begin(BITRL_SERIAL_BAUD);
  pinMode(BITRL_CFG_MARKER_PIN, OUTPUT);
  digitalWrite(BITRL_CFG_MARKER_PIN, LOW);
  g_part = esp_partition_find_first(ESP_PARTITION_TYPE_DATA, BITRL_PARTITION_SUBTYPE, "bitrl");
  if (g_part) map_partition();
}

extern "C" const char *hal_board_name(void) {
#ifdef BITRL_BOARD_NAME
  return BITRL_BOARD_NAME;
#else
  return "esp32";
#endif
}

/* CCOUNT is 32 bits (wraps every 17.9 s at 240 MHz). The 64-bit microsecond timer says which wrap we are in:
 * cycles = low 32 bits exactly + 2^32 * k, with k the wrap count closest to the timer's estimate. */
extern "C" uint64_t hal_clock(void) {
  static uint64_t t0_us;
  static uint32_t c0;
  static bool started;
  uint32_t c = ESP.getCycleCount();
  uint64_t us = (uint64_t)esp_timer_get_time();
  if (!started) {
    started = true;
    t0_us = us;
    c0 = c;
  }
  uint64_t est = (us - t0_us) * (uint64_t)getCpuFrequencyMhz();
  uint32_t low = c - c0;
  uint64_t k = (est + 0x80000000ull - low) >> 32;
  return (k << 32) + low;
}

extern "C" const char *hal_clock_unit(void) { return "cycles"; }

extern "C" size_t hal_serial_read(uint8_t *buf, size_t cap, uint32_t timeout_ms) {
  if (cap == 0) return 0;
  uint32_t start = millis();
  while (Serial.available() <= 0) {
    if (millis() - start >= timeout_ms) return 0;
    delay(1); /* lets the idle task run (watchdog) */
  }
  size_t n = 0;
  uint32_t last = millis();
  while (n < cap) {
    int avail = Serial.available();
    if (avail > 0) {
      size_t k = (size_t)avail < cap - n ? (size_t)avail : cap - n;
      n += Serial.readBytes(buf + n, k);
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

extern "C" uint32_t hal_flash_size(void) { return g_part ? g_part->size : 0; }

static int range_ok(uint32_t offset, uint32_t len) {
  return g_part && offset <= g_part->size && len <= g_part->size - offset;
}

extern "C" int hal_flash_read(uint32_t offset, void *dst, uint32_t len) {
  if (!range_ok(offset, len)) return -1;
  return esp_partition_read(g_part, offset, dst, len) == ESP_OK ? 0 : -2;
}

/* No erase needed by callers: each touched 4 KiB sector is read, patched, erased and rewritten. */
extern "C" int hal_flash_write(uint32_t offset, const void *src, uint32_t len) {
  if (!range_ok(offset, len)) return -1;
  const uint8_t *s = (const uint8_t *)src;
  while (len > 0) {
    uint32_t base = offset & ~(FLASH_SECTOR - 1u);
    uint32_t at = offset - base;
    uint32_t k = FLASH_SECTOR - at < len ? FLASH_SECTOR - at : len;
    if (esp_partition_read(g_part, base, g_sector, FLASH_SECTOR) != ESP_OK) return -2;
    memcpy(g_sector + at, s, k);
    if (esp_partition_erase_range(g_part, base, FLASH_SECTOR) != ESP_OK) return -2;
    if (esp_partition_write(g_part, base, g_sector, FLASH_SECTOR) != ESP_OK) return -2;
    offset += k;
    s += k;
    len -= k;
  }
  map_partition(); /* the cache may hold the old bytes: map again */
  return 0;
}

extern "C" const uint8_t *hal_flash_map(void) { return g_map; }

extern "C" void hal_exit(int code) {
  (void)code;
  Serial.flush();
  ESP.restart();
}

extern "C" void hal_marker(int level) { digitalWrite(BITRL_CFG_MARKER_PIN, level ? HIGH : LOW); }
