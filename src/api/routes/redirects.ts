/** Bacalhau's root shortcuts: `/` and `/version` lead to the version, `/livez` to liveness. */
import type { Hono } from "hono";
import type { ApiEnv } from "../deps.ts";

export function registerRedirectRoutes(app: Hono<ApiEnv>): void {
  app.get("/", (c) => c.redirect("/api/v1/agent/version", 301));
  app.get("/version", (c) => c.redirect("/api/v1/agent/version", 301));
  app.get("/livez", (c) => c.redirect("/api/v1/agent/alive", 301));
}
