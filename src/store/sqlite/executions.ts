// Executions: one row each, JSON plus the columns that select them (job, version, node, state).
import type { Execution } from "../../models/types.ts";
import { EXECUTION_STATE_NAMES, TERMINAL_EXECUTION_STATES } from "../../models/types.ts";
import { nowNanos } from "../../models/time.ts";
import type { ExecutionsQuery, ExecutionUpdate } from "../store.ts";
import type { SqliteDb } from "./db.ts";
import { conflict, isForeignKeyViolation, isUniqueViolation, jobNotFound, notFound, storeFailure } from "./errors.ts";
import { fromJSON, num, toJSON } from "./rows.ts";

const TERMINAL_LIST = [...TERMINAL_EXECUTION_STATES].join(", ");
const stateName = (s: number): string => EXECUTION_STATE_NAMES[s] ?? String(s);

export class ExecutionTable {
  readonly #db: SqliteDb;

  constructor(db: SqliteDb) {
    this.#db = db;
  }

  create(execution: Execution): void {
    try {
      this.#db.run(
        `INSERT INTO executions (id, job_id, node_id, job_version, compute_state, create_time, modify_time, json)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        execution.ID, execution.JobID, execution.NodeID, execution.JobVersion,
        execution.ComputeState.StateType, execution.CreateTime, execution.ModifyTime, toJSON(execution),
      );
    } catch (err) {
      if (isUniqueViolation(err)) throw conflict(`execution ${execution.ID} already exists`);
      if (isForeignKeyViolation(err)) throw jobNotFound(execution.JobID);
      throw storeFailure(err);
    }
  }

  get(id: string): Execution {
    const row = this.#db.get("SELECT json FROM executions WHERE id = ?", id);
    if (row === undefined) throw notFound(`execution not found: ${id}`);
    return fromJSON<Execution>(row);
  }

  update(update: ExecutionUpdate): Execution {
    return this.#db.transaction(() => {
      const current = this.get(update.executionID);
      const from = current.ComputeState.StateType;
      if (update.expectedComputeStates !== undefined && !update.expectedComputeStates.includes(from)) {
        const expected = update.expectedComputeStates.map(stateName).join(", ");
        throw conflict(`execution ${current.ID} is in unexpected state ${stateName(from)}, expected one of [${expected}]`);
      }
      const next: Execution = {
        ...current,
        ...update.newValues,
        ID: current.ID,
        JobID: current.JobID,
        CreateTime: current.CreateTime,
        Revision: current.Revision + 1,
        ModifyTime: nowNanos(),
      };
      this.#db.run(
        `UPDATE executions SET node_id = ?, job_version = ?, compute_state = ?, modify_time = ?, json = ?
         WHERE id = ?`,
        next.NodeID, next.JobVersion, next.ComputeState.StateType, next.ModifyTime, toJSON(next), next.ID,
      );
      return next;
    });
  }

  /** The job's current version unless a version or all versions are asked for. */
  forJob(jobID: string, query: ExecutionsQuery = {}): Execution[] {
    const job = this.#db.get("SELECT version FROM jobs WHERE id = ?", jobID);
    if (job === undefined) throw jobNotFound(jobID);
    const column = query.orderBy === "modified_at" ? "modify_time" : "create_time";
    const dir = query.reverse === true ? "DESC" : "ASC";
    const limit = query.limit !== undefined && query.limit > 0 ? query.limit : -1;
    const order = `ORDER BY ${column} ${dir}, rowid ${dir} LIMIT ?`;
    const rows = query.allVersions === true
      ? this.#db.all(`SELECT json FROM executions WHERE job_id = ? ${order}`, jobID, limit)
      : this.#db.all(
        `SELECT json FROM executions WHERE job_id = ? AND job_version = ? ${order}`,
        jobID, query.jobVersion !== undefined && query.jobVersion > 0 ? query.jobVersion : num(job, "version"), limit,
      );
    return rows.map((r) => fromJSON<Execution>(r));
  }

  listActive(nodeID?: string): Execution[] {
    const active = `compute_state NOT IN (${TERMINAL_LIST})`;
    const rows = nodeID === undefined
      ? this.#db.all(`SELECT json FROM executions WHERE ${active} ORDER BY create_time, rowid`)
      : this.#db.all(`SELECT json FROM executions WHERE node_id = ? AND ${active} ORDER BY create_time, rowid`, nodeID);
    return rows.map((r) => fromJSON<Execution>(r));
  }
}
