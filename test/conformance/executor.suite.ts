/**
 * The checks every Executor passes, written once against the interface: it says it is installed,
 * runs a trivial job to its exit code without an error, reports a job's own non-zero exit code as
 * data (not as a failure), never throws for a failing job, and stops promptly with `errorMsg` set
 * when the request's signal is aborted (before or during the run), using the abort reason's text.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import type { ExecutionRequest, Executor, PreparedVolume } from "../../src/executor/executor.ts";
import type { SpecConfig } from "../../src/models/types.ts";

export interface ExecutorJobFixture {
  engine: SpecConfig;
  inputs?: PreparedVolume[];
  env?: Record<string, string>;
}

export interface ExecutorFixtures {
  /** A job that succeeds. */
  hello: ExecutorJobFixture & { exitCode: number; stdout?: string };
  /** A job that ends with its own non-zero exit code (omit if the engine cannot). */
  exitCode?: ExecutorJobFixture & { exitCode: number };
  /** A job that writes to stdout and then never ends on its own (omit if the engine cannot). */
  forever?: ExecutorJobFixture;
}

export interface Captured {
  stdout(): string;
  stderr(): string;
  /** Resolves at the first stdout chunk. */
  firstStdout: Promise<void>;
}

/** A complete request for `fixture` with a fresh results folder (removed by `cleanup`). */
export function requestFor(
  fixture: ExecutorJobFixture,
  signal: AbortSignal,
  cleanup: (fn: () => void) => void,
): { req: ExecutionRequest; out: Captured } {
  const resultsDir = mkdtempSync(join(tmpdir(), "executor-suite-"));
  cleanup(() => rmSync(resultsDir, { recursive: true, force: true }));
  const out: Uint8Array[] = [];
  const err: Uint8Array[] = [];
  const { promise: firstStdout, resolve } = Promise.withResolvers<void>();
  const text = (chunks: Uint8Array[]) => new TextDecoder().decode(Buffer.concat(chunks));
  return {
    req: {
      jobID: "j-suite", executionID: "e-suite", jobType: "batch", partitionIndex: 0, partitionCount: 1,
      engine: fixture.engine,
      env: fixture.env ?? {},
      inputs: fixture.inputs ?? [],
      outputs: [],
      resultsDir,
      resources: { CPU: 0, Memory: 0, Disk: 0, GPU: 0 },
      network: { Type: "None" },
      logs: {
        stdout: (c) => {
          out.push(c);
          resolve();
        },
        stderr: (c) => void err.push(c),
      },
      signal,
    },
    out: { stdout: () => text(out), stderr: () => text(err), firstStdout },
  };
}

export function runExecutorSuite(
  name: string,
  makeExecutor: () => Executor | Promise<Executor>,
  fixtures: ExecutorFixtures,
): void {
  test(`${name}: executor conformance`, async (t) => {
    const executor = await makeExecutor();
    t.after(() => executor.close());
    const cleanup = (fn: () => void) => t.after(fn);

    await t.test("has a type and is installed", async () => {
      assert.ok(executor.type.length > 0);
      assert.equal(await executor.isInstalled(), true);
    });

    await t.test("runs a job to its exit code without an error", async () => {
      const { req, out } = requestFor(fixtures.hello, new AbortController().signal, cleanup);
      const result = await executor.run(req);
      assert.equal(result.errorMsg ?? "", "");
      assert.equal(result.exitCode, fixtures.hello.exitCode);
      if (fixtures.hello.stdout !== undefined) assert.equal(out.stdout(), fixtures.hello.stdout);
    });

    if (fixtures.exitCode) {
      const fixture = fixtures.exitCode;
      await t.test("reports the job's own exit code as data, not as a failure", async () => {
        const { req } = requestFor(fixture, new AbortController().signal, cleanup);
        const result = await executor.run(req);
        assert.equal(result.errorMsg ?? "", "");
        assert.equal(result.exitCode, fixture.exitCode);
      });
    }

    await t.test("an already-aborted request resolves with the abort reason", async () => {
      const ctrl = new AbortController();
      ctrl.abort(new Error("Execution timed out after 1s"));
      const { req } = requestFor(fixtures.hello, ctrl.signal, cleanup);
      const result = await executor.run(req);
      assert.equal(result.errorMsg, "Execution timed out after 1s");
    });

    await t.test("a plain abort reads as a cancellation", async () => {
      const ctrl = new AbortController();
      ctrl.abort();
      const { req } = requestFor(fixtures.hello, ctrl.signal, cleanup);
      const result = await executor.run(req);
      assert.equal(result.errorMsg, "execution cancelled");
    });

    if (fixtures.forever) {
      const fixture = fixtures.forever;
      await t.test("aborting a running job stops it and reports the reason", async () => {
        const ctrl = new AbortController();
        const { req, out } = requestFor(fixture, ctrl.signal, cleanup);
        const running = executor.run(req);
        await out.firstStdout; // the job is running for sure
        ctrl.abort(new Error("Execution timed out after 2s"));
        const result = await running;
        assert.equal(result.errorMsg, "Execution timed out after 2s");
      });

      await t.test("cancelling a running job reports execution cancelled", async () => {
        const ctrl = new AbortController();
        const { req, out } = requestFor(fixture, ctrl.signal, cleanup);
        const running = executor.run(req);
        await out.firstStdout;
        ctrl.abort();
        const result = await running;
        assert.equal(result.errorMsg, "execution cancelled");
      });

      await t.test("the executor still runs jobs after a stopped one", async () => {
        const { req } = requestFor(fixtures.hello, new AbortController().signal, cleanup);
        const result = await executor.run(req);
        assert.equal(result.errorMsg ?? "", "");
        assert.equal(result.exitCode, fixtures.hello.exitCode);
      });
    }
  });
}
