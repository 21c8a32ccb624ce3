// Jobs: the current version in `jobs` (with the columns lookups and listings need) and every
// version in `job_versions`. The current version's row is kept equal in both tables.
import type { Job, JobStateTypeName } from "../../models/types.ts";
import { TERMINAL_JOB_STATES } from "../../models/types.ts";
import { nowNanos } from "../../models/time.ts";
import type { JobStateUpdate, ListJobsQuery, ListJobsResult } from "../store.ts";
import type { SqliteDb } from "./db.ts";
import { badRequest, conflict, jobNotFound, notFound } from "./errors.ts";
import { copyJSONValue, fromJSON, prefixEnd, text, toJSON, type Row } from "./rows.ts";

const DEFAULT_NAMESPACE = "default";
/** Jobs whose parsed form is kept: enough for every job in flight on a busy node. */
const PARSED_CACHE_SIZE = 256;
const TERMINAL_LIST = [...TERMINAL_JOB_STATES].map((s) => `'${s}'`).join(", ");

export class JobTable {
  readonly #db: SqliteDb;
  /**
   * The last JSON text seen per job and the object it parses to. The scheduler, the message
   * handler and the API read the same job many times per state change, and a job carrying an
   * inline module is tens of KB of JSON; a read that finds the same text hands out a copy of the
   * parsed object instead of parsing again. The text is always read from the database, so another
   * writer or a rolled-back transaction can never make it serve a stale job.
   */
  readonly #parsed = new Map<string, { json: string; job: Job }>();

  constructor(db: SqliteDb) {
    this.#db = db;
  }

  exists(id: string): boolean {
    return this.#db.get("SELECT 1 AS x FROM jobs WHERE id = ?", id) !== undefined;
  }

  // Checks run inside the transaction: BEGIN IMMEDIATE holds the write lock, so no other
  // process can take the ID or the name between the check and the insert.
  create(job: Job): void {
    this.#db.transaction(() => {
      if (this.exists(job.ID)) throw conflict(`job ${job.ID} already exists`);
      this.#assertNameFree(job);
      const json = toJSON(job);
      this.#db.run(
        `INSERT INTO jobs (id, name, namespace, state, version, create_time, modify_time, json)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        job.ID, job.Name, job.Namespace, job.State.StateType, job.Version, job.CreateTime, job.ModifyTime,
        json,
      );
      this.#putVersion(job, json);
    });
  }

  update(job: Job): void {
    this.#db.transaction(() => {
      const current = this.get(job.ID);
      if (job.Version !== current.Version + 1) {
        throw conflict(`job ${job.ID} is at version ${current.Version}; the update must be version ${current.Version + 1}, got ${job.Version}`);
      }
      if (job.Name !== current.Name || job.Namespace !== current.Namespace) this.#assertNameFree(job);
      const json = this.#saveCurrent(job);
      this.#putVersion(job, json);
    });
  }

  get(id: string): Job {
    const row = this.#db.get("SELECT id, json FROM jobs WHERE id = ?", id);
    if (row === undefined) throw jobNotFound(id);
    return this.#fromRow(row);
  }

  /** Name first (names are what users type), then exact ID, then a unique ID prefix (short IDs). */
  find(idOrName: string, namespace?: string): Job {
    if (idOrName === "") throw jobNotFound(idOrName);
    const ns = namespace === undefined || namespace === "" ? DEFAULT_NAMESPACE : namespace;
    const byName = this.#db.get("SELECT id, json FROM jobs WHERE namespace = ? AND name = ?", ns, idOrName);
    if (byName !== undefined) return this.#fromRow(byName);
    const byID = this.#db.get("SELECT id, json FROM jobs WHERE id = ?", idOrName);
    if (byID !== undefined) return this.#fromRow(byID);
    const byPrefix = this.#db.all(
      "SELECT json FROM jobs WHERE id >= ? AND id < ? ORDER BY id LIMIT 2",
      idOrName, prefixEnd(idOrName),
    );
    if (byPrefix.length > 1) throw badRequest(`multiple jobs found for id prefix ${idOrName}`);
    const only = byPrefix[0];
    if (only === undefined) throw jobNotFound(idOrName);
    return fromJSON<Job>(only);
  }

  list(query: ListJobsQuery): ListJobsResult {
    const column = query.orderBy === "modified_at" ? "modify_time" : "create_time";
    const dir = query.reverse === true ? "DESC" : "ASC";
    const allNamespaces = query.namespace === undefined || query.namespace === "" || query.namespace === "*";
    const where = allNamespaces ? "" : "WHERE namespace = ?";
    const params = allNamespaces ? [] : [query.namespace ?? ""];
    const offset = Math.max(0, query.offset ?? 0);
    const limit = Math.max(0, query.limit ?? 0);
    const base = `SELECT json FROM jobs ${where} ORDER BY ${column} ${dir}, id ${dir}`;

    if (query.filter === undefined) {
      // One row past the page tells whether more exist; -1 is SQLite's "no limit".
      const rows = this.#db.all(`${base} LIMIT ? OFFSET ?`, ...params, limit === 0 ? -1 : limit + 1, offset);
      const items = rows.map((r) => fromJSON<Job>(r));
      const more = limit > 0 && items.length > limit;
      return { items: more ? items.slice(0, limit) : items, more };
    }
    // Label selectors are not SQL, so the filter runs over the sorted rows before paging.
    const items: Job[] = [];
    let skipped = 0;
    for (const row of this.#db.all(base, ...params)) {
      const job = fromJSON<Job>(row);
      if (!query.filter(job)) continue;
      if (skipped < offset) {
        skipped++;
        continue;
      }
      if (limit > 0 && items.length === limit) return { items, more: true };
      items.push(job);
    }
    return { items, more: false };
  }

  versions(id: string): Job[] {
    const rows = this.#db.all("SELECT json FROM job_versions WHERE job_id = ? ORDER BY version", id);
    if (rows.length === 0) throw jobNotFound(id);
    return rows.map((r) => fromJSON<Job>(r));
  }

  version(id: string, version: number): Job {
    const row = this.#db.get("SELECT json FROM job_versions WHERE job_id = ? AND version = ?", id, version);
    if (row === undefined) {
      if (!this.exists(id)) throw jobNotFound(id);
      throw notFound(`job ${id} version ${version} not found`);
    }
    return fromJSON<Job>(row);
  }

  updateState(update: JobStateUpdate): Job {
    return this.#db.transaction(() => {
      const job = this.get(update.jobID);
      const from = job.State.StateType;
      if (update.expectedStates !== undefined && !update.expectedStates.includes(from)) {
        throw conflict(`job ${job.ID} is in unexpected state ${from}, expected one of [${update.expectedStates.join(", ")}]`);
      }
      if (TERMINAL_JOB_STATES.has(from)) {
        // Re-asserting the terminal state it is already in changes nothing (stop of a stopped job).
        if (from === update.newState) return job;
        throw conflict(`job ${job.ID} is in terminal state ${from} and cannot transition to ${update.newState}`);
      }
      const next: Job = {
        ...job,
        State: stateOf(update.newState, update.message, update.details),
        Revision: job.Revision + 1,
        ModifyTime: nowNanos(),
      };
      const json = this.#saveCurrent(next);
      this.#db.run("UPDATE job_versions SET json = ? WHERE job_id = ? AND version = ?", json, next.ID, next.Version);
      return next;
    });
  }

  listNonTerminal(): Job[] {
    return this.#db
      .all(`SELECT json FROM jobs WHERE state NOT IN (${TERMINAL_LIST}) ORDER BY create_time, id`)
      .map((r) => fromJSON<Job>(r));
  }

  #assertNameFree(job: Job): void {
    if (job.Name === "") return;
    const row = this.#db.get("SELECT id FROM jobs WHERE namespace = ? AND name = ? AND id <> ?", job.Namespace, job.Name, job.ID);
    if (row !== undefined) {
      throw conflict(`job with name ${job.Name} already exists in namespace ${job.Namespace}`);
    }
  }

  /** Writes the current row and returns the JSON written (serialised once for both tables). */
  #saveCurrent(job: Job): string {
    const json = toJSON(job);
    this.#db.run(
      `UPDATE jobs SET name = ?, namespace = ?, state = ?, version = ?, create_time = ?, modify_time = ?, json = ?
       WHERE id = ?`,
      job.Name, job.Namespace, job.State.StateType, job.Version, job.CreateTime, job.ModifyTime, json, job.ID,
    );
    return json;
  }

  #putVersion(job: Job, json: string): void {
    this.#db.run("INSERT INTO job_versions (job_id, version, json) VALUES (?, ?, ?)", job.ID, job.Version, json);
  }

  /** A current-row read (`id, json`): parsed once per distinct text (see #parsed), handed out as a copy. */
  #fromRow(row: Row): Job {
    const id = text(row, "id");
    const json = text(row, "json");
    let hit = this.#parsed.get(id);
    if (hit === undefined || hit.json !== json) {
      hit = { json, job: fromJSON<Job>(row) };
      this.#parsed.delete(id); // re-inserted last: the map keeps the most recently read jobs
      this.#parsed.set(id, hit);
      if (this.#parsed.size > PARSED_CACHE_SIZE) this.#parsed.delete(this.#parsed.keys().next().value as string);
    }
    return copyJSONValue(hit.job);
  }
}

function stateOf(type: JobStateTypeName, message?: string, details?: Record<string, string>): Job["State"] {
  const state: Job["State"] = { StateType: type };
  if (message !== undefined) state.Message = message;
  if (details !== undefined) state.Details = details;
  return state;
}

