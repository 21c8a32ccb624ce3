/**
 * The checks every JobStore implementation must pass, written once against the interface.
 * Each case opens a fresh store and closes it, even when the case fails.
 *
 * @example
 * ```ts
 * runJobStoreSuite("sqlite :memory:", () => SqliteJobStore.open(":memory:"));
 * ```
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { JobStore } from "../../src/store/store.ts";
import { BacalhauError } from "../../src/models/errors.ts";
import { makeEvaluation, makeEvent, makeJob, makeNode } from "../store/fixtures/models.ts";
import { executionCases, historyCases } from "../store/fixtures/suite-executions.ts";

export type OpenStore = () => JobStore | Promise<JobStore>;

/** Runs fn on a fresh store and always closes it. */
export async function withStore(open: OpenStore, fn: (store: JobStore) => void | Promise<void>): Promise<void> {
  const store = await open();
  try {
    await fn(store);
  } finally {
    store.close();
  }
}

/** Asserts fn throws a BacalhauError with this code and status (and message, when given). */
export function assertStoreError(fn: () => unknown, code: string, status: number, message?: string | RegExp): BacalhauError {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof BacalhauError, `expected a BacalhauError, got ${String(caught)}`);
  assert.equal(caught.code, code);
  assert.equal(caught.status, status);
  if (typeof message === "string") assert.equal(caught.message, message);
  else if (message !== undefined) assert.match(caught.message, message);
  return caught;
}

export function runJobStoreSuite(name: string, open: OpenStore): void {
  const use = (fn: (store: JobStore) => void | Promise<void>) => () => withStore(open, fn);

  describe(`JobStore conformance: ${name}`, () => {
    describe("transactions", () => {
      it("keeps every call of a committed transaction and returns fn's value", use((s) => {
        const job = makeJob();
        const got = s.transaction(() => {
          s.createJob(job);
          s.createEvaluation(makeEvaluation(job));
          return 42;
        });
        assert.equal(got, 42);
        assert.deepEqual(s.getJob(job.ID), job);
        assert.equal(s.listPendingEvaluations().length, 1);
      }));

      it("keeps none of them when fn throws", use((s) => {
        const job = makeJob();
        assert.throws(() => s.transaction(() => {
          s.createJob(job);
          s.addJobHistory(job.ID, 1, makeEvent("Job submitted"));
          throw new Error("boom");
        }), /boom/);
        assertStoreError(() => s.getJob(job.ID), "NotFound", 404);
      }));

      it("undoes only a nested call whose error the outer call catches", use((s) => {
        const outer = makeJob();
        const inner = makeJob();
        s.transaction(() => {
          s.createJob(outer);
          try {
            s.transaction(() => {
              s.createJob(inner);
              throw new Error("inner");
            });
          } catch { /* the outer transaction goes on */ }
        });
        assert.deepEqual(s.getJob(outer.ID), outer);
        assertStoreError(() => s.getJob(inner.ID), "NotFound", 404);
      }));

      it("undoes nested work when the outer transaction fails", use((s) => {
        const job = makeJob();
        assert.throws(() => s.transaction(() => {
          s.transaction(() => s.createJob(job));
          throw new Error("outer");
        }), /outer/);
        assertStoreError(() => s.getJob(job.ID), "NotFound", 404);
      }));
    });

    describe("jobs", () => {
      it("stores a job exactly, nanosecond times included", use((s) => {
        const job = makeJob({ CreateTime: 1761000000123456800, ModifyTime: 1761000000987654400, Labels: { a: "b" } });
        s.createJob(job);
        assert.deepEqual(s.getJob(job.ID), job);
        assert.deepEqual(s.getJobVersions(job.ID), [job]);
        assert.deepEqual(s.getJobVersion(job.ID, 1), job);
      }));

      it("refuses a duplicate ID or a duplicate name in the namespace", use((s) => {
        const job = makeJob({ Name: "etl" });
        s.createJob(job);
        assertStoreError(() => s.createJob(makeJob({ ID: job.ID, Name: "other" })), "Conflict", 409);
        assertStoreError(() => s.createJob(makeJob({ Name: "etl" })), "Conflict", 409);
        const elsewhere = makeJob({ Name: "etl", Namespace: "team-b" });
        s.createJob(elsewhere);
        assert.equal(s.getJob(elsewhere.ID).Namespace, "team-b");
      }));

      it("reports a missing job as 404 from the JobStore component", use((s) => {
        const err = assertStoreError(() => s.getJob("j-missing"), "NotFound", 404, "job not found: j-missing");
        assert.equal(err.component, "JobStore");
      }));

      it("finds by name in the namespace, then exact ID, then unique ID prefix", use((s) => {
        const a = makeJob({ ID: "j-aaaa1111-0000-4000-8000-000000000001", Name: "alpha" });
        const b = makeJob({ ID: "j-aaaa2222-0000-4000-8000-000000000002", Name: "beta", Namespace: "team-b" });
        const c = makeJob({ ID: "j-cccc3333-0000-4000-8000-000000000003", Name: a.ID });
        for (const j of [a, b, c]) s.createJob(j);
        assert.equal(s.findJob("alpha").ID, a.ID);
        assert.equal(s.findJob("alpha", "").ID, a.ID);
        assert.equal(s.findJob("alpha", "default").ID, a.ID);
        assert.equal(s.findJob("beta", "team-b").ID, b.ID);
        // The name lookup wins over an ID that matches another job.
        assert.equal(s.findJob(a.ID).ID, c.ID);
        assert.equal(s.findJob(b.ID).ID, b.ID);
        assert.equal(s.findJob("j-cccc3333").ID, c.ID);
        assert.equal(s.findJob("j-aaaa2").ID, b.ID);
        const err = assertStoreError(() => s.findJob("j-aaaa"), "BadRequest", 400, "multiple jobs found for id prefix j-aaaa");
        assert.equal(err.component, "JobStore");
        assertStoreError(() => s.findJob("j-ffff"), "NotFound", 404, "job not found: j-ffff");
        assertStoreError(() => s.findJob("beta"), "NotFound", 404, "job not found: beta");
      }));

      it("stores new versions and keeps the old ones", use((s) => {
        const v1 = makeJob({ Name: "etl" });
        s.createJob(v1);
        const v2: typeof v1 = { ...v1, Version: 2, Count: 3, ModifyTime: v1.ModifyTime + 1024 };
        s.updateJob(v2);
        assert.deepEqual(s.getJob(v1.ID), v2);
        assert.deepEqual(s.getJobVersions(v1.ID), [v1, v2]);
        assert.deepEqual(s.getJobVersion(v1.ID, 1), v1);
        assert.equal(s.findJob("etl").Version, 2);
        assertStoreError(() => s.updateJob({ ...v2, Version: 4 }), "Conflict", 409);
        assertStoreError(() => s.updateJob(makeJob({ Version: 2 })), "NotFound", 404);
        assertStoreError(() => s.getJobVersion(v1.ID, 9), "NotFound", 404);
        assertStoreError(() => s.getJobVersions("j-missing"), "NotFound", 404);
      }));

      it("changes state with a new Revision and ModifyTime", use((s) => {
        const job = makeJob();
        s.createJob(job);
        const running = s.updateJobState({ jobID: job.ID, newState: "Running", message: "go", expectedStates: ["Pending"] });
        assert.equal(running.State.StateType, "Running");
        assert.equal(running.State.Message, "go");
        assert.equal(running.Revision, job.Revision + 1);
        assert.ok(running.ModifyTime > job.ModifyTime);
        assert.equal(running.CreateTime, job.CreateTime);
        assert.deepEqual(s.getJob(job.ID), running);
        assertStoreError(() => s.updateJobState({ jobID: job.ID, newState: "Completed", expectedStates: ["Pending"] }),
          "Conflict", 409);
        assert.equal(s.getJob(job.ID).State.StateType, "Running");
        assertStoreError(() => s.updateJobState({ jobID: "j-missing", newState: "Running" }), "NotFound", 404);
      }));

      it("refuses to move a terminal job to another state", use((s) => {
        const job = makeJob();
        s.createJob(job);
        s.updateJobState({ jobID: job.ID, newState: "Completed" });
        assertStoreError(() => s.updateJobState({ jobID: job.ID, newState: "Running" }), "Conflict", 409,
          `job ${job.ID} is in terminal state Completed and cannot transition to Running`);
        assert.equal(s.getJob(job.ID).State.StateType, "Completed");
      }));

      it("lists the jobs that are not terminal", use((s) => {
        const [a, b, c] = [makeJob(), makeJob(), makeJob()];
        for (const j of [a, b, c]) s.createJob(j);
        s.updateJobState({ jobID: b.ID, newState: "Failed" });
        s.updateJobState({ jobID: c.ID, newState: "Running" });
        assert.deepEqual(s.listNonTerminalJobs().map((j) => j.ID).sort(), [a.ID, c.ID].sort());
      }));

      it("lists jobs sorted, filtered, then paged", use((s) => {
        const base = 1700000000000000000;
        const jobs = [0, 1, 2, 3, 4].map((i) => makeJob({
          ID: `j-0000000${i}-0000-4000-8000-000000000000`, CreateTime: base + i * 1024, ModifyTime: base + i * 1024,
          Labels: { even: String(i % 2 === 0) }, Namespace: i === 4 ? "other" : "default",
        }));
        for (const j of [...jobs].reverse()) s.createJob(j);
        const ids = (r: { items: { ID: string }[] }) => r.items.map((j) => j.ID);
        const all = jobs.map((j) => j.ID);
        assert.deepEqual(ids(s.listJobs({})), all);
        assert.deepEqual(ids(s.listJobs({ namespace: "*" })), all);
        assert.deepEqual(ids(s.listJobs({ namespace: "" })), all);
        assert.deepEqual(ids(s.listJobs({ namespace: "default" })), all.slice(0, 4));
        assert.deepEqual(ids(s.listJobs({ reverse: true })), [...all].reverse());
        assert.deepEqual(s.listJobs({ limit: 2 }), { items: jobs.slice(0, 2), more: true });
        assert.deepEqual(s.listJobs({ limit: 2, offset: 3 }), { items: jobs.slice(3), more: false });
        assert.deepEqual(s.listJobs({ limit: 0, offset: 4 }), { items: jobs.slice(4), more: false });
        const even = (j: { Labels: Record<string, string> }) => j.Labels.even === "true";
        assert.deepEqual(s.listJobs({ filter: even, limit: 1, offset: 1 }), { items: [jobs[2]], more: true });
        assert.deepEqual(s.listJobs({ filter: even, limit: 5, offset: 1, reverse: true }), { items: [jobs[2], jobs[0]], more: false });
        // A state change moves a job to the end of the modified_at order.
        s.updateJobState({ jobID: jobs[0]!.ID, newState: "Running" });
        assert.deepEqual(ids(s.listJobs({ orderBy: "modified_at" })), [...all.slice(1), all[0]]);
        assert.deepEqual(ids(s.listJobs({ orderBy: "modified_at", reverse: true, limit: 1 })), [all[0]]);
      }));

      it("breaks ties in creation time by ID", use((s) => {
        const t = 1700000000000000000;
        const ids = ["j-bbbb", "j-aaaa", "j-cccc"];
        for (const id of ids) s.createJob(makeJob({ ID: id, CreateTime: t, ModifyTime: t }));
        assert.deepEqual(s.listJobs({}).items.map((j) => j.ID), ["j-aaaa", "j-bbbb", "j-cccc"]);
        assert.deepEqual(s.listJobs({ reverse: true }).items.map((j) => j.ID), ["j-cccc", "j-bbbb", "j-aaaa"]);
      }));
    });

    executionCases(use);
    historyCases(use);

    describe("evaluations", () => {
      it("creates, reads, updates and deletes", use((s) => {
        const job = makeJob();
        s.createJob(job);
        const ev = makeEvaluation(job);
        s.createEvaluation(ev);
        assert.deepEqual(s.getEvaluation(ev.ID), ev);
        assertStoreError(() => s.createEvaluation(ev), "Conflict", 409);
        const done = { ...ev, Status: "complete", ModifyTime: ev.ModifyTime + 1024 };
        s.updateEvaluation(done);
        assert.deepEqual(s.getEvaluation(ev.ID), done);
        s.deleteEvaluation(ev.ID);
        assertStoreError(() => s.getEvaluation(ev.ID), "NotFound", 404);
        assertStoreError(() => s.updateEvaluation(done), "NotFound", 404);
      }));

      it("lists pending evaluations oldest first", use((s) => {
        const job = makeJob();
        s.createJob(job);
        const t = 1700000000000000000;
        const late = makeEvaluation(job, { CreateTime: t + 2048 });
        const early = makeEvaluation(job, { CreateTime: t });
        const finished = makeEvaluation(job, { CreateTime: t + 1024, Status: "complete" });
        for (const e of [late, finished, early]) s.createEvaluation(e);
        assert.deepEqual(s.listPendingEvaluations().map((e) => e.ID), [early.ID, late.ID]);
      }));
    });

    describe("nodes", () => {
      it("puts, replaces, gets, lists and deletes node states", use((s) => {
        assert.equal(s.getNode("n-1"), undefined);
        const n2 = makeNode("n-2");
        const n1 = makeNode("n-1");
        s.putNode(n2);
        s.putNode(n1);
        assert.deepEqual(s.getNode("n-1"), n1);
        const rejected = { ...n1, Membership: "REJECTED" };
        s.putNode(rejected);
        assert.deepEqual(s.getNode("n-1"), rejected);
        assert.deepEqual(s.listNodes(), [rejected, n2]);
        s.deleteNode("n-1");
        assert.deepEqual(s.listNodes(), [n2]);
        assert.equal(s.getNode("n-1"), undefined);
      }));
    });
  });
}
