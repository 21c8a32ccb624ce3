/**
 * Cross-cutting middleware of the API: request IDs, the server's version headers, and the gate
 * that refuses clients older than v1.4.0 (Bacalhau's minimum compatible client).
 */
import type { Context, MiddlewareHandler } from "hono";
import { BacalhauError } from "../models/errors.ts";
import type { BuildVersionInfo } from "../models/types.ts";
import type { ApiEnv } from "./deps.ts";
import { API_COMPONENT } from "./errors.ts";

export const REQUEST_ID_HEADER = "X-Request-Id";
export const JOB_ID_HEADER = "X-Bacalhau-Job-ID";
export const CLIENT_VERSION_HEADER = "X-Bacalhau-Git-Version";
export const MIN_CLIENT_VERSION = "v1.4.0";

/**
 * Jobs reach the network through a proxy that stamps X-Bacalhau-Job-ID on every request: refusing
 * submissions that carry it stops jobs from starting jobs.
 */
export function refuseSubmissionFromJob(c: Context<ApiEnv>): void {
  if (c.req.header(JOB_ID_HEADER) !== undefined) {
    throw BacalhauError.badRequest(`rejecting job because HTTP header ${JOB_ID_HEADER} was set`, {
      component: API_COMPONENT,
      hint: "jobs may not submit other jobs",
    });
  }
}

/** Keeps a sane incoming request ID (so callers can correlate), else makes one. */
export function requestId(): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const incoming = c.req.header(REQUEST_ID_HEADER);
    const id = incoming && /^[\w.-]{1,128}$/.test(incoming) ? incoming : crypto.randomUUID();
    c.set("requestId", id);
    c.header(REQUEST_ID_HEADER, id);
    await next();
  };
}

export function serverVersionHeaders(v: BuildVersionInfo): MiddlewareHandler<ApiEnv> {
  const headers: Record<string, string> = {
    "X-Bacalhau-Git-Version": v.GitVersion,
    "X-Bacalhau-Git-Commit": v.GitCommit,
    "X-Bacalhau-Build-Date": v.BuildDate,
    "X-Bacalhau-Build-OS": v.GOOS,
    "X-Bacalhau-Arch": v.GOARCH,
  };
  return async (c, next) => {
    await next();
    for (const [k, val] of Object.entries(headers)) c.res.headers.set(k, val);
  };
}

type Semver = [number, number, number];

function parseSemver(v: string): Semver | undefined {
  const m = /^v?(\d+)\.(\d+)\.(\d+)(?:[-+].*)?$/.exec(v.trim());
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

function older(a: Semver, b: Semver): boolean {
  for (let i = 0; i < 3; i++) {
    if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) < (b[i] ?? 0);
  }
  return false;
}

/** Absent header or a development build (v0.0.0) passes; an explicit old semver gets 403. */
export function clientVersionGate(server: BuildVersionInfo): MiddlewareHandler<ApiEnv> {
  const min = parseSemver(MIN_CLIENT_VERSION) as Semver;
  return async (c, next) => {
    const raw = c.req.header(CLIENT_VERSION_HEADER);
    if (!raw) return next();
    const v = parseSemver(raw);
    if (!v) return c.json({ Error: `Invalid client version ${raw}` }, 400);
    const dev = v[0] === 0 && v[1] === 0 && v[2] === 0;
    if (!dev && older(v, min)) {
      return c.json({
        Error: "Client version is outdated. Update your client",
        MinVersion: MIN_CLIENT_VERSION,
        ClientVersion: raw,
        ServerVersion: server.GitVersion,
      }, 403);
    }
    return next();
  };
}
