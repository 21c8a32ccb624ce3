/** Turning HTTP failures into BacalhauError values the CLI can print with a hint. */
import { BacalhauError, ErrorCode, type ErrorCodeName } from "../models/errors.ts";

const KNOWN_CODES: ReadonlySet<string> = new Set(Object.values(ErrorCode));

function asCode(code: unknown): ErrorCodeName | undefined {
  return typeof code === "string" && KNOWN_CODES.has(code) ? (code as ErrorCodeName) : undefined;
}

function stringMap(v: unknown): Record<string, string> | undefined {
  if (!v || typeof v !== "object") return undefined;
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v)) out[k] = String(val);
  return out;
}

/** Builds the error from a non-2xx response body: APIError JSON, the version gate's `{Error}`, or text. */
export function errorFromResponse(status: number, bodyText: string): BacalhauError {
  let body: Record<string, unknown> | undefined;
  try {
    const parsed: unknown = JSON.parse(bodyText);
    if (parsed && typeof parsed === "object") body = parsed as Record<string, unknown>;
  } catch {
    // not JSON: fall through to the text form
  }
  if (!body) {
    const text = bodyText.trim();
    return new BacalhauError(text || `request failed with HTTP status ${status}`, {
      status,
      component: "APIClient",
    });
  }
  const message = String(body.Message ?? body.Error ?? body.message ?? `request failed with HTTP status ${status}`);
  return new BacalhauError(message, {
    status,
    code: asCode(body.Code) ?? (status === 404 ? ErrorCode.NotFound : undefined),
    component: typeof body.Component === "string" && body.Component ? body.Component : "APIClient",
    hint: typeof body.Hint === "string" && body.Hint ? body.Hint : undefined,
    details: stringMap(body.Details),
  });
}

/** The error frame of the log WebSocket: `{Cause, Hint, Code, Component, HTTPStatusCode, ...}` or `{}`. */
export function errorFromLogFrame(e: unknown): BacalhauError {
  const o = e && typeof e === "object" ? (e as Record<string, unknown>) : {};
  const message = String(o.Cause ?? o.Message ?? o.message ?? "the log stream failed");
  return new BacalhauError(message, {
    code: asCode(o.Code),
    status: typeof o.HTTPStatusCode === "number" && o.HTTPStatusCode > 0 ? o.HTTPStatusCode : undefined,
    component: typeof o.Component === "string" && o.Component ? o.Component : "APIClient",
    hint: typeof o.Hint === "string" && o.Hint ? o.Hint : undefined,
    details: stringMap(o.Details),
  });
}

export function unreachableError(baseUrl: string, cause: unknown): BacalhauError {
  const why = describeCause(cause);
  return new BacalhauError(`the API at ${baseUrl} is unreachable${why ? ` (${why})` : ""}`, {
    code: ErrorCode.ServiceUnavailable,
    component: "APIClient",
    hint:
      "start a node with `bacalhau serve`, or point the client at a running one with " +
      "--api-host/--api-port or BACALHAU_API_HOST/BACALHAU_API_PORT",
    cause,
  });
}

function describeCause(err: unknown): string {
  // Node's fetch hides the socket error (ECONNREFUSED) in `cause`.
  let e: unknown = err;
  for (let i = 0; i < 4 && e instanceof Error; i++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string") return code;
    if (e.cause === undefined) return e.message;
    e = e.cause;
  }
  return "";
}
