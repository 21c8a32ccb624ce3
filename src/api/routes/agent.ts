/** /api/v1/agent/*: what this node says about itself. */
import type { Hono } from "hono";
import type { ApiDeps, ApiEnv } from "../deps.ts";

export function registerAgentRoutes(app: Hono<ApiEnv>, deps: ApiDeps): void {
  app.get("/api/v1/agent/alive", (c) => c.json({ Status: "OK" }));
  app.get("/api/v1/agent/version", (c) => c.json(deps.version));
  app.get("/api/v1/agent/node", (c) => c.json(deps.nodeInfo()));
  app.get("/api/v1/agent/debug", (c) => c.json(deps.debug?.() ?? {}));
  app.get("/api/v1/agent/config", (c) => c.json({ config: deps.config?.() ?? {} }));
  // No OAuth2 provider: the node allows anonymous access.
  app.get("/api/v1/agent/authconfig", (c) => c.json({ Version: "1.0.0", Config: {} }));
}
