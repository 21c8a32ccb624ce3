// A store killed with SIGKILL mid-write keeps every transaction it reported committed, and the
// file stays intact. The writer is a real child process of the same runtime.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DatabaseSync } from "node:sqlite";
import { SqliteJobStore } from "../../src/store/sqlite/store.ts";

const WRITER = fileURLToPath(new URL("./fixtures/commit-loop.ts", import.meta.url));
/** Kill after this many reported commits: enough that the kill lands mid-loop, not before it starts. */
const KILL_AFTER = 300;

interface DenoRuntime {
  execPath(): string;
}

function writerCommand(dbPath: string): [string, string[]] {
  const deno = (globalThis as { Deno?: DenoRuntime }).Deno;
  if (deno !== undefined) return [deno.execPath(), ["run", "-A", WRITER, dbPath]];
  return [process.execPath, [WRITER, dbPath]];
}

test("committed jobs survive SIGKILL of the writing process", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "job-store-kill-"));
  const dbPath = join(dir, "jobs.db");

  const [cmd, args] = writerCommand(dbPath);
  const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => {
    child.on("close", (code, signal) => resolve({ code, signal }));
  });
  t.after(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    await exited;
  });
  // Registered after the kill so the folder goes only once the writer is gone.
  t.after(() => rmSync(dir, { recursive: true, force: true }));

  let out = "";
  let err = "";
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (err += chunk));
  const enough = new Promise<void>((resolve, reject) => {
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      out += chunk;
      if (out.split("\n").length > KILL_AFTER) resolve();
    });
    child.on("close", (code) => reject(new Error(`writer exited early (code ${code}): ${err}`)));
  });
  await enough;
  child.kill("SIGKILL");
  const { signal } = await exited;
  assert.equal(signal, "SIGKILL", "the writer must die by the kill, mid-loop");

  // Only complete lines count: a partial last line may be an ID whose write was cut.
  const printed = out.split("\n").slice(0, -1);
  assert.ok(printed.length >= KILL_AFTER);

  const raw = new DatabaseSync(dbPath);
  try {
    assert.deepEqual({ ...raw.prepare("PRAGMA integrity_check").get() }, { integrity_check: "ok" });
  } finally {
    raw.close();
  }
  const store = SqliteJobStore.open(dbPath);
  try {
    for (const id of printed) {
      assert.equal(store.getJob(id).ID, id);
      assert.equal(store.getJobHistory(id).length, 1);
    }
    assert.ok(store.listJobs({}).items.length >= printed.length);
  } finally {
    store.close();
  }
});
