// SqliteJobStore through the shared conformance suite (file-backed and in-memory), plus what only
// a SQLite store promises: persistence across reopen, the pragmas it sets, its refusal of async work.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { SqliteJobStore } from "../../src/store/sqlite/store.ts";
import { assertStoreError, runJobStoreSuite, withStore } from "../conformance/store.suite.ts";
import { makeEvent, makeExecution, makeJob } from "./fixtures/models.ts";

const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "job-store-"));
  dirs.push(dir);
  return dir;
}

runJobStoreSuite("sqlite file", () => SqliteJobStore.open(join(tempDir(), "jobs.db")));
runJobStoreSuite("sqlite :memory:", () => SqliteJobStore.open(":memory:"));

describe("SqliteJobStore", () => {
  it("keeps everything across close and reopen, in WAL mode", () => {
    const path = join(tempDir(), "jobs.db");
    const job = makeJob({ Name: "persist" });
    const first = SqliteJobStore.open(path);
    try {
      first.transaction(() => {
        first.createJob(job);
        first.addJobHistory(job.ID, 1, makeEvent("Job submitted"));
      });
    } finally {
      first.close();
    }
    const raw = new DatabaseSync(path);
    try {
      assert.deepEqual({ ...raw.prepare("PRAGMA journal_mode").get() }, { journal_mode: "wal" });
    } finally {
      raw.close();
    }
    const second = SqliteJobStore.open(path);
    try {
      assert.deepEqual(second.findJob("persist"), job);
      assert.equal(second.getJobHistory(job.ID).length, 1);
    } finally {
      second.close();
      second.close();
    }
  });

  it("refuses an async transaction callback and keeps none of its work", () =>
    withStore(() => SqliteJobStore.open(":memory:"), (s) => {
      const job = makeJob();
      assertStoreError(() => s.transaction(() => {
        s.createJob(job);
        return Promise.resolve();
      }), "InternalError", 500, /synchronous/);
      assertStoreError(() => s.getJob(job.ID), "NotFound", 404);
    }));

  it("treats re-stating a terminal job's own state as a no-op", () =>
    withStore(() => SqliteJobStore.open(":memory:"), (s) => {
      const job = makeJob();
      s.createJob(job);
      const stopped = s.updateJobState({ jobID: job.ID, newState: "Stopped" });
      assert.deepEqual(s.updateJobState({ jobID: job.ID, newState: "Stopped" }), stopped);
    }));

  it("keeps the current version row in step with state changes", () =>
    withStore(() => SqliteJobStore.open(":memory:"), (s) => {
      const job = makeJob();
      s.createJob(job);
      const running = s.updateJobState({ jobID: job.ID, newState: "Running" });
      assert.deepEqual(s.getJobVersion(job.ID, 1), running);
    }));

  it("refuses executions and history for a job it does not have", () =>
    withStore(() => SqliteJobStore.open(":memory:"), (s) => {
      const ghost = makeJob();
      assertStoreError(() => s.createExecution(makeExecution(ghost)), "NotFound", 404, `job not found: ${ghost.ID}`);
      assertStoreError(() => s.addJobHistory(ghost.ID, 1, makeEvent("x")), "NotFound", 404);
      assertStoreError(() => s.getJobHistory(ghost.ID), "NotFound", 404);
      assertStoreError(() => s.getExecutions(ghost.ID), "NotFound", 404);
    }));
});
