// Schema changes as an ordered list of steps. A database records the steps it has applied in
// `schema_version`; opening runs the missing ones in one transaction, so a crash mid-upgrade leaves
// the previous schema intact. Never edit a released step: append a new one.
import type { DatabaseSync } from "node:sqlite";
import { BacalhauError } from "../../models/errors.ts";
import { COMPONENT } from "./errors.ts";
import { num, type Row } from "./rows.ts";

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

// Times are REAL: Unix nanoseconds exceed 2^53, and JS numbers are doubles anyway, so REAL keeps
// exactly the value the JSON column holds while still ordering correctly.
const INITIAL_SCHEMA = `
CREATE TABLE jobs (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  namespace TEXT NOT NULL,
  state TEXT NOT NULL,
  version INTEGER NOT NULL,
  create_time REAL NOT NULL,
  modify_time REAL NOT NULL,
  json TEXT NOT NULL
);
CREATE UNIQUE INDEX jobs_namespace_name ON jobs(namespace, name) WHERE name <> '';
CREATE INDEX jobs_create_time ON jobs(create_time, id);
CREATE INDEX jobs_modify_time ON jobs(modify_time, id);
CREATE INDEX jobs_state ON jobs(state);

CREATE TABLE job_versions (
  job_id TEXT NOT NULL REFERENCES jobs(id),
  version INTEGER NOT NULL,
  json TEXT NOT NULL,
  PRIMARY KEY (job_id, version)
) WITHOUT ROWID;

CREATE TABLE executions (
  id TEXT PRIMARY KEY,
  job_id TEXT NOT NULL REFERENCES jobs(id),
  node_id TEXT NOT NULL,
  job_version INTEGER NOT NULL,
  compute_state INTEGER NOT NULL,
  create_time REAL NOT NULL,
  modify_time REAL NOT NULL,
  json TEXT NOT NULL
);
CREATE INDEX executions_job ON executions(job_id, job_version);
CREATE INDEX executions_node_state ON executions(node_id, compute_state);
CREATE INDEX executions_state ON executions(compute_state);

CREATE TABLE evaluations (
  id TEXT PRIMARY KEY,
  job_id TEXT NOT NULL,
  status TEXT NOT NULL,
  create_time REAL NOT NULL,
  json TEXT NOT NULL
);
CREATE INDEX evaluations_status ON evaluations(status, create_time);

-- AUTOINCREMENT: SeqNum must never be reused, or history pagination by sequence would skip events.
CREATE TABLE history (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  job_id TEXT NOT NULL REFERENCES jobs(id),
  version INTEGER NOT NULL,
  execution_id TEXT NOT NULL DEFAULT '',
  type TEXT NOT NULL,
  time_ms REAL NOT NULL,
  json TEXT NOT NULL
);
CREATE INDEX history_job ON history(job_id, seq);

CREATE TABLE nodes (
  id TEXT PRIMARY KEY,
  json TEXT NOT NULL
);
`;

// A job's state moves to small columns of its \`jobs\` row and its spec lives only in \`job_versions\`
// (see jobs.ts): a state change no longer rewrites the whole job, twice. Version 1 kept the current
// version's row equal in both tables, so the spec is already where it belongs. spec_id names the
// spec a row points at, so readers can keep it parsed.
const JOB_STATE_COLUMNS = `
ALTER TABLE jobs ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN state_json TEXT NOT NULL DEFAULT '{}';
ALTER TABLE jobs ADD COLUMN spec_id INTEGER NOT NULL DEFAULT 0;
UPDATE jobs SET revision = json_extract(json, '$.Revision'), state_json = json_extract(json, '$.State'),
  spec_id = abs(random() % 9007199254740991);
ALTER TABLE jobs DROP COLUMN json;
`;

export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: "initial schema", sql: INITIAL_SCHEMA },
  { version: 2, name: "job state in columns, spec once per version", sql: JOB_STATE_COLUMNS },
];

/** The version a database has after `migrate` with the built-in steps. */
export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;

/**
 * Applies every step newer than the database's version, in order, in one IMMEDIATE transaction
 * (two processes opening the same file at once cannot both upgrade it). Returns the new version.
 * Refuses a database written by a newer schema: old code must not write into tables it does not know.
 */
export function migrate(db: DatabaseSync, steps: readonly Migration[] = MIGRATIONS): number {
  db.exec("BEGIN IMMEDIATE");
  try {
    db.exec(`CREATE TABLE IF NOT EXISTS schema_version (
      version INTEGER PRIMARY KEY,
      name TEXT NOT NULL,
      applied_at TEXT NOT NULL
    )`);
    const row = db.prepare("SELECT COALESCE(MAX(version), 0) AS v FROM schema_version").get() as Row;
    let current = num(row, "v");
    const latest = steps[steps.length - 1]?.version ?? 0;
    if (current > latest) {
      throw BacalhauError.internal(
        `database schema version ${current} is newer than this program's ${latest}`,
        { component: COMPONENT, hint: "open it with a newer bacalhau-edge" },
      );
    }
    const record = db.prepare("INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)");
    for (const step of steps) {
      if (step.version <= current) continue;
      if (step.version !== current + 1) {
        throw BacalhauError.internal(`migration ${step.version} does not follow ${current}`, { component: COMPONENT });
      }
      db.exec(step.sql);
      record.run(step.version, step.name, new Date().toISOString());
      current = step.version;
    }
    db.exec("COMMIT");
    return current;
  } catch (err) {
    db.exec("ROLLBACK");
    throw err;
  }
}
