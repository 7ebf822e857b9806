// The serial protocol's frame codec and payload layouts (docs/protocol.md), pure: no I/O, no timers.
import { crc32 } from "../util/crc32.ts";
import { BitrlError } from "../util/errors.ts";

export const SYNC0 = 0xb1;
export const SYNC1 = 0x7e;
/** sync0 sync1 len_lo len_hi seq code */
export const HEADER_BYTES = 6;
/** CRC-32 of bytes [2, 6 + len) */
export const TRAILER_BYTES = 4;
/** The firmware's default BITRL_CFG_MAX_PAYLOAD; `info` reports the board's actual value. */
export const DEFAULT_MAX_PAYLOAD = 1024;

/** Request command codes. */
/** The protocol this host speaks (info.protocol; 2: load-model begin announces the model id). */
export const PROTOCOL_VERSION = 2;

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

/** Encodes one frame: sync, u16 length, seq, code, payload, CRC-32. */
export function encodeFrame(seq: number, code: number, payload: Uint8Array = new Uint8Array(0)): Uint8Array {
  if (payload.length > 0xffff) throw new BitrlError(`frame payload of ${payload.length} bytes (at most 65535)`);
  const out = new Uint8Array(HEADER_BYTES + payload.length + TRAILER_BYTES);
  out[0] = SYNC0;
  out[1] = SYNC1;
  out[2] = payload.length & 0xff;
  out[3] = payload.length >> 8;
  out[4] = seq & 0xff;
  out[5] = code & 0xff;
  out.set(payload, HEADER_BYTES);
  const c = crc32(out.subarray(2, HEADER_BYTES + payload.length));
  new DataView(out.buffer).setUint32(HEADER_BYTES + payload.length, c, true);
  return out;
}

export type DecodeEvent =
  { kind: "frame"; frame: Frame } | { kind: "bad-crc"; seq: number } | { kind: "too-large"; seq: number; len: number };

/**
 * Incremental decoder, the twin of firmware/src/frame.c: scans for sync, skips one sync pair on any failure and
 * rescans, so it recovers from garbage and truncated frames. `maxPayload` bounds the length field.
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
    const events: DecodeEvent[] = [];
    let i = 0;
    for (;;) {
      while (i < joined.length && joined[i] !== SYNC0) i++;
      if (joined.length - i < 2) break;
      if (joined[i + 1] !== SYNC1) {
        i += 1;
        continue;
      }
      if (joined.length - i < HEADER_BYTES) break;
      const len = joined[i + 2] | (joined[i + 3] << 8);
      const seq = joined[i + 4];
      if (len > this.maxPayload) {
        events.push({ kind: "too-large", seq, len });
        i += 2;
        continue;
      }
      const total = HEADER_BYTES + len + TRAILER_BYTES;
      if (joined.length - i < total) break;
      const want = new DataView(joined.buffer, joined.byteOffset + i + HEADER_BYTES + len, 4).getUint32(0, true);
      if (crc32(joined.subarray(i + 2, i + HEADER_BYTES + len)) !== want) {
        events.push({ kind: "bad-crc", seq });
        i += 2;
        continue;
      }
      events.push({
        kind: "frame",
        frame: { seq, code: joined[i + 5], payload: joined.slice(i + HEADER_BYTES, i + HEADER_BYTES + len) },
      });
      i += total;
    }
    this.buf = joined.slice(i);
    return events;
  }

  /** Forget buffered bytes (after a timeout, before a retry). */
  reset(): void {
    this.buf = new Uint8Array(0);
  }
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
