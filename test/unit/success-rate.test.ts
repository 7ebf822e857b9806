// Success rate of goal-reaching tasks: keydoor and frozenlake by positive returns, acrobot and mountaincar by the
// terminated flags (or, without them, by ending before the step limit).
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

test("should count a classic-control goal reached on the last step when the terminated flags are given", () => {
  // the first episode reached the flag on step 200: terminated and truncated, return -200
  assert.is(successRate("mountaincar", [-200, -200, -150], [true, false, true]), 2 / 3);
  assert.is(successRate("acrobot", [-500, -120], [true, true]), 1);
  // the goal tasks still count positive returns (frozenlake's holes also terminate, with return 0)
  assert.is(successRate("frozenlake", [1, 0], [true, true]), 0.5);
});

test.run();
