/**
 * The one error type of the project. It knows its HTTP status, its Bacalhau error code, the
 * component that raised it and a hint for the user, so every layer (API, CLI, history events)
 * can report it the same way.
 *
 * @example
 * ```ts
 * throw BacalhauError.badRequest("Tasks[0].Engine.Type is required", {
 *   hint: "set the task's engine, e.g. {\"Type\": \"wasm\"}", component: "JobValidator" });
 * ```
 */

export const ErrorCode = {
  BadRequest: "BadRequest",
  ValidationError: "ValidationError",
  NotFound: "NotFound",
  Unauthorized: "Unauthorized",
  Forbidden: "Forbidden",
  ServiceUnavailable: "ServiceUnavailable",
  NotImplemented: "NotImplemented",
  ResourceExhausted: "ResourceExhausted",
  ResourceInUse: "ResourceInUse",
  InternalError: "InternalError",
  Conflict: "Conflict",
  TimeOutError: "TimeOutError",
} as const;
export type ErrorCodeName = (typeof ErrorCode)[keyof typeof ErrorCode];

const STATUS_BY_CODE: Record<string, number> = {
  BadRequest: 400,
  ValidationError: 400,
  NotFound: 404,
  Unauthorized: 401,
  Forbidden: 403,
  ServiceUnavailable: 503,
  NotImplemented: 501,
  ResourceExhausted: 429,
  ResourceInUse: 409,
  Conflict: 409,
};

export interface ErrorOptions {
  code?: ErrorCodeName;
  status?: number;
  component?: string;
  hint?: string;
  details?: Record<string, string>;
  retryable?: boolean;
  failsExecution?: boolean;
  cause?: unknown;
}

export class BacalhauError extends Error {
  readonly code: ErrorCodeName;
  readonly status: number;
  readonly component: string;
  readonly hint?: string;
  readonly details?: Record<string, string>;
  readonly retryable: boolean;
  readonly failsExecution: boolean;

  constructor(message: string, opts: ErrorOptions = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = "BacalhauError";
    this.code = opts.code ?? ErrorCode.InternalError;
    this.status = opts.status ?? STATUS_BY_CODE[this.code] ?? 500;
    this.component = opts.component ?? "Bacalhau";
    this.hint = opts.hint;
    this.details = opts.details;
    this.retryable = opts.retryable ?? false;
    this.failsExecution = opts.failsExecution ?? false;
  }

  static badRequest(message: string, opts: Omit<ErrorOptions, "code"> = {}): BacalhauError {
    return new BacalhauError(message, { ...opts, code: ErrorCode.BadRequest });
  }

  static validation(message: string, opts: Omit<ErrorOptions, "code"> = {}): BacalhauError {
    return new BacalhauError(message, { ...opts, code: ErrorCode.ValidationError });
  }

  static notFound(message: string, opts: Omit<ErrorOptions, "code"> = {}): BacalhauError {
    return new BacalhauError(message, { ...opts, code: ErrorCode.NotFound });
  }

  static internal(message: string, opts: Omit<ErrorOptions, "code"> = {}): BacalhauError {
    return new BacalhauError(message, { ...opts, code: ErrorCode.InternalError });
  }

  /** Wraps anything thrown into a BacalhauError, keeping an existing one as it is. */
  static from(err: unknown, component = "Bacalhau"): BacalhauError {
    if (err instanceof BacalhauError) return err;
    const message = err instanceof Error ? err.message : String(err);
    return new BacalhauError(message, { component, cause: err });
  }
}

/** The JSON body of every API error (Bacalhau's apimodels.APIError). */
export interface APIErrorBody {
  Status: number;
  Message: string;
  RequestID: string;
  Code: string;
  Component: string;
  Hint?: string;
  Details?: Record<string, string>;
}
