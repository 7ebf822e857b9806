// Conformance: replays golden vectors (test/golden/*.json, docs/abi.md) through a board's firmware over the
// protocol and compares with the TypeScript expectation, exactly as tools/lib/runtime/wasm.ts runGoldenCase does in V8.
import { compareGolden, fromHex, type GoldenCase, type GoldenFile } from "../runtime/golden.ts";
import type { BoardClient } from "./client.ts";
import { BoardError } from "./client.ts";

export interface ConformanceCase {
  name: string;
  ok: boolean;
  /** why it failed (first differing element or the board's error), empty when ok */
  detail?: string;
}

export interface ConformanceReport {
  board: string;
  backend: string;
  passed: number;
  failed: number;
  cases: ConformanceCase[];
}

/** Bytes of the arena a case touches: its inputs and its output, from 0 (cleared before the case, as in V8). */
function caseExtent(c: GoldenCase): number {
  let end = c.output.at + c.output.len;
  for (const input of c.inputs) end = Math.max(end, input.at + input.hex.length / 2);
  return end;
}

/** Runs one case on the board: clear the touched arena, write inputs, call, read output, compare. */
export async function runBoardCase(
  client: BoardClient,
  ioBase: number,
  ioSize: number,
  c: GoldenCase,
): Promise<ConformanceCase> {
  const extent = caseExtent(c);
  if (extent > ioSize)
    return { name: c.name, ok: false, detail: `needs ${extent} arena bytes, the board has ${ioSize}` };
  try {
    // the arena as V8 sees it before the call: zeros, then the inputs (only the touched extent is cleared)
    await client.memFill(ioBase, extent, 0);
    for (const input of c.inputs)
      await client.memWrite(ioBase + input.at, fromHex(input.hex, `golden case '${c.name}' input`));
    const args = c.args.map((a) => (typeof a === "number" ? a : ioBase + a.io));
    const r = await client.kernel(c.fn, args, ioBase + c.output.at, c.output.len);
    const detail = compareGolden(c.compare, r.output, fromHex(c.expect, `golden case '${c.name}' expect`));
    return detail ? { name: c.name, ok: false, detail } : { name: c.name, ok: true };
  } catch (e) {
    if (e instanceof BoardError && e.code !== "ERR_TIMEOUT" && e.code !== "ERR_LINK")
      return { name: c.name, ok: false, detail: e.message };
    throw e;
  }
}

/** Runs every case of the golden files on the board; a timeout or a dead link aborts with a BoardError. */
export async function runConformance(
  client: BoardClient,
  files: GoldenFile[],
  onCase?: (c: ConformanceCase) => void,
): Promise<ConformanceReport> {
  const info = await client.info();
  const ioBase = await client.ioBase();
  const size = await client.kernel("io_size", []);
  const ioSize = size.value.value as number;
  const cases: ConformanceCase[] = [];
  for (const file of files) {
    for (const c of file.cases) {
      const res = await runBoardCase(client, ioBase, ioSize, c);
      cases.push(res);
      onCase?.(res);
    }
  }
  const passed = cases.filter((c) => c.ok).length;
  return { board: info.board, backend: info.backend, passed, failed: cases.length - passed, cases };
}
