// One SQLite connection with the settings the store relies on, a statement cache and nested
// transactions. The table modules share it; nothing here knows about jobs.
import { closeSync, openSync } from "node:fs";
import { DatabaseSync, type SQLInputValue, type StatementSync } from "node:sqlite";
import { BacalhauError } from "../../models/errors.ts";
import { COMPONENT, storeFailure } from "./errors.ts";
import { migrate } from "./migrations.ts";
import type { Row } from "./rows.ts";

/**
 * The database holds every job's spec and env: a new file is made owner-only before SQLite opens
 * it (its -wal and -shm files take the database's mode).
 */
function createOwnerOnly(path: string): void {
  if (path === "" || path === ":memory:" || path.startsWith("file:")) return;
  closeSync(openSync(path, "a", 0o600));
}

/** How long a writer waits for another process's lock before SQLITE_BUSY. */
const BUSY_TIMEOUT_MS = 5000;

export class SqliteDb {
  readonly #db: DatabaseSync;
  readonly #statements = new Map<string, StatementSync>();
  #depth = 0;

  constructor(path: string) {
    createOwnerOnly(path);
    this.#db = new DatabaseSync(path);
    try {
      // WAL + synchronous=NORMAL: a committed transaction survives the process being killed, since
      // it is in the WAL file the OS already holds; only an OS crash or power loss may drop the
      // last few commits. FULL would fsync on every commit for a guarantee this store does not need.
      this.#db.exec("PRAGMA journal_mode = WAL");
      this.#db.exec("PRAGMA synchronous = NORMAL");
      this.#db.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
      this.#db.exec("PRAGMA foreign_keys = ON");
      migrate(this.#db);
    } catch (err) {
      this.#db.close();
      throw storeFailure(err);
    }
  }

  /** Prepared once per SQL text and reused: the SQL strings are constants or built from fixed parts. */
  stmt(sql: string): StatementSync {
    let s = this.#statements.get(sql);
    if (s === undefined) {
      s = this.#db.prepare(sql);
      this.#statements.set(sql, s);
    }
    return s;
  }

  // SQLite's own errors leave here as BacalhauErrors; the message is kept, so callers can still
  // recognise a constraint violation by it.
  get(sql: string, ...params: SQLInputValue[]): Row | undefined {
    try {
      return this.stmt(sql).get(...params) as Row | undefined;
    } catch (err) {
      throw storeFailure(err);
    }
  }

  all(sql: string, ...params: SQLInputValue[]): Row[] {
    try {
      return this.stmt(sql).all(...params) as Row[];
    } catch (err) {
      throw storeFailure(err);
    }
  }

  run(sql: string, ...params: SQLInputValue[]): number {
    try {
      return Number(this.stmt(sql).run(...params).changes);
    } catch (err) {
      throw storeFailure(err);
    }
  }

  /**
   * BEGIN IMMEDIATE takes the write lock up front, so a transaction never fails half-way for lack
   * of it; nested calls become savepoints, so an inner failure the caller catches undoes only
   * the inner part.
   */
  transaction<T>(fn: () => T): T {
    const depth = this.#depth;
    const savepoint = `sp_${depth}`;
    try {
      this.#db.exec(depth === 0 ? "BEGIN IMMEDIATE" : `SAVEPOINT ${savepoint}`);
    } catch (err) {
      throw storeFailure(err); // e.g. SQLITE_BUSY once busy_timeout has run out
    }
    this.#depth = depth + 1;
    let result: T;
    try {
      result = fn();
      if (isThenable(result)) {
        throw BacalhauError.internal("transaction callback must be synchronous", { component: COMPONENT });
      }
    } catch (err) {
      this.#depth = depth;
      this.#rollback(depth, savepoint);
      throw err;
    }
    this.#depth = depth;
    try {
      this.#db.exec(depth === 0 ? "COMMIT" : `RELEASE ${savepoint}`);
    } catch (err) {
      this.#rollback(depth, savepoint);
      throw storeFailure(err);
    }
    return result;
  }

  #rollback(depth: number, savepoint: string): void {
    if (!this.#db.isTransaction) return;
    this.#db.exec(depth === 0 ? "ROLLBACK" : `ROLLBACK TO ${savepoint}; RELEASE ${savepoint}`);
  }

  close(): void {
    if (!this.#db.isOpen) return;
    this.#statements.clear();
    this.#db.close();
  }
}

function isThenable(value: unknown): boolean {
  return typeof value === "object" && value !== null && typeof (value as { then?: unknown }).then === "function";
}
