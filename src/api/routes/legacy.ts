/**
 * Seed-era (v0.3–v1.4) node endpoints, kept for old clients and probes. They live at the root and
 * under /api/v1, except root `/livez` and GET `/version`, which the modern redirects own.
 */
import type { Hono } from "hono";
import { BacalhauError } from "../../models/errors.ts";
import type { ApiDeps, ApiEnv } from "../deps.ts";

export function registerLegacyRoutes(app: Hono<ApiEnv>, deps: ApiDeps): void {
  for (const base of ["", "/api/v1"]) {
    // Seed-era nodes answered with their libp2p PeerID.
    app.get(`${base}/id`, (c) => c.text(deps.peerInfo?.().ID ?? deps.nodeInfo().NodeID));
    app.get(`${base}/node_info`, (c) => c.json(deps.nodeInfo()));
    app.get(`${base}/peers`, (c) => c.json([]));
    app.get(`${base}/healthz`, (c) => c.json({ Status: "OK" }));
    app.get(`${base}/readyz`, (c) => c.text("OK"));
    app.post(`${base}/version`, (c) => c.json({ build_version_info: deps.version }));
  }
  app.get("/api/v1/livez", (c) => c.text("OK"));
  // How a compute node that knows only the requester's API address finds its libp2p identity.
  app.get("/api/v1/peer", (c) => {
    if (!deps.peerInfo) {
      throw BacalhauError.notFound("this node is not on a libp2p network", { component: "APIServer" });
    }
    return c.json(deps.peerInfo());
  });
}
