// Writes test/golden/kernels.json from the TypeScript reference (tools/lib/runtime/golden-kernels.ts).
// Run: node --import tsx scripts/gen-golden.ts
import { GOLDEN_KERNELS_PATH, writeGolden } from "../tools/lib/runtime/golden-kernels.ts";

const file = writeGolden();
console.log(`gen-golden: ${file.cases.length} cases -> ${GOLDEN_KERNELS_PATH}`);
