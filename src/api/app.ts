/**
 * The HTTP API of a node: Bacalhau's v1 REST surface (agent, orchestrator jobs and nodes, auth,
 * legacy probes and root redirects) plus the WebSocket log stream and our OpenAPI document.
 * Every failure is answered with Bacalhau's APIError JSON body.
 *
 * @example
 * ```ts
 * const app = createApiApp({ store, orchestrator, nodeInfo: () => info, version });
 * const server = await startHttpServer(app, { host: "127.0.0.1", port: 1234 });
 * ```
 */
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { BacalhauError } from "../models/errors.ts";
import { corsPolicy, refuseForeignWebSockets } from "./auth/origins.ts";
import { authorize, limitSubmissions, refuseWritesFromJobs } from "./auth/policy.ts";
import type { ApiDeps, ApiEnv } from "./deps.ts";
import { API_COMPONENT, errorResponse, notFoundResponse } from "./errors.ts";
import { requireOrchestrator } from "./lookup.ts";
import { clientVersionGate, requestId, serverVersionHeaders } from "./middleware.ts";
import { IPFS_API_PREFIX, registerIpfsRoutes } from "./routes/ipfs.ts";
import { OPENAPI_DOCUMENT } from "./openapi.ts";
import { registerAgentRoutes } from "./routes/agent.ts";
import { registerAuthRoutes } from "./routes/auth.ts";
import { registerJobLogRoutes } from "./routes/job-logs.ts";
import { registerJobResultRoutes } from "./routes/job-results.ts";
import { registerJobReadRoutes } from "./routes/jobs-read.ts";
import { registerJobWriteRoutes } from "./routes/jobs-write.ts";
import { registerLegacyRoutes } from "./routes/legacy.ts";
import { registerNodeRoutes } from "./routes/nodes.ts";
import { registerRedirectRoutes } from "./routes/redirects.ts";
import { registerRunRoutes } from "./routes/run.ts";
import { registerWebUiRoutes } from "../webui/routes.ts";
import { registerIpfsPinRoutes } from "./routes/ipfs-pins.ts";

export type { ApiDeps, ApiEnv } from "./deps.ts";

/** Bacalhau's default request body limit ("10MB", binary as echo reads it). */
export const MAX_BODY_BYTES = 10 * 1024 * 1024;

export function createApiApp(deps: ApiDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  app.use("*", requestId());
  app.use("*", corsPolicy(deps.allowedOrigins ?? []));
  app.use("*", serverVersionHeaders(deps.version));
  app.use("*", refuseForeignWebSockets(deps.allowedOrigins ?? []));
  app.use("*", refuseWritesFromJobs());
  if (deps.auth) app.use("*", authorize(deps.auth));
  if (deps.submitLimit) app.use("*", limitSubmissions(deps.submitLimit));
  app.use("/api/*", clientVersionGate(deps.version));
  const limit = bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: (c) =>
      errorResponse(c, new BacalhauError(`request body is larger than ${MAX_BODY_BYTES} bytes`, {
        status: 413,
        code: "BadRequest",
        component: API_COMPONENT,
        hint: "send large inputs as an input source (URL, IPFS) instead of inline",
      })),
  });
  // Uploads to IPFS are streamed to disk with their own size limit, and job submissions are measured
  // against the operator's JobLimits.MaxJobBytes as they arrive (a 413 that names the key).
  const ownLimit = new Set([`${IPFS_API_PREFIX}/add`, "/api/v1/orchestrator/jobs", "/api/v1/orchestrator/jobs/diff",
    "/api/v1/run"]);
  app.use("*", (c, next) => (ownLimit.has(c.req.path) && c.req.method !== "GET" ? next() : limit(c, next)));
  // Compute-only nodes have no orchestrator: say so instead of answering from an empty store.
  app.use("/api/v1/orchestrator/*", async (_c, next) => {
    requireOrchestrator(deps.orchestrator);
    await next();
  });

  // The dashboard answers browsers at `/` before the redirect that other clients get.
  if (deps.orchestrator) registerWebUiRoutes(app);
  registerRedirectRoutes(app);
  registerAgentRoutes(app, deps);
  registerAuthRoutes(app, deps.auth);
  registerJobWriteRoutes(app, deps);
  registerRunRoutes(app, deps);
  registerJobLogRoutes(app, deps);
  registerJobResultRoutes(app, deps);
  registerJobReadRoutes(app, deps);
  registerNodeRoutes(app, deps);
  registerLegacyRoutes(app, deps);
  if (deps.ipfs) {
    registerIpfsRoutes(app, {
      ipfs: deps.ipfs,
      tmpDir: deps.tmpDir,
      ...(deps.maxIpfsAddBytes !== undefined ? { maxAddBytes: deps.maxIpfsAddBytes } : {}),
    });
    registerIpfsPinRoutes(app, deps.ipfs);
  }
  app.get("/api/v1/openapi.json", (c) => c.json(OPENAPI_DOCUMENT));

  app.notFound(notFoundResponse);
  app.onError((err, c) => errorResponse(c, err));
  return app;
}
