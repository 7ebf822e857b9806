// Runs build/agent.wasm (or the debug build) in Node: the host imports of docs/abi.md and the arena helpers.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { BitrlError } from "../util/errors.ts";
import { repoRoot } from "../util/paths.ts";

/** blob_read results (docs/abi.md). */
export const BLOB_OK = 0;
export const BLOB_OUT_OF_RANGE = -1;
export const BLOB_DST_OUT_OF_MEMORY = -2;
export const BLOB_NONE = -3;

// The project's tsconfig has no DOM lib, so @types/node declares no WebAssembly namespace: a minimal local view of
// the global instead of ambient declarations that would clash if a lib adds them later.
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  /** adds 64 KiB pages (the host grows a module it runs in V8: HOST_MEMORY_PAGES); returns the old page count */
  grow?(pages: number): number;
}
export interface WasmInstance {
  readonly exports: Record<string, unknown>;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => WasmInstance;
  Memory: new (descriptor: { initial: number }) => WasmMemory;
}
const WA = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

const root = repoRoot;

/** Which build of the agent module: release (V8, wasm3, WAMR), debug (checks on), or aot (the release module plus
 *  the indexed loops the ahead-of-time build compiles: assembly/kernels/indexed.ts). */
export type AgentBuild = "release" | "debug" | "aot";

/** Path of a build of the agent module. */
export function agentWasmPath(build: AgentBuild = "release"): string {
  return join(root, "build", build === "release" ? "agent.wasm" : `agent.${build}.wasm`);
}

export interface AgentHostOptions {
  /** model blob that blob_read serves; none = blob_read returns -3, blob_size 0 */
  blob?: Uint8Array;
  /** receives each `log` call's text (default: collected only in `logs`) */
  log?: (text: string) => void;
  /** how the module reaches its hot kernels (docs/abi.md "Kernel imports"): "imports" (default) = through the
   *  k_* imports, bound here to the module's own k_* exports; "own" = it calls them directly (as plain wasm3) */
  kernels?: KernelBinding;
}

/** The module's kernel binding in V8: through the imports (bound to its own exports) or direct calls. */
export type KernelBinding = "imports" | "own";

/** The kernel imports (module `bitrl`), each bound to the module's export of the same name. */
export const KERNEL_IMPORTS = [
  "k_t3_matvec",
  "k_quant",
  "k_norm_quant",
  "k_rescale",
  "k_attention",
  "k_norm_f32",
  "k_baseline",
] as const;

type Export = (...args: number[]) => number;

export interface AgentModule {
  instance: WasmInstance;
  memory: WasmMemory;
  /** every exported function, called with i32 numbers */
  fn: Record<string, Export>;
  /** io_base(), io_size() of this instance */
  ioBase: number;
  ioSize: number;
  /** text of every `log` call so far (an abort logs its message before trapping) */
  logs: string[];
  /** replaces the blob blob_read serves (undefined = none loaded) */
  setBlob(blob: Uint8Array | undefined): void;
}

/** Host-side state the imports read: the blob, the log sink, the module's memory once instantiated. */
export interface HostState {
  blob: Uint8Array | undefined;
  memory: WasmMemory | undefined;
  logs: string[];
  log?: (text: string) => void;
  /** kernel binding (default "imports") and the instance's exports the kernel imports forward to */
  kernels?: KernelBinding;
  exports?: Record<string, unknown>;
}

/** The `bitrl` import object of docs/abi.md over `state` (exported so tests can drive it without a module). */
export function agentImports(state: HostState): {
  bitrl: Record<string, (...args: number[]) => number | bigint | void>;
} {
  const mem = (): WasmMemory => {
    if (!state.memory) throw new BitrlError("agent module called the host before its memory was ready");
    return state.memory;
  };
  return {
    bitrl: {
      // offset, dst, len are u32 on the wire; checked in the order -3, -1, -2 before any byte is copied
      blob_read(offset: number, dst: number, len: number): number {
        const blob = state.blob;
        if (!blob) return BLOB_NONE;
        const o = offset >>> 0,
          d = dst >>> 0,
          n = len >>> 0;
        if (o + n > blob.length) return BLOB_OUT_OF_RANGE;
        const buf = mem().buffer;
        if (d + n > buf.byteLength) return BLOB_DST_OUT_OF_MEMORY;
        new Uint8Array(buf, d, n).set(blob.subarray(o, o + n));
        return BLOB_OK;
      },
      blob_size: (): number => (state.blob ? state.blob.length : 0),
      clock: (): bigint => process.hrtime.bigint(),
      log(ptr: number, len: number): void {
        const buf = mem().buffer;
        const p = ptr >>> 0,
          n = len >>> 0;
        const text =
          p + n <= buf.byteLength
            ? new TextDecoder().decode(new Uint8Array(buf, p, n))
            : `(log range ${p}+${n} outside memory)`;
        state.logs.push(text);
        state.log?.(text);
      },
      kernel_binding: (): number => ((state.kernels ?? "imports") === "imports" ? 1 : 0),
      ...Object.fromEntries(
        KERNEL_IMPORTS.map((name) => [
          name,
          (...args: number[]): number => {
            const f = state.exports?.[name];
            if (typeof f !== "function")
              throw new BitrlError(`agent module called kernel import ${name} but exports no ${name}`);
            return (f as (...a: number[]) => number)(...args);
          },
        ]),
      ),
    },
  };
}

/** Instantiates the agent module from its bytes, synchronously, with the Node host imports. */
export function instantiateAgent(bytes: Uint8Array, options: AgentHostOptions = {}): AgentModule {
  const state: HostState = {
    blob: options.blob,
    memory: undefined,
    logs: [],
    log: options.log,
    kernels: options.kernels,
  };
  const imports = agentImports(state);
  let instance: WasmInstance;
  try {
    instance = new WA.Instance(new WA.Module(bytes), imports);
  } catch (e) {
    throw new BitrlError(`cannot instantiate the agent module: ${(e as Error).message}`);
  }
  const exported = instance.exports.memory;
  if (!(exported instanceof WA.Memory)) throw new BitrlError("agent module exports no memory");
  state.memory = exported;
  state.exports = instance.exports;
  const fn: Record<string, Export> = {};
  for (const [name, value] of Object.entries(instance.exports))
    if (typeof value === "function") fn[name] = value as Export;
  if (!fn.io_base || !fn.io_size)
    throw new BitrlError("agent module lacks io_base/io_size exports (rebuild: node scripts/build.mjs)");
  return {
    instance,
    memory: exported,
    fn,
    logs: state.logs,
    ioBase: fn.io_base(),
    ioSize: fn.io_size(),
    setBlob: (b) => {
      state.blob = b;
    },
  };
}

/** Loads build/agent.wasm (or agent.debug.wasm, agent.aot.wasm) from disk and instantiates it. */
export function loadAgent(build: AgentBuild = "release", options: AgentHostOptions = {}): AgentModule {
  const path = agentWasmPath(build);
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch {
    throw new BitrlError(`${path} not found (build it: node scripts/build.mjs)`);
  }
  return instantiateAgent(bytes, options);
}

function checkArena(mod: AgentModule, at: number, len: number): void {
  if (!Number.isInteger(at) || !Number.isInteger(len) || at < 0 || len < 0 || at + len > mod.ioSize) {
    throw new BitrlError(`arena range [${at}, ${at + len}) outside the ${mod.ioSize}-byte I/O arena`);
  }
}

/** Copies bytes into the I/O arena at offset `at` (relative to io_base). */
export function writeArena(mod: AgentModule, at: number, bytes: Uint8Array): void {
  checkArena(mod, at, bytes.length);
  new Uint8Array(mod.memory.buffer, mod.ioBase + at, bytes.length).set(bytes);
}

/** A copy of `len` arena bytes at offset `at`. */
export function readArena(mod: AgentModule, at: number, len: number): Uint8Array {
  checkArena(mod, at, len);
  return new Uint8Array(mod.memory.buffer, mod.ioBase + at, len).slice();
}

/** A typed array's bytes (little-endian, as wasm memory holds them). */
export function bytesOf(a: ArrayBufferView): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength).slice();
}
