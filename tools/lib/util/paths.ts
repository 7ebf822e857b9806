// Where the project is on disk, from this module's own location and without touching the disk (nothing is read at
// import): the sources live in <root>/tools/lib/, the bundled CLI and the package build in <root>/dist/.
import { dirname, join, sep } from "node:path";
import { fileURLToPath } from "node:url";

/** The root above a file of the sources (tools/lib/...) or of a build (dist/...); else the file's parent folder. */
export function rootOf(file: string): string {
  for (const marker of [`${sep}tools${sep}lib${sep}`, `${sep}dist${sep}`]) {
    const at = file.lastIndexOf(marker);
    if (at >= 0) return file.slice(0, at);
  }
  return dirname(dirname(file));
}

/** The repository (or installed package) root: the folder with bitrl's package.json. */
export const repoRoot: string = rootOf(fileURLToPath(import.meta.url));

/** A path inside the project. */
export const projectPath = (...parts: string[]): string => join(repoRoot, ...parts);
