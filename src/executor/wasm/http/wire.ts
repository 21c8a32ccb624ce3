/**
 * Messages between the job's thread and the HTTP worker: plain data plus transferred bytes, so a
 * request can be posted while the job's thread blocks and the answer picked up synchronously.
 */
import type { HttpCodeValue } from "./constants.ts";
import type { HttpAccessConfig } from "./policy.ts";

export interface HttpCall {
  id: number;
  method: string;
  url: string;
  headers: Array<[string, string]>;
  body?: Uint8Array;
  /** Response bodies longer than this fail with "too large". */
  maxBodyBytes: number;
  timeoutMs: number;
  /** Checked again for every redirect target. */
  access: HttpAccessConfig;
}

export interface HttpReply {
  id: number;
  code: HttpCodeValue;
  status?: number;
  headers?: string;
  body?: Uint8Array;
  /** Why it failed, for the runner's own diagnostics. */
  detail?: string;
}
