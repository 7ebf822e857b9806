// The text corpus the shipped language model is trained on: Debian's `fortunes` package (the BSD fortune
// cookies, public text), fetched once from Debian's archive with apt-get download (a registry, no web download)
// and unpacked into the project's cache; nothing is fetched at run time once it is there. Fortunes are split into
// a training and a validation set by index (every 20th held out), then tokenized as bytes.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { BitrlError } from "../util/errors.ts";
import { projectPath } from "../util/paths.ts";
import { encodeBytes, SEPARATOR } from "./tokenizer.ts";

/** The Debian packages with the corpus (fortunes depends on fortunes-min; both are text only). */
export const CORPUS_PACKAGES = ["fortunes-min", "fortunes"];
/** Fortune files left out: pictures, not prose. */
const SKIP = new Set(["ascii-art"]);
/** One fortune in this many goes to validation. */
const VALID_EVERY = 20;

/** The folder with the fortune files: $BITRL_FORTUNES, /usr/share/games/fortunes when installed, else the cache
 *  (filled by ensureFortunes). */
export function fortunesDir(): string {
  if (process.env.BITRL_FORTUNES) return process.env.BITRL_FORTUNES;
  if (existsSync("/usr/share/games/fortunes/wisdom")) return "/usr/share/games/fortunes";
  return projectPath(".bitrl", "cache", "fortunes", "usr", "share", "games", "fortunes");
}

/** Makes sure the fortune files are on disk: downloads the packages' .deb files from the Debian archive into the
 *  cache and unpacks them there (no root needed). Returns the folder. */
export function ensureFortunes(log: (line: string) => void = () => {}): string {
  const dir = fortunesDir();
  if (existsSync(join(dir, "wisdom"))) return dir;
  const cache = projectPath(".bitrl", "cache");
  const tmp = join(cache, `fortunes.tmp-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  log(`apt-get download ${CORPUS_PACKAGES.join(" ")}`);
  const dl = spawnSync("apt-get", ["download", ...CORPUS_PACKAGES], { cwd: tmp, encoding: "utf8" });
  if (dl.status !== 0)
    throw new BitrlError(
      `cannot download the corpus packages (${CORPUS_PACKAGES.join(", ")}) from Debian: ${(dl.stderr || dl.error?.message || "").trim().split("\n").pop()}`,
    );
  for (const deb of readdirSync(tmp).filter((f) => f.endsWith(".deb"))) {
    const x = spawnSync("dpkg-deb", ["-x", deb, "root"], { cwd: tmp, encoding: "utf8" });
    if (x.status !== 0) throw new BitrlError(`dpkg-deb -x ${deb} failed: ${x.stderr.trim()}`);
  }
  rmSync(join(cache, "fortunes"), { recursive: true, force: true });
  renameSync(join(tmp, "root"), join(cache, "fortunes")); // whole or not at all
  rmSync(tmp, { recursive: true, force: true });
  if (!existsSync(join(dir, "wisdom"))) throw new BitrlError(`corpus unpacked, but ${dir} has no fortune files`);
  return dir;
}

/** Every fortune of the folder's text files (sorted by file name, in file order), trimmed, non-empty. */
export function readFortunes(dir: string): string[] {
  const files = readdirSync(dir)
    .filter((f) => !f.includes(".") && !SKIP.has(f))
    .sort();
  if (files.length === 0) throw new BitrlError(`no fortune files in ${dir}`);
  const out: string[] = [];
  for (const f of files) {
    for (const part of readFileSync(join(dir, f), "latin1").split(/\n%\n/)) {
      const text = part.replace(/\t/g, "  ").trim();
      if (text.length > 0) out.push(text);
    }
  }
  return out;
}

export interface TextCorpus {
  /** training text as byte tokens, fortunes joined by the separator token */
  train: Int32Array;
  valid: Int32Array;
  fortunes: number;
}

/** Splits the fortunes (every VALID_EVERY-th to validation) and tokenizes each set as one stream. */
export function splitCorpus(fortunes: string[]): TextCorpus {
  const tr: string[] = [],
    va: string[] = [];
  fortunes.forEach((f, i) => (i % VALID_EVERY === VALID_EVERY - 1 ? va : tr).push(f));
  const join = (xs: string[]) => encodeBytes(xs.join(String.fromCharCode(SEPARATOR)) + String.fromCharCode(SEPARATOR));
  return { train: join(tr), valid: join(va), fortunes: fortunes.length };
}

/** `count` windows of `len` tokens at random offsets of the stream (deterministic for `below`). */
export function randomWindows(
  stream: Int32Array,
  len: number,
  count: number,
  below: (n: number) => number,
): Int32Array[] {
  if (stream.length < len) throw new BitrlError(`corpus has ${stream.length} tokens, fewer than one window of ${len}`);
  return Array.from({ length: count }, () => {
    const s = below(stream.length - len + 1);
    return stream.slice(s, s + len);
  });
}

/** Windows of `len` tokens every `step` tokens (validation: the same windows every time). */
export function strideWindows(stream: Int32Array, len: number, step: number, max: number): Int32Array[] {
  const out: Int32Array[] = [];
  for (let s = 0; s + len <= stream.length && out.length < max; s += step) out.push(stream.slice(s, s + len));
  return out;
}
