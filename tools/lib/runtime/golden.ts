// Golden vectors (schema in docs/abi.md, "Golden vectors"): read and check a golden file, and the runner every
// runtime shares (write inputs at io_base() + at, call, read, compare).
import { readFileSync } from "node:fs";
import { BitrlError } from "../util/errors.ts";
import { readArena, writeArena, type AgentModule } from "./wasm.ts";

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
  if (typeof hex !== "string" || hex.length % 2 !== 0 || !/^[0-9a-f]*$/i.test(hex))
    throw new BitrlError(`${what}: not a hex string`);
  return new Uint8Array(Buffer.from(hex, "hex"));
}

/** Checks a parsed golden file against the schema; the first problem is a BitrlError naming the case. */
export function parseGoldenFile(json: unknown): GoldenFile {
  const file = json as GoldenFile;
  if (!file || typeof file !== "object" || file.version !== 1 || !Array.isArray(file.cases)) {
    throw new BitrlError('golden file: expected {"version": 1, "cases": [...]}');
  }
  const isInt = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0;
  file.cases.forEach((c, i) => {
    const where = `golden case ${i} '${c?.name}'`;
    if (!c || typeof c.name !== "string" || typeof c.fn !== "string")
      throw new BitrlError(`${where}: needs name and fn`);
    if (!Array.isArray(c.inputs) || !c.inputs.every((x) => isInt(x?.at) && typeof x.hex === "string"))
      throw new BitrlError(`${where}: bad inputs`);
    if (!Array.isArray(c.args) || !c.args.every((a) => Number.isInteger(a) || (typeof a === "object" && isInt(a?.io))))
      throw new BitrlError(`${where}: bad args`);
    if (!c.output || !isInt(c.output.at) || !isInt(c.output.len)) throw new BitrlError(`${where}: bad output`);
    if (typeof c.expect !== "string" || c.expect.length !== 2 * c.output.len)
      throw new BitrlError(`${where}: expect must be ${c.output.len} bytes of hex`);
    const cmp = c.compare;
    if (
      cmp !== "exact" &&
      !(typeof cmp === "object" && typeof cmp?.f32_abs === "number" && typeof cmp.f32_rel === "number")
    ) {
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
    const a = g.getFloat32(4 * i, true),
      b = e.getFloat32(4 * i, true);
    if (!(Math.abs(a - b) <= compare.f32_abs + compare.f32_rel * Math.abs(b)))
      return `f32 ${i}: got ${a}, expected ${b}`;
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
