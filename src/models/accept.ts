/**
 * The one way a node accepts a submitted job (PUT/POST /jobs, the diff, POST /run and its v0.3
 * form): normalise, bound its size, sanitise, fill in the node's default execution timeout,
 * validate, and hold the timeout to the node's maximum. Sizes are checked before anything that
 * walks the job, so an oversized job costs no more than reading it.
 *
 * @example
 * ```ts
 * const { job, warnings } = acceptJob(body.Job, policy); // throws BacalhauError 400 naming the field
 * ```
 */
import { BacalhauError } from "./errors.ts";
import { checkJobLimits, DEFAULT_JOB_LIMITS, type JobLimits } from "./job-limits.ts";
import { normalizeJob } from "./normalize.ts";
import { sanitizeSubmission, type SanitizedSubmission } from "./submission.ts";
import { JobType, type Job } from "./types.ts";
import { validateJob } from "./validate.ts";

/** Execution timeouts in seconds, 0 meaning none; the names are the config keys that set them. */
export interface TimeoutPolicy {
  /** JobDefaults.Batch.Task.Timeouts.ExecutionTimeout: batch tasks that set no timeout get it. */
  batchDefault: number;
  /** JobDefaults.Ops.Task.Timeouts.ExecutionTimeout: the same for ops tasks. */
  opsDefault: number;
  /** Compute.JobTimeouts.MaxJobExecutionTimeout: no execution may be given longer. */
  max: number;
}

export interface SubmissionPolicy {
  limits: JobLimits;
  timeouts: TimeoutPolicy;
}

export const DEFAULT_SUBMISSION_POLICY: SubmissionPolicy = {
  limits: DEFAULT_JOB_LIMITS,
  timeouts: { batchDefault: 0, opsDefault: 0, max: 0 },
};

export const MAX_EXECUTION_TIMEOUT_KEY = "Compute.JobTimeouts.MaxJobExecutionTimeout";

export function acceptJob(raw: unknown, policy: SubmissionPolicy = DEFAULT_SUBMISSION_POLICY): SanitizedSubmission {
  const normalized = normalizeJob(raw);
  checkJobLimits(normalized, policy.limits);
  const { job, warnings } = sanitizeSubmission(normalized);
  applyDefaultTimeout(job, policy.timeouts);
  validateJob(job);
  checkMaxTimeout(job, policy.timeouts.max);
  return { job, warnings };
}

/** A task's execution timeout as the compute node applies it: its own, else its total timeout. */
export function executionTimeoutOf(job: Job): number {
  const t = job.Tasks[0]?.Timeouts ?? {};
  return t.ExecutionTimeout || t.TotalTimeout || 0;
}

/** The node's default for jobs that set neither ExecutionTimeout nor TotalTimeout (long-running jobs have none). */
export function defaultTimeoutFor(type: string, timeouts: TimeoutPolicy): number {
  if (type === JobType.Batch) return timeouts.batchDefault;
  if (type === JobType.Ops) return timeouts.opsDefault;
  return 0;
}

function applyDefaultTimeout(job: Job, timeouts: TimeoutPolicy): void {
  const fallback = defaultTimeoutFor(job.Type, timeouts);
  for (const task of job.Tasks) {
    const t = task.Timeouts ?? {};
    if (fallback > 0 && !t.ExecutionTimeout && !t.TotalTimeout) task.Timeouts = { ...t, ExecutionTimeout: fallback };
  }
}

function checkMaxTimeout(job: Job, max: number): void {
  const got = executionTimeoutOf(job);
  if (max <= 0 || got <= max) return;
  const t = job.Tasks[0]?.Timeouts ?? {};
  const field = t.ExecutionTimeout ? "Tasks[0].Timeouts.ExecutionTimeout" : "Tasks[0].Timeouts.TotalTimeout";
  throw BacalhauError.badRequest(`job timeout ${got}s exceeds the maximum possible value ${max}s`, {
    component: "JobValidator",
    hint: `set a timeout of at most ${max}s, or ask the node's operator to raise ${MAX_EXECUTION_TIMEOUT_KEY}`,
    details: { field, limit: String(max), configKey: MAX_EXECUTION_TIMEOUT_KEY },
  });
}
