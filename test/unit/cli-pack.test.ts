// End-to-end tests of `bitrl pack / inspect / unpack`: an independent Python absmean check, compression ratios,
// and bad input (one line, non-zero exit, the output path untouched, no temp file left behind).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { main } from "../../tools/cli/main.ts";
import { resealBlob } from "../../tools/lib/format/blob.ts";
import { BitrlError } from "../../tools/lib/util/errors.ts";
import { readFileChecked, writeFileAtomic } from "../../tools/lib/util/files.ts";
import { encodeSafetensors, readSafetensors } from "../../tools/lib/format/safetensors.ts";
import { seededRandom as rng } from "../../tools/lib/util/seeded-random.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const dir = mkdtempSync(join(tmpdir(), "bitrl-cli-pack-"));
const at = (name: string) => join(dir, name);
// Most cases call the CLI's main() in-process (fast); a few spawn a real process from source (tools/cli/main.ts, so
// the test never depends on a stale dist/ bundle) to check exit codes and stderr end to end.
const runner = at("run.mts");
writeFileSync(
  runner,
  `import { main } from ${JSON.stringify(join(root, "tools/cli/main.ts"))};\nprocess.exitCode = await main(process.argv.slice(2));\n`,
);

function bitrlProcess(...args: string[]) {
  const r = spawnSync(process.execPath, ["--import", "tsx", runner, ...args], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, BITRL_DEBUG: "" },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** main(args) with console output captured. */
async function bitrl(...args: string[]) {
  let out = "";
  let err = "";
  const saved = { log: console.log, error: console.error, write: process.stdout.write };
  console.log = (...xs: unknown[]) => void (out += xs.join(" ") + "\n");
  console.error = (...xs: unknown[]) => void (err += xs.join(" ") + "\n");
  process.stdout.write = ((chunk: string) => ((out += chunk), true)) as typeof process.stdout.write;
  try {
    const code = await main(args);
    return { code, out, err };
  } finally {
    Object.assign(console, { log: saved.log, error: saved.error });
    process.stdout.write = saved.write;
  }
}

/** Roughly normal f32 weights (sum of uniforms), seeded. */
function weights(n: number, seed: number, std = 0.02): Float32Array {
  const r = rng(seed);
  return Float32Array.from({ length: n }, () => (r() + r() + r() + r() - 2) * std * Math.sqrt(3));
}

const big = at("big.safetensors"); // one random 256x1024 F32 tensor
writeFileSync(
  big,
  encodeSafetensors([{ name: "layers.0.attn.wq", shape: [256, 1024], values: weights(256 * 1024, 1) }]),
);
const mixed = at("mixed.safetensors"); // 2-D, 1-D and 3-D tensors
writeFileSync(
  mixed,
  encodeSafetensors([
    { name: "embed", shape: [64, 100], values: weights(6400, 2, 1) },
    { name: "norm", shape: [37], values: weights(37, 3, 1) },
    { name: "conv", shape: [2, 3, 5], values: weights(30, 4, 1) },
    { name: "head", shape: [13, 1], values: weights(13, 5, 1) },
  ]),
);

function python(original: string, unpacked: string, blob: string, scale: string) {
  const r = spawnSync(
    "python3",
    [join(root, "test/fixtures/independent/bitrl_check.py"), original, unpacked, blob, "--scale", scale],
    { encoding: "utf8" },
  );
  assert.is(r.status, 0, `python check failed: ${r.stdout} ${r.stderr}`);
  return JSON.parse(r.stdout);
}

test("should match an independent Python absmean ternarization after pack (t3) and unpack", async () => {
  assert.is((await bitrl("pack", big, "-o", at("big.t3.bitrl"), "--packing", "t3")).code, 0);
  const u = await bitrl("unpack", at("big.t3.bitrl"), "-o", at("big.t3.safetensors"));
  assert.is(u.code, 0, u.err);
  const report = python(big, at("big.t3.safetensors"), at("big.t3.bitrl"), "tensor");
  assert.is(report.tensors, 1);
  assert.is(report.elements, 256 * 1024);
  assert.is(report.off_boundary_mismatches, 0);
  assert.is(report.code_mismatches, report.value_mismatches); // any difference is a code at a rounding boundary
  assert.is(report.scale_mismatches, 0);
});

test("should make the Python check fail when one dequantized value is off (the check is not vacuous)", () => {
  const list = readSafetensors(readFileSync(at("big.t3.safetensors")));
  list[0].values[12345] = -list[0].values[12345] || 0.5; // flip a sign (or turn a 0 into a value)
  writeFileSync(at("bad.safetensors"), encodeSafetensors(list));
  const r = spawnSync(
    "python3",
    [
      join(root, "test/fixtures/independent/bitrl_check.py"),
      big,
      at("bad.safetensors"),
      at("big.t3.bitrl"),
      "--scale",
      "tensor",
    ],
    { encoding: "utf8" },
  );
  assert.is(r.status, 1);
  assert.is(JSON.parse(r.stdout).off_boundary_mismatches, 1);
});

test("should match the Python check per row with i2, keeping 1-D and 3-D tensors as fp32", async () => {
  assert.is((await bitrl("pack", mixed, "-o", at("mixed.bitrl"), "--scale", "row")).code, 0);
  assert.is((await bitrl("unpack", at("mixed.bitrl"), "-o", at("mixed.out.safetensors"))).code, 0);
  const report = python(mixed, at("mixed.out.safetensors"), at("mixed.bitrl"), "row");
  assert.is(report.tensors, 4);
  assert.is(report.off_boundary_mismatches, 0);
  assert.is(report.kept_mismatches, 0);
  const back = readSafetensors(readFileSync(at("mixed.out.safetensors")));
  assert.equal(
    back.map((t) => [t.name, t.dtype, t.shape]),
    [
      ["embed", "F32", [64, 100]],
      ["norm", "F32", [37]],
      ["conv", "F32", [2, 3, 5]],
      ["head", "F32", [13, 1]],
    ],
  );
});

test("should report ratio_vs_fp32 >= 15.5 (i2) and >= 19.5 (t3) for a 256x1024 tensor", async () => {
  assert.is((await bitrl("pack", big, "-o", at("big.i2.bitrl"))).code, 0);
  const i2 = JSON.parse((await bitrl("inspect", at("big.i2.bitrl"), "--json")).out);
  const t3 = JSON.parse((await bitrl("inspect", at("big.t3.bitrl"), "--json")).out);
  assert.is(i2.bytes, readFileSync(at("big.i2.bitrl")).length);
  assert.is(i2.fp32_bytes, 4 * 256 * 1024);
  assert.ok(i2.ratio_vs_fp32 >= 15.5, `i2 ratio ${i2.ratio_vs_fp32}`);
  assert.ok(t3.ratio_vs_fp32 >= 19.5, `t3 ratio ${t3.ratio_vs_fp32}`);
  assert.is(i2.bits_per_weight, (8 * (256 * 256 + 4)) / (256 * 1024));
  assert.is(t3.bits_per_weight, (8 * (256 * 205 + 4)) / (256 * 1024));
  assert.equal(i2.tensors[0], {
    name: "layers.0.attn.wq",
    shape: [256, 1024],
    packing: "i2",
    bytes: 256 * 256 + 4,
    scale: "tensor",
    bits_per_weight: i2.bits_per_weight,
  });
  assert.equal(t3.meta.bitrl_pack, {
    packing: "t3",
    scale: "tensor",
    keep: "fp32",
    quantizer: "absmean-ternary-eps1e-5",
  });
  assert.is((await bitrl("unpack", at("big.i2.bitrl"), "-o", at("big.i2.safetensors"))).code, 0);
  const report = python(big, at("big.i2.safetensors"), at("big.i2.bitrl"), "tensor");
  assert.is(report.off_boundary_mismatches, 0);
  assert.is(report.code_mismatches, report.value_mismatches);
});

test("should keep non-2-D tensors as int8 with --keep int8 and print a readable table", async () => {
  assert.is((await bitrl("pack", mixed, "-o", at("mixed.i8.bitrl"), "--keep", "int8", "--packing", "t3")).code, 0);
  const s = JSON.parse((await bitrl("inspect", at("mixed.i8.bitrl"), "--json")).out);
  assert.equal(
    s.tensors.map((t: { packing: string }) => t.packing),
    ["t3", "i8", "i8", "t3"],
  );
  const table = await bitrl("inspect", at("mixed.i8.bitrl"));
  assert.is(table.code, 0);
  assert.match(table.out, /^name\s+shape\s+packing\s+scale\s+bytes\s+bits\/w/);
  assert.match(table.out, /norm\s+\[37\]\s+i8\s+tensor\s+41\s+8\.865/);
  assert.match(table.out, /format version 1, 4 tensors, \d+ bytes \(fp32: 25920 bytes/);
});

test("should print --help for each command", async () => {
  for (const cmd of ["pack", "inspect", "unpack"]) {
    const r = await bitrl(cmd, "--help");
    assert.is(r.code, 0);
    assert.match(r.out, new RegExp(`^usage: bitrl ${cmd} `));
  }
});

/** A failing command: exit 1, one line on stderr naming the problem, no stack, output untouched, no temp files. */
async function failsCleanly(args: string[], out: string, re: RegExp) {
  writeFileSync(out, "previous contents");
  const before = readdirSync(dir).sort();
  const r = await bitrl(...args);
  assert.is(r.code, 1, `exit code for ${args.join(" ")}`);
  assert.is(r.out, "");
  const lines = r.err.trimEnd().split("\n");
  assert.is(lines.length, 1, `stderr: ${r.err}`);
  assert.match(lines[0], re);
  assert.not.match(r.err, /\n\s+at |internal error/);
  assert.is(readFileSync(out, "utf8"), "previous contents");
  assert.equal(readdirSync(dir).sort(), before);
}

test("should fail in one line on a missing file, non-safetensors input and an unsupported dtype", async () => {
  const out = at("out.bitrl");
  await failsCleanly(
    ["pack", at("nope.safetensors"), "-o", out],
    out,
    /^bitrl pack: input '.*nope\.safetensors': not found$/,
  );
  writeFileSync(at("junk.safetensors"), "this is not a safetensors file at all");
  await failsCleanly(
    ["pack", at("junk.safetensors"), "-o", out],
    out,
    /^bitrl pack: .*junk\.safetensors: safetensors: header length \d+ (is out of range|runs past).*not safetensors/,
  );
  const json = new TextEncoder().encode(JSON.stringify({ ids: { dtype: "I64", shape: [1], data_offsets: [0, 8] } }));
  const i64 = new Uint8Array(8 + json.length + 8);
  new DataView(i64.buffer).setBigUint64(0, BigInt(json.length), true);
  i64.set(json, 8);
  writeFileSync(at("i64.safetensors"), i64);
  await failsCleanly(["pack", at("i64.safetensors"), "-o", out], out, /unsupported dtype I64/);
  await failsCleanly(["pack", big, "-o", out, "--packing", "i4"], out, /--packing must be one of i2, t3, got 'i4'/);
  await failsCleanly(
    ["pack", big, "-o", join(dir, "no-such-dir", "x.bitrl")],
    out,
    /cannot write '.*no-such-dir.*': its folder '.*no-such-dir' does not exist/,
  );
});

test("should fail in one line on corrupt, truncated, bad-offset and unknown-version blobs", async () => {
  const good = readFileSync(at("mixed.bitrl"));
  const out = at("out.safetensors");
  const variant = (name: string, edit: (b: Uint8Array) => Uint8Array) => {
    writeFileSync(at(name), edit(new Uint8Array(good)));
    return at(name);
  };
  const v = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);
  await failsCleanly(
    ["unpack", variant("flip.bitrl", (b) => ((b[200] ^= 0x10), b)), "-o", out],
    out,
    /^bitrl unpack: .*flip\.bitrl: checksum mismatch \(file CRC 0x/,
  );
  await failsCleanly(
    ["unpack", variant("short.bitrl", (b) => b.slice(0, 1000)), "-o", out],
    out,
    /short\.bitrl: file is 1000 bytes, header says \d+ \(truncated\?\)/,
  );
  const table = v(good).getUint32(20, true);
  await failsCleanly(
    [
      "unpack",
      variant("offs.bitrl", (b) => (v(b).setUint32(table + 96 + 68, 0x7ffffff0, true), resealBlob(b))),
      "-o",
      out,
    ],
    out,
    /offs\.bitrl: tensor 1 'norm': data range \[2147483632, \d+\) outside the data area/,
  );
  await failsCleanly(
    ["unpack", variant("v2.bitrl", (b) => (v(b).setUint16(4, 2, true), b)), "-o", out],
    out,
    /v2\.bitrl: unsupported version 2 \(this reader knows 1\)/,
  );
  await failsCleanly(["inspect", at("flip.bitrl")], out, /^bitrl inspect: .*checksum mismatch/);
  await failsCleanly(
    ["unpack", at("missing.bitrl"), "-o", out],
    out,
    /^bitrl unpack: model blob '.*missing\.bitrl': not found$/,
  );
});

test("should exit 0 / 1 as a real process, with one stderr line and no stack trace on failure", () => {
  const ok = bitrlProcess("pack", mixed, "-o", at("proc.bitrl"), "--packing", "t3");
  assert.is(ok.code, 0, ok.err);
  assert.match(ok.out, /proc\.bitrl: 4 tensors, \d+ bytes/);
  writeFileSync(at("proc.safetensors"), "previous contents");
  const bad = bitrlProcess("unpack", at("flip.bitrl"), "-o", at("proc.safetensors"));
  assert.is(bad.code, 1);
  assert.match(bad.err, /^bitrl unpack: .*flip\.bitrl: checksum mismatch [^\n]*\n$/);
  assert.is(readFileSync(at("proc.safetensors"), "utf8"), "previous contents");
  assert.not.ok(readdirSync(dir).some((f) => f.endsWith(".tmp")));
});

test("should replace a file atomically and name read problems in one line", () => {
  const target = at("atomic.bin");
  writeFileSync(target, "old");
  writeFileAtomic(target, Uint8Array.of(1, 2, 3));
  assert.equal([...readFileSync(target)], [1, 2, 3]);
  assert.not.ok(readdirSync(dir).some((f) => f.endsWith(".tmp")));
  assert.throws(
    () => writeFileAtomic(dir, Uint8Array.of(1)),
    (e: unknown) => e instanceof BitrlError && /cannot write '.*': is a directory/.test((e as Error).message),
  );
  assert.not.ok(readdirSync(dir).some((f) => f.endsWith(".tmp")));
  assert.throws(() => readFileChecked(at("absent"), "model blob"), /^model blob '.*absent': not found$/);
  assert.throws(() => readFileChecked(dir, "input"), /^input '.*': is a directory$/);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));

test.run();
