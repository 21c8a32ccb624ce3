// Jobs. Each version's spec is written once to `job_versions` and never rewritten while it is
// current; what changes between versions (State, Revision, ModifyTime) lives in small columns of
// the `jobs` row, so a state change rewrites a few bytes instead of a job that may carry an inline
// module of tens of KB. A read of the current version joins the two and lays the columns over
// the spec. When a version is superseded its row is rewritten once, with its final state inside.
import type { Job, JobStateTypeName } from "../../models/types.ts";
import { TERMINAL_JOB_STATES } from "../../models/types.ts";
import { nowNanos } from "../../models/time.ts";
import type { JobStateUpdate, ListJobsQuery, ListJobsResult } from "../store.ts";
import type { SqliteDb } from "./db.ts";
import { badRequest, conflict, jobNotFound, notFound } from "./errors.ts";
import { copyJSONValue } from "../../models/json-copy.ts";
import { fromJSON, num, prefixEnd, text, toJSON, type Row } from "./rows.ts";

const DEFAULT_NAMESPACE = "default";
/** Specs whose parsed form is kept: enough for every job in flight on a busy node. */
const PARSED_CACHE_SIZE = 256;
const TERMINAL_LIST = [...TERMINAL_JOB_STATES].map((s) => `'${s}'`).join(", ");
/** The current version of jobs: the spec plus the columns that override it. */
const CURRENT = `SELECT j.id, j.version, j.spec_id, j.state_json, j.revision, j.modify_time, v.json
  FROM jobs j JOIN job_versions v ON v.job_id = j.id AND v.version = j.version`;
/** The current row without the spec: enough to serve a read whose spec is already parsed. */
const HEAD = "SELECT id, version, spec_id, state_json, revision, modify_time FROM jobs";
// The name index is partial (unnamed jobs are left out), and SQLite uses a partial index only when
// the query itself says `name <> ''`; without it every lookup by name scans the whole table.
/** A job by its name, through the name index; only for a non-empty name. */
export const BY_NAME = `${HEAD} WHERE namespace = ? AND name = ? AND name <> ''`;
/** Another job holding a name, through the name index; only for a non-empty name. */
export const NAME_TAKEN = "SELECT id FROM jobs WHERE namespace = ? AND name = ? AND name <> '' AND id <> ?";

export class JobTable {
  readonly #db: SqliteDb;
  /**
   * Parsed specs by job ID, under the spec_id of the version they were read for. The scheduler,
   * the message handler and the API read the same job many times, and its spec does not change
   * within a version; a read whose row names the cached spec_id skips the spec text (tens of KB
   * with an inline module) and hands out a copy. Every version write draws a new random spec_id,
   * so another writer or a rolled-back transaction can never make it serve a stale spec.
   */
  readonly #parsed = new Map<string, { specID: number; job: Job }>();

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
      const specID = newSpecID();
      this.#db.run(
        `INSERT INTO jobs (id, name, namespace, state, state_json, version, spec_id, revision, create_time, modify_time)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        job.ID, job.Name, job.Namespace, job.State.StateType, toJSON(job.State), job.Version, specID,
        job.Revision, job.CreateTime, job.ModifyTime,
      );
      this.#putVersion(job, specID);
    });
  }

  update(job: Job): void {
    this.#db.transaction(() => {
      const current = this.get(job.ID);
      if (job.Version !== current.Version + 1) {
        throw conflict(`job ${job.ID} is at version ${current.Version}; the update must be version ${current.Version + 1}, got ${job.Version}`);
      }
      if (job.Name !== current.Name || job.Namespace !== current.Namespace) this.#assertNameFree(job);
      const specID = newSpecID();
      // The old version keeps the state it ended in, as it read while it was current.
      this.#db.run("UPDATE job_versions SET json = ? WHERE job_id = ? AND version = ?",
        toJSON(current), current.ID, current.Version);
      this.#db.run(
        `UPDATE jobs SET name = ?, namespace = ?, state = ?, state_json = ?, version = ?, spec_id = ?,
         revision = ?, create_time = ?, modify_time = ? WHERE id = ?`,
        job.Name, job.Namespace, job.State.StateType, toJSON(job.State), job.Version, specID,
        job.Revision, job.CreateTime, job.ModifyTime, job.ID,
      );
      this.#putVersion(job, specID);
    });
  }

  get(id: string): Job {
    const row = this.#db.get(`${HEAD} WHERE id = ?`, id);
    if (row === undefined) throw jobNotFound(id);
    return this.#current(row);
  }

  /** Name first (names are what users type), then exact ID, then a unique ID prefix (short IDs). */
  find(idOrName: string, namespace?: string): Job {
    if (idOrName === "") throw jobNotFound(idOrName);
    const ns = namespace === undefined || namespace === "" ? DEFAULT_NAMESPACE : namespace;
    const byName = this.#db.get(BY_NAME, ns, idOrName);
    if (byName !== undefined) return this.#current(byName);
    const byID = this.#db.get(`${HEAD} WHERE id = ?`, idOrName);
    if (byID !== undefined) return this.#current(byID);
    const byPrefix = this.#db.all(
      `${HEAD} WHERE id >= ? AND id < ? ORDER BY id LIMIT 2`,
      idOrName, prefixEnd(idOrName),
    );
    if (byPrefix.length > 1) throw badRequest(`multiple jobs found for id prefix ${idOrName}`);
    const only = byPrefix[0];
    if (only === undefined) throw jobNotFound(idOrName);
    return this.#current(only);
  }

  list(query: ListJobsQuery): ListJobsResult {
    const column = query.orderBy === "modified_at" ? "modify_time" : "create_time";
    const dir = query.reverse === true ? "DESC" : "ASC";
    const allNamespaces = query.namespace === undefined || query.namespace === "" || query.namespace === "*";
    const where = allNamespaces ? "" : "WHERE j.namespace = ?";
    const params = allNamespaces ? [] : [query.namespace ?? ""];
    const offset = Math.max(0, query.offset ?? 0);
    const limit = Math.max(0, query.limit ?? 0);
    const base = `${CURRENT} ${where} ORDER BY j.${column} ${dir}, j.id ${dir}`;

    if (query.filter === undefined) {
      // One row past the page tells whether more exist; -1 is SQLite's "no limit".
      const rows = this.#db.all(`${base} LIMIT ? OFFSET ?`, ...params, limit === 0 ? -1 : limit + 1, offset);
      const items = rows.map((r) => this.#current(r, false));
      const more = limit > 0 && items.length > limit;
      return { items: more ? items.slice(0, limit) : items, more };
    }
    // Label selectors are not SQL, so the filter runs over the sorted rows before paging.
    const items: Job[] = [];
    let skipped = 0;
    for (const row of this.#db.all(base, ...params)) {
      const job = this.#current(row, false);
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
    const rows = this.#db.all("SELECT version, json FROM job_versions WHERE job_id = ? ORDER BY version", id);
    if (rows.length === 0) throw jobNotFound(id);
    const current = this.get(id);
    return rows.map((r) => (num(r, "version") === current.Version ? current : fromJSON<Job>(r)));
  }

  version(id: string, version: number): Job {
    const row = this.#db.get("SELECT json FROM job_versions WHERE job_id = ? AND version = ?", id, version);
    if (row === undefined) {
      if (!this.exists(id)) throw jobNotFound(id);
      throw notFound(`job ${id} version ${version} not found`);
    }
    const current = this.get(id);
    return current.Version === version ? current : fromJSON<Job>(row);
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
      this.#db.run("UPDATE jobs SET state = ?, state_json = ?, revision = ?, modify_time = ? WHERE id = ?",
        next.State.StateType, toJSON(next.State), next.Revision, next.ModifyTime, next.ID);
      return next;
    });
  }

  listNonTerminal(): Job[] {
    return this.#db
      .all(`${CURRENT} WHERE j.state NOT IN (${TERMINAL_LIST}) ORDER BY j.create_time, j.id`)
      .map((r) => this.#current(r, false));
  }

  #assertNameFree(job: Job): void {
    if (job.Name === "") return;
    const row = this.#db.get(NAME_TAKEN, job.Namespace, job.Name, job.ID);
    if (row !== undefined) {
      throw conflict(`job with name ${job.Name} already exists in namespace ${job.Namespace}`);
    }
  }

  /** Writes the version's spec and keeps it parsed: the next reads of the job need not parse it. */
  #putVersion(job: Job, specID: number): void {
    this.#db.run("INSERT INTO job_versions (job_id, version, json) VALUES (?, ?, ?)", job.ID, job.Version, toJSON(job));
    this.#remember(job.ID, specID, copyJSONValue(job));
  }

  /**
   * A current-version row as a Job. Single reads (HEAD rows) go through the parse cache; listings
   * (CURRENT rows, `cache` false) parse what they read, so a page of old jobs evicts nothing.
   */
  #current(row: Row, cache = true): Job {
    const job = cache ? this.#spec(row) : fromJSON<Job>(row);
    job.State = JSON.parse(text(row, "state_json")) as Job["State"];
    job.Revision = num(row, "revision");
    job.ModifyTime = num(row, "modify_time");
    return job;
  }

  /** The spec of a HEAD row, parsed once per spec_id (see #parsed), handed out as a copy. */
  #spec(row: Row): Job {
    const id = text(row, "id");
    const specID = num(row, "spec_id");
    let hit = this.#parsed.get(id);
    if (hit === undefined || hit.specID !== specID) {
      const spec = this.#db.get("SELECT json FROM job_versions WHERE job_id = ? AND version = ?", id, num(row, "version"));
      if (spec === undefined) throw jobNotFound(id);
      hit = this.#remember(id, specID, fromJSON<Job>(spec));
    }
    return copyJSONValue(hit.job);
  }

  #remember(id: string, specID: number, job: Job): { specID: number; job: Job } {
    const hit = { specID, job };
    this.#parsed.delete(id); // re-inserted last: the map keeps the most recently used jobs
    this.#parsed.set(id, hit);
    if (this.#parsed.size > PARSED_CACHE_SIZE) this.#parsed.delete(this.#parsed.keys().next().value as string);
    return hit;
  }
}

/** 53 random bits: a value no other version write will draw (see #parsed). */
function newSpecID(): number {
  const [hi, lo] = crypto.getRandomValues(new Uint32Array(2));
  return (hi & 0x1fffff) * 2 ** 32 + lo;
}

function stateOf(type: JobStateTypeName, message?: string, details?: Record<string, string>): Job["State"] {
  const state: Job["State"] = { StateType: type };
  if (message !== undefined) state.Message = message;
  if (details !== undefined) state.Details = details;
  return state;
}
