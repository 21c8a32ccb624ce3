/**
 * Who may call what. Credentials (API key as bearer, or basic auth) name a user whose capabilities
 * must cover the route; callers without credentials are anonymous and pass only when the node allows
 * anonymous access (Bacalhau's open default, `API.Auth.AllowAnonymous`) or, unless turned off
 * (`API.Auth.AnonymousLoopback=false`), when they connect from loopback. A request that carries the
 * job header came through a job's egress proxy: it is never a trusted loopback caller.
 */
import type { Context, MiddlewareHandler } from "hono";
import { BacalhauError, ErrorCode } from "../../models/errors.ts";
import { remoteAddress } from "../../runtime/http.ts";
import type { ApiEnv } from "../deps.ts";
import { API_COMPONENT } from "../errors.ts";
import { JOB_ID_HEADER } from "../middleware.ts";
import { hasCapability, isReadMethod, requiredCapability, resourceOf } from "./capabilities.ts";
import { isLoopbackAddress, parseAuthorization } from "./credentials.ts";
import type { CallerRateLimit } from "./rate-limit.ts";
import type { AuthUser, UserStore } from "./users.ts";

export interface ApiAuth {
  users: UserStore;
  allowAnonymous: boolean;
  anonymousLoopback: boolean;
}

const CREDENTIALS_HINT =
  "set BACALHAU_API_KEY (sent as Authorization: Bearer <key>), or BACALHAU_API_USERNAME and BACALHAU_API_PASSWORD (basic auth); " +
  "a node with no users configured prints its key on start and keeps it in <data-dir>/api.key";

export function unauthorized(message: string): BacalhauError {
  return new BacalhauError(message, { code: ErrorCode.Unauthorized, component: API_COMPONENT, hint: CREDENTIALS_HINT });
}

function forbidden(user: AuthUser, required: string): BacalhauError {
  return new BacalhauError(`user '${user.name}' does not have the required capability '${required}'`, {
    code: ErrorCode.Forbidden,
    component: API_COMPONENT,
    hint: `ask the node's operator to grant ${required} in API.Auth.Users`,
  });
}

function authenticate(auth: ApiAuth, header: string | undefined): AuthUser | undefined {
  const creds = parseAuthorization(header);
  if (!creds) return undefined;
  switch (creds.kind) {
    case "bearer": {
      const user = auth.users.byApiKey(creds.token);
      if (!user) throw unauthorized("invalid API key");
      return user;
    }
    case "basic": {
      const user = auth.users.byPassword(creds.username, creds.password);
      if (!user) throw unauthorized("invalid username or password");
      return user;
    }
    case "unsupported":
      throw unauthorized(`unsupported authentication method '${creds.scheme}'`);
    default:
      throw unauthorized("malformed Authorization header");
  }
}

/** The name rate limits and logs know the caller by. */
export function callerOf(c: Context<ApiEnv>): string {
  return c.get("caller") ?? `addr:${remoteAddress(c) ?? "unknown"}`;
}

/**
 * The caller's Authorization: its header, or, for a WebSocket upgrade only, the `authorization`
 * query parameter, since a browser cannot set headers on a WebSocket (the dashboard's log stream).
 * Plain requests never take it from the URL, where it would end up in logs and histories.
 */
function authorizationOf(c: Context<ApiEnv>): string | undefined {
  const header = c.req.header("authorization");
  if (header) return header;
  return c.req.header("upgrade")?.toLowerCase() === "websocket" ? c.req.query("authorization") : undefined;
}

export function authorize(auth: ApiAuth): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const resource = resourceOf(c.req.path);
    if (resource === "open" || c.req.method === "OPTIONS") return next();
    const user = authenticate(auth, authorizationOf(c));
    if (user) {
      const required = requiredCapability(resource, c.req.method);
      if (!hasCapability(user.actions, required)) throw forbidden(user, required);
      c.set("caller", `user:${user.name}`);
      return next();
    }
    if (auth.allowAnonymous) return next();
    const fromJob = c.req.header(JOB_ID_HEADER) !== undefined;
    if (auth.anonymousLoopback && !fromJob && isLoopbackAddress(remoteAddress(c))) return next();
    throw unauthorized(`missing credentials: this API needs them from ${fromJob ? "jobs" : "non-loopback callers"}`);
  };
}

/**
 * Jobs reach the network through a proxy that stamps the job header on every request; jobs may
 * read through the API but never change anything: every mutating route refuses them.
 */
export function refuseWritesFromJobs(): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const m = c.req.method;
    if (isReadMethod(m) || m === "OPTIONS" || c.req.header(JOB_ID_HEADER) === undefined) return next();
    if (resourceOf(c.req.path) === "open") return next();
    throw BacalhauError.badRequest(`rejecting job because HTTP header ${JOB_ID_HEADER} was set`, {
      component: API_COMPONENT,
      hint: "jobs may not submit, stop or change jobs, nodes or content",
    });
  };
}

/** Submissions (PUT/POST jobs, run, rerun) take a token from the caller's bucket; an empty bucket is a 429. */
export function limitSubmissions(limit: CallerRateLimit): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    if (!isSubmission(c.req.method, c.req.path)) return next();
    const wait = limit.take(callerOf(c));
    if (wait === 0) return next();
    c.header("Retry-After", String(wait));
    throw new BacalhauError(`too many job submissions from this caller; retry in ${wait}s`, {
      code: ErrorCode.ResourceExhausted,
      component: API_COMPONENT,
      hint: "slow down, or ask the node's operator to raise API.RateLimit.SubmitPerMinute",
    });
  };
}

function isSubmission(method: string, path: string): boolean {
  const p = path.replace(/\/+$/, "");
  if (method === "POST" && p === "/api/v1/run") return true;
  if ((method === "PUT" || method === "POST") && p === "/api/v1/orchestrator/jobs") return true;
  return method === "PUT" && /^\/api\/v1\/orchestrator\/jobs\/[^/]+\/rerun$/.test(p);
}
