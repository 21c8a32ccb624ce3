// The store keeps parsed jobs between reads (see JobTable): what it hands out must still behave as
// a fresh read from the database, whoever wrote it and whatever the caller does with it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { copyJSONValue } from "../../src/models/json-copy.ts";
import { SqliteJobStore } from "../../src/store/sqlite/store.ts";
import { makeJob } from "./fixtures/models.ts";

test("parsed job reads", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "job-read-cache-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));

  await t.test("a caller changing a job it read does not change the next read", () => {
    const s = SqliteJobStore.open(":memory:");
    try {
      const job = makeJob({ Labels: { a: "1" } });
      s.createJob(job);
      const first = s.getJob(job.ID);
      first.Labels!.a = "changed";
      first.Tasks[0]!.Name = "changed";
      assert.deepEqual(s.getJob(job.ID), job);
      assert.deepEqual(s.findJob(job.ID), job);
    } finally {
      s.close();
    }
  });

  await t.test("a rolled-back update is not served from memory", () => {
    const s = SqliteJobStore.open(":memory:");
    try {
      const job = makeJob();
      s.createJob(job);
      s.getJob(job.ID);
      assert.throws(() => s.transaction(() => {
        s.updateJobState({ jobID: job.ID, newState: "Running" });
        assert.equal(s.getJob(job.ID).State.StateType, "Running");
        throw new Error("undo");
      }), /undo/);
      assert.equal(s.getJob(job.ID).State.StateType, job.State.StateType);
    } finally {
      s.close();
    }
  });

  await t.test("a change written through another connection is seen", () => {
    const path = join(dir, "jobs.db");
    const a = SqliteJobStore.open(path);
    const b = SqliteJobStore.open(path);
    try {
      const job = makeJob();
      a.createJob(job);
      assert.equal(a.getJob(job.ID).State.StateType, job.State.StateType);
      b.updateJobState({ jobID: job.ID, newState: "Running", message: "elsewhere" });
      const seen = a.getJob(job.ID);
      assert.equal(seen.State.StateType, "Running");
      assert.equal(seen.State.Message, "elsewhere");
    } finally {
      a.close();
      b.close();
    }
  });

  await t.test("copies share nothing mutable and keep a __proto__ key as data", () => {
    const value = JSON.parse('{"a":[{"b":"x"}],"__proto__":{"polluted":true},"n":null}') as Record<string, unknown>;
    const copy = copyJSONValue(value);
    assert.deepEqual(copy, value);
    assert.notEqual(copy.a, value.a);
    assert.equal(Object.getPrototypeOf(copy), Object.prototype);
    assert.deepEqual(Object.keys(copy), ["a", "__proto__", "n"]);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });
});
