// The bitrl `meter` firmware's line protocol (firmware/meter/, docs/energy.md): an INA219/INA226 read by a helper
// board, one ASCII line per sample, with the device's marker pin sampled alongside.
import { BitrlError } from "../util/errors.ts";
import type { PowerTrace } from "./integrate.ts";
import type { Meter } from "./meter.ts";
import { waitQuiet, type ByteLink } from "./serial.ts";

export const INA_PROTOCOL_VERSION = 1;
/** The meter firmware's serial speed (firmware/meter/src/meter.cpp BITRL_METER_CFG_BAUD). */
export const INA_BAUD = 921600;

/** One parsed line from the meter. */
export type InaLine =
  | { type: "info"; version: number; fields: Record<string, string> }
  | { type: "ok"; what: string }
  | { type: "error"; message: string }
  | { type: "sample"; seq: number; tUs: number; busUv: number; currentNa: number; mark: number }
  | { type: "comment" };

const U32 = 2 ** 32;

/** Parses one line (without its newline); a one-line error names what is wrong. */
export function parseInaLine(line: string): InaLine {
  const s = line.replace(/\r$/, "");
  if (s === "" || s.startsWith("#")) return { type: "comment" };
  const parts = s.split(" ");
  switch (parts[0]) {
    case "S": {
      if (parts.length !== 6) throw new BitrlError(`meter sample line needs 5 fields: '${s}'`);
      const v = parts.slice(1).map((p) => (/^-?\d+$/.test(p) ? Number(p) : NaN));
      if (v.some((x) => !Number.isSafeInteger(x)))
        throw new BitrlError(`meter sample line has a non-integer field: '${s}'`);
      const [seq, tUs, busUv, currentNa, mark] = v;
      if (seq < 0 || seq >= U32 || tUs < 0 || tUs >= U32)
        throw new BitrlError(`meter sample counters out of range: '${s}'`);
      if (mark !== 0 && mark !== 1) throw new BitrlError(`meter sample marker must be 0 or 1: '${s}'`);
      return { type: "sample", seq, tUs, busUv, currentNa, mark };
    }
    case "I": {
      if (parts[1] !== "bitrl-meter") throw new BitrlError(`not a bitrl meter: '${s}'`);
      const fields: Record<string, string> = {};
      for (const kv of parts.slice(3)) {
        const eq = kv.indexOf("=");
        if (eq > 0) fields[kv.slice(0, eq)] = kv.slice(eq + 1);
      }
      return { type: "info", version: Number(parts[2]), fields };
    }
    case "OK":
      return { type: "ok", what: parts.slice(1).join(" ") };
    case "E":
      return { type: "error", message: parts.slice(1).join(" ") };
    default:
      throw new BitrlError(`unexpected line from the meter: '${s.slice(0, 60)}'`);
  }
}

/** Accumulates samples into a trace; unwraps the 32-bit microsecond clock and counts lost lines by seq. */
export class InaRecorder {
  t: number[] = [];
  volts: number[] = [];
  amps: number[] = [];
  mark: number[] = [];
  lost = 0;
  private lastSeq = -1;
  private lastUs = -1;
  private wrapUs = 0;
  private firstUs = -1;

  add(s: Extract<InaLine, { type: "sample" }>): void {
    if (this.lastSeq >= 0) this.lost += (s.seq - this.lastSeq - 1 + U32) % U32;
    if (this.lastUs >= 0 && s.tUs < this.lastUs) this.wrapUs += U32;
    this.lastSeq = s.seq;
    this.lastUs = s.tUs;
    const us = s.tUs + this.wrapUs;
    if (this.firstUs < 0) this.firstUs = us; // times start at 0
    this.t.push((us - this.firstUs) / 1e6);
    this.volts.push(s.busUv / 1e6);
    this.amps.push(s.currentNa / 1e9);
    this.mark.push(s.mark);
  }

  trace(): PowerTrace {
    return {
      t: Float64Array.from(this.t),
      volts: Float64Array.from(this.volts),
      amps: Float64Array.from(this.amps),
      mark: Uint8Array.from(this.mark),
      period: null,
    };
  }
}

/** An INA meter session on a byte link. */
export class InaMeter implements Meter {
  private buf = "";
  private lines: InaLine[] = [];
  private recorder: InaRecorder | null = null;
  private lastData = 0;
  private failure: Error | null = null;
  info: Record<string, string> = {};

  private constructor(private link: ByteLink) {
    link.onData((chunk) => {
      this.lastData = Date.now();
      this.buf += Buffer.from(chunk).toString("latin1");
      let nl: number;
      while ((nl = this.buf.indexOf("\n")) >= 0) {
        const line = this.buf.slice(0, nl);
        this.buf = this.buf.slice(nl + 1);
        try {
          const parsed = parseInaLine(line);
          if (parsed.type === "sample") this.recorder?.add(parsed);
          else if (parsed.type !== "comment") this.lines.push(parsed);
        } catch (e) {
          this.failure ??= e as Error;
        }
      }
    });
  }

  get description(): string {
    return `bitrl meter (${this.info.chip ?? "INA"}), sample period ${this.info.period_us ?? "?"} us, marker pin on the helper board`;
  }

  private async expect(pred: (l: InaLine) => boolean, what: string, timeoutMs: number): Promise<InaLine> {
    const t0 = Date.now();
    for (;;) {
      if (this.failure) throw this.failure;
      const k = this.lines.findIndex((l) => pred(l) || l.type === "error");
      if (k >= 0) {
        const l = this.lines.splice(k, 1)[0];
        if (l.type === "error" && !pred(l)) throw new BitrlError(`meter reported: ${l.message}`);
        return l;
      }
      if (Date.now() - t0 > timeoutMs)
        throw new BitrlError(`no '${what}' from the meter within ${timeoutMs} ms: is the port a bitrl meter?`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  static async open(link: ByteLink, timeoutMs = 3000): Promise<InaMeter> {
    const m = new InaMeter(link);
    await link.write(new TextEncoder().encode("INFO\n"));
    const info = await m.expect((l) => l.type === "info", "I bitrl-meter", timeoutMs);
    if (info.type === "info") {
      if (info.version !== INA_PROTOCOL_VERSION)
        throw new BitrlError(`meter speaks protocol ${info.version}, this host knows ${INA_PROTOCOL_VERSION}`);
      m.info = info.fields;
    }
    return m;
  }

  async start(): Promise<void> {
    this.recorder = new InaRecorder();
    await this.link.write(new TextEncoder().encode("START\n"));
    await this.expect((l) => l.type === "ok" && l.what === "START", "OK START", 3000);
  }

  async stop(): Promise<PowerTrace> {
    const rec = this.recorder;
    if (!rec) throw new BitrlError("meter: stop() before start()");
    await this.link.write(new TextEncoder().encode("STOP\n"));
    // every sample line sent before the acknowledgement belongs to the recording
    await this.expect((l) => l.type === "ok" && l.what === "STOP", "OK STOP", 10_000);
    await waitQuiet(() => this.lastData, 20, 200);
    this.recorder = null;
    if (rec.lost > 0)
      throw new BitrlError(
        `meter lost ${rec.lost} sample lines (sequence gaps): lower the sample rate or raise the baud rate`,
      );
    return rec.trace();
  }

  async close(): Promise<void> {
    await this.link.close();
  }
}
