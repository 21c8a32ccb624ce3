// The pieces of job acceptance that need no node: counting a body's JSON values without parsing
// it, and the limits on a normalised job.
import assert from "node:assert/strict";
import { test } from "node:test";
import { acceptJob } from "../../src/models/accept.ts";
import { BacalhauError } from "../../src/models/errors.ts";
import { checkJobBody, DEFAULT_JOB_LIMITS } from "../../src/models/job-limits.ts";
import { jsonValueCount } from "../../src/models/json-size.ts";

test("jsonValueCount counts containers and items, and nothing inside strings", () => {
  assert.equal(jsonValueCount("{}", 100), 1);
  assert.equal(jsonValueCount('{"a":[1,2,3]}', 100), 4);
  assert.equal(jsonValueCount('{"k":"{[,],}","e":"a\\"{,[","b":"\\\\"}', 100), 3);
  const wide = JSON.stringify(Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`k${i}`, i])));
  assert.equal(jsonValueCount(wide, 10_000), 500);
  // It stops as soon as the limit is passed.
  assert.equal(jsonValueCount(wide, 10), 11);
  // An unterminated string ends the count instead of looping.
  assert.equal(jsonValueCount('{"a":"never closed', 10), 1);
});

test("checkJobBody refuses a body too big or too wide, naming the key that raises the limit", () => {
  const limits = { ...DEFAULT_JOB_LIMITS, MaxJobBytes: 100, MaxJSONValues: 5 };
  checkJobBody('{"Job":{"Type":"batch"}}', limits);
  // A body over the request limit keeps Bacalhau's 413; every other limit is a 400.
  const refusal = (key: string) => (err: unknown) =>
    err instanceof BacalhauError && err.status === (key === "MaxJobBytes" ? 413 : 400) &&
    err.details?.configKey === `JobLimits.${key}` && err.details.field === "body";
  assert.throws(() => checkJobBody(`{"Job":{"Name":"${"x".repeat(100)}"}}`, limits), refusal("MaxJobBytes"));
  assert.throws(() => checkJobBody('{"Job":{"Tasks":[1,2,3,4,5,6]}}', limits), refusal("MaxJSONValues"));
});

test("acceptJob checks the limits on the job as sent, before extra tasks are dropped", () => {
  const task = { Name: "t", Engine: { Type: "wasm", Params: { EntryModule: "/m.wasm" } } };
  const limits = { ...DEFAULT_JOB_LIMITS, MaxTasks: 2 };
  const policy = { limits, timeouts: { batchDefault: 0, opsDefault: 0, max: 0 } };
  assert.equal(acceptJob({ Type: "batch", Tasks: [task, task] }, policy).job.Tasks.length, 1);
  assert.throws(() => acceptJob({ Type: "batch", Tasks: [task, task, task] }, policy),
    (err: unknown) => err instanceof BacalhauError && err.details?.field === "Tasks" && /limit of 2/.test(err.message));
});
