// Lookups by job name go through the partial name index rather than scanning every job, and still
// find named jobs and report a taken name.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { migrate } from "../../src/store/sqlite/migrations.ts";
import { BY_NAME, NAME_TAKEN } from "../../src/store/sqlite/jobs.ts";
import { SqliteJobStore } from "../../src/store/sqlite/store.ts";
import { makeJob } from "./fixtures/models.ts";

function plan(db: DatabaseSync, sql: string, ...params: string[]): string {
  return db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params).map((r) => String(r.detail)).join("; ");
}

test("name lookups use the name index", () => {
  const db = new DatabaseSync(":memory:");
  try {
    migrate(db);
    assert.match(plan(db, BY_NAME, "default", "x"), /USING INDEX jobs_namespace_name/);
    assert.match(plan(db, NAME_TAKEN, "default", "x", "id"), /USING INDEX jobs_namespace_name/);
  } finally {
    db.close();
  }
});

test("jobs are still found by name and a taken name still conflicts", (t) => {
  const dir = mkdtempSync(join(tmpdir(), "name-index-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const s = SqliteJobStore.open(join(dir, "jobs.db"));
  try {
    const job = makeJob({ Name: "nightly" });
    s.createJob(job);
    assert.equal(s.findJob("nightly").ID, job.ID);
    assert.throws(() => s.createJob(makeJob({ Name: "nightly" })), /already exists/);
  } finally {
    s.close();
  }
});
