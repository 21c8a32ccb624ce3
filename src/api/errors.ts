/**
 * Every failure leaves the API as Bacalhau's APIError JSON body, whatever threw it:
 * BacalhauError keeps its status/code/component, Hono's HTTPException (e.g. body limit) keeps its
 * status, anything else is a 500.
 */
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { BacalhauError, ErrorCode } from "../models/errors.ts";
import type { APIErrorBody, ErrorCodeName } from "../models/errors.ts";
import type { ApiEnv } from "./deps.ts";

export const API_COMPONENT = "APIServer";

const CODE_BY_STATUS: Record<number, ErrorCodeName> = {
  400: ErrorCode.BadRequest,
  401: ErrorCode.Unauthorized,
  403: ErrorCode.Forbidden,
  404: ErrorCode.NotFound,
  409: ErrorCode.Conflict,
  413: ErrorCode.BadRequest,
  429: ErrorCode.ResourceExhausted,
  501: ErrorCode.NotImplemented,
  503: ErrorCode.ServiceUnavailable,
};

export function toBacalhauError(err: unknown): BacalhauError {
  if (err instanceof BacalhauError) return err;
  if (err instanceof HTTPException) {
    return new BacalhauError(err.message || `HTTP ${err.status}`, {
      status: err.status,
      code: CODE_BY_STATUS[err.status] ?? ErrorCode.InternalError,
      component: API_COMPONENT,
    });
  }
  return BacalhauError.from(err, API_COMPONENT);
}

export function errorBody(err: BacalhauError, requestId: string): APIErrorBody {
  const body: APIErrorBody = {
    Status: err.status,
    Message: err.message,
    RequestID: requestId,
    Code: err.code,
    Component: err.component,
  };
  if (err.hint) body.Hint = err.hint;
  if (err.details && Object.keys(err.details).length > 0) body.Details = err.details;
  return body;
}

export function errorResponse(c: Context<ApiEnv>, err: unknown): Response {
  const e = toBacalhauError(err);
  return c.json(errorBody(e, c.get("requestId") ?? ""), e.status as ContentfulStatusCode);
}

export function notFoundResponse(c: Context<ApiEnv>): Response {
  return errorResponse(c, new BacalhauError("The requested resource/URL was not found.", {
    code: ErrorCode.NotFound,
    component: API_COMPONENT,
  }));
}

/** A 400 about a query or body parameter, naming it. */
export function badParam(name: string, message: string, hint?: string): BacalhauError {
  return BacalhauError.badRequest(message, {
    component: API_COMPONENT,
    details: { field: name },
    ...(hint ? { hint } : {}),
  });
}
