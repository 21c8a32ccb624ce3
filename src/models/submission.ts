/**
 * What the server ignores in a submitted job, and the warnings it returns for each such field:
 * server-owned state, timestamps and versions are reset, a client-chosen ID on batch/ops jobs is
 * dropped, only the first task is kept, and reserved `bacalhau.org/` Meta keys are removed.
 *
 * @example
 * ```ts
 * const { job, warnings } = sanitizeSubmission(normalizeJob(body));
 * ```
 */
import { copyJSONValue } from "./json-copy.ts";
import { JobStateType, JobType } from "./types.ts";
import type { Job } from "./types.ts";

export const RESERVED_META_PREFIX = "bacalhau.org/";

export interface SanitizedSubmission {
  job: Job;
  warnings: string[];
}

/** Returns a sanitised copy; the input is not modified. */
export function sanitizeSubmission(input: Job): SanitizedSubmission {
  const job: Job = copyJSONValue(input);
  const warnings: string[] = [];
  const state = job.State;
  if ((state.StateType && state.StateType !== JobStateType.Undefined) || state.Message || state.Details) {
    warnings.push("job state is ignored when submitting a job");
  }
  job.State = { StateType: JobStateType.Undefined };
  const counters = [
    ["Revision", "job revision"], ["Version", "job version"],
    ["CreateTime", "job create time"], ["ModifyTime", "job modify time"],
  ] as const;
  for (const [field, label] of counters) {
    if (job[field] !== 0) {
      warnings.push(`${label} is ignored when submitting a job`);
      job[field] = 0;
    }
  }
  if (job.ID && (job.Type === JobType.Batch || job.Type === JobType.Ops)) {
    warnings.push(`job ID is ignored when submitting a ${job.Type} job`);
    job.ID = "";
  }
  if (job.Tasks.length > 1) {
    warnings.push(`job has ${job.Tasks.length} tasks; only the first task is used and the others are dropped`);
    job.Tasks = job.Tasks.slice(0, 1);
  }
  for (const key of Object.keys(job.Meta)) {
    if (key.startsWith(RESERVED_META_PREFIX)) {
      warnings.push(`meta key '${key}' uses the reserved prefix ${RESERVED_META_PREFIX} and is dropped`);
      delete job.Meta[key];
    }
  }
  return { job, warnings };
}
