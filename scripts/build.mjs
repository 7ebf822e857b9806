// Builds everything the CLI, the package and the tests need: build/agent.wasm (release), build/agent.debug.wasm
// (checks on, unchecked() ignored; both with their data segments merged (gaps over 4 KiB kept), so build/*.wat list them apart), dist/bitrl.mjs (the CLI bundled into one file), dist/index.mjs (the library,
// `import ... from "bitrl"`) and its type declarations in dist/types/.
// Uses only Node built-ins plus the project's devDependencies, so `npm test` can call it on a fresh clone.
import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { mergeDataSegments } from "./merge-data.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bin = (name) => join(root, "node_modules", ".bin", name);

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: "inherit" });
  if (r.status !== 0) {
    console.error(`build: '${[cmd, ...args].join(" ")}' failed (exit ${r.status})`);
    process.exit(r.status ?? 1);
  }
}

/** tsc flags for the package's TypeScript as a Node ESM consumer compiles it (no tsconfig, strict, Node's types). */
export const TSC_NODE_FLAGS = [
  "--ignoreConfig",
  "--strict",
  "--target",
  "ES2022",
  "--module",
  "NodeNext",
  "--moduleResolution",
  "NodeNext",
  "--types",
  "node",
];

export function build({ quiet = false } = {}) {
  mkdirSync(join(root, "build"), { recursive: true });
  // the AOT build compiles its own module: the release target's settings plus the indexed loops
  // (assembly/kernels/indexed.ts), written beside it
  const aot = ["--use", "BITRL_INDEXED=1", "--outFile", "build/agent.aot.wasm", "--textFile", "build/agent.aot.wat"];
  for (const [target, out, extra] of [
    ["release", "build/agent.wasm", []],
    ["debug", "build/agent.debug.wasm", []],
    ["release", "build/agent.aot.wasm", aot],
  ]) {
    if (!quiet)
      console.log(`build: asc --target ${target}${extra.length ? " " + extra.join(" ") : ""}, data segments merged`);
    run(bin("asc"), ["--config", "asconfig.json", "--target", target, ...extra]);
    // few data segments: wasm3 keeps a record per segment in its heap (scripts/merge-data.mjs)
    const file = join(root, out);
    writeFileSync(file, mergeDataSegments(readFileSync(file)));
  }
  if (!quiet) console.log("build: esbuild tools/cli/main.ts -> dist/bitrl.mjs");
  const bundle = (entry, out) =>
    run(bin("esbuild"), [
      entry,
      "--bundle",
      "--platform=node",
      "--format=esm",
      "--target=node20",
      `--outfile=${out}`,
      "--packages=external",
      "--log-level=warning",
    ]);
  bundle("tools/cli/main.ts", "dist/bitrl.mjs");
  if (!quiet) console.log("build: esbuild tools/lib/index.ts -> dist/index.mjs, tsc -> dist/types/");
  bundle("tools/lib/index.ts", "dist/index.mjs");
  buildTypes();
}

// Declarations of the public API (tools/lib/index.ts and what it names), with the sources' ".ts" import paths
// turned into ".js" so a user's TypeScript resolves them to the .d.ts files next to them.
function buildTypes() {
  const out = join(root, "dist", "types");
  rmSync(out, { recursive: true, force: true });
  run(bin("tsc"), [
    "tools/lib/index.ts",
    ...TSC_NODE_FLAGS,
    "--declaration",
    "--emitDeclarationOnly",
    "--outDir",
    "dist/types",
    "--rootDir",
    "tools/lib",
    "--skipLibCheck",
    "--allowImportingTsExtensions",
  ]);
  const walk = (dir) =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)],
    );
  for (const f of walk(out)) {
    const text = readFileSync(f, "utf8");
    const fixed = text.replace(/(from\s+|import\()(["'])(\.{1,2}\/[^"']+)\.ts\2/g, "$1$2$3.js$2");
    if (fixed !== text) writeFileSync(f, fixed);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) build();
