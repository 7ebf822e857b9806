// Byte links to meters: a serial port (USB CDC or a pty) behind a small interface that tests can fake.
import { BitrlError } from "../util/errors.ts";

export interface ByteLink {
  write(bytes: Uint8Array): Promise<void>;
  /** called with every chunk received, in order */
  onData(cb: (chunk: Uint8Array) => void): void;
  close(): Promise<void>;
}

/** Opens a serial port (raw, 8N1). The baud rate is ignored by USB CDC devices such as the PPK2. */
export async function openSerial(path: string, baudRate = 115200): Promise<ByteLink> {
  const { SerialPort } = await import("serialport");
  const port = await new Promise<InstanceType<typeof SerialPort>>((resolve, reject) => {
    const p = new SerialPort({ path, baudRate, autoOpen: true }, (err) => (err ? reject(err) : resolve(p)));
  }).catch((e: Error) => {
    throw new BitrlError(`cannot open serial port '${path}': ${e.message}`);
  });
  return {
    write: (bytes) =>
      new Promise((resolve, reject) => {
        port.write(Buffer.from(bytes), (err) =>
          err ? reject(new BitrlError(`write to '${path}' failed: ${err.message}`)) : port.drain(() => resolve()),
        );
      }),
    onData: (cb) => port.on("data", (b: Buffer) => cb(new Uint8Array(b.buffer, b.byteOffset, b.length))),
    close: () => new Promise((resolve) => (port.isOpen ? port.close(() => resolve()) : resolve())),
  };
}

/** Resolves once no byte has arrived for `quietMs` (or after `maxMs`); `lastData()` gives the time of the last chunk. */
export function waitQuiet(lastData: () => number, quietMs: number, maxMs: number): Promise<void> {
  const start = Date.now();
  return new Promise((resolve) => {
    const tick = () => {
      const now = Date.now();
      if (now - lastData() >= quietMs || now - start >= maxMs) resolve();
      else setTimeout(tick, Math.min(quietMs, 20));
    };
    setTimeout(tick, quietMs);
  });
}
