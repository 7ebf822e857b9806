// Writes test/golden/fixed-kernels.json from the TypeScript twins (tools/lib/runtime/golden-fixed-kernels.ts).
// Run: node --import tsx scripts/gen-golden-fixed.ts
import { GOLDEN_FIXED_PATH, writeGoldenFixed } from "../tools/lib/runtime/golden-fixed-kernels.ts";

const file = writeGoldenFixed();
console.log(`gen-golden-fixed: ${file.cases.length} cases -> ${GOLDEN_FIXED_PATH}`);
