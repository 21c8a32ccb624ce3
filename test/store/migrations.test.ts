// Migrations: recorded once, applied in order, all-or-nothing, and never run backwards.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { BacalhauError } from "../../src/models/errors.ts";
import { migrate, SCHEMA_VERSION, type Migration } from "../../src/store/sqlite/migrations.ts";
import { SqliteJobStore } from "../../src/store/sqlite/store.ts";

const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
function tempFile(): string {
  const dir = mkdtempSync(join(tmpdir(), "job-store-migrate-"));
  dirs.push(dir);
  return join(dir, "jobs.db");
}

function versions(path: string): number[] {
  const db = new DatabaseSync(path);
  try {
    return db.prepare("SELECT version FROM schema_version ORDER BY version").all().map((r) => Number(r.version));
  } finally {
    db.close();
  }
}

function withDb<T>(fn: (db: DatabaseSync) => T): T {
  const db = new DatabaseSync(":memory:");
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

const step = (version: number, sql: string): Migration => ({ version, name: `step ${version}`, sql });
const tables = (db: DatabaseSync): string[] =>
  db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 't%' ORDER BY name").all()
    .map((r) => String(r.name));

describe("store migrations", () => {
  it("records each step once, however often the store is opened", () => {
    const path = tempFile();
    SqliteJobStore.open(path).close();
    SqliteJobStore.open(path).close();
    const expected = Array.from({ length: SCHEMA_VERSION }, (_, i) => i + 1);
    assert.ok(SCHEMA_VERSION >= 1);
    assert.deepEqual(versions(path), expected);
  });

  it("applies only the steps a database is missing, in order", () => withDb((db) => {
    assert.equal(migrate(db, [step(1, "CREATE TABLE t1 (x)"), step(2, "CREATE TABLE t2 (x)")]), 2);
    assert.equal(migrate(db, [step(1, "CREATE TABLE t1 (x)"), step(2, "CREATE TABLE t2 (x)"),
      step(3, "CREATE TABLE t3 (x)")]), 3);
    assert.deepEqual(tables(db), ["t1", "t2", "t3"]);
  }));

  it("keeps nothing of a run in which one step fails", () => withDb((db) => {
    migrate(db, [step(1, "CREATE TABLE t1 (x)")]);
    assert.throws(() => migrate(db, [step(1, "CREATE TABLE t1 (x)"), step(2, "CREATE TABLE t2 (x)"),
      step(3, "CREATE TABLE t3 (x); NOT SQL")]));
    assert.deepEqual(tables(db), ["t1"]);
    assert.equal(migrate(db, [step(1, "CREATE TABLE t1 (x)")]), 1);
  }));

  it("refuses a database written by a newer schema", () => {
    const path = tempFile();
    SqliteJobStore.open(path).close();
    const db = new DatabaseSync(path);
    try {
      db.prepare("INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)")
        .run(SCHEMA_VERSION + 1, "from the future", new Date().toISOString());
    } finally {
      db.close();
    }
    assert.throws(() => SqliteJobStore.open(path), (err: unknown) =>
      err instanceof BacalhauError && err.component === "JobStore" && /newer/.test(err.message));
  });
});
