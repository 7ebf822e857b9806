// The host side of the serial protocol: one client over any byte stream (a child process's stdio, a QEMU
// socket/pty, a real serial port), with timeouts, retries and named errors. Frames: tools/lib/board/protocol.ts.
import type { ChildProcess } from "node:child_process";
import type { Duplex } from "node:stream";
import { BitrlError } from "../util/errors.ts";
import {
  Cmd,
  DEFAULT_MAX_PAYLOAD,
  FrameDecoder,
  PROTOCOL_VERSION,
  STATUS_NAMES,
  concat,
  hasLegacyFrame,
  resyncFiller,
  type DecodeEvent,
  decodeError,
  decodeValue,
  encodeCall,
  encodeFrame,
  readI32,
  readU32,
  readU64,
  u32s,
  type Frame,
  type WasmValue,
} from "./protocol.ts";
import { crc32 } from "../util/crc32.ts";

/** A byte stream to a board. */
export interface ByteLink {
  write(bytes: Uint8Array): void;
  /** Registers the one receiver of incoming bytes. */
  onData(cb: (bytes: Uint8Array) => void): void;
  /** Called once when the link ends (process exit, socket close), with a reason. */
  onClose(cb: (reason: string) => void): void;
  close(): Promise<void>;
}

/** A named error reply from the board (or a link failure): `code` is ERR_CRC, ERR_TRAP, ERR_TIMEOUT, ... */
export class BoardError extends BitrlError {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** A link over a child process's stdin/stdout (the native host firmware). */
export function childLink(child: ChildProcess): ByteLink {
  if (!child.stdin || !child.stdout) throw new BitrlError("board process has no stdio pipes");
  return streamLink(
    child.stdout as unknown as Duplex,
    child.stdin as unknown as Duplex,
    async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const gone = new Promise((r) => child.once("exit", r));
        child.stdin?.end();
        const t = setTimeout(() => child.kill("SIGKILL"), 1000);
        await gone;
        clearTimeout(t);
      }
    },
    (cb) => child.once("exit", (code, sig) => cb(`board process exited (${sig ?? `code ${code}`})`)),
  );
}

/** A link over a duplex stream (a net.Socket to QEMU's serial, a SerialPort). */
export function duplexLink(stream: Duplex): ByteLink {
  return streamLink(
    stream,
    stream,
    async () => {
      stream.destroy();
    },
    (cb) => stream.once("close", () => cb("serial link closed")),
  );
}

function streamLink(
  input: Duplex,
  output: Duplex,
  close: () => Promise<void>,
  watchClose: (cb: (r: string) => void) => void,
): ByteLink {
  let closed = false;
  return {
    write: (bytes) => {
      if (!closed) output.write(bytes);
    },
    onData: (cb) => {
      input.on("data", (chunk: Buffer) => cb(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length)));
    },
    onClose: (cb) =>
      watchClose((r) => {
        closed = true;
        cb(r);
      }),
    close: async () => {
      closed = true;
      await close();
    },
  };
}

/** A real board's serial port through the `serialport` package (loaded only when used). */
export async function serialPortLink(path: string, baudRate = 115200): Promise<ByteLink> {
  const { SerialPort } = await import("serialport");
  const port = new SerialPort({ path, baudRate, autoOpen: false });
  await new Promise<void>((res, rej) =>
    port.open((e) => (e ? rej(new BitrlError(`cannot open serial port ${path}: ${e.message}`)) : res())),
  );
  return duplexLink(port as unknown as Duplex);
}

export interface RequestOptions {
  /** ms to wait for the reply (default: the client's) */
  timeoutMs?: number;
  /** resends after a timeout; only for idempotent commands (default 0) */
  retries?: number;
}

export interface BoardInfo {
  protocol: number;
  board: string;
  firmware: string;
  backend: string;
  module: { bytes: number; crc32: string };
  module_error: string | null;
  clock_unit: string;
  max_payload: number;
  slot_capacity: number;
  /** the active model: its slot, sequence number, size and model id (CRC-32 of the bytes before its trailer) */
  model: { slot: number; seq: number; bytes: number; model_id: string } | null;
  /** wasm3_stack: the value stack's size and the most of it any call has written (null: no engine stack) */
  ram: {
    budget: number;
    linked: number;
    static_buffers: number;
    wasm3_heap: number | null;
    wasm3_stack: { bytes: number; peak: number } | null;
    linear_memory: number;
  };
}

export interface CallResult {
  value: WasmValue;
  /** board clock ticks inside the call (info.clock_unit) */
  ticks: number;
  /** output bytes read back after the call */
  output: Uint8Array;
}

/** The protocol client. One request at a time; replies are matched by sequence number. */
/** native-bench's kernel numbers (firmware/src/app.c cmd_native_bench). */
export type NativeKernel = 0 | 1 | 2 | 3;

export class BoardClient {
  private decoder = new FrameDecoder();
  private seq = 0;
  /** the request in flight: the sequence numbers of its tries (a late reply to an earlier try answers it too) */
  private waiter: { seqs: Set<number>; resolve: (f: Frame) => void; reject: (e: Error) => void } | null = null;
  private closedReason: string | null = null;
  /** frames no request waited for (replies to garbage, stale replies): the fuzz test counts them */
  readonly unmatched: Frame[] = [];
  /** tries the last request took (1: answered without a retry); the link-recovery test reads it */
  lastTries = 0;
  maxPayload = DEFAULT_MAX_PAYLOAD;
  /** the bytes received until the first frame decoded: a board that answers in an older protocol (frames
   *  without a header CRC) shows there, and the waiting request fails at once instead of timing out */
  private beforeFirstFrame: Uint8Array | null = new Uint8Array(0);

  constructor(
    private readonly link: ByteLink,
    private readonly defaultTimeoutMs = 5000,
  ) {
    link.onData((bytes) => {
      const events = this.decoder.push(bytes);
      if (this.beforeFirstFrame) this.watchOldProtocol(bytes, events);
      this.deliver(events);
    });
    link.onClose((reason) => {
      this.closedReason = reason;
      const w = this.waiter;
      this.waiter = null;
      w?.reject(new BoardError("ERR_LINK", `${reason} while waiting for a reply`));
    });
  }

  private deliver(events: DecodeEvent[]): void {
    for (const ev of events) {
      if (ev.kind !== "frame") continue; // a corrupted reply: the request times out and may be retried
      const w = this.waiter;
      if (w && w.seqs.has(ev.frame.seq)) {
        this.waiter = null;
        w.resolve(ev.frame);
      } else {
        this.unmatched.push(ev.frame);
      }
    }
  }

  /**
   * Makes the board drop any partial frame it holds (a previous host killed mid-frame, a header cut by noise),
   * so the next request is read at once rather than after the board's idle timeout: sends resyncFiller. info()
   * calls it (every session starts with info), and request() before each retry.
   */
  resync(): void {
    this.link.write(resyncFiller(this.maxPayload));
  }

  private watchOldProtocol(bytes: Uint8Array, events: DecodeEvent[]): void {
    if (events.some((e) => e.kind === "frame")) {
      this.beforeFirstFrame = null;
      return;
    }
    this.beforeFirstFrame = concat(this.beforeFirstFrame!, bytes).slice(-OLD_PROTOCOL_WATCH_BYTES);
    const w = this.waiter;
    if (!w || !hasLegacyFrame(this.beforeFirstFrame)) return;
    this.waiter = null;
    w.reject(
      new BoardError(
        "ERR_OLD_PROTOCOL",
        `board answers in protocol 1 or 2 (frames without a header CRC); this host speaks ${PROTOCOL_VERSION}`,
      ),
    );
  }

  /** Writes raw bytes (the fuzz test's malformed frames). */
  writeRaw(bytes: Uint8Array): void {
    this.link.write(bytes);
  }

  /** Waits until no byte has arrived for quietMs (bounded by maxMs); returns the unmatched frames so far and clears them. */
  async drain(quietMs = 200, maxMs = 10000): Promise<Frame[]> {
    const start = Date.now();
    let last = -1;
    let lastChange = Date.now();
    while (Date.now() - start < maxMs) {
      await new Promise((r) => setTimeout(r, Math.min(quietMs, 50)));
      const seen = this.unmatched.length + this.decoder.pending;
      if (seen !== last) {
        last = seen;
        lastChange = Date.now();
      } else if (Date.now() - lastChange >= quietMs) break;
    }
    return this.unmatched.splice(0);
  }

  /** Sends one request and returns the OK reply's payload; error replies throw BoardError with their name. A
   *  timeout, or an ERR_CRC reply (the frame arrived damaged), is retried while `retries` allow. */
  async request(cmd: number, payload: Uint8Array = new Uint8Array(0), opts: RequestOptions = {}): Promise<Uint8Array> {
    const timeoutMs = opts.timeoutMs ?? this.defaultTimeoutMs;
    const tries = 1 + (opts.retries ?? 0);
    const what = cmdName(cmd);
    const seqs = new Set<number>();
    for (let attempt = 0; attempt < tries; attempt++) {
      this.lastTries = attempt + 1;
      if (this.closedReason) throw new BoardError("ERR_LINK", `${this.closedReason}; cannot send '${what}'`);
      // the last try timed out: our request may sit inside a partial frame the board holds
      if (attempt > 0) this.resync();
      const seq = (this.seq = (this.seq + 1) & 0xff);
      seqs.add(seq);
      let timer: NodeJS.Timeout | undefined;
      const reply = new Promise<Frame | null>((resolve, reject) => {
        this.waiter = { seqs, resolve, reject };
        timer = setTimeout(() => {
          // the reply may sit inside a partial frame we hold (a reply cut short on the line): give that up first
          this.deliver(this.decoder.flush());
          if (this.waiter?.seqs === seqs) this.waiter = null;
          resolve(null);
        }, timeoutMs);
      });
      this.link.write(encodeFrame(seq, cmd, payload));
      const frame = await reply.finally(() => clearTimeout(timer));
      if (!frame) continue;
      if (STATUS_NAMES[frame.code] === "ERR_CRC" && attempt + 1 < tries) continue; // our frame was damaged on the way
      if (frame.code !== 0) {
        const { name, detail } = decodeError(frame);
        throw new BoardError(name, `board answered '${what}' with ${name}${detail ? `: ${detail}` : ""}`);
      }
      return frame.payload;
    }
    throw new BoardError(
      "ERR_TIMEOUT",
      `board did not answer '${what}' within ${timeoutMs} ms${tries > 1 ? ` (${tries} tries)` : ""} (is it running, on the right port?)`,
    );
  }

  /** The board's identity and state. Every session sends it first, so it clears the line first (resync): a
   *  partial frame left there by a host killed mid-request or by noise must not swallow it. */
  async info(opts: RequestOptions = { retries: 2 }): Promise<BoardInfo> {
    this.resync();
    const text = new TextDecoder().decode(await this.request(Cmd.info, undefined, opts));
    let info: BoardInfo;
    try {
      info = JSON.parse(text) as BoardInfo;
    } catch {
      throw new BoardError("ERR_PROTOCOL", `board's info reply is not JSON: ${text.slice(0, 80)}`);
    }
    if (info.max_payload) this.maxPayload = info.max_payload;
    return info;
  }

  /** Uploads a model blob in chunks to the inactive slot; the board verifies it and switches on commit. */
  async loadModel(
    blob: Uint8Array,
    onProgress?: (done: number, total: number) => void,
  ): Promise<{ slot: number; seq: number }> {
    // the identity the board must see arrive: CRC-32 of the bytes before the trailer (a valid blob's model id)
    await this.request(Cmd.loadBegin, u32s(blob.length, crc32(blob.subarray(0, Math.max(0, blob.length - 4)))));
    const chunk = this.maxPayload - 4;
    // a chunk is a flash write: an emulated board mirrors it to a host file, which a loaded host can hold up for
    // seconds (a 10 s timeout failed once beside a bench), so chunks get the commit's 30 s; one resend after a
    // timeout or a damaged frame (the board answers the last chunk again when the same bytes come twice, and a late
    // reply to the first try still counts)
    const chunkTimeout = { timeoutMs: Math.max(this.defaultTimeoutMs, 30000), retries: 1 };
    for (let at = 0; at < blob.length; at += chunk) {
      const piece = blob.subarray(at, Math.min(blob.length, at + chunk));
      const got = readU32(await this.request(Cmd.loadChunk, concat(u32s(at), piece), chunkTimeout), 0);
      if (got !== at + piece.length)
        throw new BoardError("ERR_PROTOCOL", `board has ${got} bytes, expected ${at + piece.length}`);
      onProgress?.(at + piece.length, blob.length);
    }
    const r = await this.request(Cmd.loadCommit, undefined, { timeoutMs: Math.max(this.defaultTimeoutMs, 30000) });
    return { slot: readU32(r, 0), seq: readU32(r, 4) };
  }

  /** Writes bytes into linear memory at an absolute address, in frame-sized pieces. */
  async memWrite(addr: number, bytes: Uint8Array): Promise<void> {
    const chunk = this.maxPayload - 4;
    for (let at = 0; at < bytes.length; at += chunk) {
      await this.request(
        Cmd.memWrite,
        concat(u32s(addr + at), bytes.subarray(at, Math.min(bytes.length, at + chunk))),
        { retries: 1 },
      );
    }
  }

  /** Sets len bytes of linear memory at addr to `value` (one frame, whatever the length). */
  async memFill(addr: number, len: number, value = 0): Promise<void> {
    await this.request(Cmd.memFill, concat(u32s(addr, len), Uint8Array.of(value & 0xff)), { retries: 1 });
  }

  async memRead(addr: number, len: number): Promise<Uint8Array> {
    const out = new Uint8Array(len);
    for (let at = 0; at < len; at += this.maxPayload) {
      const n = Math.min(this.maxPayload, len - at);
      out.set(await this.request(Cmd.memRead, u32s(addr + at, n), { retries: 1 }), at);
    }
    return out;
  }

  /** Calls an export with i32 args; reads `outLen` bytes at `outAddr` afterwards (in the same frame when it fits). */
  async kernel(name: string, args: number[], outAddr = 0, outLen = 0, opts: RequestOptions = {}): Promise<CallResult> {
    const inline = outLen <= this.maxPayload - 17 ? outLen : 0;
    const r = await this.request(Cmd.kernel, concat(encodeCall(name, args), u32s(outAddr, inline)), opts);
    const value = decodeValue(r, 0);
    const ticks = readU64(r, 9);
    const output = inline === outLen ? r.slice(17, 17 + outLen) : await this.memRead(outAddr, outLen);
    return { value, ticks, output };
  }

  /** Calls an export `reps` times on the board between two clock reads. */
  async bench(
    name: string,
    args: number[],
    reps: number,
    opts: RequestOptions = {},
  ): Promise<{ ticks: number; reps: number; value: WasmValue }> {
    const r = await this.request(Cmd.bench, concat(u32s(reps), encodeCall(name, args)), { timeoutMs: 120000, ...opts });
    return { ticks: readU64(r, 0), reps: readU32(r, 8), value: decodeValue(r, 12) };
  }

  /** A native C kernel of the firmware over linear memory, by native-bench's number: 0 the plain i2 kernel, 1 the t3
   *  lookup-table kernel (its tables built at `lut`, scratch), and in wasm3+native builds 2 the int8 matvec, 3 the f32
   *  one. */
  async nativeBench(
    kernel: NativeKernel,
    w: number,
    x: number,
    y: number,
    rows: number,
    cols: number,
    reps: number,
    lut = 0,
  ): Promise<{ ticks: number; reps: number }> {
    // kernel 1 (t3 lookup tables) also takes where its tables go
    const args = kernel === 1 ? u32s(w, x, y, rows, cols, reps, lut) : u32s(w, x, y, rows, cols, reps);
    const payload = concat(Uint8Array.of(kernel), args);
    const r = await this.request(Cmd.nativeBench, payload, { timeoutMs: 120000 });
    return { ticks: readU64(r, 0), reps: readU32(r, 8) };
  }

  async ioBase(): Promise<number> {
    const r = await this.kernel("io_base", []);
    if (r.value.type !== "i32") throw new BoardError("ERR_PROTOCOL", "io_base did not return an i32");
    return r.value.value as number;
  }

  /** One episode of the agent on the board (agent_episode). */
  async episode(
    seed: number,
    maxSteps: number,
    greedy: boolean,
  ): Promise<{ steps: number; ticks: number; return: number; terminated: boolean; truncated: boolean }> {
    const r = await this.request(Cmd.episode, u32s(seed, maxSteps, greedy ? 1 : 0), { timeoutMs: 600000 });
    const dv = new DataView(r.buffer, r.byteOffset, r.length);
    return {
      steps: readI32(r, 0),
      ticks: readU64(r, 4),
      return: dv.getFloat64(12, true),
      terminated: readI32(r, 20) !== 0,
      truncated: readI32(r, 24) !== 0,
    };
  }

  /** Training episodes on the board (agent_train); returns the per-episode returns that fit one frame. */
  async train(seed: number, episodes: number): Promise<{ episodes: number; ticks: number; returns: number[] }> {
    const r = await this.request(Cmd.train, u32s(seed, episodes), { timeoutMs: 3600000 });
    const shown = readU32(r, 12);
    const dv = new DataView(r.buffer, r.byteOffset, r.length);
    return {
      episodes: readI32(r, 0),
      ticks: readU64(r, 4),
      returns: Array.from({ length: shown }, (_, i) => dv.getFloat32(16 + 4 * i, true)),
    };
  }

  /** Greedy action for one observation (agent_act). */
  async infer(obs: Float32Array): Promise<{ action: number; ticks: number }> {
    const r = await this.request(Cmd.infer, new Uint8Array(obs.buffer, obs.byteOffset, obs.byteLength), {
      timeoutMs: 60000,
    });
    return { action: readI32(r, 0), ticks: readU64(r, 4) };
  }

  async close(): Promise<void> {
    await this.link.close();
  }
}

/** Bytes kept while watching for an older protocol: a few replies' worth. */
const OLD_PROTOCOL_WATCH_BYTES = 4096;

function cmdName(cmd: number): string {
  const hit = Object.entries(Cmd).find(([, v]) => v === cmd);
  return hit ? hit[0].replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`) : `0x${cmd.toString(16)}`;
}
