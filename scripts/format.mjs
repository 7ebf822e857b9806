// The house formatters: Prettier (npm) for TypeScript, AssemblyScript and JavaScript, clang-format (Debian) for the
// firmware's C. Configs: .prettierrc.json, .clang-format. `node scripts/format.mjs` rewrites what is off;
// `--check` lists it and exits 1 (npm test runs the check; `--ts-only` skips C when clang-format is not installed,
// as in `npm run test:unit`).
// AssemblyScript puts decorators on functions (`@inline`, `@external(...)`), which no TypeScript parser accepts:
// they are turned into marker comments for Prettier and back, so the file's text is otherwise Prettier's own.
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

/** Where each formatter looks (generated and vendored files excluded). */
const TS_DIRS = ["assembly", "tools", "scripts", "test", "bench", "bin"];
const C_DIRS = ["firmware/src", "firmware/boards", "firmware/aot"];
const TS_FILE = /\.(ts|mts|mjs|js)$/;
const C_FILE = /\.(c|h)$/;
const SKIP = /(^|\/)(node_modules|generated|fixtures\/independent)(\/|$)/;

function walk(dir) {
  let entries;
  try {
    entries = readdirSync(join(root, dir), { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((e) => {
    const p = `${dir}/${e.name}`;
    if (SKIP.test(p)) return [];
    return e.isDirectory() ? walk(p) : [p];
  });
}

const DECORATOR = /^(\s*)@(inline|external|global|lazy|unmanaged|final|operator)(\([^)]*\))?( |$)/gm;
const MARKER = /\/\*@@(inline|external|global|lazy|unmanaged|final|operator)(\([^)]*\))?@@\*\/(\n| )?/g;
const hideDecorators = (text) =>
  text.replace(DECORATOR, (_, ws, name, args = "", sep) => `${ws}/*@@${name}${args}@@*/${sep === " " ? " " : "\n"}`);
const showDecorators = (text) => text.replace(MARKER, (_, name, args = "", sep = "") => `@${name}${args}${sep}`);

async function formatTs(files, check) {
  const prettier = await import("prettier");
  const options = { ...(await prettier.resolveConfig(join(root, ".prettierrc.json"))) };
  const off = [];
  for (const f of files) {
    const path = join(root, f);
    const text = readFileSync(path, "utf8");
    const as = f.startsWith("assembly/");
    const pretty = await prettier.format(as ? hideDecorators(text) : text, { ...options, filepath: path });
    const out = as ? showDecorators(pretty) : pretty;
    if (out === text) continue;
    off.push(f);
    if (!check) writeFileSync(path, out);
  }
  return off;
}

function formatC(files, check) {
  const probe = spawnSync("clang-format", ["--version"], { encoding: "utf8" });
  if (probe.status !== 0)
    throw new Error(
      "clang-format not found: sudo apt-get install -y clang-format (or run npm test, which installs it)",
    );
  const off = [];
  for (const f of files) {
    const r = spawnSync("clang-format", ["--style=file", f], { cwd: root, encoding: "utf8", maxBuffer: 1 << 26 });
    if (r.status !== 0) throw new Error(`clang-format ${f}: ${r.stderr.trim()}`);
    if (r.stdout === readFileSync(join(root, f), "utf8")) continue;
    off.push(f);
    if (!check) writeFileSync(join(root, f), r.stdout);
  }
  return off;
}

/** Formats (or with check, only lists) every source file; returns the files that were off. */
export async function format({ check = false, tsOnly = false } = {}) {
  const ts = TS_DIRS.flatMap(walk).filter((f) => TS_FILE.test(f) && !f.endsWith(".d.mts"));
  const c = C_DIRS.flatMap(walk).filter((f) => C_FILE.test(f));
  return [...(await formatTs(ts, check)), ...(tsOnly ? [] : formatC(c, check))];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = new Set(process.argv.slice(2));
  const check = args.has("--check");
  try {
    const off = await format({ check, tsOnly: args.has("--ts-only") });
    if (check && off.length) {
      console.error(
        `format: ${off.length} file(s) not formatted (run: node scripts/format.mjs):\n  ${off.map((f) => relative(".", join(root, f))).join("\n  ")}`,
      );
      process.exit(1);
    }
    if (!check) console.log(`format: ${off.length} file(s) rewritten`);
  } catch (e) {
    console.error(`format: ${e.message}`);
    process.exit(2);
  }
}
