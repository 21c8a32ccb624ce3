/** The transport's errors, as BacalhauErrors the orchestrator and compute roles already understand. */
import { BacalhauError } from "../../models/errors.ts";
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

export function fromWireError(w: WireError): BacalhauError {
  return new BacalhauError(w.message, { code: w.code, component: w.component ?? "Transport" });
}
