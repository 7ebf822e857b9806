/* bitrl meter: a helper board (ESP32 / Arduino) reads an INA226 or INA219 over I2C and streams one ASCII line per
 * sample over serial, with the device-under-test's marker pin sampled alongside. Line protocol: docs/energy.md.
 * Settings are BITRL_METER_CFG_* macros, overridable from platformio.ini. Written for this project; not built
 * here (the espressif32 platform needs PlatformIO's registry). */
#include <Arduino.h>
#include <Wire.h>

#ifndef BITRL_METER_CFG_CHIP
#define BITRL_METER_CFG_CHIP 226 /* 226 = INA226, 219 = INA219 */
#endif
#ifndef BITRL_METER_CFG_ADDR
#define BITRL_METER_CFG_ADDR 0x40 /* A0 = A1 = GND on both chips */
#endif
#ifndef BITRL_METER_CFG_SHUNT_MOHM
#define BITRL_METER_CFG_SHUNT_MOHM 100 /* the breakout's shunt resistor: R100 on common INA219/INA226 boards */
#endif
#ifndef BITRL_METER_CFG_MARKER_PIN
#define BITRL_METER_CFG_MARKER_PIN 4 /* wired to the device's marker GPIO (and a common ground) */
#endif
#ifndef BITRL_METER_CFG_PERIOD_US
#define BITRL_METER_CFG_PERIOD_US 1000 /* one sample a millisecond: longer than both conversions below */
#endif
#ifndef BITRL_METER_CFG_BAUD
#define BITRL_METER_CFG_BAUD 921600 /* ~36 bytes a line x 1000 lines/s needs more than 360 kbit/s */
#endif

#define BITRL_METER_PROTOCOL 1

/* INA226: config 0x4000 (reserved bit) | AVG 1 | VBUSCT 332 us | VSHCT 332 us | shunt+bus continuous.
 * Shunt LSB 2.5 uV, bus LSB 1.25 mV (datasheet SBOS547, registers 00h-02h).
 * INA219: 32 V range, PGA /8 (320 mV), 12-bit bus and shunt ADC (532 us), shunt+bus continuous (0x399F, its
 * power-on default). Shunt LSB 10 uV; bus value in bits 15..3 with LSB 4 mV (datasheet SBOS448). */
#if BITRL_METER_CFG_CHIP == 226
static const uint16_t k_config = 0x4000 | (0u << 9) | (2u << 6) | (2u << 3) | 7u;
static const int64_t k_shunt_nv_per_lsb = 2500;
#elif BITRL_METER_CFG_CHIP == 219
static const uint16_t k_config = 0x399F;
static const int64_t k_shunt_nv_per_lsb = 10000;
#else
#error "BITRL_METER_CFG_CHIP must be 226 or 219"
#endif

static bool g_running = false;
static uint32_t g_seq = 0;
static uint32_t g_next_us = 0;
static char g_cmd[32];
static size_t g_cmd_len = 0;

/* Writes a 16-bit register; false when the chip did not acknowledge. */
static bool ina_write(uint8_t reg, uint16_t value) {
  Wire.beginTransmission(BITRL_METER_CFG_ADDR);
  Wire.write(reg);
  Wire.write((uint8_t)(value >> 8));
  Wire.write((uint8_t)(value & 0xFF));
  return Wire.endTransmission() == 0;
}

/* Reads a 16-bit big-endian register into *out; false on a bus error. */
static bool ina_read(uint8_t reg, uint16_t *out) {
  Wire.beginTransmission(BITRL_METER_CFG_ADDR);
  Wire.write(reg);
  if (Wire.endTransmission(false) != 0) return false;
  if (Wire.requestFrom((int)BITRL_METER_CFG_ADDR, 2) != 2) return false;
  uint16_t hi = Wire.read();
  uint16_t lo = Wire.read();
  *out = (uint16_t)((hi << 8) | lo);
  return true;
}

static void print_info(void) {
  Serial.printf("I bitrl-meter %d chip=ina%d shunt_mohm=%d period_us=%d marker_pin=%d\n", BITRL_METER_PROTOCOL,
                BITRL_METER_CFG_CHIP, BITRL_METER_CFG_SHUNT_MOHM, BITRL_METER_CFG_PERIOD_US, BITRL_METER_CFG_MARKER_PIN);
}

static void handle_command(const char *cmd) {
  if (strcmp(cmd, "INFO") == 0) {
    print_info();
  } else if (strcmp(cmd, "START") == 0) {
    g_seq = 0;
    g_running = true;
    g_next_us = micros();
    Serial.print("OK START\n");
  } else if (strcmp(cmd, "STOP") == 0) {
    g_running = false;
    Serial.print("OK STOP\n"); /* every sample line before this one belongs to the recording */
  } else {
    Serial.printf("E unknown command '%s'\n", cmd);
  }
}

static void poll_serial(void) {
  while (Serial.available() > 0) {
    int c = Serial.read();
    if (c == '\r') continue;
    if (c == '\n') {
      g_cmd[g_cmd_len] = '\0';
      if (g_cmd_len > 0) handle_command(g_cmd);
      g_cmd_len = 0;
    } else if (g_cmd_len + 1 < sizeof g_cmd) {
      g_cmd[g_cmd_len++] = (char)c;
    } else {
      g_cmd_len = 0; /* an over-long line is garbage: drop it */
      Serial.print("E command too long\n");
    }
  }
}

void setup(void) {
  Serial.begin(BITRL_METER_CFG_BAUD);
  pinMode(BITRL_METER_CFG_MARKER_PIN, INPUT_PULLDOWN); /* an unconnected marker reads 0, never a phantom window */
  Wire.begin();
  Wire.setClock(400000); /* fast mode: a register read takes ~70 us, well inside the period */
  if (!ina_write(0x00, k_config)) Serial.printf("E ina%d not found at 0x%02x\n", BITRL_METER_CFG_CHIP, BITRL_METER_CFG_ADDR);
  print_info();
}

void loop(void) {
  poll_serial();
  if (!g_running) return;
  /* fixed-rate schedule; the signed difference survives the 32-bit micros() wrap */
  if ((int32_t)(micros() - g_next_us) < 0) return;
  g_next_us += BITRL_METER_CFG_PERIOD_US;
  uint32_t t_us = micros();
  int mark = digitalRead(BITRL_METER_CFG_MARKER_PIN) == HIGH ? 1 : 0;
  uint16_t shunt_raw = 0, bus_raw = 0;
  if (!ina_read(0x01, &shunt_raw) || !ina_read(0x02, &bus_raw)) {
    Serial.print("E i2c read failed\n");
    g_running = false;
    return;
  }
  /* current_nA = shunt_V / R = raw * lsb_nV / (mohm / 1000) */
  int64_t current_na = (int64_t)(int16_t)shunt_raw * k_shunt_nv_per_lsb * 1000 / BITRL_METER_CFG_SHUNT_MOHM;
#if BITRL_METER_CFG_CHIP == 226
  int64_t bus_uv = (int64_t)bus_raw * 1250;
#else
  int64_t bus_uv = (int64_t)(bus_raw >> 3) * 4000;
#endif
  Serial.printf("S %lu %lu %lld %lld %d\n", (unsigned long)g_seq, (unsigned long)t_us, (long long)bus_uv, (long long)current_na, mark);
  g_seq++;
}
