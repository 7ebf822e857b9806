// Nordic Power Profiler Kit II over USB serial: its command bytes, sample words and scaling, as Nordic's
// Power Profiler app and the public `ppk2-api` Python package define them (written here from that description).
import { BitrlError } from "../util/errors.ts";
import type { PowerTrace } from "./integrate.ts";
import type { Meter } from "./meter.ts";
import { waitQuiet, type ByteLink } from "./serial.ts";

/** Opcodes: one byte, some followed by argument bytes. */
export const PPK2_OP = {
  averageStart: 0x06, // stream samples continuously
  averageStop: 0x07,
  deviceRunningSet: 0x0c, // + 1 byte: 1 powers the device under test, 0 cuts it
  regulatorSet: 0x0d, // + 2 bytes: source voltage in mV, big-endian
  setPowerMode: 0x11, // + 1 byte: 1 ampere meter (the board has its own supply), 2 source meter (PPK2 supplies it)
  getMetaData: 0x19, // replies with calibration text "key: value" lines ending in "END"
} as const;

/** Sample rate of the PPK2 stream: 100 kHz, so one sample stands for 10 us. */
export const PPK2_SAMPLE_SECONDS = 1e-5;
/** Volts per ADC step, 1.8 V over 163840 (the 14-bit code is scaled by 4 before this). */
export const PPK2_ADC_MULT = 1.8 / 163840;
/** The source-meter voltages the PPK2 accepts, mV. */
export const PPK2_VDD_MIN_MV = 800;
export const PPK2_VDD_MAX_MV = 5000;

/** Per-range calibration (5 measurement ranges, 0 = most sensitive). Defaults are what a host assumes before
 *  the device's metadata arrives. */
export interface Ppk2Calibration {
  /** (5) shunt resistance, ohm */
  r: number[];
  /** (5) quadratic gain, linear gain, offset (ADC units), Vdd slope, intercept, user gain */
  gs: number[];
  gi: number[];
  o: number[];
  s: number[];
  i: number[];
  ug: number[];
  calibrated: boolean;
  hw: string | null;
}

export function defaultCalibration(): Ppk2Calibration {
  return {
    r: [1031.64, 101.65, 10.15, 0.94, 0.043],
    gs: [1, 1, 1, 1, 1],
    gi: [1, 1, 1, 1, 1],
    o: [0, 0, 0, 0, 0],
    s: [0, 0, 0, 0, 0],
    i: [0, 0, 0, 0, 0],
    ug: [1, 1, 1, 1, 1],
    calibrated: false,
    hw: null,
  };
}

/** Parses the GET_META_DATA reply ("R0: 1003.3\nGS0: ...\nEND"); keys it does not know are ignored. */
export function parseMetadata(text: string): Ppk2Calibration {
  if (!text.includes("END")) throw new BitrlError("PPK2 metadata is incomplete (no END line): is this a PPK2?");
  const cal = defaultCalibration();
  const fields: Record<string, number[]> = {
    R: cal.r,
    GS: cal.gs,
    GI: cal.gi,
    O: cal.o,
    S: cal.s,
    I: cal.i,
    UG: cal.ug,
  };
  for (const line of text.split(/\r?\n/)) {
    const m = /^([A-Za-z]+)(\d)?:\s*(.*)$/.exec(line.trim());
    if (!m) continue;
    const [, key, idx, value] = m;
    if (key === "Calibrated" && idx === undefined) cal.calibrated = value.trim() !== "0";
    else if (key === "HW" && idx === undefined) cal.hw = value.trim();
    else if (idx !== undefined && fields[key] && Number(idx) < 5) {
      const v = Number(value);
      if (!Number.isFinite(v)) throw new BitrlError(`PPK2 metadata field ${key}${idx} is not a number: '${value}'`);
      // a zero shunt resistance would divide by zero: some units report one; keep the default instead
      if (key === "R" && v === 0) continue;
      fields[key][Number(idx)] = v;
    }
  }
  return cal;
}

/** The fields of one 32-bit little-endian sample word. */
export interface Ppk2Word {
  /** 14-bit ADC code (bits 0-13) */
  code: number;
  /** measurement range 0..4 (bits 14-16; larger values are clamped to 4) */
  range: number;
  /** 6-bit rolling counter (bits 18-23): a gap means lost samples */
  counter: number;
  /** digital inputs D0..D7 (bits 24-31), D0 in bit 0 */
  logic: number;
}

export function decodeWord(w: number): Ppk2Word {
  return { code: w & 0x3fff, range: Math.min((w >>> 14) & 7, 4), counter: (w >>> 18) & 63, logic: (w >>> 24) & 0xff };
}

/** Current in A for one sample: r = (4 * code - O) * ADC_MULT / R, then UG * (r * (GS * r + GI) + S * Vdd + I). */
export function sampleAmps(cal: Ppk2Calibration, range: number, code: number, vddMv: number): number {
  const r = (code * 4 - cal.o[range]) * (PPK2_ADC_MULT / cal.r[range]);
  return cal.ug[range] * (r * (cal.gs[range] * r + cal.gi[range]) + (cal.s[range] * (vddMv / 1000) + cal.i[range]));
}

/** REGULATOR_SET command for a source voltage in mV. */
export function regulatorCommand(mv: number): Uint8Array {
  if (!Number.isInteger(mv) || mv < PPK2_VDD_MIN_MV || mv > PPK2_VDD_MAX_MV)
    throw new BitrlError(`PPK2 voltage must be an integer ${PPK2_VDD_MIN_MV}..${PPK2_VDD_MAX_MV} mV, got ${mv}`);
  return Uint8Array.of(PPK2_OP.regulatorSet, mv >> 8, mv & 0xff);
}

/** Turns a byte stream into sample words, keeping a partial word across chunks. */
export class Ppk2Decoder {
  private carry = new Uint8Array(0);
  /** (n) raw words in arrival order */
  words: number[] = [];
  /** samples missing according to the 6-bit counter */
  lost = 0;
  private lastCounter = -1;

  push(chunk: Uint8Array): void {
    let buf = chunk;
    if (this.carry.length) {
      buf = new Uint8Array(this.carry.length + chunk.length);
      buf.set(this.carry);
      buf.set(chunk, this.carry.length);
    }
    const whole = buf.length - (buf.length % 4);
    const dv = new DataView(buf.buffer, buf.byteOffset, buf.length);
    for (let k = 0; k < whole; k += 4) {
      const w = dv.getUint32(k, true);
      const c = (w >>> 18) & 63;
      if (this.lastCounter >= 0) this.lost += (c - this.lastCounter - 1 + 64) % 64;
      this.lastCounter = c;
      this.words.push(w);
    }
    this.carry = buf.slice(whole);
  }
}

/** Converts recorded words to a trace: current from the calibration, voltage the known supply, marker the
 *  chosen digital input. */
export function wordsToTrace(words: number[], cal: Ppk2Calibration, vddMv: number, markerChannel: number): PowerTrace {
  const n = words.length;
  const tr: PowerTrace = {
    t: new Float64Array(n),
    volts: new Float64Array(n),
    amps: new Float64Array(n),
    mark: new Uint8Array(n),
    period: PPK2_SAMPLE_SECONDS,
  };
  for (let k = 0; k < n; k++) {
    const f = decodeWord(words[k]);
    tr.t[k] = k * PPK2_SAMPLE_SECONDS;
    tr.volts[k] = vddMv / 1000;
    tr.amps[k] = sampleAmps(cal, f.range, f.code, vddMv);
    tr.mark[k] = (f.logic >> markerChannel) & 1;
  }
  return tr;
}

export interface Ppk2Options {
  /** "source": the PPK2 powers the board at vddMv; "ampere": the board has its own supply, vddMv is what it runs at */
  mode: "source" | "ampere";
  vddMv: number;
  /** digital input (0..7) wired to the firmware's marker GPIO */
  markerChannel: number;
  /** how long to wait for the metadata reply */
  timeoutMs?: number;
}

/** A PPK2 session on a byte link: reads the calibration, sets the mode and voltage, records. */
export class Ppk2Meter implements Meter {
  private text = "";
  private decoder: Ppk2Decoder | null = null;
  private lastData = 0;
  private cal: Ppk2Calibration = defaultCalibration();

  private constructor(
    private link: ByteLink,
    private opts: Ppk2Options,
  ) {
    link.onData((chunk) => {
      this.lastData = Date.now();
      if (this.decoder) this.decoder.push(chunk);
      else this.text += Buffer.from(chunk).toString("latin1");
    });
  }

  get description(): string {
    return `PPK2 ${this.opts.mode} meter at ${this.opts.vddMv} mV, 100 kHz, marker on D${this.opts.markerChannel}${this.cal.hw ? `, hw ${this.cal.hw}` : ""}`;
  }

  get calibration(): Ppk2Calibration {
    return this.cal;
  }

  static async open(link: ByteLink, opts: Ppk2Options): Promise<Ppk2Meter> {
    if (!Number.isInteger(opts.markerChannel) || opts.markerChannel < 0 || opts.markerChannel > 7)
      throw new BitrlError(`PPK2 marker channel must be 0..7, got ${opts.markerChannel}`);
    const cmdV = regulatorCommand(opts.vddMv);
    const m = new Ppk2Meter(link, opts);
    await link.write(Uint8Array.of(PPK2_OP.getMetaData));
    const timeout = opts.timeoutMs ?? 3000;
    const t0 = Date.now();
    while (!m.text.includes("END")) {
      if (Date.now() - t0 > timeout) throw new BitrlError(`no PPK2 metadata within ${timeout} ms: is the port a PPK2?`);
      await new Promise((r) => setTimeout(r, 10));
    }
    m.cal = parseMetadata(m.text);
    await link.write(Uint8Array.of(PPK2_OP.setPowerMode, opts.mode === "source" ? 2 : 1));
    await link.write(cmdV);
    if (opts.mode === "source") await link.write(Uint8Array.of(PPK2_OP.deviceRunningSet, 1));
    return m;
  }

  async start(): Promise<void> {
    this.decoder = new Ppk2Decoder();
    await this.link.write(Uint8Array.of(PPK2_OP.averageStart));
  }

  async stop(): Promise<PowerTrace> {
    if (!this.decoder) throw new BitrlError("PPK2: stop() before start()");
    await this.link.write(Uint8Array.of(PPK2_OP.averageStop));
    // words already in flight still arrive after the stop command: drain until the line is quiet
    await waitQuiet(() => this.lastData, 150, 10_000);
    const dec = this.decoder;
    this.decoder = null;
    if (dec.lost > 0)
      throw new BitrlError(`PPK2 lost ${dec.lost} samples (counter gaps): use a direct USB port, not a hub`);
    return wordsToTrace(dec.words, this.cal, this.opts.vddMv, this.opts.markerChannel);
  }

  async close(): Promise<void> {
    await this.link.close();
  }
}
