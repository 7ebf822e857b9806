// The package as a user gets it: `npm pack`, install the tarball into a scratch project (offline, from npm's cache),
// then `import { ... } from "bitrl"` by name runs real work and type-checks against the shipped declarations.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repoRoot } from "../../tools/lib/util/paths.ts";
import { TSC_NODE_FLAGS } from "../../scripts/build.mjs";
import { buildAgentBlob, defaultTrain, evaluateAgent } from "../../tools/lib/agent/index.ts";

const scratch = mkdtempSync(join(tmpdir(), "bitrl-package-"));
const run = (cmd: string, args: string[], cwd: string) => {
  const r = spawnSync(cmd, args, {
    cwd,
    encoding: "utf8",
    env: { ...process.env, npm_config_update_notifier: "false" },
  });
  assert.is(r.status, 0, `${cmd} ${args.join(" ")} failed: ${r.stderr.trim().split("\n").slice(-3).join(" | ")}`);
  return r.stdout;
};

// What the consumer does: quantize and pack a matrix into a blob and read it back, then a greedy evaluation of a
// fresh cartpole agent in the packaged agent.wasm. Typed, so tsc checks the declarations too.
const consumer = `import { BitrlError, buildAgentBlob, decodeBlob, defaultTrain, encodeBlob, evaluateAgent, ternaryTensor, type Blob } from "bitrl";
const w = Float32Array.from({ length: 64 }, (_, i) => Math.sin(i));
const blob: Blob = { version: 1, meta: { name: "scratch" }, tensors: [ternaryTensor("w", 8, 8, w, { packing: "i2", scale: "tensor" })] };
const back = decodeBlob(encodeBlob(blob));
const agent = buildAgentBlob({ env: "cartpole", backbone: null, hidden: 0, train: defaultTrain("cartpole", "none"), initSeed: 1 });
const ev = evaluateAgent(agent, 3, 7);
let refused = "";
try { decodeBlob(new Uint8Array(8)); } catch (e) { refused = e instanceof BitrlError ? "BitrlError" : "other"; }
console.log(JSON.stringify({ tensors: back.tensors.map((t) => t.name), returns: ev.returns, refused }));
`;

/**
 * A project depending on the tarball, with a lock file listing bitrl's runtime dependencies as the repository's
 * own lock pins them, so `npm ci --offline` installs from npm's cache (filled by the repository's `npm ci`).
 */
function writeScratchProject(dir: string, tarball: string): void {
  const pkg = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8"));
  const lock = JSON.parse(readFileSync(join(repoRoot, "package-lock.json"), "utf8")) as {
    packages: Record<string, { dev?: boolean }>;
  };
  const runtime = Object.entries(lock.packages).filter(([path, entry]) => path !== "" && !entry.dev);
  const dependencies = { bitrl: tarball };
  const packages = {
    "": { name: "scratch-app", dependencies },
    "node_modules/bitrl": {
      version: pkg.version,
      resolved: tarball,
      dependencies: pkg.dependencies,
      bin: pkg.bin,
      engines: pkg.engines,
    },
    ...Object.fromEntries(runtime),
  };
  writeFileSync(
    join(dir, "package.json"),
    JSON.stringify({ name: "scratch-app", private: true, type: "module", dependencies }),
  );
  writeFileSync(
    join(dir, "package-lock.json"),
    JSON.stringify({ name: "scratch-app", lockfileVersion: 3, requires: true, packages }),
  );
}

test.after(() => rmSync(scratch, { recursive: true, force: true }));

test("should install the packed tarball and import { ... } from 'bitrl' by name, typed", () => {
  // npm test has just built dist/ and build/; prepack would rebuild them (what a user's `npm pack` does)
  const packed = JSON.parse(
    run("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", scratch], repoRoot),
  ) as { filename: string }[];
  const app = join(scratch, "app");
  mkdirSync(app);
  writeScratchProject(app, `file:../${packed[0].filename}`);
  run("npm", ["ci", "--offline", "--ignore-scripts", "--no-audit", "--no-fund"], app);
  writeFileSync(join(app, "main.ts"), consumer);
  writeFileSync(
    join(app, "main.mjs"),
    consumer.replace(", type Blob }", " }").replace("const blob: Blob =", "const blob ="),
  );

  const out = JSON.parse(run(process.execPath, ["main.mjs"], app)) as {
    tensors: string[];
    returns: number[];
    refused: string;
  };
  assert.equal(out.tensors, ["w"]);
  assert.is(out.refused, "BitrlError");
  const here = evaluateAgent(
    buildAgentBlob({
      env: "cartpole",
      backbone: null,
      hidden: 0,
      train: defaultTrain("cartpole", "none"),
      initSeed: 1,
    }),
    3,
    7,
  );
  assert.equal(out.returns, here.returns, "the packaged module gives the same returns as the sources");

  run(
    join(repoRoot, "node_modules", ".bin", "tsc"),
    ["main.ts", ...TSC_NODE_FLAGS, "--noEmit", "--typeRoots", join(repoRoot, "node_modules", "@types")],
    app,
  );
});

test.run();
