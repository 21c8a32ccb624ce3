/**
 * Which web pages may drive the API from a browser: the node's own origin (where its dashboard is
 * served) and the origins its operator lists in `API.Auth.AllowedOrigins`. Any other origin gets no
 * CORS grant, and its WebSocket upgrades are refused (browsers send cookies-free sockets cross-site,
 * so the Origin header is the only guard there).
 */
import type { Context, MiddlewareHandler } from "hono";
import { cors } from "hono/cors";
import { BacalhauError, ErrorCode } from "../../models/errors.ts";
import type { ApiEnv } from "../deps.ts";
import { API_COMPONENT } from "../errors.ts";

function normalize(origin: string): string {
  try {
    const u = new URL(origin);
    return `${u.protocol}//${u.host}`.toLowerCase();
  } catch {
    return origin.trim().toLowerCase();
  }
}

/** The origin this request was addressed to, from its own URL and Host (the one a same-origin page has). */
function ownOrigin(c: Context): string {
  const url = new URL(c.req.url);
  const host = c.req.header("host") ?? url.host;
  return `${url.protocol}//${host}`.toLowerCase();
}

export function originAllowed(c: Context, origin: string, allowed: ReadonlySet<string>): boolean {
  const o = normalize(origin);
  return allowed.has(o) || o === ownOrigin(c);
}

export function corsPolicy(allowedOrigins: readonly string[]): MiddlewareHandler<ApiEnv> {
  const allowed = new Set(allowedOrigins.map(normalize));
  return cors({
    origin: (origin, c) => (origin && originAllowed(c, origin, allowed) ? origin : null),
    credentials: true,
    allowHeaders: ["Authorization", "Content-Type", "X-Request-Id", "X-Bacalhau-Git-Version"],
    exposeHeaders: ["X-Request-Id", "X-Bacalhau-Git-Version", "Retry-After"],
  });
}

/** WebSocket upgrades from a page of a foreign origin get 403 before any socket is opened. */
export function refuseForeignWebSockets(allowedOrigins: readonly string[]): MiddlewareHandler<ApiEnv> {
  const allowed = new Set(allowedOrigins.map(normalize));
  return async (c, next) => {
    if (c.req.header("upgrade")?.toLowerCase() !== "websocket") return next();
    const origin = c.req.header("origin");
    if (origin === undefined || originAllowed(c, origin, allowed)) return next();
    throw new BacalhauError(`WebSocket from origin ${origin} refused`, {
      code: ErrorCode.Forbidden,
      component: API_COMPONENT,
      hint: "add the page's origin to API.Auth.AllowedOrigins",
    });
  };
}
