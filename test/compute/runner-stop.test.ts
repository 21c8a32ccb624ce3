/**
 * An execution stopped while its input downloads reports why it was stopped (the node shutting
 * down, a cancel), not the download error the stop caused. The download is real: a local HTTP
 * server that takes the request and never answers.
 */
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { join } from "node:path";
import { test } from "node:test";
import { LogManager } from "../../src/compute/logs.ts";
import { runExecution, type RunnerDeps } from "../../src/compute/runner.ts";
import { stageExecution } from "../../src/compute/workspace.ts";
import { NoopExecutor } from "../../src/executor/noop/executor.ts";
import type { Execution, Job } from "../../src/models/types.ts";
import { createURLSource } from "../../src/storage/url/index.ts";
import type { ToOrchestrator } from "../../src/transport/messages.ts";
import { tempDir } from "../helpers/node.ts";

test("a stop during an input download reports the stop's reason", async (t) => {
  const requested = Promise.withResolvers<void>();
  const server = createServer(() => requested.resolve());
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.after(() => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  }));
  const port = (server.address() as { port: number }).port;

  const dir = tempDir(t);
  const reports: ToOrchestrator[] = [];
  const background: Promise<void>[] = [];
  const deps: RunnerDeps = {
    executors: new Map([["noop", new NoopExecutor()]]),
    storages: new Map([["urldownload", createURLSource()]]),
    publishers: new Map(),
    logs: new LogManager((id) => join(dir, id, "logs.jsonl")),
    executionsDir: dir,
    envAllowList: [],
    report: (msg) => {
      reports.push(msg);
      return Promise.resolve();
    },
    background: (work) => void background.push(work),
  };
  const job = {
    ID: "j-stop-test",
    Type: "batch",
    Count: 1,
    Tasks: [{
      Name: "main",
      Engine: { Type: "noop" },
      InputSources: [{ Target: "/inputs/data", Source: { Type: "urlDownload", Params: { URL: `http://127.0.0.1:${port}/data` } } }],
    }],
  } as unknown as Job;
  const exec = { ID: "e-stop-test", JobID: job.ID, PartitionIndex: 0, Job: job } as unknown as Execution & { Job: Job };

  const controller = new AbortController();
  const run = runExecution(deps, exec, controller.signal, stageExecution(dir, exec));
  await requested.promise;
  controller.abort(new Error("execution cancelled: node shutting down"));
  await run;
  await Promise.all(background);

  const outcome = reports.find((m) => m.type === "ComputeError" || m.type === "RunResult");
  assert.equal(outcome?.type, "ComputeError");
  assert.equal(outcome.message, "execution cancelled: node shutting down");
});
