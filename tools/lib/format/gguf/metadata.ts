// What a GGUF import keeps in blob meta so an export writes the same file back: the key-value metadata as plain
// JSON, and how each tensor was stored (and what a bitrl export records per tensor).
import { BitrlError } from "../../util/errors.ts";
import type { Packing } from "../types.ts";
import { isGgufValueType, shown, type GgufValue, type GgufValueType } from "./container.ts";

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function floatToJson(x: number): Json {
  return Number.isFinite(x) && !Object.is(x, -0) ? x : String(Object.is(x, -0) ? "-0" : x);
}
function floatFromJson(v: unknown, what: string): number {
  if (typeof v === "number") return v;
  if (v === "-0") return -0;
  if (v === "NaN" || v === "Infinity" || v === "-Infinity") return Number(v);
  throw new BitrlError(`${what}: not a number`);
}

function rawToJson(v: GgufValue): Json {
  switch (v.type) {
    case "u64":
    case "i64":
      return v.value.toString();
    case "f32":
    case "f64":
      return floatToJson(v.value);
    case "array":
      return { of: v.itemType, items: v.items.map(rawToJson) };
    default:
      return v.value;
  }
}

function rawFromJson(type: GgufValueType, raw: unknown, what: string): GgufValue {
  const fail = (): never => {
    throw new BitrlError(`${what}: bad ${type} value in the recorded GGUF metadata`);
  };
  switch (type) {
    case "u8":
    case "i8":
    case "u16":
    case "i16":
    case "u32":
    case "i32":
      return typeof raw === "number" && Number.isInteger(raw) ? { type, value: raw } : fail();
    case "f32":
    case "f64":
      return { type, value: floatFromJson(raw, what) };
    case "u64":
    case "i64":
      return typeof raw === "string" && /^-?\d{1,20}$/.test(raw) ? { type, value: BigInt(raw) } : fail();
    case "bool":
      return typeof raw === "boolean" ? { type, value: raw } : fail();
    case "string":
      return typeof raw === "string" ? { type, value: raw } : fail();
    case "array": {
      const a = raw as { of?: unknown; items?: unknown };
      if (typeof a !== "object" || a === null || typeof a.of !== "string" || !Array.isArray(a.items)) return fail();
      const of = a.of;
      if (!isGgufValueType(of)) return fail();
      return { type, itemType: of, items: a.items.map((x) => rawFromJson(of, x, what)) };
    }
  }
}

/** GGUF metadata -> [key, type, value] triples that survive JSON (u64 as decimal strings, odd floats as strings). */
export function kvToJson(kv: Map<string, GgufValue>): [string, GgufValueType, Json][] {
  return [...kv].map(([k, v]) => [k, v.type, rawToJson(v)]);
}

/** The inverse of kvToJson, validating as it goes (blob metadata is user input). */
export function kvFromJson(json: unknown): Map<string, GgufValue> {
  if (!Array.isArray(json)) throw new BitrlError("meta.gguf.kv must be an array of [key, type, value]");
  const kv = new Map<string, GgufValue>();
  for (const e of json) {
    if (!Array.isArray(e) || e.length !== 3 || typeof e[0] !== "string" || typeof e[1] !== "string") {
      throw new BitrlError("meta.gguf.kv entries must be [key, type, value]");
    }
    if (!isGgufValueType(e[1])) throw new BitrlError(`meta.gguf.kv ${shown(e[0])}: unknown type ${shown(e[1])}`);
    kv.set(e[0], rawFromJson(e[1], e[2], `meta.gguf.kv ${shown(e[0])}`));
  }
  return kv;
}

/** How one GGUF tensor was stored, kept in blob meta.gguf.tensors so an export can write it back the same way. */
export interface GgufTensorRecord {
  type: "f32" | "f16" | "bf16" | "i32" | "tq1_0" | "tq2_0";
  /** ternary only: what an all-zero block's d held: 0 (ggml's quantizer: amax of the block) or the shared scale */
  zeroBlocks?: "zero" | "scale";
  /** ternary only: the GGUF dims when they are not [cols, rows] (1-D tensors, and "split" imports) */
  dims?: number[];
  /** ternary only: imported "split", as (blocks, 256) with one scale per block */
  split?: boolean;
}

/** What a bitrl export records per tensor (KV `bitrl.tensors`), so a GGUF -> bitrl import restores it exactly. */
export interface BitrlTensorRecord {
  packing: Packing;
  scale: "tensor" | "row";
  /** the exact f32 scales, when the GGUF copy had to round them (f16 block scales) or lost them (F32 data) */
  scales?: number[];
}
