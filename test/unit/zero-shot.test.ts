// The zero-shot readout (#16): a backbone pretrained on the scripted expert's transcripts already plays CartPole to
// the limit with no RL, one pretrained on uniformly random play does not (tools/lib/agent/zero-shot.ts).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { join } from "node:path";
import { zeroShotAction, zeroShotEval } from "../../tools/lib/agent/zero-shot.ts";
import { readBlobFile } from "../../tools/lib/format/blob-file.ts";
import { backboneFromBlob, dequantizedRows } from "../../tools/lib/reference/backbone.ts";
import { repoRoot } from "../../tools/lib/util/paths.ts";

const backbone = (name: string) => readBlobFile(join(repoRoot, "models", `${name}.bitrl`));

test("the expert-data ternary backbone is a CartPole policy already; the random-play one is not", () => {
  assert.equal(zeroShotEval(backbone("cartpole-backbone-ternary"), "cartpole", 1).returns, [500]);
  const random = zeroShotEval(backbone("cartpole-backbone-ternary-random"), "cartpole", 5);
  assert.ok(random.mean < 60, `random-play backbone's readout: ${random.returns}`);
});

test("the expert-data backbone's readout follows the scripted rule: push the way the pole falls", () => {
  const w = backboneFromBlob(backbone("cartpole-backbone-fp32"));
  const rows = dequantizedRows(w.emb);
  // tokens are bins (cartpoleTokens): x 0-15, velocity 16-31, angle 32-47, angular velocity 48-63; 64/65 the actions
  assert.is(zeroShotAction(w, rows, [8, 24, 46, 62], 64, 2), 1, "falling right: push right");
  assert.is(zeroShotAction(w, rows, [8, 24, 33, 49], 64, 2), 0, "falling left: push left");
});

test.run();
