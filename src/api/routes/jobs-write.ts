/** Job write routes: submit (PUT/POST), diff, stop (DELETE) and rerun. */
import type { Context, Hono } from "hono";
import { BacalhauError } from "../../models/errors.ts";
import { diffJobs } from "../../models/diff.ts";
import type { Fields } from "../../models/fields.ts";
import { acceptJob } from "../../models/accept.ts";
import { checkJobRequestBody } from "../job-body.ts";
import type { Job } from "../../models/types.ts";
import type { ApiDeps, ApiEnv } from "../deps.ts";
import { API_COMPONENT, badParam } from "../errors.ts";
import { findJob, requireOrchestrator } from "../lookup.ts";
import { refuseSubmissionFromJob } from "../middleware.ts";
import { queryString, readJsonBody } from "../request.ts";

type Ctx = Context<ApiEnv>;
const JOBS = "/api/v1/orchestrator/jobs";

/** Normalise, sanitise and validate the `Job` of a request body. */
function jobFromBody(body: Fields, deps: ApiDeps): { job: Job; warnings: string[] } {
  const raw = body.raw("Job");
  if (raw === undefined) throw badParam("Job", "request body has no Job", "send {\"Job\": {...}}");
  return acceptJob(raw, deps.submission);
}

export function registerJobWriteRoutes(app: Hono<ApiEnv>, deps: ApiDeps): void {
  const submit = async (c: Ctx) => {
    refuseSubmissionFromJob(c);
    const orchestrator = requireOrchestrator(deps.orchestrator);
    const text = await checkJobRequestBody(c, deps);
    const body = await readJsonBody(c, { required: true, text });
    const { job, warnings } = jobFromBody(body, deps);
    const result = orchestrator.submitJob(job, { force: body.bool("Force"), warnings });
    const all = [...new Set([...warnings, ...(result.Warnings ?? [])])];
    return c.json({ ...result, Warnings: all.length > 0 ? all : null });
  };
  app.put(JOBS, submit);
  app.post(JOBS, submit);

  app.put(`${JOBS}/diff`, async (c) => {
    const text = await checkJobRequestBody(c, deps);
    const body = await readJsonBody(c, { required: true, text });
    const { job, warnings } = jobFromBody(body, deps);
    if (!job.Name) throw badParam("Job.Name", "job name is required to diff a job", "set Job.Name");
    let current: Job | undefined;
    try {
      current = findJob(deps.store, job.Name, job.Namespace);
    } catch (e) {
      if (!(e instanceof BacalhauError && e.status === 404)) throw e;
    }
    return c.json({ Diff: diffJobs(current, job), Warnings: warnings.length > 0 ? warnings : null });
  });

  app.delete(`${JOBS}/:id`, async (c) => {
    const orchestrator = requireOrchestrator(deps.orchestrator);
    const body = await readJsonBody(c, { required: false });
    // Bacalhau binds the reason from the JSON body; its generated Python client sends it as the
    // `reason` query parameter (with a `{}` body), so that is read when the body has none.
    const reason = body.string("Reason") || (queryString(c, "reason") ?? "");
    const res = orchestrator.stopJob(c.req.param("id"), queryString(c, "namespace") ?? "", reason);
    return c.json({ EvaluationID: res.EvaluationID });
  });

  app.put(`${JOBS}/:id/rerun`, async (c) => {
    const orchestrator = requireOrchestrator(deps.orchestrator);
    const body = await readJsonBody(c, { required: false });
    const version = body.int("JobVersion");
    if (version < 0) throw badParam("JobVersion", "JobVersion must be >= 0", "use 0 for the latest version");
    const res = orchestrator.rerunJob(c.req.param("id"), queryString(c, "namespace") ?? "", version, body.string("Reason"));
    return c.json({ ...res, Warnings: res.Warnings && res.Warnings.length > 0 ? res.Warnings : null });
  });
}
