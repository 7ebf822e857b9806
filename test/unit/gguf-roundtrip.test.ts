// GGUF <-> bitrl round trips: ternary values and block scales come back identical, bitrl tensors come back
// identical, and what cannot be exact is an error or a reported rounding, never a silent change.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { decodeBlob, encodeBlob } from "../../tools/lib/format/blob.ts";
import { BitrlError } from "../../tools/lib/util/errors.ts";
import {
  GGML,
  parseGguf,
  writeGguf,
  type GgufFile,
  type GgufTensor,
  type GgufValue,
} from "../../tools/lib/format/gguf/container.ts";
import { blobToGguf } from "../../tools/lib/format/gguf/export.ts";
import { ggufToBlob } from "../../tools/lib/format/gguf/import.ts";
import { encodeTernaryBlocks } from "../../tools/lib/format/gguf/tq.ts";
import { f16ToF32, f32ToF16 } from "../../tools/lib/format/floats.ts";
import { packTernary } from "../../tools/lib/format/ternary-packing.ts";
import type { Blob, BlobTensor } from "../../tools/lib/format/types.ts";
import { main } from "../../tools/cli/main.ts";

/** Deterministic ternary values, (n) in {-1, 0, 1}. */
function ternary(n: number, seed: number): Int8Array {
  let s = seed >>> 0;
  return Int8Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return ((s >>> 30) % 3) - 1;
  });
}

function tq(
  name: string,
  type: typeof GGML.TQ1_0 | typeof GGML.TQ2_0,
  dims: number[],
  q: Int8Array,
  d: number[],
): GgufTensor {
  return { name, dims, type, data: encodeTernaryBlocks(type, q, Uint16Array.from(d)) };
}

/** A GGUF as llama.cpp would write a BitNet model: one scale per tensor, all-zero blocks with d = 0. */
function llamaStyle(): GgufFile {
  const a = ternary(4 * 512, 1);
  a.fill(0, 512, 768); // one all-zero block: d = 0 there, as ggml's quantizer writes it
  const b = ternary(3 * 256, 2);
  const halfs = [f32ToF16(0.0371), f32ToF16(0.125), f32ToF16(2.5)];
  const norm = new Uint8Array(8);
  new DataView(norm.buffer).setUint16(0, f32ToF16(1.5), true);
  new DataView(norm.buffer).setUint16(2, f32ToF16(-0.25), true);
  const emb = new Uint8Array(4 * 6);
  new DataView(emb.buffer).setFloat32(4, 0.1, true);
  return {
    version: 3,
    kv: new Map<string, GgufValue>([
      ["general.architecture", { type: "string", value: "bitnet" }],
      ["general.name", { type: "string", value: "tiny" }],
      ["bitnet.context_length", { type: "u32", value: 128 }],
      [
        "tokenizer.ggml.tokens",
        { type: "array", itemType: "string", items: ["a", "b"].map((value) => ({ type: "string" as const, value })) },
      ],
      ["general.size", { type: "u64", value: 123456789012345n }],
    ]),
    tensors: [
      tq("blk.0.attn_q.weight", GGML.TQ1_0, [512, 4], a, [0x2cbf, 0x2cbf, 0, 0x2cbf, 0x2cbf, 0x2cbf, 0x2cbf, 0x2cbf]),
      tq("blk.0.ffn_up.weight", GGML.TQ2_0, [256, 3], b, halfs), // one block per row: per-row scales
      tq("blk.0.vec", GGML.TQ2_0, [512], ternary(512, 3), [0x3c00, 0x3c00]), // 1-D
      { name: "blk.0.attn_norm.weight", dims: [4], type: GGML.F16, data: norm },
      { name: "token_embd.weight", dims: [3, 2], type: GGML.F32, data: emb },
      { name: "ids", dims: [2], type: GGML.I32, data: new Uint8Array([1, 0, 0, 0, 255, 255, 255, 255]) },
    ],
  };
}

/** Through bitrl: GGUF bytes -> Blob -> .bitrl bytes -> Blob -> GGUF bytes -> parsed. */
function throughBitrl(file: GgufFile, opts = {}): { blob: Blob; back: GgufFile } {
  const blob = decodeBlob(encodeBlob(ggufToBlob(parseGguf(writeGguf(file)), opts)));
  return { blob, back: parseGguf(writeGguf(blobToGguf(blob).file)) };
}

test("should keep every ternary value and block scale of TQ1_0 and TQ2_0 tensors through bitrl", () => {
  const file = llamaStyle();
  const { blob, back } = throughBitrl(file);
  const byName = new Map(blob.tensors.map((t) => [t.name, t]));
  assert.is(byName.get("blk.0.attn_q.weight")!.packing, "t3");
  assert.equal(Array.from(byName.get("blk.0.attn_q.weight")!.scales), [f16ToF32(0x2cbf)]);
  assert.is(byName.get("blk.0.ffn_up.weight")!.packing, "i2");
  assert.is(byName.get("blk.0.ffn_up.weight")!.scales.length, 3);
  assert.equal(byName.get("blk.0.vec")!.shape, [1, 512]);
  for (const t of file.tensors) {
    const u = back.tensors.find((x) => x.name === t.name);
    assert.ok(u, t.name);
    assert.is(u!.type, t.type, t.name);
    assert.equal(u!.dims, t.dims, t.name);
    assert.ok(Buffer.from(u!.data).equals(Buffer.from(t.data)), `${t.name}: bytes differ`);
  }
  for (const [k, v] of file.kv) assert.equal(back.kv.get(k), v, k);
});

/**
 * A whole file written by gguf-py 0.19.0's GGUFWriter (llama.cpp's Python package, from PyPI): TQ1_0 "a" and
 * TQ2_0 "b" (3 x 512, q * f16(0.0371), an all-zero block with d = 0) and F16 "n", produced once and kept as bytes.
 */
const GGUF_PY_FILE =
  "474755460300000003000000000000000300000000000000140000000000000067656e6572616c2e617263686974656374757265080000" +
  "0006000000000000006269746e65740c0000000000000067656e6572616c2e6e616d650800000003000000000000007265661500000000" +
  "0000006269746e65742e636f6e746578745f6c656e67746804000000400000000100000000000000610200000000020000000000000300" +
  "00000000000022000000000000000000000001000000000000006202000000000200000000000003000000000000002300000060010000" +
  "0000000001000000000000006e010000000300000000000000010000000003000000000000000000000000000000000000000000000000" +
  "00000000000000000000000000e293e8eaa8dfe03d310c48aef1325fab2bb41789e82da752fb2ccc8b657a795f9423c6ba4c594d4284e0" +
  "eb7f8b6725a1c84cea75c028262395a91ac4bb74c482374941bd4b9c4aec02a3be7de7eeb7b67a72fd58c6bacaf533406160e944515034" +
  "6a29cb2037abc88c75c02858385ffaef78c33f21162af4af507e52f4508536ebc2b72ee64be9ae706bf036f4ad4d461a8f083d2e19652c" +
  "a8ae2571de20e18fc028808080808080808080808080808080808080808080808080808080808080808080808080808080808080808080" +
  "8080807f7f7f7f0000821842b657b0875f1d2940ec7f4392625f591c5bf342387451a9ad7a222544e54bf9e58fb58e866f2f1573b511b3" +
  "9587a53d492dc028da21e2c4e26035bf495986b60cc04d6c3b242cba75f24a4ce0af6824cf8b26bc5011d2bef5bb851d8b49f313a7c118" +
  "cc4056856cc02800000000000000000000000000000000000000000000000000000000a6494a8aa9666648241058425a24110254826065" +
  "4a9469686a54466551858511850169982005628095aa4a14a45680949926a05149908a6a259629161621a468c028148489a9a0a29205a2" +
  "95a49888929859988a002922154a1a12128505aa01a252885820019454885260206164910a026185aa5569004158481a19950004169566" +
  "c02801a4116a1a4562484420549a426815689a6825a48a6212940a984a42a1211aa41a8a60102106420251a29490250882a6a800885861" +
  "496299a61292146952a620c028555555555555555555555555555555555555555555555555555555555555555555555555555555555555" +
  "55555555555555555555555555555555555555555555000095608812014225110414888a551849511141a0415a88a40568a90285448418" +
  "0a90a94a0519a666249062441a504804a468080a0a82a68662a50146416262a985c0289644a6a2a6116422984125121022286108845452" +
  "455a982866429184866514922251592859192601a4109921a62a61481a614642a821450416299a8199121055c028000000000000000000" +
  "0000000000000000000000003e00b400420000000000000000000000000000000000000000000000000000";

test("should read a file gguf-py wrote and write its tensors back byte for byte", () => {
  const file = parseGguf(Uint8Array.from(Buffer.from(GGUF_PY_FILE, "hex")));
  assert.equal(
    file.tensors.map((t) => [t.name, t.type, t.dims]),
    [
      ["a", GGML.TQ1_0, [512, 3]],
      ["b", GGML.TQ2_0, [512, 3]],
      ["n", GGML.F16, [3]],
    ],
  );
  assert.equal(file.kv.get("general.architecture"), { type: "string", value: "bitnet" });
  const { blob, back } = throughBitrl(file);
  assert.equal(
    blob.tensors.map((t) => [t.packing, Array.from(t.scales)]),
    [
      ["t3", [0.037109375]],
      ["i2", [0.037109375]],
      ["f32", []],
    ],
  );
  for (const t of file.tensors)
    assert.ok(Buffer.from(back.tensors.find((u) => u.name === t.name)!.data).equals(Buffer.from(t.data)), t.name);
  assert.equal(back.kv.get("bitnet.context_length"), { type: "u32", value: 64 });
});

test("should write what a GGUF reader expects", () => {
  const blob = bitrlModel();
  const { file } = blobToGguf(blob, { name: "agent", oddRows: "f32" });
  const kv = parseGguf(writeGguf(file)).kv;
  assert.equal(kv.get("general.architecture"), { type: "string", value: "bitrl" });
  assert.equal(kv.get("general.name"), { type: "string", value: "agent" });
  assert.equal(kv.get("general.alignment"), { type: "u32", value: 32 });
  assert.equal(kv.get("general.quantization_version"), { type: "u32", value: 2 });
  assert.equal(kv.get("general.file_type"), { type: "u32", value: 37 }); // LLAMA_FTYPE_MOSTLY_TQ2_0
  assert.is(kv.get("bitrl.format_version")?.type, "u32");
  const tq1 = parseGguf(writeGguf(blobToGguf(blob, { ternaryType: "tq1_0", oddRows: "f32" }).file));
  assert.equal(tq1.kv.get("general.file_type"), { type: "u32", value: 36 });
  assert.is(tq1.tensors.find((t) => t.name === "w.row")!.type, GGML.TQ1_0);
});

/** A bitrl model with every packing: t3 per-row (f32 scales f16 cannot hold), i2 per-tensor, i8, f32, i32. */
function bitrlModel(): Blob {
  const t = (
    name: string,
    shape: number[],
    packing: BlobTensor["packing"],
    data: Uint8Array,
    scales: number[],
  ): BlobTensor => ({ name, shape, packing, data, scales: Float32Array.from(scales) });
  const rows = 3,
    cols = 512;
  const q = ternary(rows * cols, 9);
  q.fill(0, 2 * cols); // an all-zero row whose scale must survive
  return {
    version: 1,
    meta: { note: "test model", layers: 1 },
    tensors: [
      t("w.row", [rows, cols], "t3", packTernary(q, rows, cols, "t3"), [0.0123, 0.5, 0.031]),
      t("w.all", [2, 256], "i2", packTernary(ternary(512, 4), 2, 256, "i2"), [0.25]),
      t("w.odd", [2, 100], "t3", packTernary(ternary(200, 5), 2, 100, "t3"), [0.07, 0.3]),
      t("head", [2, 3], "i8", new Uint8Array([1, 255, 127, 129, 0, 5]), [0.011, 0.2]),
      t("norm", [3], "f32", new Uint8Array(new Float32Array([1, -0.5, 0.1]).buffer), []),
      t("cfg", [2], "i32", new Uint8Array(new Int32Array([7, -1]).buffer), []),
    ],
  };
}

test("should bring a bitrl model back identical from GGUF, with f16 rounding reported", () => {
  const blob = bitrlModel();
  assert.throws(
    () => blobToGguf(blob),
    (e: Error) => e instanceof BitrlError && /'w.odd': row length 100 is not a multiple of 256/.test(e.message),
  );
  const { file, report } = blobToGguf(blob, { oddRows: "f32" });
  assert.is(report.roundedScales, 2); // 0.0123 and 0.031 (0.5 and 0.25 are exact in f16; w.odd went to F32)
  assert.ok(report.maxScaleRelError > 0 && report.maxScaleRelError < 2 ** -11);
  const back = decodeBlob(encodeBlob(ggufToBlob(parseGguf(writeGguf(file)))));
  const { gguf, ...meta } = back.meta;
  assert.ok(gguf);
  assert.equal(meta, blob.meta);
  assert.is(back.tensors.length, blob.tensors.length);
  for (const [i, t] of blob.tensors.entries()) {
    const u = back.tensors[i];
    assert.equal([u.name, u.shape, u.packing], [t.name, t.shape, t.packing]);
    assert.equal(Array.from(u.scales), Array.from(t.scales), `${t.name} scales`);
    assert.ok(Buffer.from(u.data).equals(Buffer.from(t.data)), `${t.name} data`);
  }
  assert.throws(
    () => blobToGguf(blob, { oddRows: "f32", exact: true }),
    (e: Error) => e instanceof BitrlError && /not exact in f16/.test(e.message),
  );
});

test("should refuse or split block scales that are neither per tensor nor per row", () => {
  const q = ternary(2 * 512, 6);
  const file: GgufFile = {
    version: 3,
    kv: new Map(),
    tensors: [tq("mixed", GGML.TQ2_0, [512, 2], q, [0x3c00, 0x3800, 0x3c00, 0x3c00])],
  };
  assert.throws(
    () => ggufToBlob(file),
    (e: Error) => e instanceof BitrlError && /'mixed'.*neither one per tensor nor one per row/.test(e.message),
  );
  const { blob, back } = throughBitrl(file, { blockScales: "split" });
  assert.equal(blob.tensors[0].shape, [4, 256]);
  assert.equal(Array.from(blob.tensors[0].scales), [1, 0.5, 1, 1]);
  assert.equal(back.tensors[0].dims, [512, 2]);
  assert.ok(Buffer.from(back.tensors[0].data).equals(Buffer.from(file.tensors[0].data)));
});

test("should reject block scales bitrl cannot hold and names too long for a blob", () => {
  const neg: GgufFile = {
    version: 3,
    kv: new Map(),
    tensors: [tq("neg", GGML.TQ2_0, [256], ternary(256, 7), [0xbc00])],
  };
  assert.throws(
    () => ggufToBlob(neg),
    (e: Error) => e instanceof BitrlError && /'neg': block scale -1/.test(e.message),
  );
  const long: GgufFile = {
    version: 3,
    kv: new Map(),
    tensors: [{ name: "x".repeat(50), dims: [1], type: GGML.F32, data: new Uint8Array(4) }],
  };
  assert.throws(
    () => ggufToBlob(long),
    (e: Error) => e instanceof BitrlError && /longer than bitrl's 47 bytes/.test(e.message),
  );
  assert.throws(
    () => ggufToBlob({ version: 3, kv: new Map(), tensors: [] }),
    (e: Error) => e instanceof BitrlError && /no tensors/.test(e.message),
  );
});

test("should export and pack GGUF from the command line", async () => {
  const dir = mkdtempSync(join(tmpdir(), "bitrl-gguf-"));
  try {
    const model = join(dir, "m.bitrl");
    writeFileSync(
      model,
      encodeBlob({ ...bitrlModel(), tensors: bitrlModel().tensors.filter((t) => t.name !== "w.odd") }),
    );
    const out = join(dir, "m.gguf");
    const log = console.log;
    console.log = () => {};
    try {
      assert.is(await main(["export", model, "--gguf", "--type", "tq1_0", "-o", out]), 0);
      assert.is(await main(["pack", out, "-o", join(dir, "back.bitrl")]), 0);
    } finally {
      console.log = log;
    }
    const g = parseGguf(new Uint8Array(readFileSync(out)));
    assert.is(g.tensors.find((t) => t.name === "w.row")!.type, GGML.TQ1_0);
    const back = decodeBlob(new Uint8Array(readFileSync(join(dir, "back.bitrl"))));
    const original = bitrlModel().tensors.find((t) => t.name === "w.row")!;
    const row = back.tensors.find((t) => t.name === "w.row")!;
    assert.is(row.packing, "t3");
    assert.ok(Buffer.from(row.data).equals(Buffer.from(original.data)));
    assert.equal(Array.from(row.scales), Array.from(original.scales)); // exact f32 again, via bitrl.tensors
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
