// The serial protocol's frame codec and payload layouts (docs/protocol.md), pure: no I/O, no timers.
import { crc16 } from "../util/crc16.ts";
import { crc32 } from "../util/crc32.ts";
import { BitrlError } from "../util/errors.ts";

export const SYNC0 = 0xb1;
export const SYNC1 = 0x7e;
/** sync0 sync1 len_lo len_hi seq code hcrc_lo hcrc_hi (hcrc: CRC-16 of bytes [2, 6)) */
export const HEADER_BYTES = 8;
/** CRC-32 of bytes [2, 8 + len) */
export const TRAILER_BYTES = 4;
/** The firmware's default BITRL_CFG_MAX_PAYLOAD; `info` reports the board's actual value. */
export const DEFAULT_MAX_PAYLOAD = 1024;

/** The protocol this host speaks (info.protocol; 2: load-model begin announces the model id; 3: a CRC-16 over
 *  each frame header, so a receiver resynchronises on the next real header instead of waiting out an idle line). */
export const PROTOCOL_VERSION = 3;

/** Request command codes. */
export const Cmd = {
  info: 0x01,
  loadBegin: 0x02,
  loadChunk: 0x03,
  loadCommit: 0x04,
  memWrite: 0x05,
  memRead: 0x06,
  kernel: 0x07,
  bench: 0x08,
  nativeBench: 0x09,
  episode: 0x0a,
  train: 0x0b,
  infer: 0x0c,
  memFill: 0x0d,
} as const;

/** Reply status codes; index = code. */
export const STATUS_NAMES = [
  "OK",
  "ERR_CRC",
  "ERR_TOO_LARGE",
  "ERR_UNKNOWN_CMD",
  "ERR_BAD_ARGS",
  "ERR_NO_MODEL",
  "ERR_TRAP",
  "ERR_NO_EXPORT",
  "ERR_STATE",
  "ERR_FLASH",
  "ERR_BLOB",
  "ERR_MEM",
  "ERR_NO_MODULE",
  "ERR_AGENT",
  "ERR_MODEL_ID",
] as const;
export type StatusName = (typeof STATUS_NAMES)[number];

export interface Frame {
  seq: number;
  /** command (request) or status (reply) */
  code: number;
  payload: Uint8Array;
}

/** Encodes one frame: sync, u16 length, seq, code, header CRC-16, payload, CRC-32. */
export function encodeFrame(seq: number, code: number, payload: Uint8Array = new Uint8Array(0)): Uint8Array {
  if (payload.length > 0xffff) throw new BitrlError(`frame payload of ${payload.length} bytes (at most 65535)`);
  const out = new Uint8Array(HEADER_BYTES + payload.length + TRAILER_BYTES);
  const dv = new DataView(out.buffer);
  out[0] = SYNC0;
  out[1] = SYNC1;
  dv.setUint16(2, payload.length, true);
  out[4] = seq & 0xff;
  out[5] = code & 0xff;
  dv.setUint16(6, crc16(out.subarray(2, 6)), true);
  out.set(payload, HEADER_BYTES);
  dv.setUint32(HEADER_BYTES + payload.length, crc32(out.subarray(2, HEADER_BYTES + payload.length)), true);
  return out;
}

/**
 * Bytes that complete any partial frame a receiver holds, then are skipped: zeros (never a sync byte), one
 * longest frame's worth. A partial frame (the tail of a killed host's request, a header cut by noise) swallows
 * what follows until its announced length arrives; sent before a request, these bytes make that happen at once
 * (the partial frame fails its CRC) instead of after the receiver's idle timeout. `maxPayload` is the board's.
 */
export function resyncFiller(maxPayload = DEFAULT_MAX_PAYLOAD): Uint8Array {
  return new Uint8Array(HEADER_BYTES + maxPayload + TRAILER_BYTES);
}

export type DecodeEvent =
  { kind: "frame"; frame: Frame } | { kind: "bad-crc"; seq: number } | { kind: "too-large"; seq: number; len: number };

/**
 * Incremental decoder, the twin of firmware/src/frame.c. It scans for sync0 sync1 followed by a header whose
 * CRC-16 matches: anything else is noise and skipped silently, one sync pair at a time, so garbage never holds it
 * up. A real header (its CRC matches) that announces too much, or a frame whose CRC-32 fails, is reported with its
 * sequence number, and only its sync pair is skipped: a real frame may start inside it (a truncated frame
 * swallows the start of the next). `maxPayload` bounds the length field.
 */
export class FrameDecoder {
  private buf = new Uint8Array(0);
  constructor(private readonly maxPayload = 0xffff) {}

  /** Bytes held that are not yet part of a decoded frame. */
  get pending(): number {
    return this.buf.length;
  }

  push(bytes: Uint8Array): DecodeEvent[] {
    const joined = new Uint8Array(this.buf.length + bytes.length);
    joined.set(this.buf);
    joined.set(bytes, this.buf.length);
    this.buf = joined;
    return this.scan(false);
  }

  /** The line went idle: no partial frame held will complete, so each is dropped (its sync pair) and what it
   *  swallowed is decoded. Afterwards nothing is pending. */
  flush(): DecodeEvent[] {
    return this.scan(true);
  }

  /** Forget buffered bytes. */
  reset(): void {
    this.buf = new Uint8Array(0);
  }

  private scan(idle: boolean): DecodeEvent[] {
    const b = this.buf;
    const dv = new DataView(b.buffer, b.byteOffset, b.length);
    const events: DecodeEvent[] = [];
    let i = 0;
    for (;;) {
      while (i < b.length && b[i] !== SYNC0) i++;
      const have = b.length - i;
      if (have === 0) break;
      // a frame that cannot complete yet: wait for more bytes, or when idle give up on it
      const wait = (need: number) => have < need && !idle;
      if (have < 2) {
        if (wait(2)) break;
        i += 1;
        continue;
      }
      if (b[i + 1] !== SYNC1) {
        i += 1;
        continue;
      }
      if (have < HEADER_BYTES) {
        if (wait(HEADER_BYTES)) break;
        i += 2;
        continue;
      }
      if (crc16(b.subarray(i + 2, i + 6)) !== dv.getUint16(i + 6, true)) {
        i += 2; // not a header: noise, or a header the line corrupted
        continue;
      }
      const len = dv.getUint16(i + 2, true);
      const seq = b[i + 4];
      if (len > this.maxPayload) {
        events.push({ kind: "too-large", seq, len });
        i += 2;
        continue;
      }
      const total = HEADER_BYTES + len + TRAILER_BYTES;
      if (have < total) {
        if (wait(total)) break;
        i += 2;
        continue;
      }
      if (crc32(b.subarray(i + 2, i + HEADER_BYTES + len)) !== dv.getUint32(i + HEADER_BYTES + len, true)) {
        events.push({ kind: "bad-crc", seq });
        i += 2;
        continue;
      }
      events.push({
        kind: "frame",
        frame: { seq, code: b[i + 5], payload: b.slice(i + HEADER_BYTES, i + HEADER_BYTES + len) },
      });
      i += total;
    }
    this.buf = b.slice(i);
    return events;
  }
}

/**
 * Whether `bytes` hold a frame of protocol 1 or 2 (a 6-byte header without a CRC, CRC-32 over [2, 6 + len)):
 * a board running older firmware answers that way, and this host can then say so instead of "no answer".
 */
export function hasLegacyFrame(bytes: Uint8Array): boolean {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  for (let i = 0; i + 10 <= bytes.length; i++) {
    if (bytes[i] !== SYNC0 || bytes[i + 1] !== SYNC1) continue;
    const len = dv.getUint16(i + 2, true);
    if (i + 10 + len > bytes.length) continue;
    if (crc32(bytes.subarray(i + 2, i + 6 + len)) === dv.getUint32(i + 6 + len, true)) return true;
  }
  return false;
}

/** An error reply's name and detail ("ERR_TRAP: [trap] unreachable executed" -> name ERR_TRAP). */
export function decodeError(frame: Frame): { name: string; detail: string } {
  const text = new TextDecoder().decode(frame.payload);
  const known = STATUS_NAMES[frame.code] ?? `ERR_${frame.code}`;
  const m = /^(ERR_[A-Z_]+)(?::\s*(.*))?$/s.exec(text);
  return { name: m ? m[1] : known, detail: m ? (m[2] ?? "") : text };
}

// ---- payload builders and parsers (little-endian) ----

/** Concatenates u32 values (each `number`, two's complement for negatives). */
export function u32s(...values: number[]): Uint8Array {
  const out = new Uint8Array(4 * values.length);
  const dv = new DataView(out.buffer);
  values.forEach((v, i) => dv.setUint32(4 * i, v >>> 0, true));
  return out;
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** "u8 name_len, name, u8 argc, i32 args" (kernel and bench requests). */
export function encodeCall(name: string, args: number[]): Uint8Array {
  const nameBytes = new TextEncoder().encode(name);
  if (nameBytes.length < 1 || nameBytes.length > 47) throw new BitrlError(`export name '${name}' must be 1..47 bytes`);
  if (args.length > 16) throw new BitrlError(`${args.length} arguments for '${name}' (at most 16)`);
  for (const a of args) {
    if (!Number.isInteger(a) || a < -0x80000000 || a > 0xffffffff)
      throw new BitrlError(`argument ${a} of '${name}' is not an i32`);
  }
  return concat(Uint8Array.of(nameBytes.length), nameBytes, Uint8Array.of(args.length), u32s(...args));
}

export type ValueType = "none" | "i32" | "i64" | "f32" | "f64";
export interface WasmValue {
  type: ValueType;
  /** i32 as a signed number, i64 as a bigint, floats as numbers; null for none */
  value: number | bigint | null;
}

/** Decodes "u8 type, u64 bits" at `at`. */
export function decodeValue(bytes: Uint8Array, at: number): WasmValue {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const t = bytes[at];
  switch (t) {
    case 0:
      return { type: "none", value: null };
    case 1:
      return { type: "i32", value: dv.getInt32(at + 1, true) };
    case 2:
      return { type: "i64", value: dv.getBigInt64(at + 1, true) };
    case 3:
      return { type: "f32", value: dv.getFloat32(at + 1, true) };
    case 4:
      return { type: "f64", value: dv.getFloat64(at + 1, true) };
    default:
      throw new BitrlError(`reply has unknown value type ${t}`);
  }
}

/** Little-endian u64 at `at` as a number (ticks stay far below 2^53). */
export function readU64(bytes: Uint8Array, at: number): number {
  return Number(new DataView(bytes.buffer, bytes.byteOffset, bytes.length).getBigUint64(at, true));
}
export function readU32(bytes: Uint8Array, at: number): number {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.length).getUint32(at, true);
}
export function readI32(bytes: Uint8Array, at: number): number {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.length).getInt32(at, true);
}
