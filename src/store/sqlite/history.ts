// History events: an append-only log per job. SeqNum is the table's AUTOINCREMENT key, so it is
// strictly increasing across the whole store and never reused, which history paging relies on.
import type { HistoryEvent, JobHistory } from "../../models/types.ts";
import { JobHistoryType } from "../../models/types.ts";
import { nanosToRFC3339, nowNanos } from "../../models/time.ts";
import type { HistoryQuery } from "../store.ts";
import type { SqliteDb } from "./db.ts";
import type { SQLInputValue } from "node:sqlite";
import { isForeignKeyViolation, jobNotFound, storeFailure } from "./errors.ts";
import { fromJSON, num, prefixEnd, toJSON } from "./rows.ts";

type Entry = Omit<JobHistory, "SeqNum">;

export class HistoryTable {
  readonly #db: SqliteDb;

  constructor(db: SqliteDb) {
    this.#db = db;
  }

  addJobEvent(jobID: string, jobVersion: number, event: HistoryEvent, jobState?: JobHistory["JobState"]): JobHistory {
    const entry: Entry = { Type: JobHistoryType.JobLevel, JobID: jobID, JobVersion: jobVersion, Event: event, Time: timeOf(event) };
    if (jobState !== undefined) entry.JobState = jobState;
    return this.#append(entry);
  }

  addExecutionEvent(jobID: string, jobVersion: number, executionID: string, event: HistoryEvent,
    executionState?: JobHistory["ExecutionState"]): JobHistory {
    const entry: Entry = {
      Type: JobHistoryType.ExecutionLevel, JobID: jobID, JobVersion: jobVersion, ExecutionID: executionID,
      Event: event, Time: timeOf(event),
    };
    if (executionState !== undefined) entry.ExecutionState = executionState;
    return this.#append(entry);
  }

  /** Filters are SQL conditions built from fixed fragments; only the values are parameters. */
  forJob(jobID: string, query: HistoryQuery = {}): JobHistory[] {
    if (this.#db.get("SELECT 1 AS x FROM jobs WHERE id = ?", jobID) === undefined) throw jobNotFound(jobID);
    const where = ["job_id = ?"];
    const params: SQLInputValue[] = [jobID];
    if (query.afterSeq !== undefined && query.afterSeq > 0) {
      where.push("seq > ?");
      params.push(query.afterSeq);
    }
    if (query.since !== undefined && query.since > 0) {
      where.push("time_ms >= ?");
      params.push(query.since * 1000);
    }
    if (query.eventType === "job" || query.eventType === "execution") {
      where.push("type = ?");
      params.push(query.eventType === "job" ? JobHistoryType.JobLevel : JobHistoryType.ExecutionLevel);
    }
    if (query.executionID !== undefined && query.executionID !== "") {
      // A prefix filter leaves out job-level events, which have no execution ID.
      where.push("execution_id >= ? AND execution_id < ?");
      params.push(query.executionID, prefixEnd(query.executionID));
    }
    if (query.allVersions !== true && query.jobVersion !== undefined && query.jobVersion > 0) {
      where.push("version = ?");
      params.push(query.jobVersion);
    }
    params.push(query.limit !== undefined && query.limit > 0 ? query.limit : -1);
    return this.#db
      .all(`SELECT seq, json FROM history WHERE ${where.join(" AND ")} ORDER BY seq LIMIT ?`, ...params)
      .map((r) => ({ SeqNum: num(r, "seq"), ...fromJSON<Entry>(r) }));
  }

  #append(entry: Entry): JobHistory {
    let row;
    try {
      row = this.#db.get(
        `INSERT INTO history (job_id, version, execution_id, type, time_ms, json) VALUES (?, ?, ?, ?, ?, ?)
         RETURNING seq`,
        entry.JobID, entry.JobVersion, entry.ExecutionID ?? "", entry.Type, Date.parse(entry.Time), toJSON(entry),
      );
    } catch (err) {
      // The foreign key finds a missing job without a lookup per append (appends are the hot path).
      if (isForeignKeyViolation(err)) throw jobNotFound(entry.JobID);
      throw storeFailure(err);
    }
    if (row === undefined) throw storeFailure(new Error("history insert returned no sequence number"));
    return { SeqNum: num(row, "seq"), ...entry };
  }
}

/** An event is recorded at its own timestamp; one without a readable timestamp gets the current time. */
function timeOf(event: HistoryEvent): string {
  return event.Timestamp !== "" && !Number.isNaN(Date.parse(event.Timestamp))
    ? event.Timestamp
    : nanosToRFC3339(nowNanos());
}
