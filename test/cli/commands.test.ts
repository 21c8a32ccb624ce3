import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, mkdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { parse } from "yaml";
import { main } from "../../src/cli/main.ts";
import { packPathToTarGz } from "../../src/codec/tar/index.ts";
import { fixtureJob, JOB_ID, startFixtureServer, type FixtureServer } from "../client/fixture-server.ts";
import { captureIO } from "./capture.ts";

async function withServer(t: { after(fn: () => Promise<void>): void }): Promise<FixtureServer> {
  const srv = await startFixtureServer();
  t.after(() => srv.close());
  return srv;
}

async function run(srv: FixtureServer, args: string[], cwd?: string) {
  const cap = captureIO({ cwd, env: { BACALHAU_API_HOST: "127.0.0.1", BACALHAU_API_PORT: String(srv.port) } });
  const code = await main(args, cap.io);
  return { code, stdout: cap.stdout(), stderr: cap.stderr() };
}

test("job list: table, default label filter and the next-page hint", async (t) => {
  const srv = await withServer(t);
  const r = await run(srv, ["job", "list"]);
  assert.equal(r.code, 0, r.stderr);
  const [header, row] = r.stdout.split("\n");
  assert.match(header ?? "", /^ CREATED\s+ID\s+NAME\s+JOB\s+TYPE\s+STATE$/);
  assert.match(row ?? "", /j-0b7c6a5e\s+hello\s+wasm\s+batch\s+Completed/);
  assert.match(r.stdout, /To fetch more records use:\n\tbacalhau job list --limit 10 --next-token next-1\n/);
  const q = new URLSearchParams(srv.requests.at(-1)?.query);
  assert.equal(q.get("labels"), "bacalhau_canary != true");
  assert.equal(q.get("limit"), "10");

  const json = await run(srv, ["job", "list", "--output", "json"]);
  assert.equal(JSON.parse(json.stdout)[0].ID, JOB_ID);
});

test("job describe: key=value header, summary, tables and standard output", async (t) => {
  const srv = await withServer(t);
  const r = await run(srv, ["job", "describe", "hello"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`^ID            = ${JOB_ID}\n`));
  assert.match(r.stdout, /State         = Completed\n/);
  assert.match(r.stdout, /Summary\nCompleted = 1\n/);
  assert.match(r.stdout, /Job History\n TIME\s+TOPIC\s+EVENT\n/);
  assert.match(r.stdout, /Executions\n CREATED\s+MODIFIED\s+ID\s+NODE ID\s+REV\.\s+STATE\s+DESIRED\n/);
  assert.match(r.stdout, /Standard Output\nhello world\n/);
  const y = await run(srv, ["job", "describe", "hello", "--output", "yaml"]);
  assert.equal(parse(y.stdout).Job.ID, JOB_ID);
});

test("wasm run --wait: progress rows, the details blocks, exit 0 on Completed", async (t) => {
  const srv = await withServer(t);
  const r = await run(srv, ["wasm", "run", "/app/main.wasm", "-p", "local"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /Warning: job ID is ignored/);
  assert.match(r.stdout, new RegExp(`^Job successfully submitted\\. Job ID: ${JOB_ID}\nChecking job status\\.\\.\\.`));
  assert.match(r.stdout, /\n TIME\s+EXEC\. ID\s+TOPIC\s+EVENT\n/);
  assert.match(r.stdout, /e-9f8e7d6c\s+Execution\s+Completed successfully\n/);
  assert.doesNotMatch(r.stdout, /Job submitted/);
  assert.match(r.stdout, new RegExp(`To get more details about the run, execute:\n\tbacalhau job describe ${JOB_ID}\n`));
  assert.match(r.stdout, new RegExp(`To download the results, execute:\n\tbacalhau job get ${JOB_ID}\n`));
  const put = srv.requests.find((q) => q.method === "PUT");
  assert.deepEqual((put?.body as { Job: { Tasks: { Engine: unknown }[] } }).Job.Tasks[0]?.Engine, {
    Type: "wasm",
    Params: { EntryModule: "/app/main.wasm", Entrypoint: "_start", Parameters: [], ImportModules: [] },
  });
});

test("a Failed job makes wasm run and job run exit 1; --wait=false prints only the ID", async (t) => {
  const srv = await withServer(t);
  srv.state.job = fixtureJob({ State: { StateType: "Failed", Message: "boom" } });
  const r = await run(srv, ["wasm", "run", "/app/main.wasm", "--id-only"]);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, `${JOB_ID}\n`);
  const nowait = await run(srv, ["wasm", "run", "/app/main.wasm", "--wait=false"]);
  assert.equal(nowait.code, 0);
  assert.equal(nowait.stdout, `${JOB_ID}\n`);

  const dir = await mkdtemp(join(tmpdir(), "cli-jobrun-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, "job.yaml"), "Type: batch\nTasks:\n  - Name: main\n    Engine:\n      Type: noop\n");
  const jr = await run(srv, ["job", "run", "job.yaml", "--force", "--hide-warnings"], dir);
  assert.equal(jr.code, 1);
  assert.match(jr.stderr, /\nError: job failed: boom\n/);
  assert.doesNotMatch(jr.stderr, /Warning/);
  const put = srv.requests.filter((q) => q.method === "PUT").at(-1);
  assert.deepEqual(put?.body, { Job: { Type: "batch", Tasks: [{ Name: "main", Engine: { Type: "noop" } }] }, Force: true });
});

test("job stop refuses a terminal job and stops a running one", async (t) => {
  const srv = await withServer(t);
  const done = await run(srv, ["job", "stop", JOB_ID]);
  assert.equal(done.code, 1);
  assert.match(done.stderr, /Error: Job is already in a terminal state. The current state is: Completed/);
  srv.state.job = fixtureJob({ State: { StateType: "Running" } });
  const ok = await run(srv, ["job", "stop", JOB_ID]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /Job stop successfully submitted with evaluation ID: ev-stop\n/);
  assert.deepEqual(srv.requests.at(-1)?.body, { reason: "Stopped at user request" });
});

test("job get downloads, extracts and merges results; says so when there are none", async (t) => {
  const srv = await withServer(t);
  const dir = await mkdtemp(join(tmpdir(), "cli-get-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const none = await run(srv, ["job", "get", JOB_ID], dir);
  assert.match(none.stdout, /^No results found\n/);

  const results = join(dir, "published");
  await mkdir(join(results, "outputs"), { recursive: true });
  await writeFile(join(results, "stdout"), "out\n");
  await writeFile(join(results, "exitCode"), "0");
  await writeFile(join(results, "outputs", "a.txt"), "A");
  srv.state.resultBytes = await packPathToTarGz(results);
  const url = `${srv.url}/results/e-1.tar.gz`;
  srv.state.results = [{ Type: "urlDownload", Params: { URL: url } }, { Type: "urlDownload", Params: { URL: url } }];

  const r = await run(srv, ["job", "get", JOB_ID], dir);
  assert.equal(r.code, 0, r.stderr);
  const outDir = join(dir, "job-j-0b7c6a5e");
  assert.equal(r.stdout, `Results for job '${JOB_ID}' have been written to...\n${outDir}\n`);
  assert.equal(await readFile(join(outDir, "stdout"), "utf8"), "out\nout\n");
  assert.equal(await readFile(join(outDir, "outputs", "a.txt"), "utf8"), "A");

  const raw = await run(srv, ["job", "get", JOB_ID, "--raw", "--output-dir", "raw"], dir);
  assert.equal(raw.code, 0, raw.stderr);
  assert.deepEqual(await readFile(join(dir, "raw", "e-1.tar.gz")), Buffer.from(srv.state.resultBytes));
});

test("logs, executions, history, versions, rerun, nodes, agent and version commands", async (t) => {
  const srv = await withServer(t);
  srv.state.logFrames = [JSON.stringify({ value: { Type: 1, Line: "line 1\n" } })];
  assert.equal((await run(srv, ["job", "logs", JOB_ID, "-f"])).stdout, "line 1\n");
  assert.match((await run(srv, ["job", "executions", JOB_ID])).stdout, /e-9f8e7d6c\s+n-12345678\s+4\s+Completed\s+Stopped/);
  const hist = await run(srv, ["job", "history", JOB_ID, "--event-type", "execution", "--execution-id", "e-9f"]);
  assert.match(hist.stdout, /^ TIME\s+LEVEL\s+EXEC\. ID\s+TOPIC\s+EVENT\n/);
  assert.match(srv.requests.at(-1)?.query ?? "", /event_type=execution&execution_id=e-9f/);
  assert.match((await run(srv, ["job", "versions", JOB_ID])).stdout, /VERSION/);
  assert.match((await run(srv, ["job", "rerun", JOB_ID])).stdout, /Job Version: 2/);
  assert.match((await run(srv, ["node", "list"])).stdout, /n-12345678\s+Compute\s+APPROVED\s+CONNECTED/);
  assert.equal(parse((await run(srv, ["node", "describe", "n-1"])).stdout).Membership, "APPROVED");
  assert.equal((await run(srv, ["node", "approve", "n-1", "-m", "welcome"])).stdout, "Ok\n");
  assert.deepEqual(srv.requests.at(-1)?.body, { NodeID: "n-1", Action: "approve", Message: "welcome" });
  assert.equal((await run(srv, ["agent", "alive"])).stdout, "Status: OK\n");
  assert.equal((await run(srv, ["agent", "version"])).stdout, "Bacalhau v1.9.3\nBuildDate 2025-01-01\nGitCommit abc\n");
  assert.equal(parse((await run(srv, ["agent", "node"])).stdout).NodeID, "n-12345678-aaaa-4bbb-8ccc-dddddddddddd");
  assert.deepEqual(parse((await run(srv, ["agent", "config"])).stdout), { API: { Port: 1234 } });
  assert.match((await run(srv, ["version"])).stdout, /^ CLIENT\s+SERVER\n v1\.9\.3\s+v1\.9\.3\n$/);
  const flagged = await run(srv, ["--api-port", "1", "agent", "alive"]);
  assert.equal(flagged.code, 1);
  assert.match(flagged.stderr, /127\.0\.0\.1:1 is unreachable/);
});
