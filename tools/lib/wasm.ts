// Runs build/agent.wasm (or the debug build) in Node: the host imports of docs/abi.md, arena helpers, and the
// golden-vector runner every runtime shares (write inputs at io_base() + at, call, read, compare).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { BitrlError } from "./errors.ts";
import { repoRoot } from "./paths.ts";

/** blob_read results (docs/abi.md). */
export const BLOB_OK = 0;
export const BLOB_OUT_OF_RANGE = -1;
export const BLOB_DST_OUT_OF_MEMORY = -2;
export const BLOB_NONE = -3;

// The project's tsconfig has no DOM lib, so @types/node declares no WebAssembly namespace: a minimal local view of
// the global instead of ambient declarations that would clash if a lib adds them later.
export interface WasmMemory { readonly buffer: ArrayBuffer }
export interface WasmInstance { readonly exports: Record<string, unknown> }
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => WasmInstance;
  Memory: new (descriptor: { initial: number }) => WasmMemory;
}
const WA = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

const root = repoRoot;

/** Path of the release (default) or debug build of the agent module. */
export function agentWasmPath(build: "release" | "debug" = "release"): string {
  return join(root, "build", build === "debug" ? "agent.debug.wasm" : "agent.wasm");
}

export interface AgentHostOptions {
  /** model blob that blob_read serves; none = blob_read returns -3, blob_size 0 */
  blob?: Uint8Array;
  /** receives each `log` call's text (default: collected only in `logs`) */
  log?: (text: string) => void;
}

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
}

/** The `bitrl` import object of docs/abi.md over `state` (exported so tests can drive it without a module). */
export function agentImports(state: HostState): { bitrl: Record<string, (...args: number[]) => number | bigint | void> } {
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
        const o = offset >>> 0, d = dst >>> 0, n = len >>> 0;
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
        const p = ptr >>> 0, n = len >>> 0;
        const text = p + n <= buf.byteLength ? new TextDecoder().decode(new Uint8Array(buf, p, n)) : `(log range ${p}+${n} outside memory)`;
        state.logs.push(text);
        state.log?.(text);
      },
    },
  };
}

/** Instantiates the agent module from its bytes, synchronously, with the Node host imports. */
export function instantiateAgent(bytes: Uint8Array, options: AgentHostOptions = {}): AgentModule {
  const state: HostState = { blob: options.blob, memory: undefined, logs: [], log: options.log };
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
  const fn: Record<string, Export> = {};
  for (const [name, value] of Object.entries(instance.exports)) if (typeof value === "function") fn[name] = value as Export;
  if (!fn.io_base || !fn.io_size) throw new BitrlError("agent module lacks io_base/io_size exports (rebuild: node scripts/build.mjs)");
  return {
    instance, memory: exported, fn, logs: state.logs, ioBase: fn.io_base(), ioSize: fn.io_size(),
    setBlob: (b) => { state.blob = b; },
  };
}

/** Loads build/agent.wasm (or agent.debug.wasm) from disk and instantiates it. */
export function loadAgent(build: "release" | "debug" = "release", options: AgentHostOptions = {}): AgentModule {
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

// ---- golden vectors (schema in docs/abi.md, "Golden vectors") ----

export type GoldenArg = number | { io: number };
export type GoldenCompare = "exact" | { f32_abs: number; f32_rel: number };

export interface GoldenCase {
  name: string;
  /** export to call */
  fn: string;
  /** bytes written at io_base() + at before the call */
  inputs: { at: number; hex: string }[];
  args: GoldenArg[];
  /** bytes read after the call */
  output: { at: number; len: number };
  /** expected output bytes, hex */
  expect: string;
  compare: GoldenCompare;
}

export interface GoldenFile {
  version: 1;
  cases: GoldenCase[];
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex");
}

export function fromHex(hex: string, what: string): Uint8Array {
  if (typeof hex !== "string" || hex.length % 2 !== 0 || !/^[0-9a-f]*$/i.test(hex)) throw new BitrlError(`${what}: not a hex string`);
  return new Uint8Array(Buffer.from(hex, "hex"));
}

/** Checks a parsed golden file against the schema; the first problem is a BitrlError naming the case. */
export function parseGoldenFile(json: unknown): GoldenFile {
  const file = json as GoldenFile;
  if (!file || typeof file !== "object" || file.version !== 1 || !Array.isArray(file.cases)) {
    throw new BitrlError("golden file: expected {\"version\": 1, \"cases\": [...]}");
  }
  const isInt = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0;
  file.cases.forEach((c, i) => {
    const where = `golden case ${i} '${c?.name}'`;
    if (!c || typeof c.name !== "string" || typeof c.fn !== "string") throw new BitrlError(`${where}: needs name and fn`);
    if (!Array.isArray(c.inputs) || !c.inputs.every((x) => isInt(x?.at) && typeof x.hex === "string")) throw new BitrlError(`${where}: bad inputs`);
    if (!Array.isArray(c.args) || !c.args.every((a) => Number.isInteger(a) || (typeof a === "object" && isInt(a?.io)))) throw new BitrlError(`${where}: bad args`);
    if (!c.output || !isInt(c.output.at) || !isInt(c.output.len)) throw new BitrlError(`${where}: bad output`);
    if (typeof c.expect !== "string" || c.expect.length !== 2 * c.output.len) throw new BitrlError(`${where}: expect must be ${c.output.len} bytes of hex`);
    const cmp = c.compare;
    if (cmp !== "exact" && !(typeof cmp === "object" && typeof cmp?.f32_abs === "number" && typeof cmp.f32_rel === "number")) {
      throw new BitrlError(`${where}: compare must be "exact" or {f32_abs, f32_rel}`);
    }
  });
  return file;
}

/** Reads and checks test/golden/<name>.json (or any path). */
export function loadGoldenFile(path: string): GoldenFile {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    throw new BitrlError(`golden file ${path} not found (generate it: node --import tsx scripts/gen-golden.ts)`);
  }
  try {
    return parseGoldenFile(JSON.parse(text));
  } catch (e) {
    if (e instanceof BitrlError) throw new BitrlError(`${path}: ${e.message}`);
    throw new BitrlError(`${path}: not valid JSON (${(e as Error).message})`);
  }
}

export interface GoldenResult {
  ok: boolean;
  got: Uint8Array;
  expected: Uint8Array;
  /** why it failed (first differing element), empty when ok */
  detail: string;
}

/** Compares output bytes per the case's rule: exact bytes, or f32 elements within abs + rel * |expected|. */
export function compareGolden(compare: GoldenCompare, got: Uint8Array, expected: Uint8Array): string {
  if (got.length !== expected.length) return `output is ${got.length} bytes, expected ${expected.length}`;
  if (compare === "exact") {
    const i = got.findIndex((b, k) => b !== expected[k]);
    return i < 0 ? "" : `byte ${i}: got 0x${got[i].toString(16)}, expected 0x${expected[i].toString(16)}`;
  }
  if (got.length % 4 !== 0) return `f32 output of ${got.length} bytes is not a multiple of 4`;
  const g = new DataView(got.buffer, got.byteOffset, got.byteLength);
  const e = new DataView(expected.buffer, expected.byteOffset, expected.byteLength);
  for (let i = 0; i < got.length / 4; i++) {
    const a = g.getFloat32(4 * i, true), b = e.getFloat32(4 * i, true);
    if (!(Math.abs(a - b) <= compare.f32_abs + compare.f32_rel * Math.abs(b))) return `f32 ${i}: got ${a}, expected ${b}`;
  }
  return "";
}

/**
 * Runs one golden case: clears the arena, writes the inputs at io_base() + at, calls fn with the args
 * ({io: k} becomes io_base() + k), reads the output and compares. A trap propagates as the wasm RuntimeError.
 */
export function runGoldenCase(mod: AgentModule, c: GoldenCase): GoldenResult {
  const f = mod.fn[c.fn];
  if (!f) throw new BitrlError(`golden case '${c.name}': the module exports no '${c.fn}'`);
  new Uint8Array(mod.memory.buffer, mod.ioBase, mod.ioSize).fill(0);
  for (const input of c.inputs) writeArena(mod, input.at, fromHex(input.hex, `golden case '${c.name}' input`));
  f(...c.args.map((a) => (typeof a === "number" ? a : mod.ioBase + a.io)));
  const got = readArena(mod, c.output.at, c.output.len);
  const expected = fromHex(c.expect, `golden case '${c.name}' expect`);
  const detail = compareGolden(c.compare, got, expected);
  return { ok: detail === "", got, expected, detail };
}
