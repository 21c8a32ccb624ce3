// Schema 2 keeps a job's state in columns of its `jobs` row and its spec once per version in
// `job_versions`: state changes leave the spec untouched, superseded versions keep the state they
// ended in, and a database written by schema 1 reads the same after the upgrade.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import type { Job } from "../../src/models/types.ts";
import { migrate, MIGRATIONS } from "../../src/store/sqlite/migrations.ts";
import { SqliteJobStore } from "../../src/store/sqlite/store.ts";
import { makeJob } from "./fixtures/models.ts";

function specText(path: string, jobID: string, version: number): string {
  const db = new DatabaseSync(path);
  try {
    const row = db.prepare("SELECT json FROM job_versions WHERE job_id = ? AND version = ?").get(jobID, version);
    return String(row?.json);
  } finally {
    db.close();
  }
}

test("job state in columns", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "job-state-columns-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));

  await t.test("a state change rewrites no spec, and reads show the new state", () => {
    const path = join(dir, "state.db");
    const s = SqliteJobStore.open(path);
    try {
      const job = makeJob({ Meta: { module: "x".repeat(40_000) } });
      s.createJob(job);
      const before = specText(path, job.ID, 1);
      const running = s.updateJobState({ jobID: job.ID, newState: "Running", message: "on its way" });
      assert.equal(specText(path, job.ID, 1), before);
      assert.deepEqual(s.getJob(job.ID), running);
      assert.deepEqual(s.findJob(job.ID.slice(0, 6)), running);
      assert.deepEqual(s.getJobVersion(job.ID, 1), running);
      assert.deepEqual(s.listJobs({}).items, [running]);
      assert.deepEqual(s.listNonTerminalJobs(), [running]);
      assert.equal(running.Revision, job.Revision + 1);
    } finally {
      s.close();
    }
  });

  await t.test("a superseded version keeps the state it ended in", () => {
    const s = SqliteJobStore.open(":memory:");
    try {
      const v1 = makeJob({ Name: "etl" });
      s.createJob(v1);
      const ended = s.updateJobState({ jobID: v1.ID, newState: "Completed" });
      const v2: Job = { ...v1, Version: 2, Revision: ended.Revision + 1, Count: 2, State: { StateType: "Pending" } };
      s.updateJob(v2);
      assert.deepEqual(s.getJobVersion(v1.ID, 1), ended);
      assert.deepEqual(s.getJob(v1.ID), v2);
      const running = s.updateJobState({ jobID: v1.ID, newState: "Running" });
      assert.deepEqual(s.getJobVersions(v1.ID), [ended, running]);
    } finally {
      s.close();
    }
  });

  await t.test("a schema 1 database reads the same after the upgrade", () => {
    const path = join(dir, "v1.db");
    const v1 = makeJob({ Name: "old", Labels: { a: "b" } });
    const ended: Job = { ...v1, State: { StateType: "Failed", Message: "boom" }, Revision: 3 };
    const v2: Job = { ...v1, Version: 2, Revision: 4, State: { StateType: "Running", Message: "again" }, Count: 2 };
    const raw = new DatabaseSync(path);
    try {
      migrate(raw, MIGRATIONS.slice(0, 1));
      // As schema 1 wrote them: the current version's JSON in both tables, old versions as they ended.
      raw.prepare(`INSERT INTO jobs (id, name, namespace, state, version, create_time, modify_time, json)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?)`).run(v2.ID, v2.Name, v2.Namespace, v2.State.StateType, 2, v2.CreateTime,
        v2.ModifyTime, JSON.stringify(v2));
      const version = raw.prepare("INSERT INTO job_versions (job_id, version, json) VALUES (?, ?, ?)");
      version.run(v1.ID, 1, JSON.stringify(ended));
      version.run(v1.ID, 2, JSON.stringify(v2));
    } finally {
      raw.close();
    }
    const s = SqliteJobStore.open(path);
    try {
      assert.deepEqual(s.getJob(v1.ID), v2);
      assert.deepEqual(s.findJob("old"), v2);
      assert.deepEqual(s.getJobVersions(v1.ID), [ended, v2]);
      const done = s.updateJobState({ jobID: v1.ID, newState: "Completed" });
      assert.equal(done.Revision, 5);
      assert.deepEqual(s.getJob(v1.ID), done);
    } finally {
      s.close();
    }
  });
});
