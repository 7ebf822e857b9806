// Writes test/golden/small-kernels.json from the TypeScript twins (tools/lib/runtime/golden-small-kernels.ts).
// Run: node --import tsx scripts/gen-golden-small.ts
import { GOLDEN_SMALL_PATH, writeGoldenSmall } from "../tools/lib/runtime/golden-small-kernels.ts";

const file = writeGoldenSmall();
console.log(`gen-golden-small: ${file.cases.length} cases -> ${GOLDEN_SMALL_PATH}`);
