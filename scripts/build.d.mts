// Types of scripts/build.mjs (run by npm, also imported by test/board/package.test.ts).
/** tsc flags for the package's TypeScript as a Node ESM consumer compiles it (no tsconfig, strict, Node's types). */
export const TSC_NODE_FLAGS: string[];
/** Builds the wasm modules, the CLI bundle and the library with its types. */
export function build(options?: { quiet?: boolean }): void;
