/** The transport's errors, as BacalhauErrors the orchestrator and compute roles already understand. */
import { BacalhauError, ErrorCode } from "../../models/errors.ts";
import type { ErrorCodeName } from "../../models/errors.ts";

export function unavailable(message: string, cause?: unknown): BacalhauError {
  return new BacalhauError(message, { code: "ServiceUnavailable", component: "Transport", retryable: true, cause });
}

/** How an error crosses the wire: enough to rebuild a BacalhauError on the other side. */
export interface WireError {
  message: string;
  code: ErrorCodeName;
  component?: string;
}

export function toWireError(err: unknown): WireError {
  const e = BacalhauError.from(err, "Transport");
  return { message: e.message, code: e.code, component: e.component };
}

/** Rebuilds an error from a peer's bytes, which may be anything: unknown fields fall back to defaults. */
export function fromWireError(w: unknown): BacalhauError {
  const e = (typeof w === "object" && w !== null ? w : {}) as Partial<Record<keyof WireError, unknown>>;
  const message = typeof e.message === "string" ? e.message.slice(0, 64 * 1024) : "the peer sent an unreadable error";
  const code = typeof e.code === "string" && Object.hasOwn(ErrorCode, e.code) ? e.code as ErrorCodeName : "InternalError";
  const component = typeof e.component === "string" ? e.component.slice(0, 256) : "Transport";
  return new BacalhauError(message, { code, component });
}
