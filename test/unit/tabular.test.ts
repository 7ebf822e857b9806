// The lookup-table baseline (tools/lib/agent/tabular.ts): Q-learning over the tokens learns where random play
// never succeeds, and trains and evaluates on disjoint seeds.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { trainTabular } from "../../tools/lib/agent/tabular.ts";

test("should reach mountaincar's flag after 3000 table episodes (random actions never do in 200 steps)", () => {
  const r = trainTabular("mountaincar", { episodes: 3000, seed: 1, evalEpisodes: 20 });
  assert.is(r.curve.length, 3000);
  assert.is(r.evalReturns.length, 20);
  assert.ok(r.evalMean > -200, `greedy mean ${r.evalMean}`);
  assert.ok(r.evalReturns.every((x) => x >= -200 && x <= -1));
  // deterministic: the same seed gives the same table
  const short = () => trainTabular("mountaincar", { episodes: 50, seed: 1, evalEpisodes: 2 });
  assert.equal(short().curve, short().curve);
});

test.run();
