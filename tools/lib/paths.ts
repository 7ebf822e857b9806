// Where the project is on disk. Works from the sources (tools/lib/) and from the bundled CLI (dist/), because it
// walks up to the folder whose package.json is bitrl's instead of counting "..".
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

function findRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    const pkg = join(dir, "package.json");
    if (existsSync(pkg)) {
      try {
        if (JSON.parse(readFileSync(pkg, "utf8")).name === "bitrl") return dir;
      } catch {
        // not ours; keep walking
      }
    }
    if (dirname(dir) === dir) throw new Error(`cannot find the bitrl project folder above ${start}`);
  }
}

/** The repository (or installed package) root: the folder with bitrl's package.json. */
export const repoRoot: string = findRoot(dirname(fileURLToPath(import.meta.url)));

/** A path inside the project. */
export const projectPath = (...parts: string[]): string => join(repoRoot, ...parts);
