/**
 * `POST /api/v1/run?timeout=4m`: submit a job and answer when it has ended, in one request. The job
 * is checked and submitted exactly as `PUT /api/v1/orchestrator/jobs` does it; the answer is 200
 * with the outcome (a Failed job included: the request itself worked) or, when the job outlives the
 * timeout, 202 with its current state and a Location to follow it. A client that hangs up stops
 * only the wait, never the job.
 */
import type { Context, Hono } from "hono";
import { BacalhauError } from "../../models/errors.ts";
import type { JsonObject } from "../../models/fields.ts";
import type { ApiDeps, ApiEnv } from "../deps.ts";
import { API_COMPONENT } from "../errors.ts";
import { requireOrchestrator } from "../lookup.ts";
import { refuseSubmissionFromJob } from "../middleware.ts";
import { queryString, readJsonBody, requestOrigin } from "../request.ts";
import { checkJobRequestBody } from "../job-body.ts";
import { parseRunTimeout, runRequestFromBody } from "../run-request.ts";
import { endedResponse, pendingResponse } from "../run-result.ts";
import { jobWaiter, waitForEnd } from "../run-wait.ts";

type Ctx = Context<ApiEnv>;
export const RUN_PATH = "/api/v1/run";

/** This API's address as the client used it (a TLS proxy says so in X-Forwarded-Proto). */
export function registerRunRoutes(app: Hono<ApiEnv>, deps: ApiDeps): void {
  app.post(RUN_PATH, async (c) => {
    // Same guard as the submit route: a job reaching the API through the egress proxy carries
    // this header, and jobs may not start jobs.
    refuseSubmissionFromJob(c);
    const orchestrator = requireOrchestrator(deps.orchestrator);
    const timeoutMs = parseRunTimeout(queryString(c, "timeout"));
    // readJsonBody gives the API's usual 400s before the text is parsed again for the raw object.
    const text = await checkJobRequestBody(c, deps);
    await readJsonBody(c, { required: true, text });
    const raw = JSON.parse(text) as JsonObject;
    const { job, warnings, force } = runRequestFromBody(raw, deps.submission);
    const submitted = orchestrator.submitJob(job, { force, warnings });
    const jobID = submitted.JobID;

    const outcome = await waitForEnd(jobWaiter(orchestrator), jobID, timeoutMs, c.req.raw.signal);
    const current = deps.store.getJob(jobID);
    const executions = deps.store.getExecutions(jobID, { jobVersion: current.Version });
    const allWarnings = [...new Set([...warnings, ...(submitted.Warnings ?? [])])];
    const extra = { EvaluationID: submitted.EvaluationID, Warnings: allWarnings.length > 0 ? allWarnings : null };
    if (outcome !== "ended") {
      c.header("Location", `/api/v1/orchestrator/jobs/${encodeURIComponent(jobID)}`);
      return c.json({ ...pendingResponse(current, executions), ...extra }, 202);
    }
    return c.json({ ...endedResponse(current, executions, requestOrigin(c)), ...extra });
  });
}
