/**
 * A job's published results: the listing, and the download of `local`-published ones through this
 * requester. The `local` publisher keeps a result on the compute node that ran the execution, which
 * a client may not be able to reach (a node behind NAT that dialed out); so the listing points such
 * results at this API, and the download streams the bytes from the compute node over the transport.
 */
import type { Context, Hono } from "hono";
import { BacalhauError } from "../../models/errors.ts";
import { ExecutionStateType, JobType } from "../../models/types.ts";
import type { Execution, Job, SpecConfig } from "../../models/types.ts";
import type { ApiDeps, ApiEnv } from "../deps.ts";
import { API_COMPONENT } from "../errors.ts";
import { findJob, requireOrchestrator } from "../lookup.ts";
import { queryString, requestOrigin } from "../request.ts";

type Ctx = Context<ApiEnv>;
const JOBS = "/api/v1/orchestrator/jobs";
/** Results are named like the local publisher's files, so `job get --raw` keeps the same file names. */
const SUFFIX = ".tar.gz";

const isLocallyPublished = (job: Job) => job.Tasks[0]?.Publisher?.Type?.toLowerCase() === "local";

/** This API's own address as the client used it (behind a TLS proxy, X-Forwarded-Proto says https). */
export function resultURL(origin: string, jobID: string, executionID: string): string {
  return `${origin}${JOBS}/${encodeURIComponent(jobID)}/results/${encodeURIComponent(executionID)}${SUFFIX}`;
}

function publishedResult(c: Ctx, job: Job, e: Execution): SpecConfig {
  if (!isLocallyPublished(job)) return e.PublishedResult;
  return { Type: "urlDownload", Params: { URL: resultURL(requestOrigin(c), job.ID, e.ID) } };
}

/** An async iterator as a web stream; cancelling the stream stops the iterator. */
function toStream(it: AsyncIterator<Uint8Array>, first: IteratorResult<Uint8Array>, stop: () => void): ReadableStream<Uint8Array> {
  let pending: IteratorResult<Uint8Array> | undefined = first;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const r = pending ?? (await it.next());
      pending = undefined;
      if (r.done) controller.close();
      else controller.enqueue(r.value);
    },
    async cancel() {
      stop();
      await it.return?.();
    },
  });
}

export function registerJobResultRoutes(app: Hono<ApiEnv>, deps: ApiDeps): void {
  const { store } = deps;

  app.get(`${JOBS}/:id/results`, (c) => {
    const job = findJob(store, c.req.param("id"), queryString(c, "namespace"));
    if (job.Type !== JobType.Batch && job.Type !== JobType.Ops) {
      // Bacalhau answers 500 here; kept for wire compatibility.
      throw BacalhauError.internal(`job type ${job.Type} does not support results; only batch and ops jobs do`, {
        component: API_COMPONENT,
        hint: "read the logs of long-running jobs instead",
      });
    }
    const items = store.getExecutions(job.ID, { jobVersion: job.Version })
      .filter((e) => e.ComputeState.StateType === ExecutionStateType.Completed && e.PublishedResult?.Type)
      .map((e) => publishedResult(c, job, e));
    return c.json({ Items: items, NextToken: "" });
  });

  // Hono answers HEAD with the GET route; HEAD checks the result is there without sending it.
  app.get(`${JOBS}/:id/results/:executionID`, async (c) => {
    const orchestrator = requireOrchestrator(deps.orchestrator);
    const namespace = queryString(c, "namespace");
    const job = findJob(store, c.req.param("id"), namespace);
    const param = c.req.param("executionID");
    const executionID = param.endsWith(SUFFIX) ? param.slice(0, -SUFFIX.length) : param;
    const controller = new AbortController();
    const stop = () => controller.abort(new Error("the client went away"));
    c.req.raw.signal.addEventListener("abort", stop, { once: true });
    const it = orchestrator.fetchResult({ jobID: job.ID, executionID, ...(namespace ? { namespace } : {}) }, controller.signal)[
      Symbol.asyncIterator
    ]();
    // Wait for the first chunk before answering, so a missing result or an unreachable node is an
    // HTTP error status rather than a download cut short.
    let first: IteratorResult<Uint8Array>;
    try {
      first = await it.next();
    } catch (err) {
      stop();
      throw err;
    }
    const headers = {
      "Content-Type": "application/gzip",
      "Content-Disposition": `attachment; filename="${executionID}${SUFFIX}"`,
    };
    if (c.req.method === "HEAD") {
      stop();
      await it.return?.();
      return new Response(null, { status: 200, headers });
    }
    return new Response(toStream(it, first, stop), { status: 200, headers });
  });
}
