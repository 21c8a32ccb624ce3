/**
 * Seed-era (v0.3–v1.4) node endpoints, kept for old clients and probes. They live at the root and
 * under /api/v1, except root `/livez` and GET `/version`, which the modern redirects own.
 */
import type { Hono } from "hono";
import type { ApiDeps, ApiEnv } from "../deps.ts";

export function registerLegacyRoutes(app: Hono<ApiEnv>, deps: ApiDeps): void {
  for (const base of ["", "/api/v1"]) {
    app.get(`${base}/id`, (c) => c.text(deps.nodeInfo().NodeID));
    app.get(`${base}/node_info`, (c) => c.json(deps.nodeInfo()));
    app.get(`${base}/peers`, (c) => c.json([]));
    app.get(`${base}/healthz`, (c) => c.json({ Status: "OK" }));
    app.get(`${base}/readyz`, (c) => c.text("OK"));
    app.post(`${base}/version`, (c) => c.json({ build_version_info: deps.version }));
  }
  app.get("/api/v1/livez", (c) => c.text("OK"));
}
