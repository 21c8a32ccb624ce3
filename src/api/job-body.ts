/**
 * The size check of a job submission's body, before the body is parsed: by its Content-Length
 * before it is decoded, then by its length and its number of JSON values (see job-limits.ts).
 */
import { Buffer } from "node:buffer";
import type { Context } from "hono";
import { DEFAULT_SUBMISSION_POLICY } from "../models/accept.ts";
import { checkJobBody, checkJobBodySize } from "../models/job-limits.ts";
import type { ApiDeps, ApiEnv } from "./deps.ts";

/** Returns the body text once it is known to be within the limits. */
export async function checkJobRequestBody(c: Context<ApiEnv>, deps: ApiDeps): Promise<string> {
  const limits = (deps.submission ?? DEFAULT_SUBMISSION_POLICY).limits;
  const declared = Number(c.req.header("content-length"));
  let size = 0;
  const kept: Uint8Array[] = [];
  // Counted as it arrives (a chunked body declares no length) and read to its end, keeping nothing
  // past the limit, so the client gets the refusal instead of a closed connection.
  const body = c.req.raw.body;
  if (body) {
    for await (const chunk of body) {
      size += chunk.length;
      if (size <= limits.MaxJobBytes && !(declared > limits.MaxJobBytes)) kept.push(chunk);
    }
  }
  checkJobBodySize(Math.max(size, Number.isFinite(declared) ? declared : 0), limits);
  const text = new TextDecoder().decode(Buffer.concat(kept));
  checkJobBody(text, limits);
  return text;
}
