// Success rate of goal-reaching tasks (keydoor, frozenlake): the share of episodes with a positive return.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { successRate } from "../../tools/lib/agent/eval.ts";

test("should count the episodes that reached the goal, and give none for cartpole", () => {
  assert.is(successRate("keydoor", [0.82, 0, 0.775, 0]), 0.5);
  assert.is(successRate("frozenlake", [1, 1, 1, 0]), 0.75);
  assert.is(successRate("frozenlake", [0, 0]), 0);
  assert.is(successRate("cartpole", [500, 12]), null);
  assert.is(successRate("keydoor", []), null);
  // acrobot and mountaincar: -1 per step, so an episode that ends before the limit reached the goal
  assert.is(successRate("acrobot", [-500, -120, -499, -500]), 0.5);
  assert.is(successRate("mountaincar", [-200, -150]), 0.5);
});

test.run();
