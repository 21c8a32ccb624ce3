/**
 * /api/v1/auth*: the authentication methods this node takes. Credentials travel in the
 * Authorization header of each request (Bacalhau 1.7's basic auth and API keys), so there is no
 * token exchange: `GET /api/v1/auth` lists the methods, `GET /api/v1/auth/<method>` describes one.
 */
import type { Hono } from "hono";
import { BacalhauError } from "../../models/errors.ts";
import type { ApiAuth } from "../auth/policy.ts";
import type { ApiEnv } from "../deps.ts";
import { API_COMPONENT } from "../errors.ts";

interface Requirement {
  Type: string;
  Params: { Header: string; Scheme: string; Env: string[] };
}

function methodsOf(auth: ApiAuth | undefined): Record<string, Requirement> {
  const out: Record<string, Requirement> = {};
  if (!auth) return out;
  if (auth.users.users.some((u) => u.username === undefined)) {
    out.apikey = { Type: "bearer", Params: { Header: "Authorization", Scheme: "Bearer", Env: ["BACALHAU_API_KEY"] } };
  }
  if (auth.users.users.some((u) => u.username !== undefined)) {
    out.basic = {
      Type: "basic",
      Params: { Header: "Authorization", Scheme: "Basic", Env: ["BACALHAU_API_USERNAME", "BACALHAU_API_PASSWORD"] },
    };
  }
  return out;
}

export function registerAuthRoutes(app: Hono<ApiEnv>, auth?: ApiAuth): void {
  const methods = methodsOf(auth);
  app.get("/api/v1/auth", (c) => c.json({ Methods: methods }));
  const noSuchMethod = (method: string) =>
    BacalhauError.notFound(`authentication method '${method}' is not supported`, {
      component: API_COMPONENT,
      hint: Object.keys(methods).length > 0
        ? `this node takes ${Object.keys(methods).join(", ")}, sent in the Authorization header of each request`
        : "this node allows anonymous access; no authentication is needed",
    });
  app.get("/api/v1/auth/:method", (c) => {
    const m = methods[c.req.param("method")];
    if (!m) throw noSuchMethod(c.req.param("method"));
    return c.json(m);
  });
  app.post("/api/v1/auth/:method", (c) => {
    const name = c.req.param("method");
    if (!methods[name]) throw noSuchMethod(name);
    throw BacalhauError.badRequest(`method '${name}' has no token exchange`, {
      component: API_COMPONENT,
      hint: "send the credentials in the Authorization header of each request",
    });
  });
}
