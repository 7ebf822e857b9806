// Does a language model fit a board? The module's LM buffers and KV cache (the same sizes assembly/lm/lm.ts
// bytesNeeded computes) on top of the module's own heap, against the linear memory the board's firmware build can
// give: a wasm3 memory limit, an AOT pool, or wasm3's fixed heap less what growing costs there. Checked before an
// upload so that a model too big for the board is refused with the numbers; lm_load checks again on the board.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { BitrlError } from "../util/errors.ts";
import { repoRoot } from "../util/paths.ts";
import { kvWidth, type BackboneConfig, type BackboneWeights } from "../reference/backbone.ts";
import { getBoard } from "../board/profiles.ts";

const a16 = (n: number) => (n + 15) & ~15;
const WBUF_BYTES = 8192;
/** The module's initial linear memory (asconfig.json initialMemory: 2 pages). */
const INITIAL_MEMORY = 2 * 65536;
/** wasm3's fixed heap keeps the copied-from memory and needs room for compiled code and its stack: what a build
 *  without a memory limit can give the linear memory is its fixed heap less this much (an estimate; lm_load on the
 *  board has the last word). */
const WASM3_RESERVE = INITIAL_MEMORY + 96 * 1024;

/** What sizes the LM runtime's buffers beyond the config: per-row scales on some wqkvo (raw v cached as i32) and a
 *  SwiGLU FFN (a second hidden buffer). */
export interface LmLayout {
  perRowScales?: boolean;
  gated?: boolean;
}

/** The layout of a model's weights. */
export function lmLayoutOf(w: BackboneWeights): LmLayout {
  return {
    perRowScales: w.layers.some((l) => l.wqkvo.type !== "f32" && l.wqkvo.scales.length > 1),
    gated: w.layers.some((l) => l.gate !== undefined),
  };
}

/** Bytes of buffers and KV cache the LM runtime allocates for a model (assembly/lm/lm.ts bytesNeeded). */
export function lmBytes(c: BackboneConfig, layout: LmLayout = {}): number {
  const { dim: D, ffn: F, vocab: V, ctx: T, layers: L, heads: H } = c;
  const KH = c.kvHeads || H,
    KV = kvWidth(c);
  const vBytes = c.kind === "int8" || D > 256 || layout.perRowScales ? 4 : 2;
  const cache = a16(T * KV) + a16(T * KH * 4) + a16(T * KV * vBytes) + a16(T * 4);
  return (
    a16(D * 4) +
    a16(Math.max(D, F)) +
    a16((D + 2 * KV) * 4) +
    a16(D * 4) +
    a16(F * 4) +
    (layout.gated ? a16(F * 4) : 0) +
    a16(Math.max(D + 2 * KV, F, V) * 4) +
    a16(D) +
    a16(H * 4) +
    a16(2 * T * 4) +
    a16((2 * L + 1) * D * 4) +
    a16(T * (D / H) * 4) +
    WBUF_BYTES +
    a16(V * 4) +
    L * cache
  );
}

/** The flags of a PlatformIO environment (its build_flags lines). */
function envFlags(env: string): string {
  const ini = readFileSync(join(repoRoot, "platformio.ini"), "utf8");
  const at = ini.indexOf(`[env:${env}]`);
  if (at < 0) throw new BitrlError(`platformio.ini has no environment '${env}'`);
  const next = ini.indexOf("\n[", at + 1);
  return ini.slice(at, next < 0 ? undefined : next);
}

const flag = (flags: string, name: string): number | null => {
  const m = new RegExp(`-D${name}=(\\d+)`).exec(flags);
  return m ? Number(m[1]) : null;
};

export interface LinearMemory {
  bytes: number;
  /** how the figure was found */
  how: string;
}

/** The most linear memory a board's build gives the module (emulated boards, from platformio.ini). */
export function boardLinearMemory(boardId: string, backend: string): LinearMemory | null {
  const board = getBoard(boardId);
  if (board.kind === "host" || !board.pioEnv) return null; // the host build grows as it likes
  // the board's own environment builds its default engine; the others are <env>-<backend> (firmware-build.ts)
  const own = backend === (board.defaultBackend ?? "wasm3");
  const env = own ? board.pioEnv : `${board.pioEnv}-${backend === "wasm3+native" ? "native" : backend}`;
  let flags: string;
  try {
    flags = envFlags(env);
  } catch {
    return null;
  }
  if (backend === "aot") {
    const partial = flag(flags, "BITRL_CFG_AOT_MEMORY_PARTIAL");
    const pool = partial ?? flag(flags, "BITRL_CFG_AOT_MEMORY_BYTES") ?? INITIAL_MEMORY;
    return { bytes: pool, how: `the static pool of the AOT build ${env}` };
  }
  if (backend === "wamr") return null;
  const limit = flag(flags, "BITRL_CFG_WASM_MEMORY_LIMIT");
  if (limit !== null) return { bytes: limit, how: `the wasm3 memory limit of ${env}, which cannot grow` };
  const heap = flag(flags, "d_m3FixedHeap");
  if (heap === null) return null;
  return {
    bytes: Math.max(INITIAL_MEMORY, heap - WASM3_RESERVE),
    how: `estimated, the wasm3 fixed heap of ${env} (${heap} B) less ${WASM3_RESERVE} B for the copy a grow leaves and compiled code`,
  };
}

/** Throws, with the numbers, when the model cannot fit the board's linear memory next to the module's heap. */
export function assertLmFits(
  c: BackboneConfig,
  moduleHeapBytes: number,
  boardId: string,
  backend: string,
  layout: LmLayout = {},
): void {
  const mem = boardLinearMemory(boardId, backend);
  if (!mem) return;
  const need = lmBytes(c, layout);
  if (moduleHeapBytes + need + 64 <= mem.bytes) return;
  const hint =
    boardId === "qemu-m4-esp32"
      ? "a model with a shorter context or fewer layers"
      : "--board qemu-m4-esp32 (an ESP32's RAM)";
  throw new BitrlError(
    `the model does not fit ${boardId} (${backend}): its buffers and KV cache need ${need} B (ctx ${c.ctx}, dim ${c.dim}, ` +
      `${c.layers} layers) on top of the module's ${moduleHeapBytes} B, and the board gives ${mem.bytes} B of linear ` +
      `memory: ${mem.how}. Try ${hint}`,
  );
}
