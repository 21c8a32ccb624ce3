/**
 * The size check of a job submission's body, before the body is parsed: by its Content-Length
 * before it is decoded, then by its length and its number of JSON values (see job-limits.ts).
 */
import type { Context } from "hono";
import { DEFAULT_SUBMISSION_POLICY } from "../models/accept.ts";
import { checkJobBody, checkJobBodySize } from "../models/job-limits.ts";
import type { ApiDeps, ApiEnv } from "./deps.ts";

export async function checkJobRequestBody(c: Context<ApiEnv>, deps: ApiDeps): Promise<void> {
  const limits = (deps.submission ?? DEFAULT_SUBMISSION_POLICY).limits;
  const declared = Number(c.req.header("content-length"));
  if (Number.isFinite(declared) && declared > limits.MaxJobBytes) {
    // Read to its end, keeping nothing, so the client gets the 400 instead of a closed connection.
    const body = c.req.raw.body;
    if (body) for await (const _ of body) { /* discarded */ }
    checkJobBodySize(declared, limits);
  }
  // Hono keeps the text: the JSON reader that follows does not read the body again.
  checkJobBody(await c.req.text(), limits);
}
