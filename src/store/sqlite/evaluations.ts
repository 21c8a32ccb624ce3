// Evaluations: the broker's durable queue. Only pending ones are ever listed, oldest first.
import type { Evaluation } from "../../models/types.ts";
import { EvaluationStatus } from "../../models/types.ts";
import type { SqliteDb } from "./db.ts";
import { conflict, isUniqueViolation, notFound, storeFailure } from "./errors.ts";
import { fromJSON, toJSON } from "./rows.ts";

export class EvaluationTable {
  readonly #db: SqliteDb;

  constructor(db: SqliteDb) {
    this.#db = db;
  }

  create(evaluation: Evaluation): void {
    try {
      this.#db.run(
        "INSERT INTO evaluations (id, job_id, status, create_time, json) VALUES (?, ?, ?, ?, ?)",
        evaluation.ID, evaluation.JobID, evaluation.Status, evaluation.CreateTime, toJSON(evaluation),
      );
    } catch (err) {
      if (isUniqueViolation(err)) throw conflict(`evaluation ${evaluation.ID} already exists`);
      throw storeFailure(err);
    }
  }

  get(id: string): Evaluation {
    const row = this.#db.get("SELECT json FROM evaluations WHERE id = ?", id);
    if (row === undefined) throw notFound(`evaluation not found: ${id}`);
    return fromJSON<Evaluation>(row);
  }

  update(evaluation: Evaluation): void {
    const changed = this.#db.run(
      "UPDATE evaluations SET job_id = ?, status = ?, create_time = ?, json = ? WHERE id = ?",
      evaluation.JobID, evaluation.Status, evaluation.CreateTime, toJSON(evaluation), evaluation.ID,
    );
    if (changed === 0) throw notFound(`evaluation not found: ${evaluation.ID}`);
  }

  /** Deleting an evaluation that is already gone is not an error: the broker may ack twice. */
  delete(id: string): void {
    this.#db.run("DELETE FROM evaluations WHERE id = ?", id);
  }

  listPending(): Evaluation[] {
    return this.#db
      .all("SELECT json FROM evaluations WHERE status = ? ORDER BY create_time, rowid", EvaluationStatus.Pending)
      .map((r) => fromJSON<Evaluation>(r));
  }
}
