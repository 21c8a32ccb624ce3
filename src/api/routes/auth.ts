/**
 * /api/v1/auth*: the node authorises everyone (Bacalhau's default AlwaysAllow policy), so it
 * offers no authentication methods.
 */
import type { Hono } from "hono";
import { BacalhauError } from "../../models/errors.ts";
import type { ApiEnv } from "../deps.ts";
import { API_COMPONENT } from "../errors.ts";

export function registerAuthRoutes(app: Hono<ApiEnv>): void {
  app.get("/api/v1/auth", (c) => c.json({ Methods: {} }));
  const noSuchMethod = (method: string) =>
    BacalhauError.notFound(`authentication method '${method}' is not supported`, {
      component: API_COMPONENT,
      hint: "this node allows anonymous access; no authentication is needed",
    });
  app.get("/api/v1/auth/:method", (c) => {
    throw noSuchMethod(c.req.param("method"));
  });
  app.post("/api/v1/auth/:method", (c) => {
    throw noSuchMethod(c.req.param("method"));
  });
}
