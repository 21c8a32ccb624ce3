// The shapes the libp2p transport lets through: every message a real compute node sends must pass
// (a Running event once failed it and vanished), and a wrongly typed one must not.
import assert from "node:assert/strict";
import { test } from "node:test";
import { isToOrchestrator } from "../../src/transport/libp2p/message-shape.ts";
import { ExecutionStateType } from "../../src/models/types.ts";

const ids = { executionID: "e-1", jobID: "j-1" };

test("an ExecutionEvent carries its new state as an ExecutionStateType number", () => {
  assert.ok(isToOrchestrator({ type: "ExecutionEvent", ...ids, topic: "Exec", message: "running", newState: ExecutionStateType.Running }));
  assert.ok(isToOrchestrator({ type: "ExecutionEvent", ...ids, topic: "Exec", message: "no state change" }));
  assert.ok(!isToOrchestrator({ type: "ExecutionEvent", ...ids, topic: "Exec", message: "m", newState: "Running" }));
  assert.ok(!isToOrchestrator({ type: "ExecutionEvent", ...ids, topic: "Exec", message: "m", newState: Number.NaN }));
});
