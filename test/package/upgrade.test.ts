/**
 * Upgrades in place: a node of this version started on a data dir written before data dirs recorded
 * their format (and whose job store has the first schema) brings both up to date and serves the old
 * jobs; a data dir recorded by a newer version is refused before anything in it is touched.
 */
import assert from "node:assert/strict";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { test } from "node:test";
import type { Job } from "../../src/models/types.ts";
import { DATA_DIR_FORMAT, FORMAT_FILE } from "../../src/node/data-dir-format.ts";
import { migrate, MIGRATIONS, SCHEMA_VERSION } from "../../src/store/sqlite/migrations.ts";
import { tempDir } from "../helpers/node.ts";
import { runCli, startServe, stopGracefully } from "../helpers/spawn.ts";
import { makeJob } from "../store/fixtures/models.ts";

const serveArgs = (dataDir: string) => ["--orchestrator", "--compute", "--no-p2p", "--api-host", "127.0.0.1",
  "--api-port", "0", "--data-dir", dataDir, "--local-publisher-port", "0"];

/** A job store as the first schema wrote it, holding one finished job. */
function firstSchemaStore(dataDir: string, job: Job): void {
  mkdirSync(join(dataDir, "orchestrator"), { recursive: true });
  const db = new DatabaseSync(join(dataDir, "orchestrator", "jobs.db"));
  try {
    migrate(db, MIGRATIONS.slice(0, 1));
    db.prepare(`INSERT INTO jobs (id, name, namespace, state, version, create_time, modify_time, json)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?)`).run(job.ID, job.Name, job.Namespace, job.State.StateType, job.Version,
      job.CreateTime, job.ModifyTime, JSON.stringify(job));
    db.prepare("INSERT INTO job_versions (job_id, version, json) VALUES (?, ?, ?)").run(job.ID, job.Version, JSON.stringify(job));
  } finally {
    db.close();
  }
}

function schemaVersion(dataDir: string): number {
  const db = new DatabaseSync(join(dataDir, "orchestrator", "jobs.db"));
  try {
    return Number((db.prepare("SELECT MAX(version) AS v FROM schema_version").get() as { v: number }).v);
  } finally {
    db.close();
  }
}

test("data dir upgrades", async (suite) => {
  await suite.test("a newer node migrates an older data dir and serves its jobs", async (t) => {
    const dataDir = tempDir(t, "bacalhau-upgrade-");
    const old = makeJob({ Name: "from-before", State: { StateType: "Completed", Message: "done long ago" } });
    firstSchemaStore(dataDir, old);

    const serve = await startServe(serveArgs(dataDir));
    t.after(() => serve.child.kill("SIGKILL"));
    const env = { BACALHAU_API_HOST: "127.0.0.1", BACALHAU_API_PORT: String(serve.port) };
    const described = await runCli(["job", "describe", "from-before", "--output", "json"], env);
    assert.equal(described.code, 0, described.stderr);
    const job = JSON.parse(described.stdout).Job as Job;
    assert.equal(job.ID, old.ID);
    assert.deepEqual(job.State, old.State);
    await stopGracefully(serve);

    const record = JSON.parse(readFileSync(join(dataDir, FORMAT_FILE), "utf8"));
    assert.equal(record.Format, DATA_DIR_FORMAT);
    assert.match(record.WrittenBy, /^bacalhau-edge-\d+\.\d+\.\d+/);
    assert.equal(schemaVersion(dataDir), SCHEMA_VERSION);
  });

  await suite.test("an older node refuses a data dir of a newer format and leaves it untouched", async (t) => {
    const dataDir = tempDir(t, "bacalhau-upgrade-");
    const newer = DATA_DIR_FORMAT + 1;
    writeFileSync(join(dataDir, FORMAT_FILE), JSON.stringify({ Format: newer, WrittenBy: "bacalhau-edge-9.0.0" }));

    const attempt = startServe(serveArgs(dataDir));
    attempt.then((s) => s.child.kill("SIGKILL"), () => {});
    const err = await attempt.then(() => undefined, (e: Error) => e);
    assert.ok(err, "serve must not start on a newer data dir");
    assert.match(err.message, /exited \(1\)/);
    assert.match(err.message, new RegExp(`\\nError: data dir .+ has format ${newer} \\(written by bacalhau-edge-9\\.0\\.0\\), ` +
      `newer than bacalhau-edge-\\S+ understands \\(format ${DATA_DIR_FORMAT}\\); it was left untouched\\n` +
      "Hint: run a bacalhau-edge at least as new as the one that wrote it, or pass another --data-dir\\n"));
    assert.deepEqual(readdirSync(dataDir), [FORMAT_FILE]);
  });

  await suite.test("a damaged format record stops the node with the file named, not a crash", async (t) => {
    const dataDir = tempDir(t, "bacalhau-upgrade-");
    for (const [text, said] of [["{", /is not valid JSON/], ['{"Format": "1"}', /Format must be a whole number, got "1"/]] as const) {
      writeFileSync(join(dataDir, FORMAT_FILE), text);
      const r = await runCli(["serve", ...serveArgs(dataDir)]);
      assert.equal(r.code, 1, r.stdout);
      assert.match(r.stderr, new RegExp(`^\\nError: .*${FORMAT_FILE}.*${said.source}.*\\nHint: restore`, "s"));
      assert.deepEqual(readdirSync(dataDir), [FORMAT_FILE]);
    }
  });
});
