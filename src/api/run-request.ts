/**
 * Reading a `POST /api/v1/run` request: the job (a PutJobRequest `{Job, Force}`, a bare v1 Job, or
 * a v0.3 `{APIVersion, Spec}` job) and how long to wait for it (`?timeout=`).
 */
import { Fields } from "../models/fields.ts";
import type { JsonObject } from "../models/fields.ts";
import { isLegacySpec, legacySpecToJob } from "../models/legacy-spec.ts";
import { acceptJob, type SubmissionPolicy } from "../models/accept.ts";
import type { Job } from "../models/types.ts";
import { badParam } from "./errors.ts";

/** Node's fetch (undici) gives up on response headers after 300 s: stay under it by default. */
export const DEFAULT_RUN_TIMEOUT_MS = 4 * 60_000;
/** Longer waits are cut to this; the client follows up on the job from the 202. */
export const MAX_RUN_TIMEOUT_MS = 30 * 60_000;

export interface RunRequest {
  job: Job;
  warnings: string[];
  force: boolean;
}

/** The body's job, normalised, sanitised and validated exactly as a PUT of the same job would be. */
export function runRequestFromBody(raw: JsonObject, policy?: SubmissionPolicy): RunRequest {
  const body = Fields.of(raw, "");
  if (body.has("Job")) {
    return { ...checkedJob(body.raw("Job"), policy), force: body.bool("Force") };
  }
  if (isLegacySpec(raw)) return { ...checkedJob(legacySpecToJob(raw), policy), force: false };
  if (!body.has("Tasks") && !body.has("Type")) {
    throw badParam("Job", "request body holds no job", 'send a Job, {"Job": {...}}, or a legacy {"APIVersion": "V1beta1", "Spec": {...}}');
  }
  return { ...checkedJob(raw, policy), force: false };
}

function checkedJob(raw: unknown, policy: SubmissionPolicy | undefined): { job: Job; warnings: string[] } {
  return acceptJob(raw, policy);
}

const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, "µs": 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * `?timeout=`: a Go duration (`90s`, `1m30s`, `500ms`) or plain seconds; absent means the default,
 * anything over the cap is cut to it.
 */
export function parseRunTimeout(value: string | undefined): number {
  if (value === undefined) return DEFAULT_RUN_TIMEOUT_MS;
  const v = value.trim();
  let ms: number;
  if (/^\d+(\.\d+)?$/.test(v)) ms = Number(v) * 1000;
  else if (/^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/.test(v)) {
    ms = 0;
    for (const m of v.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) ms += Number(m[1]) * UNIT_MS[m[2]!]!;
  } else {
    throw badParam("timeout", `invalid timeout '${value}': not a duration`, "use e.g. 30s, 5m or 1m30s");
  }
  return Math.min(ms, MAX_RUN_TIMEOUT_MS);
}
